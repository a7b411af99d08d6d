"""The edge agent's configuration, validated once at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.topics import check_id

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
    """Where the agent keeps its durable sequence counter."""
    answer_timeout: float = 3.0
    """Seconds after which a worker waiting for central is told so on the display."""

    def __post_init__(self) -> None:
        check_id("site id", self.site)
        check_id("edge id", self.edge_id)
        check_id("door id", self.door)
        if not self.scanners:
            raise ValueError("An edge needs at least one scanner (--scanner ID=PATH)")
        ids = [s.device_id for s in self.scanners]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Scanner ids must be unique, got {', '.join(ids)}")
        if self.answer_timeout <= 0:
            raise ValueError(f"answer_timeout must be positive, got {self.answer_timeout}")
