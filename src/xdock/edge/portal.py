"""An RFID door portal: raw tag reads in, door passages (with direction) and cross-reads out.

Pure logic, no I/O; time comes from the reads' own first-seen stamps and from the ``now`` the
caller passes to :meth:`Portal.expire` (its injected clock).

- **Tracks (de-duplication).** Every read of an EPC joins that EPC's open track; a track closes
  when the tag has not been read for ``track_gap_s``. A tag read a hundred times while a forklift
  carries it through the door is one track, judged once.
- **Judging a closed track.** Only *strong* reads count: on an ``outside``/``inside`` antenna and
  at least ``min_rssi_dbm``. Then, in order::

      no read on a door antenna            → Suppressed("neighbour_only")   (cross-read)
      no strong read                       → Suppressed("weak")             (cross-read)
      strong reads span < min_dwell_s      → Suppressed("short_dwell")
      strong reads on one side only        → Suppressed("one_side")         (staged by the door)
      side peaks at the same instant       → Suppressed("ambiguous")
      outside side peaks first             → Passage("in")
      inside side peaks first              → Passage("out")

  A side's peak is the time of its loudest strong read (the first, when equally loud).
- **Hold-off.** After a passage, reads of the same EPC stamped within ``dedup_window_s`` of its
  last read are dropped (counted in ``held_off``): the pallet lingering by the door is not a
  second passage.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from xdock.edge.portal_config import PortalConfig
from xdock.edge.tag_reads import TagRead
from xdock.protocol.clock import epoch_us

__all__ = ["Direction", "Passage", "Portal", "PortalStats", "SuppressReason", "Suppressed"]

log = logging.getLogger(__name__)

Direction = Literal["in", "out"]
SuppressReason = Literal["neighbour_only", "weak", "short_dwell", "one_side", "ambiguous"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = 1_000_000


def _instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True)
class Passage:
    """A pallet went through the door."""

    door: str
    sscc: str
    epc: bytes
    direction: Direction
    first_seen: datetime
    """First strong read."""
    last_seen: datetime
    """Last strong read."""
    reads: int
    """Every read of the track, weak ones included."""
    peak_rssi: int
    """Loudest strong read, dBm."""


@dataclass(frozen=True)
class Suppressed:
    """A tag's reads that make no passage: a cross-read from a neighbouring door, or a tag by the door."""

    door: str
    sscc: str
    epc: bytes
    reason: SuppressReason
    reads: int
    peak_rssi: int
    """Loudest read of the track, dBm (weak ones included)."""


@dataclass
class PortalStats:
    """What a portal has done with the reads it was given."""

    reads: int = 0
    """Reads given to :meth:`Portal.observe`."""
    held_off: int = 0
    """Reads dropped because their EPC passed the door within ``dedup_window_s``."""
    passages: int = 0
    suppressed: Counter[str] = field(default_factory=Counter)
    """Closed tracks that made no passage, by reason."""


class _Track:
    __slots__ = (
        "door_reads",
        "first_strong",
        "in_peak",
        "in_peak_us",
        "last_strong",
        "last_us",
        "out_peak",
        "out_peak_us",
        "peak_rssi",
        "read",
        "reads",
    )

    def __init__(self, read: TagRead) -> None:
        self.read = read
        self.reads = 0
        self.door_reads = 0
        self.last_us = read.seen_at_us
        self.peak_rssi = -129
        self.first_strong = 0
        self.last_strong = 0
        self.out_peak = -129
        self.out_peak_us = 0
        self.in_peak = -129
        self.in_peak_us = 0

    def strong(self, at: int, rssi: int, *, outside: bool) -> None:
        """Count a strong read on a door antenna."""
        if not self.first_strong or at < self.first_strong:
            self.first_strong = at
        self.last_strong = max(self.last_strong, at)
        if outside:
            if rssi > self.out_peak or (rssi == self.out_peak and at < self.out_peak_us):
                self.out_peak, self.out_peak_us = rssi, at
        elif rssi > self.in_peak or (rssi == self.in_peak and at < self.in_peak_us):
            self.in_peak, self.in_peak_us = rssi, at


class Portal:
    """One door's portal logic; feed it reads, ask it for what has closed."""

    def __init__(self, config: PortalConfig) -> None:
        self.config = config
        self.stats = PortalStats()
        self._outside = config.outside_antennas
        self._inside = config.inside_antennas
        self._min_rssi = config.min_rssi_dbm
        self._gap_us = round(config.track_gap_s * _US)
        self._dwell_us = round(config.min_dwell_s * _US)
        self._hold_us = round(config.dedup_window_s * _US)
        self._tracks: dict[bytes, _Track] = {}
        self._held: dict[bytes, int] = {}

    @property
    def open_tracks(self) -> int:
        """Tags currently in view (their track not yet closed)."""
        return len(self._tracks)

    def observe(self, read: TagRead) -> None:
        """Take one raw read."""
        self.stats.reads += 1
        epc, at = read.epc, read.seen_at_us
        held = self._held.get(epc)
        if held is not None:
            if at < held:
                self.stats.held_off += 1
                return
            del self._held[epc]
        track = self._tracks.get(epc)
        if track is None:
            track = self._tracks[epc] = _Track(read)
        track.reads += 1
        rssi = read.rssi
        track.peak_rssi = max(track.peak_rssi, rssi)
        track.last_us = max(track.last_us, at)
        antenna = read.antenna_id
        if antenna in self._outside:
            outside = True
        elif antenna in self._inside:
            outside = False
        else:
            return
        track.door_reads += 1
        if rssi >= self._min_rssi:
            track.strong(at, rssi, outside=outside)

    def expire(self, now: datetime) -> list[Passage | Suppressed]:
        """Close the tracks of tags unread for ``track_gap_s`` at ``now``; their outcomes, oldest first."""
        return self._close(epoch_us(now) - self._gap_us)

    def flush(self) -> list[Passage | Suppressed]:
        """Close every open track now (at shutdown, or at the end of a scripted run)."""
        return self._close(None)

    def _close(self, idle_since_us: int | None) -> list[Passage | Suppressed]:
        done = [t for t in self._tracks.values() if idle_since_us is None or t.last_us <= idle_since_us]
        done.sort(key=lambda t: t.last_us)
        out: list[Passage | Suppressed] = []
        for track in done:
            del self._tracks[track.read.epc]
            out.append(self._judge(track))
        if idle_since_us is not None and self._held:
            for epc in [e for e, until in self._held.items() if until <= idle_since_us]:
                del self._held[epc]
        return out

    def _judge(self, track: _Track) -> Passage | Suppressed:
        read = track.read
        reason: SuppressReason | None = None
        if not track.door_reads:
            reason = "neighbour_only"
        elif not track.first_strong:
            reason = "weak"
        elif track.last_strong - track.first_strong < self._dwell_us:
            reason = "short_dwell"
        elif track.out_peak_us == 0 or track.in_peak_us == 0:
            reason = "one_side"
        elif track.out_peak_us == track.in_peak_us:
            reason = "ambiguous"
        if reason is not None:
            self.stats.suppressed[reason] += 1
            log.debug("door %s: %s suppressed (%s)", self.config.door, read.sscc, reason)
            return Suppressed(self.config.door, read.sscc, read.epc, reason, track.reads, track.peak_rssi)
        self.stats.passages += 1
        self._held[read.epc] = track.last_strong + self._hold_us
        direction: Direction = "in" if track.out_peak_us < track.in_peak_us else "out"
        log.info("door %s: %s passed %s", self.config.door, read.sscc, direction)
        return Passage(
            self.config.door,
            read.sscc,
            read.epc,
            direction,
            _instant(track.first_strong),
            _instant(track.last_strong),
            track.reads,
            max(track.out_peak, track.in_peak),
        )
