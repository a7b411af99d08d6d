"""The edges answering alone while central is unreachable: their routing snapshots, their own offline code.

The ``xdock`` policy's part of a ``central_unreachable`` disturbance, played as a site lives it (the policy
gives the core its commands; this holds what the edges hold):

- **Central lost.** Central's routes publisher (:class:`~xdock.central.edge_routing.publisher.RoutesPublisher`,
  over the policy's core: the same tables, shares and snapshots the real one publishes, at most a second
  before any outage) looks at the floor, and the edge of each inbound door adopts its snapshot in its own
  :class:`~xdock.edge.offline_router.OfflineRouter`, kept from one outage to the next with the decisions it
  holds, as an edge keeps its last snapshot. From then on central hears no edge, so its own decisions (a
  re-match when a trailer is announced or leaves, a door opens) leave every edge's share of a trailer alone.
- **A scan meanwhile.** The edge answers from its router (:meth:`EdgesAlone.decide`): a trailer of its table
  with room left in its share, else its staging area, or no instruction at all. The scan, carrying that
  decision, waits in the edge's outbox.
- **Central back.** The backlogs reach central in the order they were scanned (:meth:`EdgesAlone.back`);
  every edge is heard again.

Loads: a forklift's load confirmation of a pallet central has heard of reaches it at once (handhelds are
not the edges); one of a pallet whose scan is still in an outbox waits for that scan (central would refuse
it as unknown).

A scan caught in flight when central goes away (answered offline after it left, then reported to central
as an ``offline_answer``, :meth:`~xdock.central.site.live_site.LiveSite.apply_offline_answer`) does not
happen here: central answers a simulated scan the moment it is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.edge.offline_router import OfflineAnswer, OfflineRouter
from xdock.protocol.clock import Clock
from xdock.protocol.messages import ScanEvent

__all__ = ["AloneStats", "EdgesAlone"]

@dataclass
class AloneStats:
    outages: int = 0
    offline_answers: int = 0
    """Scans the edges answered alone."""
    kept: int = 0
    """Of those, the ones whose instruction central kept once it heard them."""
    corrected: int = 0
    """Of those, the ones central sent elsewhere (a ``correction``)."""
    corrected_aboard: int = 0
    """Pallets loaded while central was away on the trailer their edge named, which central then sent
    elsewhere (their load is not confirmed to central: its rules refuse it)."""


class EdgesAlone:
    """Each inbound door's edge, its router and its backlog, around one site core (see the module doc)."""

    def __init__(self, site: LiveSite, store: Store, clock: Clock, doors: Mapping[str, str]) -> None:
        """The edges ``doors`` (edge id → its inbound door), and central's routes publisher over ``site`` and
        ``store`` (central hears every edge but while it is away)."""
        self.away = False
        self.routers = {edge: OfflineRouter() for edge in doors}
        self.publisher = RoutesPublisher(site, store, clock, edges=doors, connected=self.hears)
        self.backlog: list[ScanEvent] = []
        """Scans made while central was away, in the order made."""
        self.loads: list[tuple[str, str]] = []
        """(SSCC, trailer) loaded while its scan waited in the backlog, in the order loaded."""
        self._waiting: set[str] = set()
        self.stats = AloneStats()

    def hears(self, edge: str) -> bool:
        """Whether central hears ``edge`` now."""
        return not self.away

    def lose(self, now: datetime) -> None:
        """Central goes away at ``now``: every edge adopts the snapshot central made for it last."""
        self.publisher.update(now)
        for edge, router in self.routers.items():
            snapshot = self.publisher.snapshot(edge)
            if snapshot is not None:
                router.load(snapshot)
        self.away = True
        self.stats.outages += 1

    def decide(self, event: ScanEvent) -> tuple[ScanEvent, OfflineAnswer]:
        """The edge's answer to ``event`` (scanned while central is away), and the scan it keeps in its
        backlog, carrying that answer's decision."""
        router = self.routers[event.edge_id]
        answer = router.decide(ship_to=event.ship_to, max_temp_c=event.max_temp_c,
                               dangerous_goods=event.dangerous_goods, now=event.scanned_at, seq=event.seq)
        if answer.decision is not None:
            event = event.model_copy(update={"offline": answer.decision})
        self.backlog.append(event)
        self._waiting.add(event.sscc)
        self.stats.offline_answers += 1
        return event, answer

    def waiting(self, sscc: str) -> bool:
        """Whether the scan of ``sscc`` is in a backlog (central has not heard of the pallet)."""
        return sscc in self._waiting

    def hold_load(self, sscc: str, trailer: str) -> None:
        """``sscc``, whose scan is in a backlog, was loaded aboard ``trailer``: confirmed after its scan."""
        self.loads.append((sscc, trailer))

    def back(self) -> tuple[list[ScanEvent], list[tuple[str, str]]]:
        """Central is reachable again: the scans to apply, in order, then the loads that waited for them."""
        events, loads = self.backlog, self.loads
        self.backlog, self.loads = [], []
        self._waiting.clear()
        self.away = False
        return events, loads
