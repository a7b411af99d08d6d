"""The mock scanner at a console: ``xdock mock scanner`` sends typed or scripted labels and prints
every command the host sends (``BEEP good``, ``DISPLAY → D12  LYON  dep 16:40``, ``CLEAR``)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterable
from typing import TextIO

from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.scanner_wire import Beep, Clear, CommandRejected, Display, ScannerCommand

__all__ = ["run_interactive", "serve_scanner"]

_Event = ScannerCommand | CommandRejected


def _describe(event: _Event) -> str:
    match event:
        case Beep(kind=kind):
            return f"BEEP {kind}"
        case Display(text=text):
            return f"DISPLAY {text}"
        case Clear():
            return "CLEAR"
        case CommandRejected(reason=reason, raw=raw):
            return f"REJECTED {raw!r}: {reason}"
    raise AssertionError(event)


async def _print_events(scanner: MockScanner, out: TextIO) -> None:
    printed = 0

    def unprinted() -> bool:
        return printed < len(scanner.received)

    while True:
        await scanner.wait_until(unprinted, None)
        for event in scanner.received[printed:]:
            print(_describe(event), file=out, flush=True)
        printed = len(scanner.received)


async def _as_async(lines: AsyncIterator[str] | Iterable[str]) -> AsyncIterator[str]:
    if isinstance(lines, AsyncIterator):
        async for line in lines:
            yield line
    else:
        for line in lines:
            yield line


async def run_interactive(
    scanner: MockScanner,
    lines: AsyncIterator[str] | Iterable[str],
    out: TextIO,
    delay: float = 0.0,
    *,
    linger: float = 1.0,
) -> None:
    """Scan each label in ``lines`` (``<GS>`` stands for the GS separator) and print the host's commands.

    Blank lines are skipped. Returns ``linger`` seconds after the last label, once late commands
    have been printed.
    """
    async with asyncio.TaskGroup() as group:
        printer = group.create_task(_print_events(scanner, out))
        async for line in _as_async(lines):
            label = line.strip().replace("<GS>", "\x1d")
            if not label:
                continue
            try:
                scanner.scan(label)
            except ValueError as exc:
                print(f"NOT SENT {line.strip()!r}: {exc}", file=out, flush=True)
            else:
                print(f"SCAN {line.strip()}", file=out, flush=True)
            await asyncio.sleep(delay)
        await asyncio.sleep(linger)
        printer.cancel()


async def _watch(stdin: TextIO, reader: asyncio.StreamReader) -> asyncio.BaseTransport | None:
    """Feed ``reader`` from a copy of stdin's descriptor; ``None`` for a regular file or in-memory text."""
    try:
        pipe = os.fdopen(os.dup(stdin.fileno()), "rb", buffering=0)
    except (OSError, ValueError):
        return None
    try:
        transport, _ = await asyncio.get_running_loop().connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), pipe
        )
    except ValueError:
        pipe.close()
        return None
    return transport


async def _stdin_lines(stdin: TextIO) -> AsyncIterator[str]:
    """Lines typed on ``stdin``, read without blocking the event loop; ``stdin`` itself stays open."""
    reader = asyncio.StreamReader()
    transport = await _watch(stdin, reader)
    if transport is None:  # reading it never blocks
        for line in stdin:
            yield line
        return
    try:
        while raw := await reader.readline():
            yield raw.decode("utf-8", errors="replace")
    finally:
        transport.close()  # stops reading at once; a terminal is shared, so make it blocking again
        os.set_blocking(stdin.fileno(), True)


async def serve_scanner(
    link: str | None,
    symbology: str | None,
    script: list[str] | None,
    interval: float,
    out: TextIO,
    stdin: TextIO | None,
) -> None:
    """Run a scanner for ``xdock mock scanner``: scripted labels, or labels typed on ``stdin``.

    Runs until the script has been sent (plus one second for late commands), until ``stdin`` ends,
    or until cancelled; the pty is closed in every case.
    """
    scanner = MockScanner(link=link, symbology=symbology)
    async with scanner:
        where = f"{scanner.device_path} (link: {scanner.link or 'none'})"
        print(f"scanner ready on {where}", file=out, flush=True)
        if script is not None:
            await run_interactive(scanner, script, out, interval)
        elif stdin is not None:
            await run_interactive(scanner, _stdin_lines(stdin), out, 0.0)
        else:
            await _print_events(scanner, out)
