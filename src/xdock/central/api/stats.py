"""``GET /api/v1/stats``: what central did with scans and uplinks, as totals from the store and since start.

Every top-level figure is read from the store, so it is the same before and after a restart:
scan totals folded from the event log (:class:`~xdock.central.store.scan_totals.EventTotals`), refused
uplinks from their counters (:class:`~xdock.central.ingest.refusals.UplinkRefusals`). Figures that
exist only while the process runs are under ``since_start``. Needs a token of any role when access
control is on.
"""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from xdock.central.api.access import Access
from xdock.central.ingest.mqtt_ingest import IngestStats
from xdock.central.ingest.refusals import UplinkRefusals
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.central.store.scan_totals import EventTotals

__all__ = ["SinceStartOut", "StatsOut", "stats_router"]


class SinceStartOut(BaseModel):
    """Counters since central's process started (zero after a restart)."""

    duplicates: int
    """Scans received again (any way in) and answered with the stored answer."""
    uplink_duplicates: int
    """Scans received again over MQTT and answered with the stored answer."""
    uplinks_received: int
    """MQTT messages ingest handled (scans, passages, readings, statuses, junk)."""
    uplink_rejected: dict[str, int]
    """Uplinks refused, by reason."""


class StatsOut(BaseModel):
    """Totals from the store (they survive restarts), and counters since start under ``since_start``."""

    applied: int
    """Scans applied (each ``(edge_id, seq)`` once): ``assigned_direct + staged + breakdown + rejected``."""
    assigned_direct: int
    """Applied scans answered with a trailer's door."""
    staged: int
    """Applied scans answered with a staging area (no trailer for the pallet yet)."""
    breakdown: int
    """Applied scans answered with the breakdown area."""
    rejected: int
    """Applied scans answered with a rejection."""
    uplink_rejected: dict[str, int]
    """Uplinks central refused, by reason (``bad_payload``, ``wrong_version``, ``oversized``, ...)."""
    uplink_rejected_by_edge: dict[str, dict[str, int]]
    """Uplinks central refused, by the topic's edge (``(unknown)`` when it names none) and reason."""
    clock_skew: int
    """Scans applied whose time was more than the tolerance away from central's clock."""
    offline_kept: int
    """Scans an edge answered offline whose instruction central kept."""
    offline_corrected: int
    """Scans an edge answered offline that central corrected (the worker was told again)."""
    seq_conflicts: int
    """Scans refused because their ``(edge_id, seq)`` was applied before for another pallet."""
    since_start: SinceStartOut


def stats_router(
    site: LiveSite, store: Store, access: Access, *, uplinks: IngestStats, refusals: UplinkRefusals,
) -> APIRouter:
    """The route ``/api/v1/stats``: totals from ``store``, counters since start from ``site`` and the ingest
    (``uplinks``, ``refusals``)."""
    router = APIRouter(prefix="/api/v1", dependencies=[Depends(access.require("worker"))])
    totals = EventTotals(store)

    @router.get("/stats", summary="Scan and uplink totals from the store, and counters since central started")
    async def stats() -> StatsOut:
        t = await totals.read()
        s, u = site.stats, uplinks
        edges = refusals.counts()
        by_reason = Counter(t.logged_refusals)
        for counts in edges.values():
            by_reason.update(counts)
        return StatsOut(
            applied=t.applied, assigned_direct=t.assigned_direct, staged=t.staged, breakdown=t.breakdown,
            rejected=t.rejected,
            uplink_rejected=dict(sorted(by_reason.items())), uplink_rejected_by_edge=edges, clock_skew=t.clock_skew,
            offline_kept=t.offline_kept, offline_corrected=t.offline_corrected, seq_conflicts=t.seq_conflicts,
            since_start=SinceStartOut(duplicates=s.duplicates, uplink_duplicates=u.duplicates,
                                      uplinks_received=u.received, uplink_rejected=dict(sorted(u.rejected.items()))),
        )

    return router
