"""A Modbus RTU temperature/humidity probe, emulated on a real pseudo-terminal.

The probe is a pymodbus RTU server answering the register map of :mod:`xdock.protocol.modbus_probe`
(input registers 0 and 1: temperature and humidity in tenths). It runs on its own pty (the probe's
UART); a second pty is the cable to the host, whose port (``device_path``, or the stable ``link``)
the host opens like any serial device. The mock copies bytes between the two, so the cable can be
pulled and plugged back while the probe keeps running:

* :meth:`MockModbusSensor.unplug` removes the host's pty and the link: an open host port fails
  (EOF/EIO), as a USB-RS485 adapter pulled out does; :meth:`MockModbusSensor.plug` gives a new pty
  and re-points the link.
* :meth:`MockModbusSensor.corrupt_next_reply` flips the CRC of the next reply the probe sends;
  :attr:`MockModbusSensor.mute` makes it answer nothing. Like a real probe on a shared RS-485 line,
  it never answers a request for another device id.

Set :attr:`MockModbusSensor.sample` to change what the probe reads; every answered request is
counted in :attr:`MockModbusSensor.replies`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tty
from pathlib import Path

from pymodbus import FramerType
from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusSerialServer
from pymodbus.simulator import DataType, SimData, SimDevice

from xdock.protocol.modbus_probe import DEFAULT_DEVICE_ID, REGISTER_COUNT, ProbeSample, encode_registers

__all__ = ["MockModbusSensor"]

log = logging.getLogger(__name__)

_READ_SIZE = 4096
_READ_INPUT_REGISTERS = 4


def _raw_pty() -> tuple[int, int, str]:
    master, slave = os.openpty()
    try:
        tty.setraw(slave)
        tty.setraw(master)
        os.set_blocking(master, False)
        return master, slave, os.ttyname(slave)
    except BaseException:
        os.close(master)
        os.close(slave)
        raise


class MockModbusSensor:
    """A temperature/humidity probe speaking Modbus RTU on a pty."""

    def __init__(
        self,
        *,
        link: str | Path | None = None,
        device_id: int = DEFAULT_DEVICE_ID,
        sample: ProbeSample | None = None,
        name: str = "probe",
    ) -> None:
        self.sample = sample if sample is not None else ProbeSample(temperature_c=4.0, humidity_pct=60.0)
        self.device_id = device_id
        self.name = name
        self.replies = 0
        """Frames the probe sent."""
        self.corrupted = 0
        """Replies sent with a flipped CRC."""
        self.mute = False
        """While set, the probe hears requests but sends nothing back."""
        self._link = Path(link) if link is not None else None
        self._corrupt_next = False
        self._server: ModbusSerialServer | None = None
        self._uart: tuple[int, int, str] | None = None
        self._cable: tuple[int, int, str] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def device_path(self) -> str:
        """The host-side pty while plugged in."""
        if self._cable is None:
            raise RuntimeError(f"probe {self.name!r} is not plugged in")
        return self._cable[2]

    @property
    def link(self) -> Path | None:
        return self._link

    @property
    def is_plugged(self) -> bool:
        return self._cable is not None

    def corrupt_next_reply(self) -> None:
        """Send the next reply with a wrong CRC (its last byte inverted)."""
        self._corrupt_next = True

    # -- lifecycle ----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Power the probe on (its server on its own pty) and plug the cable in."""
        if self._server is not None:
            raise RuntimeError(f"probe {self.name!r} is already running")
        self._loop = asyncio.get_running_loop()
        self._uart = _raw_pty()
        device = SimDevice(
            id=self.device_id,
            simdata=(
                [SimData(0, values=False, datatype=DataType.BITS)],
                [SimData(0, values=False, datatype=DataType.BITS)],
                [SimData(0, values=0, datatype=DataType.UINT16)],
                [SimData(0, count=REGISTER_COUNT, values=0, datatype=DataType.UINT16, readonly=True)],
            ),
            action=self._on_access,
        )
        self._server = ModbusSerialServer(
            device, framer=FramerType.RTU, port=self._uart[2], trace_packet=self._on_packet
        )
        try:
            await self._server.serve_forever(background=True)
        except BaseException:
            await self.stop()
            raise
        self._loop.add_reader(self._uart[0], self._pump, self._uart[0])
        self.plug()
        log.info("probe %s running (device id %d, uart %s)", self.name, self.device_id, self._uart[2])

    async def stop(self) -> None:
        """Unplug the cable and power the probe off."""
        self.unplug()
        if self._server is not None:
            await self._server.shutdown()  # type: ignore[no-untyped-call]
            self._server = None
        if self._uart is not None:
            assert self._loop is not None
            self._loop.remove_reader(self._uart[0])
            os.close(self._uart[0])
            os.close(self._uart[1])
            self._uart = None

    async def __aenter__(self) -> MockModbusSensor:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def plug(self) -> None:
        """Plug the cable in: a new host-side pty, the link pointing at it."""
        if self._cable is not None:
            raise RuntimeError(f"probe {self.name!r} is already plugged in on {self._cable[2]}")
        assert self._loop is not None
        cable = _raw_pty()
        try:
            if self._link is not None:
                temporary = self._link.with_name(f".{self._link.name}.{os.getpid()}.tmp")
                temporary.unlink(missing_ok=True)
                temporary.symlink_to(cable[2])
                temporary.replace(self._link)
            self._loop.add_reader(cable[0], self._pump, cable[0])
        except BaseException:
            os.close(cable[0])
            os.close(cable[1])
            raise
        self._cable = cable
        log.info("probe %s plugged in on %s (link: %s)", self.name, cable[2], self._link)

    def unplug(self) -> None:
        """Pull the cable: the host's open port fails on its next read or write."""
        if self._cable is None:
            return
        assert self._loop is not None
        master, slave, path = self._cable
        self._loop.remove_reader(master)
        os.close(master)
        os.close(slave)
        self._cable = None
        if self._link is not None and self._link.is_symlink():
            with contextlib.suppress(OSError):
                if os.readlink(self._link) == path:
                    self._link.unlink()
        log.info("probe %s unplugged from %s", self.name, path)

    # -- wire ---------------------------------------------------------------------------------------

    def _pump(self, source: int) -> None:
        """Copy what arrived on one pty's master to the other's (the cable's two ends)."""
        try:
            data = os.read(source, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data or self._uart is None or self._cable is None:
            return
        target = self._cable[0] if source == self._uart[0] else self._uart[0]
        try:
            os.write(target, data)
        except OSError as exc:
            log.warning("probe %s lost %d bytes on the line: %s", self.name, len(data), exc)

    def _on_packet(self, sending: bool, data: bytes) -> bytes:
        if not sending:
            return data
        if not data or data[0] != self.device_id or self.mute:
            return b""  # on a shared RS-485 line a probe never answers another address
        self.replies += 1
        if self._corrupt_next and data:
            self._corrupt_next = False
            self.corrupted += 1
            return data[:-1] + bytes([data[-1] ^ 0xFF])
        return data

    async def _on_access(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        current_registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        if function_code == _READ_INPUT_REGISTERS:
            for offset, value in enumerate(encode_registers(self.sample)):
                current_registers[offset - start_address] = value
        return None
