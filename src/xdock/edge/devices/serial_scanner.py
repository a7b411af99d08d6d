"""Driver for a serial barcode scanner (wire format in :mod:`xdock.protocol.scanner_wire`).

The port is opened non-blocking with pyserial and watched by the event loop; no thread waits on it.
A write goes out at once when the port can take it (the usual case) and waits for the loop to see
the port writable only when it cannot; :meth:`SerialScannerDriver.send_all` writes several commands
(a beep and a display line) in one write.
A scanner that is unplugged shows up as a failed read or write: the driver logs it once, reports the
scanner offline, and re-opens the port by name (a symlink is followed anew on every attempt) with a
capped, doubling back-off until the scanner is back, then reports it online again.

pyserial's exceptions stop here: they become :class:`ScannerUnavailableError` inside the driver,
and :meth:`SerialScannerDriver.send` answers ``False`` while the scanner is absent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import select
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

import serial

from xdock.protocol.scanner_wire import (
    LineRejected,
    ScanLine,
    ScanLineDecoder,
    ScannerCommand,
    encode_command,
)
from xdock.transport.backoff import Backoff, BackoffPolicy

__all__ = ["ScannerStats", "ScannerUnavailableError", "SerialScannerDriver", "StatusCallback"]

log = logging.getLogger(__name__)

StatusCallback = Callable[[str, bool], None]
"""Called with ``(device_id, online)`` each time a scanner comes or goes."""

_READ_SIZE = 4096
_WRITE_TIMEOUT = 1.0


class ScannerUnavailableError(ConnectionError):
    """The scanner's port cannot be opened, read or written."""


@dataclass
class ScannerStats:
    """What the scanner has sent since the driver started, across unplugs."""

    scans: int = 0
    """Lines decoded as scans."""
    bad_lines: int = 0
    """Lines refused by the decoder (garbled, too long)."""


@dataclass(frozen=True)
class _PortLost:
    reason: str


class _Closed:
    pass


_Inbox = ScanLine | LineRejected | _PortLost | _Closed


class SerialScannerDriver:
    """One serial scanner: scans come out of :meth:`lines`, commands go in with :meth:`send`."""

    def __init__(
        self,
        device_id: str,
        port: str,
        *,
        baudrate: int = 9600,
        reopen_min: float = 0.2,
        reopen_max: float = 2.0,
        on_status: StatusCallback | None = None,
    ) -> None:
        if not 0 < reopen_min <= reopen_max:
            raise ValueError(f"Invalid re-open back-off: expected 0 < min <= max, got {reopen_min}, {reopen_max}")
        self.device_id = device_id
        self.port = port
        self.stats = ScannerStats()
        self._baudrate = baudrate
        self._reopen_policy = BackoffPolicy(first=reopen_min, cap=reopen_max)
        self._on_status = on_status
        self._online = False
        self._serial: serial.Serial | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._decoder = ScanLineDecoder()
        self._inbox: asyncio.Queue[_Inbox] = asyncio.Queue()
        self._write_lock = asyncio.Lock()
        self._write_waiter: asyncio.Future[None] | None = None
        self._iterating = False
        self._closed = False
        self._absence_logged = False

    @property
    def online(self) -> bool:
        return self._online

    async def lines(self) -> AsyncIterator[ScanLine | LineRejected]:
        """Every line the scanner sends, across unplugs, until cancelled or :meth:`aclose`."""
        if self._iterating:
            raise RuntimeError(f"scanner {self.device_id}: lines() is already being read")
        self._iterating = True
        try:
            while not self._closed:
                if self._serial is None and not await self._reopen():
                    return
                item = await self._inbox.get()
                if isinstance(item, _Closed):
                    return
                if not isinstance(item, _PortLost):
                    yield item
        finally:
            self._iterating = False
            self._drop_port()
            self._set_online(False)

    async def send(self, command: ScannerCommand) -> bool:
        """Write ``command`` to the scanner; ``False`` (and logged) when the scanner is absent.

        The port is opened by :meth:`lines`, so commands reach the scanner while its lines are read.
        """
        return await self.send_all((command,))

    async def send_all(self, commands: Sequence[ScannerCommand]) -> bool:
        """Write ``commands`` to the scanner in order, in one write; like :meth:`send` otherwise."""
        if not commands:
            return True
        command = commands[0] if len(commands) == 1 else list(commands)
        payload = b"".join(encode_command(c) for c in commands)
        async with self._write_lock:
            ser = self._serial
            if ser is None:
                log.warning("scanner %s is offline: %r not sent", self.device_id, command)
                return False
            try:
                await self._write_all(ser, payload)
            except ScannerUnavailableError as exc:
                log.warning("scanner %s: %r not sent: %s", self.device_id, command, exc)
                if ser is self._serial:
                    self._lose(str(exc))
                return False
        return True

    async def aclose(self) -> None:
        """Close the port for good; :meth:`lines` returns."""
        self._closed = True
        self._inbox.put_nowait(_Closed())
        self._drop_port()
        self._set_online(False)

    # -- port life cycle -------------------------------------------------------------------------

    async def _reopen(self) -> bool:
        """Open the port, retrying with back-off; ``False`` if the driver was closed meanwhile."""
        backoff = Backoff(self._reopen_policy)
        while not self._closed:
            try:
                self._open_port()
            except ScannerUnavailableError as exc:
                if self._absence_logged:
                    log.debug("scanner %s still not available on %s: %s", self.device_id, self.port, exc)
                else:
                    log.warning("scanner %s absent from %s: %s; retrying", self.device_id, self.port, exc)
                    self._absence_logged = True
            else:
                return True
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(backoff.failed()):
                    item = await self._inbox.get()
                    if isinstance(item, _Closed):
                        return False
        return False

    def _open_port(self) -> None:
        try:
            ser = serial.Serial(self.port, self._baudrate, timeout=0, write_timeout=0)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ScannerUnavailableError(str(exc)) from exc
        loop = asyncio.get_running_loop()
        self._decoder = ScanLineDecoder()
        self._serial, self._loop = ser, loop
        loop.add_reader(ser.fileno(), self._on_readable, ser)
        log.info("scanner %s open on %s (%s)", self.device_id, self.port, os.path.realpath(self.port))
        self._set_online(True)

    def _on_readable(self, ser: serial.Serial) -> None:
        try:
            data = ser.read(_READ_SIZE)
        except (serial.SerialException, OSError) as exc:
            self._lose(f"read failed: {exc}")
            return
        for line in self._decoder.feed(data):
            if isinstance(line, ScanLine):
                self.stats.scans += 1
            else:
                self.stats.bad_lines += 1
            self._inbox.put_nowait(line)

    def _lose(self, reason: str) -> None:
        log.warning("scanner %s lost on %s: %s; re-opening", self.device_id, self.port, reason)
        self._absence_logged = True
        self._drop_port()
        self._inbox.put_nowait(_PortLost(reason))
        self._set_online(False)

    def _drop_port(self) -> None:
        ser, self._serial = self._serial, None
        if ser is None:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(ser.fileno())
            self._loop.remove_writer(ser.fileno())
        if self._write_waiter is not None and not self._write_waiter.done():
            self._write_waiter.set_exception(ScannerUnavailableError("port closed"))
        with contextlib.suppress(serial.SerialException, OSError):
            ser.close()

    def _set_online(self, online: bool) -> None:
        if online == self._online:
            return
        self._online = online
        if online:
            self._absence_logged = False
            log.info("scanner %s online", self.device_id)
        if self._on_status is not None:
            self._on_status(self.device_id, online)

    # -- writing ---------------------------------------------------------------------------------

    async def _write_all(self, ser: serial.Serial, payload: bytes) -> None:
        view = memoryview(payload)
        while view:
            # pyserial spins on EAGAIN in non-blocking mode: write only once the port is writable.
            if not _writable_now(ser):
                await self._writable(ser)
            try:
                written = ser.write(view)
            except (serial.SerialException, OSError) as exc:
                raise ScannerUnavailableError(f"write failed: {exc}") from exc
            view = view[written or 0 :]

    async def _writable(self, ser: serial.Serial) -> None:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._write_waiter = waiter
        fd = ser.fileno()

        def ready() -> None:
            if not waiter.done():
                waiter.set_result(None)

        loop.add_writer(fd, ready)
        try:
            async with asyncio.timeout(_WRITE_TIMEOUT):
                await waiter
        except TimeoutError as exc:
            raise ScannerUnavailableError(f"not accepting data for {_WRITE_TIMEOUT} s") from exc
        finally:
            self._write_waiter = None
            if ser is self._serial:
                loop.remove_writer(fd)


def _writable_now(ser: serial.Serial) -> bool:
    """Whether the port takes data now (one ``poll`` with no wait); a failure is left to the write."""
    poller = select.poll()
    poller.register(ser.fileno(), select.POLLOUT)
    try:
        events = poller.poll(0)
    except OSError:
        return True
    return any(mask & select.POLLOUT for _, mask in events)
