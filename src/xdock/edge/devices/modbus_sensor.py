"""The edge's poller of a Modbus RTU temperature/humidity probe (pymodbus async serial client).

One transaction at a time: :meth:`ModbusSensorPoller.poll_once` reads the probe's two input
registers (see :mod:`xdock.protocol.modbus_probe`) and returns a :class:`PollResult` whose
``outcome`` says what happened; the same outcome is counted in :attr:`ModbusSensorPoller.stats`:

``ok``            a sample, in engineering units
``timeout``       no valid answer within ``timeout_s``
``crc_error``     an answer arrived whose CRC is wrong (dropped; pymodbus then waits out the timeout)
``exception``     the probe answered with a Modbus exception code
``bad_value``     registers that do not decode to a valid sample
``disconnected``  the port is gone (cable pulled, pty vanished) or could not be opened

:meth:`ModbusSensorPoller.run` polls every ``poll_interval_s`` of the injected clock and, while
the port is gone, tries to open it again every ``reconnect_s``. No error ends the loop but
cancellation.

:attr:`ModbusSensorPoller.online` follows the outcomes (:mod:`xdock.edge.devices.probe_liveness`):
online at the first answer, offline at once when the port is gone, or after ``offline_after`` polls
in a row without an answer (3: one timeout is not an outage); ``on_status(online)`` hears each
change at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pymodbus import FramerType
from pymodbus.client import AsyncModbusSerialClient
from pymodbus.exceptions import ConnectionException, ModbusException
from pymodbus.framer import FramerRTU

from xdock.edge.devices.probe_liveness import OFFLINE_AFTER, PollOutcome, ProbeLiveness
from xdock.protocol.clock import Clock
from xdock.protocol.modbus_probe import (
    DEFAULT_DEVICE_ID,
    REG_TEMPERATURE,
    REGISTER_COUNT,
    ProbeSample,
    ProbeValueError,
    decode_registers,
)
from xdock.protocol.sensors import SensorKind
from xdock.transport.cancel import stop_if_cancelled

__all__ = ["ModbusSensorConfig", "ModbusSensorPoller", "PollOutcome", "PollResult", "PollerStats", "sample_readings"]

log = logging.getLogger(__name__)

_EXCEPTION_FRAME = 5  # device id, function | 0x80, exception code, CRC (2)


@dataclass(frozen=True)
class ModbusSensorConfig:
    """One probe on one serial line."""

    port: str
    """The serial device (or a stable link to it)."""
    temperature_id: str
    """Sensor id of the probe's temperature reading."""
    humidity_id: str
    """Sensor id of the probe's humidity reading."""
    device_id: int = DEFAULT_DEVICE_ID
    """The probe's Modbus device (slave) id, 1-247."""
    baudrate: int = 19200
    timeout_s: float = 0.5
    """How long one transaction waits for the answer."""
    poll_interval_s: float = 2.0
    reconnect_s: float = 1.0
    """Pause between attempts to open a port that is gone."""
    offline_after: int = OFFLINE_AFTER
    """Polls in a row without an answer (timeouts, CRC errors) after which the probe is offline."""

    def __post_init__(self) -> None:
        if not 1 <= self.device_id <= 247:
            raise ValueError(f"ModbusSensorConfig device_id must be 1-247, got {self.device_id}")
        if self.offline_after < 1:
            raise ValueError(f"ModbusSensorConfig offline_after must be >= 1, got {self.offline_after}")
        for name in ("timeout_s", "poll_interval_s", "reconnect_s"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"ModbusSensorConfig {name} must be > 0, got {value}")


@dataclass
class PollerStats:
    """What the poller has seen since it started, one count per outcome, plus connections."""

    ok: int = 0
    timeout: int = 0
    crc_error: int = 0
    exception: int = 0
    bad_value: int = 0
    disconnected: int = 0
    connects: int = 0


@dataclass(frozen=True)
class PollResult:
    """One transaction's outcome; ``sample`` is set when ``outcome`` is ``ok``."""

    outcome: PollOutcome
    at: datetime
    sample: ProbeSample | None = None
    detail: str = ""


def sample_readings(config: ModbusSensorConfig, sample: ProbeSample) -> list[tuple[str, SensorKind, float]]:
    """The probe's sample as (sensor id, kind, value) readings, for the report policy."""
    return [
        (config.temperature_id, "temperature", sample.temperature_c),
        (config.humidity_id, "humidity", sample.humidity_pct),
    ]


@dataclass
class ModbusSensorPoller:
    """Polls one probe; see the module docstring for the outcomes."""

    config: ModbusSensorConfig
    clock: Clock
    on_result: Callable[[PollResult], None] | None = None
    on_status: Callable[[bool], None] | None = None
    """Hears at once when the probe comes online or goes offline (see the module docstring)."""
    stats: PollerStats = field(default_factory=PollerStats, init=False)
    last_outcome: PollOutcome | None = field(default=None, init=False)
    """The outcome of the latest poll (``disconnected`` too when the port could not be opened)."""
    liveness: ProbeLiveness = field(init=False)
    _client: AsyncModbusSerialClient | None = field(default=None, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _bad_crc: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.liveness = ProbeLiveness(self.config.offline_after)

    @property
    def online(self) -> bool | None:
        """Whether the probe is online; ``None`` before its first poll."""
        return self.liveness.online

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.connected

    async def connect(self) -> bool:
        """Open the port; ``False`` (and the reason logged) when it cannot be opened now."""
        self.close()
        client = AsyncModbusSerialClient(
            self.config.port,
            framer=FramerType.RTU,
            baudrate=self.config.baudrate,
            timeout=self.config.timeout_s,
            retries=0,
            reconnect_delay=0,
            trace_packet=self._on_packet,
        )
        if not await client.connect():
            client.close()
            log.info("probe port %s cannot be opened now", self.config.port)
            return False
        self._client = client
        self.stats.connects += 1
        log.info("probe port %s open", self.config.port)
        return True

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    async def poll_once(self) -> PollResult:
        """One read transaction (never two at once on the line)."""
        async with self._lock:
            result = await self._transaction()
        setattr(self.stats, result.outcome, getattr(self.stats, result.outcome) + 1)
        if result.outcome != "ok":
            log.warning("probe %s: %s %s", self.config.port, result.outcome, result.detail)
        self._outcome(result.outcome)
        if self.on_result is not None:
            self.on_result(result)
        return result

    async def _transaction(self) -> PollResult:
        client = self._client
        if client is None or not client.connected:
            self.close()
            return PollResult("disconnected", self.clock.now(), detail="port not open")
        self._bad_crc = False
        try:
            response = await client.read_input_registers(
                REG_TEMPERATURE, count=REGISTER_COUNT, device_id=self.config.device_id
            )
        except ModbusException as exc:
            return self._failed(client, exc)
        now = self.clock.now()
        if response.isError():
            return PollResult("exception", now, detail=f"Modbus exception code {response.exception_code}")
        try:
            sample = decode_registers(list(response.registers))
        except ProbeValueError as exc:
            return PollResult("bad_value", now, detail=str(exc))
        return PollResult("ok", now, sample=sample)

    def _outcome(self, outcome: PollOutcome) -> None:
        """The latest poll's outcome, counted already: tell ``on_status`` when the probe came or went."""
        self.last_outcome = outcome
        online = self.liveness.observe(outcome)
        if online is None:
            return
        log.info("probe %s@%d is %s", self.config.port, self.config.device_id,
                 "online" if online else f"offline ({outcome})")
        if self.on_status is not None:
            self.on_status(online)

    def _failed(self, client: AsyncModbusSerialClient, exc: ModbusException) -> PollResult:
        """Tell a vanished port, a corrupted answer and silence apart."""
        now = self.clock.now()
        if isinstance(exc, ConnectionException) or not client.connected:
            self.close()
            return PollResult("disconnected", now, detail=str(exc))
        if self._bad_crc:
            return PollResult("crc_error", now, detail="answer with a wrong CRC dropped")
        return PollResult("timeout", now, detail=f"no answer within {self.config.timeout_s} s")

    def _on_packet(self, sending: bool, data: bytes) -> bytes:
        """See every complete answer before pymodbus checks it, to tell a CRC error from silence."""
        if not sending and len(data) >= 3:
            size = _EXCEPTION_FRAME if data[1] & 0x80 else 3 + data[2] + 2
            if len(data) >= size:
                crc = int.from_bytes(data[size - 2 : size], "big")
                if FramerRTU.compute_CRC(data[: size - 2]) != crc:
                    self._bad_crc = True
        return data

    async def run(self) -> None:
        """Poll forever; reopen the port while it is gone. Closes the port when cancelled."""
        try:
            while True:
                # pymodbus opens the port and waits for answers under asyncio.wait_for, which on Python 3.11
                # can swallow a cancellation landing as it finishes; a stopping poller must not go on forever.
                stop_if_cancelled()
                if not self.connected and not await self.connect():
                    self.stats.disconnected += 1
                    self._outcome("disconnected")
                    await self.clock.sleep(self.config.reconnect_s)
                    continue
                result = await self.poll_once()
                if result.outcome != "disconnected":
                    await self.clock.sleep(self.config.poll_interval_s)
        finally:
            self.close()
