"""A networked label printer, emulated as a Zebra-style raw ZPL server on a real TCP socket.

The printer listens on ``host:port`` (9100, the raw port of networked label printers; 0: a free one, see
:attr:`LabelPrinter.port`) and takes any number of clients. Each connection's bytes go through its own
:class:`~xdock.protocol.zpl.ZplDecoder`, so a format may arrive in any pieces:

- each complete format ``^XA`` ... ``^XZ`` is "printed": kept in ``printed``, in the order completed;
- ``~HS`` is answered at once with the three host status lines a Zebra printer sends (STX ... ETX CR LF each):
  no paper out, not paused, 1218-dot (6 inch) labels, the connection's partial-format flag;
- a format it cannot read is kept in ``rejected`` (a :class:`~xdock.protocol.zpl.ZplError`), as is one
  left unfinished when its connection closes; other ``~`` commands are logged and ignored.

:meth:`LabelPrinter.go_offline` makes it a printer switched off: it stops listening (a client's connect is
refused) and drops the clients it has; :meth:`LabelPrinter.go_online` listens again on the same port.
``async with LabelPrinter(port=...) as printer`` leaves no task behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import Final, Self

from xdock.protocol.zpl import (
    DEFAULT_MAX_FORMAT,
    ControlCommand,
    HostStatusQuery,
    ParsedLabel,
    ZplDecoder,
    ZplError,
    ZplEvent,
)

__all__ = ["PRINTER_PORT", "LabelPrinter", "host_status"]

log = logging.getLogger(__name__)

PRINTER_PORT: Final = 9100
LABEL_LENGTH_DOTS: Final = 1218
"""6 inches at 203 dpi."""
_READ = 65536


def host_status(*, partial_format: bool = False, paused: bool = False, label_length_dots: int = LABEL_LENGTH_DOTS
                ) -> bytes:
    """The answer to ``~HS``: three lines, each ``STX fields ETX CR LF``.

    Line 1: communication settings, paper out, paused, label length in dots, formats in the receive buffer,
    buffer full, diagnostic mode, partial format, unused, corrupt RAM, under and over temperature. Line 2:
    function settings, unused, head up, ribbon out, thermal transfer, print mode (2: tear-off), print width
    mode, label waiting, labels left in the batch, format while printing, graphics stored. Line 3: password,
    static RAM installed.
    """
    lines = (
        f"030,0,{int(paused)},{label_length_dots:04d},000,0,0,{int(partial_format)},000,0,0,0",
        "001,0,0,0,1,2,6,0,00000000,1,000",
        "1234,0",
    )
    return b"".join(b"\x02" + line.encode("ascii") + b"\x03\r\n" for line in lines)


class LabelPrinter:
    """A raw ZPL printer on a TCP port; see the module docstring."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = PRINTER_PORT, max_format: int = DEFAULT_MAX_FORMAT
                 ) -> None:
        self.printed: list[ParsedLabel] = []
        """Every label printed, in the order their formats completed."""
        self.rejected: list[ZplError] = []
        """Every format refused (unreadable, or unfinished when its connection closed)."""
        self.status_queries = 0
        self.connections = 0
        self._host = host
        self._port = port
        self._max_format = max_format
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._printed = asyncio.Event()

    @property
    def port(self) -> int:
        """The TCP port the printer listens on (kept while offline)."""
        if self._server is None and self._port == 0:
            raise RuntimeError("LabelPrinter is not started")
        return self._port

    @property
    def online(self) -> bool:
        """Whether it listens for clients."""
        return self._server is not None

    async def start(self) -> None:
        """Listen (online)."""
        await self.go_online()

    async def go_online(self) -> None:
        """Listen for clients again, on the same port; nothing if already online."""
        if self._server is not None:
            return
        self._server = await asyncio.start_server(self._serve, self._host, self._port)
        self._port = self._server.sockets[0].getsockname()[1]
        log.info("label printer listening on %s:%d", self._host, self._port)

    async def go_offline(self) -> None:
        """Stop listening and drop every client, as a printer switched off; nothing if already offline."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        # Cut each connection rather than cancel its task: the handler sees the end of its stream and ends
        # as it would for a client that hung up (an unfinished format is refused).
        for writer in list(self._writers):
            writer.transport.abort()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await server.wait_closed()
        log.info("label printer on port %d offline", self._port)

    async def close(self) -> None:
        """Drop every client and stop listening."""
        await self.go_offline()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def wait_for_labels(self, count: int, timeout_s: float) -> list[ParsedLabel]:
        """The first ``count`` labels printed, once there are that many; ``TimeoutError`` after ``timeout_s``."""
        try:
            async with asyncio.timeout(timeout_s):
                while len(self.printed) < count:
                    self._printed.clear()
                    await self._printed.wait()
        except TimeoutError:
            raise TimeoutError(
                f"expected {count} labels printed within {timeout_s} s, found {len(self.printed)}"
            ) from None
        return self.printed[:count]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        self._writers.add(writer)
        decoder = ZplDecoder(max_format=self._max_format)
        try:
            if self._server is None:  # accepted as the printer went offline
                return
            self.connections += 1
            while data := await reader.read(_READ):
                for event in decoder.feed(data):
                    self._take(event, decoder, writer)
                await writer.drain()
            for event in decoder.end():
                self._take(event, decoder, writer)
        except (ConnectionError, OSError) as error:
            log.info("label printer client connection lost: %s", error)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            self._writers.discard(writer)
            if task is not None:
                self._handlers.discard(task)

    def _take(self, event: ZplEvent, decoder: ZplDecoder, writer: asyncio.StreamWriter) -> None:
        if isinstance(event, ParsedLabel):
            self.printed.append(event)
            self._printed.set()
            log.info("printed label %d (%d fields)", len(self.printed), len(event.fields))
        elif isinstance(event, HostStatusQuery):
            self.status_queries += 1
            writer.write(host_status(partial_format=decoder.in_format))
        elif isinstance(event, ControlCommand):
            log.info("label printer ignores ~%s", event.name)
        else:
            self.rejected.append(event)
            log.warning("label printer refused a format: %s", event)
