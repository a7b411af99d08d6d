"""A serial barcode scanner, emulated on a real pseudo-terminal.

The host opens the scanner's port (``device_path``, e.g. ``/dev/pts/7``, or the stable ``link``) like
any serial device; baud rate and framing are accepted and ignored.

Scanner → host
    Each scan is one line: the AIM symbology identifier (``]C1`` for GS1-128 by default), the data,
    then CR LF. GS1 element strings keep their GS (0x1D) separators.

Host → scanner
    One command per line, terminated by CR LF (a bare LF or CR is accepted):

    ``BEEP GOOD``        good-read beep, green LED
    ``BEEP ERROR``       error beep, red LED
    ``DISPLAY <text>``   show one line of UTF-8 text, at most 64 characters
    ``CLEAR``            clear the display

    Keywords are not case-sensitive. A line that is not a valid command (unknown keyword, text too
    long, control characters, more than 256 bytes) is ignored by the scanner and recorded in
    :attr:`MockScanner.rejected`.

Unplugging (:meth:`MockScanner.close`) removes the ``/dev/pts`` node and the link; the host's open
port then reports end of file on read and EIO on write. Plugging it back (:meth:`MockScanner.open`)
gives a new pty and re-points the link; the kernel may hand out the old ``/dev/pts`` number again once
no host holds it, so hosts should open the link.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tty
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from xdock.protocol.scanner_wire import (
    Beep,
    Clear,
    CommandDecoder,
    CommandRejected,
    Display,
    ScannerCommand,
    encode_scan,
)

__all__ = ["MockScanner"]

log = logging.getLogger(__name__)

_READ_SIZE = 4096
_Event = ScannerCommand | CommandRejected


class MockScanner:
    """A scanner on a pty: scans go out on :meth:`scan`, host commands update display and beeps."""

    def __init__(self, *, link: str | Path | None = None, symbology: str | None = "]C1", name: str = "scanner") -> None:
        self.symbology = symbology
        self.name = name
        self.display = ""
        self.beeps: list[str] = []
        self.commands: list[ScannerCommand] = []
        self.rejected: list[CommandRejected] = []
        self.received: list[ScannerCommand | CommandRejected] = []  # commands and rejections, in order
        self._link = Path(link) if link is not None else None
        self._displays: list[str] = [""]
        self._cursor = 0
        self._changed = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._master = -1
        self._slave = -1
        self._device_path = ""
        self._outbox = bytearray()
        self._decoder = CommandDecoder()

    @property
    def device_path(self) -> str:
        """The pty the scanner is (or was last) plugged in on."""
        if not self._device_path:
            raise RuntimeError(f"scanner {self.name!r} was never opened")
        return self._device_path

    @property
    def link(self) -> Path | None:
        return self._link

    @property
    def is_open(self) -> bool:
        return self._master >= 0

    def open(self) -> None:
        """Plug the scanner in: a new pty, the link pointing at it, commands decoded as they arrive."""
        if self.is_open:
            raise RuntimeError(f"scanner {self.name!r} is already open on {self._device_path}")
        loop = asyncio.get_running_loop()
        master, slave = os.openpty()
        try:
            tty.setraw(slave)
            os.set_blocking(master, False)
            device_path = os.ttyname(slave)
            if self._link is not None:
                temporary = self._link.with_name(f".{self._link.name}.{os.getpid()}.tmp")
                temporary.unlink(missing_ok=True)
                temporary.symlink_to(device_path)
                temporary.replace(self._link)
            loop.add_reader(master, self._on_readable)
        except BaseException:
            os.close(master)
            os.close(slave)
            raise
        self._loop, self._master, self._slave, self._device_path = loop, master, slave, device_path
        self._decoder = CommandDecoder()
        self._wake()
        log.info("scanner %s plugged in on %s (link: %s)", self.name, device_path, self._link)

    def close(self) -> None:
        """Unplug the scanner: the host's open port fails on its next read or write."""
        if not self.is_open:
            return
        assert self._loop is not None
        self._loop.remove_reader(self._master)
        self._loop.remove_writer(self._master)
        os.close(self._master)
        os.close(self._slave)
        self._master = self._slave = -1
        self._outbox.clear()
        if self._link is not None and self._link.is_symlink():
            with contextlib.suppress(OSError):
                if os.readlink(self._link) == self._device_path:
                    self._link.unlink()
        log.info("scanner %s unplugged from %s", self.name, self._device_path)
        self._wake()

    async def __aenter__(self) -> MockScanner:
        self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def scan(self, data: str, symbology: str | Literal["default"] | None = "default") -> None:
        """Send ``data`` to the host as one scan; queued if the host is not reading fast enough.

        ``symbology`` overrides the scanner's AIM identifier for this scan (``"]E0"`` for an EAN-13
        product code read by the same scanner, ``None`` for none).
        """
        if not self.is_open:
            raise RuntimeError(f"scanner {self.name!r} is not open: cannot scan {data!r}")
        self._outbox += encode_scan(data, self.symbology if symbology == "default" else symbology)
        self._flush()

    def _flush(self) -> None:
        assert self._loop is not None
        try:
            written = os.write(self._master, self._outbox)
        except BlockingIOError:
            written = 0
        del self._outbox[:written]
        if self._outbox:
            self._loop.add_writer(self._master, self._flush)
        else:
            self._loop.remove_writer(self._master)

    def _on_readable(self) -> None:
        try:
            data = os.read(self._master, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError as exc:
            log.warning("scanner %s: reading host commands failed: %s", self.name, exc)
            return
        for event in self._decoder.feed(data):
            self._apply(event)

    def _apply(self, event: _Event) -> None:
        self.received.append(event)
        match event:
            case CommandRejected():
                log.info("scanner %s rejected %r: %s", self.name, event.raw, event.reason)
                self.rejected.append(event)
            case Beep(kind=kind):
                self.commands.append(event)
                self.beeps.append(kind)
            case Display(text=text):
                self.commands.append(event)
                self.display = text
            case Clear():
                self.commands.append(event)
                self.display = ""
        self._displays.append(self.display)
        self._wake()

    def _wake(self) -> None:
        """Let every waiter re-check its condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, ready: Callable[[], bool], timeout: float | None = 5.0) -> None:
        """Wait until ``ready()`` holds; checked now, after each line from the host, on open and close."""
        async with asyncio.timeout(timeout):
            while not ready():
                await self._changed.wait()

    async def wait_for_display(self, predicate: Callable[[str], bool] | str, timeout: float = 5.0) -> str:
        """The first display text, now or later, that matches ``predicate`` (or equals the string)."""
        check = predicate.__eq__ if isinstance(predicate, str) else predicate
        seen = len(self._displays) - 1
        found: list[str] = []

        def matched() -> bool:
            nonlocal seen
            found.extend(text for text in self._displays[seen:] if check(text))
            seen = len(self._displays)
            return bool(found)

        expected = repr(predicate) if isinstance(predicate, str) else getattr(predicate, "__name__", "match")
        try:
            await self.wait_until(matched, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"scanner {self.name!r}: expected display {expected} within {timeout} s, display shows {self.display!r}"
            ) from None
        return found[0]

    async def next_command(self, timeout: float | None = 5.0) -> ScannerCommand:
        """The oldest command not yet returned by this method, waiting for one if need be."""
        try:
            await self.wait_until(lambda: self._cursor < len(self.commands), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"scanner {self.name!r}: expected a command within {timeout} s, "
                f"received {len(self.commands)} so far (rejected {len(self.rejected)})"
            ) from None
        self._cursor += 1
        return self.commands[self._cursor - 1]
