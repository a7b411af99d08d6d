"""RFID tag reads as the edge sees them: an RO_ACCESS_REPORT's tags, decoded to pallet SSCCs.

:class:`TagReadDecoder` turns one :class:`~xdock.protocol.llrp.ROAccessReport` into
:class:`TagRead` values. A pallet tag (SSCC-96) becomes a read; any other tag (an SGTIN-96 item
tag, an EPC that does not decode) is counted in :attr:`TagReadDecoder.non_sscc` and skipped, as
is a report entry without antenna, RSSI or first-seen time (counted in ``incomplete``). Decoded
EPCs are remembered (up to ``cache_size`` distinct EPCs), because a portal reads the same few
tags many times a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from xdock.protocol.epc import EpcError, Sscc96, decode_epc
from xdock.protocol.llrp import ROAccessReport

__all__ = ["TagRead", "TagReadDecoder"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_SSCC: Final = ""


@dataclass(frozen=True, slots=True)
class TagRead:
    """One pallet tag seen once by one antenna."""

    epc: bytes
    """The 96-bit EPC as read."""
    sscc: str
    """The pallet's 18-digit SSCC, check digit included."""
    antenna_id: int
    rssi: int
    """Peak RSSI of this sighting, dBm."""
    seen_at_us: int
    """First-seen time, microseconds since the Unix epoch (the reader's UTC clock)."""

    @property
    def seen_at(self) -> datetime:
        """:attr:`seen_at_us` as a UTC instant."""
        return _EPOCH + timedelta(microseconds=self.seen_at_us)


class TagReadDecoder:
    """RO_ACCESS_REPORTs to pallet tag reads, with counts of what was skipped."""

    def __init__(self, *, cache_size: int = 65536) -> None:
        if cache_size < 1:
            raise ValueError(f"TagReadDecoder cache_size {cache_size}: expected at least 1")
        self._cache: dict[bytes, str] = {}
        self._cache_size = cache_size
        self.reads = 0
        """Pallet tag reads produced."""
        self.non_sscc = 0
        """Tag entries skipped because their EPC is not an SSCC-96."""
        self.incomplete = 0
        """Tag entries skipped because antenna, RSSI or first-seen time is missing."""

    def decode(self, report: ROAccessReport) -> list[TagRead]:
        """The pallet tag reads in ``report``, in report order."""
        out: list[TagRead] = []
        for tag in report.tags:
            sscc = self._sscc(tag.epc)
            if not sscc:
                self.non_sscc += 1
                continue
            if tag.antenna_id is None or tag.peak_rssi is None or tag.first_seen_utc_us is None:
                self.incomplete += 1
                continue
            out.append(TagRead(tag.epc, sscc, tag.antenna_id, tag.peak_rssi, tag.first_seen_utc_us))
        self.reads += len(out)
        return out

    def _sscc(self, epc: bytes) -> str:
        known = self._cache.get(epc)
        if known is not None:
            return known
        try:
            decoded = decode_epc(epc) if len(epc) == 12 else None
        except EpcError:
            decoded = None
        sscc = decoded.sscc if isinstance(decoded, Sscc96) else _NOT_SSCC
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[epc] = sscc
        return sscc
