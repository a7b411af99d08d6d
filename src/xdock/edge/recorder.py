"""Door passages, probe readings and offline answers reported, on their way to central: numbered from the
outbox and recorded like scans, but central does not answer them, so each row is marked answered as soon
as it is recorded."""

from __future__ import annotations

import logging
from datetime import datetime

from xdock.edge.config import EdgeConfig
from xdock.edge.edge_stats import EdgeStats
from xdock.edge.outbox import Outbox, OutboxError
from xdock.edge.portal import Passage
from xdock.edge.uplink import Uplink
from xdock.protocol.messages import Assignment, OfflineAnswerShown, OfflineDecision, encode
from xdock.protocol.passages import DoorPassage
from xdock.protocol.sensors import KIND_UNITS, SensorKind, SensorReading
from xdock.protocol.topics import offline_answer_topic, passage_topic, sensor_reading_topic

__all__ = ["Recorder"]

log = logging.getLogger(__name__)


class Recorder:
    """Records passages and readings for central (see the module docstring)."""

    def __init__(self, config: EdgeConfig, *, outbox: Outbox, uplink: Uplink, stats: EdgeStats) -> None:
        self.config = config
        self.outbox = outbox
        self.uplink = uplink
        self.stats = stats

    async def passage(self, reader_id: str, passage: Passage) -> None:
        """Record a door passage in the outbox (no answer expected) for central, like a scan."""
        cfg = self.config
        seq = self.outbox.allocate()
        message = DoorPassage(
            edge_id=cfg.edge_id, seq=seq, device_id=reader_id, door=passage.door, sscc=passage.sscc,
            epc=passage.epc.hex().upper(), direction=passage.direction, at=passage.last_seen, reads=passage.reads,
            peak_rssi=passage.peak_rssi,
        )
        if await self._record_unanswered(
            seq, passage_topic(cfg.site, cfg.edge_id), encode(message), "reader %s: passage of %s", reader_id,
            passage.sscc,
        ):
            self.stats.passages += 1

    async def reading(self, sensor_id: str, kind: SensorKind, value: float, at: datetime) -> None:
        """Record a probe's reading in the outbox (no answer expected) for central, like a passage."""
        cfg = self.config
        seq = self.outbox.allocate()
        reading = SensorReading(edge_id=cfg.edge_id, seq=seq, sensor_id=sensor_id, kind=kind, value=value,
                                unit=KIND_UNITS[kind], at=at)
        await self._record_unanswered(
            seq, sensor_reading_topic(cfg.site, cfg.edge_id, sensor_id), encode(reading), "sensor %s: reading %s",
            sensor_id, value,
        )

    async def offline_answer(self, answer: Assignment, decision: OfflineDecision) -> None:
        """Report to central the offline ``decision`` a worker got for the scan ``answer`` answers (the scan
        had left without it)."""
        cfg = self.config
        seq = self.outbox.allocate()
        message = OfflineAnswerShown(edge_id=cfg.edge_id, seq=seq, scan_seq=answer.seq, device_id=answer.device_id,
                                     sscc=answer.sscc, offline=decision)
        if await self._record_unanswered(
            seq, offline_answer_topic(cfg.site, cfg.edge_id), encode(message), "scan %d: offline answer report",
            answer.seq,
        ):
            self.stats.offline_reports += 1

    async def _record_unanswered(self, seq: int, topic: str, payload: bytes, what: str, *args: object) -> bool:
        """Record a message central does not answer (its row is marked answered at once); ``False`` if not recorded."""
        try:
            await self.uplink.submit(seq, topic, payload)
        except OutboxError:
            log.exception(what + " not recorded", *args)
            return False
        self.outbox.mark_answered(seq)
        return True
