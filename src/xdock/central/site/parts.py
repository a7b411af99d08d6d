"""What the site core owns, shared by its own modules only.

:class:`~xdock.central.site.live_site.LiveSite` builds one :class:`SiteParts` and hands it to the parts
of itself (scans, passages, overrides, the load book, offline answers): they read and change the live
site through it. Nothing outside :mod:`xdock.central.site` holds one: the rest of central calls the
core's commands and reads its views.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdock.central.alerts.book import Alerts
from xdock.central.optimiser.dispatcher import Dispatcher
from xdock.central.site.state import SiteState
from xdock.central.site_file.config import SiteConfig
from xdock.central.store.database import Store
from xdock.protocol.clock import Clock

__all__ = ["ScanStats", "SiteParts"]


@dataclass
class ScanStats:
    applied: int = 0
    duplicates: int = 0
    assigned_direct: int = 0
    """Scans answered with a trailer's door (the pallet goes straight to its trailer)."""
    staged: int = 0
    """Scans answered with a staging area (no trailer for it yet)."""
    breakdown: int = 0
    """Scans answered with the breakdown area (a mixed pallet to split)."""
    rejected: int = 0
    offline_kept: int = 0
    """Scans the edge answered offline whose instruction central kept."""
    offline_corrected: int = 0
    """Scans the edge answered offline that central had to correct."""
    seq_conflicts: int = 0
    """Scans whose ``(edge_id, seq)`` was applied before for another pallet (refused, see
    :mod:`xdock.central.site.scans`)."""

    def count_offline(self, *, corrected: bool) -> None:
        """One offline answer reconciled: with the scan it travelled in, or reported by the edge afterwards
        (:mod:`xdock.central.site.offline_answers`)."""
        if corrected:
            self.offline_corrected += 1
        else:
            self.offline_kept += 1


@dataclass(frozen=True)
class SiteParts:
    """The live site's state, its store, its one dispatcher, its alerts and its clock."""

    config: SiteConfig
    state: SiteState
    store: Store
    dispatcher: Dispatcher
    alerts: Alerts
    clock: Clock
    stats: ScanStats = field(default_factory=ScanStats)
