"""The edge agent's configuration, validated once at start."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from xdock.edge.portal_config import PortalConfig
from xdock.edge.portals import PortalReader
from xdock.edge.reader_clock import DEFAULT_TOLERANCE_S
from xdock.edge.sensor_probes import ModbusProbe
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.topics import check_id
from xdock.transport.broker import DEFAULT_LINK, BrokerLink

__all__ = ["EdgeConfig", "ScannerPort"]


@dataclass(frozen=True)
class ScannerPort:
    """A serial barcode scanner wired to this gateway."""

    device_id: str
    """Id of the scanner in topics and messages (``[A-Za-z0-9_-]``)."""
    port: str
    """Serial device path, e.g. ``/dev/ttyACM0`` or a stable udev symlink ``/dev/scanner-d1``."""
    baudrate: int = 9600
    """Line speed; USB CDC scanners ignore it."""

    def __post_init__(self) -> None:
        check_id("scanner device id", self.device_id)
        if not self.port:
            raise ValueError(f"Scanner {self.device_id!r}: empty port path")

    @classmethod
    def parse(cls, spec: str) -> ScannerPort:
        """``ID=PATH`` or ``ID=PATH@BAUD`` as written on the command line."""
        ident, sep, rest = spec.partition("=")
        if not sep:
            raise ValueError(f"Invalid scanner {spec!r}: expected ID=PATH (e.g. s1=/dev/ttyACM0)")
        path, at, baud = rest.partition("@")
        if at and not baud.isdigit():
            raise ValueError(f"Invalid scanner {spec!r}: baud rate {baud!r} is not a number")
        return cls(ident, path, int(baud) if at else 9600)


@dataclass(frozen=True)
class EdgeConfig:
    """Everything ``xdock edge`` needs."""

    site: str
    """Site id; must match central's site file."""
    edge_id: str
    """This gateway's id, unique in the site."""
    door: str
    """The inbound door this gateway serves; every scan is reported as made at it."""
    broker: BrokerUrl
    """The MQTT broker."""
    scanners: tuple[ScannerPort, ...]
    """Serial scanners to read."""
    state_dir: Path
    """Where the agent keeps its durable state: the outbox of scans and the latest routing snapshot."""
    answer_timeout: float = 3.0
    """Seconds after which a worker waiting for central is told so on the display (or, when central is
    offline by then, gets the offline answer)."""
    heartbeat_s: float = 5.0
    """Period, in seconds of the edge's clock, of the retained edge and scanner statuses."""
    drain_rate: float = 200.0
    """Scans per second at most from the backlog (recorded while the link was down) after a reconnect."""
    window: int = 64
    """Scans published and not yet acknowledged by the broker, at most."""
    keep_sent: int = 10_000
    """Sent scans kept in the outbox for diagnosis (at most this many, at most ``keep_sent_s`` old)."""
    keep_sent_s: float = 3600.0
    """Seconds a sent scan is kept in the outbox for diagnosis."""
    readers: tuple[PortalReader, ...] = ()
    """LLRP portal readers; each one's door passages go to central like scans (same outbox and sequence)."""
    portal_outside: frozenset[int] = frozenset({1})
    """Portal antennas on the apron (trailer) side of each reader's door; thresholds are
    :class:`~xdock.edge.portal_config.PortalConfig`'s defaults."""
    portal_inside: frozenset[int] = frozenset({2})
    """Portal antennas on the building side of each reader's door."""
    portal_track_gap_s: float = PortalConfig.track_gap_s
    """A tag not read for this long has left the portal (:attr:`PortalConfig.track_gap_s`); a clock
    running many times faster than the wall clock (the demo's) needs more, so a late inventory round
    does not split one pass in two."""
    probes: tuple[ModbusProbe, ...] = ()
    """Modbus RTU temperature/humidity probes; their readings go to central (same outbox and sequence)."""
    reader_clock_tolerance_s: float = DEFAULT_TOLERANCE_S
    """A reader clock further than this from the edge's has its tag reads rebased onto the edge's clock
    (:mod:`xdock.edge.reader_clock`)."""
    reader_silence_s: float | None = 30.0
    """A reader session that delivers no frame for this long is taken for dead and reopened; the reader
    is asked for a keepalive three times per period, so a quiet healthy reader is never dropped. ``None``:
    no keepalives asked, a silent session is kept (a half-open connection then goes unnoticed)."""
    broker_link: BrokerLink = DEFAULT_LINK
    """MQTT version and TLS CA of the link to ``broker``."""
    metrics_host: str = "127.0.0.1"
    """Interface of the metrics endpoint (``metrics_port``)."""
    metrics_port: int | None = None
    """Port of ``http://metrics_host:metrics_port/metrics`` (Prometheus text format); ``0`` picks a free one;
    ``None`` serves no metrics."""

    def __post_init__(self) -> None:
        check_id("site id", self.site)
        check_id("edge id", self.edge_id)
        check_id("door id", self.door)
        if not self.scanners and not self.readers and not self.probes:
            raise ValueError("An edge needs at least one scanner (--scanner ID=PATH) or reader (--reader ID=HOST:PORT)")
        ids = [s.device_id for s in self.scanners]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Scanner ids must be unique, got {', '.join(ids)}")
        ids += [r.device_id for r in self.readers]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Scanner and reader ids must be unique, got {', '.join(ids)}")
        ids += [p.probe_id for p in self.probes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Scanner, reader and Modbus probe ids must be unique, got {', '.join(ids)}")
        if not math.isfinite(self.reader_clock_tolerance_s) or self.reader_clock_tolerance_s < 0:
            raise ValueError(
                f"reader_clock_tolerance_s must be a finite number of seconds >= 0, got {self.reader_clock_tolerance_s}"
            )
        silence = self.reader_silence_s
        if silence is not None and not (math.isfinite(silence) and silence >= 1.0):
            raise ValueError(f"reader_silence_s must be a finite number of seconds >= 1, got {silence}")
        if self.portal_outside & self.portal_inside or not self.portal_outside or not self.portal_inside:
            raise ValueError(
                f"portal antennas: expected outside {sorted(self.portal_outside)} and inside "
                f"{sorted(self.portal_inside)} to be non-empty and apart"
            )
        for name in ("answer_timeout", "heartbeat_s", "drain_rate"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.heartbeat_s > 3600:
            raise ValueError(f"heartbeat_s must be at most 3600, got {self.heartbeat_s}")
        if self.window < 1:
            raise ValueError(f"window must be at least 1, got {self.window}")
        if self.keep_sent < 0 or self.keep_sent_s < 0:
            raise ValueError(
                f"keep_sent and keep_sent_s must not be negative, got {self.keep_sent}, {self.keep_sent_s}"
            )
