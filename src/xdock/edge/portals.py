"""RFID door portals run by the edge agent: one LLRP reader each, its reads judged into door passages.

A :class:`PortalReader` is one reader as configured (``ID=HOST:PORT`` or ``ID=HOST:PORT@DOOR`` on
the command line; the door defaults to the edge's own). :class:`PortalRunner` keeps the reader's
:class:`~xdock.edge.devices.llrp_reader.LlrpReaderDriver` connected, feeds every read to the
door's :class:`~xdock.edge.portal.Portal`, and every ``tick_s`` of the edge's clock closes the
tracks of tags gone quiet; each :class:`~xdock.edge.portal.Passage` goes to ``on_passage`` (the
agent records it in the outbox and sends it to central). Suppressed tracks (cross-reads, tags
staged by the door) are only counted by the portal.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from xdock.edge.devices.llrp_reader import LlrpReaderConfig, LlrpReaderDriver
from xdock.edge.portal import Passage, Portal
from xdock.edge.portal_config import PortalConfig
from xdock.edge.reader_clock import DEFAULT_TOLERANCE_S
from xdock.edge.tag_reads import TagRead
from xdock.protocol.clock import Clock
from xdock.protocol.llrp import LLRP_PORT
from xdock.protocol.topics import check_id

__all__ = ["PortalReader", "PortalRunner"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PortalReader:
    """An LLRP portal reader wired to this gateway, and the door it watches."""

    device_id: str
    """Id of the reader in topics and messages (``[A-Za-z0-9_-]``)."""
    host: str
    port: int = LLRP_PORT
    door: str | None = None
    """The door its antennas watch; ``None``: the edge's door."""

    def __post_init__(self) -> None:
        check_id("reader device id", self.device_id)
        if self.door is not None:
            check_id("reader door id", self.door)
        if not self.host:
            raise ValueError(f"Reader {self.device_id!r}: empty host")
        if not 1 <= self.port <= 65535:
            raise ValueError(f"Reader {self.device_id!r}: port {self.port} is outside 1 to 65535")

    @classmethod
    def parse(cls, spec: str) -> PortalReader:
        """``ID=HOST:PORT`` or ``ID=HOST:PORT@DOOR`` as written on the command line."""
        ident, sep, rest = spec.partition("=")
        address, at, door = rest.partition("@")
        host, colon, port = address.rpartition(":")
        if not sep or not colon:
            raise ValueError(f"Invalid reader {spec!r}: expected ID=HOST:PORT[@DOOR] (e.g. r1=10.0.0.7:5084@D12)")
        if not port.isdigit():
            raise ValueError(f"Invalid reader {spec!r}: port {port!r} is not a number")
        return cls(ident, host, int(port), door if at else None)


class PortalRunner:
    """One reader, its door's portal logic, and the passages they make."""

    def __init__(
        self, reader: PortalReader, portal: PortalConfig, clock: Clock,
        on_passage: Callable[[Passage], Awaitable[None]], *, tick_s: float = 0.1,
        on_status: Callable[[str, bool], None] | None = None, clock_tolerance_s: float = DEFAULT_TOLERANCE_S,
        silence_timeout_s: float | None = None,
    ) -> None:
        """``on_status(device_id, online)``: the reader's session came or went; ``clock_tolerance_s`` and
        ``silence_timeout_s``: see :class:`~xdock.edge.devices.llrp_reader.LlrpReaderConfig`."""
        self.reader = reader
        self.clock = clock
        self.portal = Portal(portal)
        tell = None if on_status is None else functools.partial(on_status, reader.device_id)
        self.driver = LlrpReaderDriver(
            LlrpReaderConfig(
                reader.host, reader.port, clock_tolerance_s=clock_tolerance_s, silence_timeout_s=silence_timeout_s
            ),
            clock=clock,
            on_reads=self._reads, on_status=tell,
        )
        self._on_passage = on_passage
        self._tick_s = tick_s

    def _reads(self, reads: list[TagRead]) -> None:
        for read in reads:
            self.portal.observe(read)

    async def judge_forever(self) -> None:
        """Close quiet tracks every ``tick_s``; hand each passage on. Runs until cancelled."""
        while True:
            await self.clock.sleep(self._tick_s)
            for outcome in self.portal.expire(self.clock.now()):
                if isinstance(outcome, Passage):
                    await self._on_passage(outcome)
