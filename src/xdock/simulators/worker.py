"""A dock worker with a scanner: scans a label and waits for the answer on the scanner.

The answer is the first display text the host sends after the scan, together with the beep
that came with it; the time from the scan to that text is what the worker experiences.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.scanner_wire import Beep, Display

__all__ = ["Answer", "scan_and_wait"]


@dataclass(frozen=True)
class Answer:
    """What the worker saw and heard after one scan."""

    text: str | None
    beep: str | None
    ms: float

    @property
    def answered(self) -> bool:
        return self.text is not None


async def scan_and_wait(
    scanner: MockScanner, label: str, timeout: float = 5.0, *, symbology: str | None = "]C1"
) -> Answer:
    """Scan ``label`` on ``scanner`` and wait up to ``timeout`` seconds for the display to answer."""
    start = len(scanner.commands)
    began = time.perf_counter()
    scanner.scan(label, symbology)

    def shown() -> bool:
        return any(isinstance(c, Display) for c in scanner.commands[start:])

    try:
        await scanner.wait_until(shown, timeout)
    except TimeoutError:
        return Answer(None, _beep(scanner, start), (time.perf_counter() - began) * 1000)
    elapsed = (time.perf_counter() - began) * 1000
    text = next(c.text for c in scanner.commands[start:] if isinstance(c, Display))
    return Answer(text, _beep(scanner, start), elapsed)


def _beep(scanner: MockScanner, start: int) -> str | None:
    return next((c.kind for c in scanner.commands[start:] if isinstance(c, Beep)), None)
