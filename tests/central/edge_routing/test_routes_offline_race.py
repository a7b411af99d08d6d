"""Edges deciding alone never overfill a trailer, whatever the order of their scans, central's looks, applies
and own decisions.

Central (its site core and routes publisher) and the edges' routers run together on one clock. Each
step is one of: an edge answers a scan alone (the scan waits in its outbox), central applies any one
waiting scan of an edge (in any order: live scans overtake the backlog), central answers a scan itself
(an edge online), central gives staged pallets a trailer (rematch), central adopts a re-plan that sends
every staged pallet it can to one trailer, up to its capacity, central looks, an edge receives
central's latest snapshot for it (late, or never), an edge restarts (its held decisions come back from
disk, its snapshot from its route file), site time passes. After every step, for every trailer, the
pallets aboard plus those edges sent to it alone and central has not applied yet fit its capacity: no
worker is ever sent to a trailer with no room kept for that pallet.

The model says which edges are connected (central hears them: status online, heartbeats fresh, no
backlog) and gives central that view; edge ``e4`` always is. Only a connected edge gets central's
answers, and central may take room from a connected edge's share (cutting it in the share book); only an
edge that is not connected decides alone. An edge becomes connected (a ``connect`` step, or a scan
central answers) only once central has applied every scan it decided alone (its backlog is empty). The
documented assumption: an edge whose link drops gets the snapshot central made after its last cut before
it decides alone (a drop takes a look and that snapshot's delivery; without it the invariant fails).
Central holding the shares of disconnected edges is what keeps the invariant:
:func:`test_ignoring_the_room_disconnected_edges_hold_overfills_a_trailer` fails it when central takes
every edge as connected.

Every trailer stays open throughout (at most 90 steps of at most 5 minutes plus a second per look), so
central keeps every decision an edge made alone.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import sites
from support.scans import scan as scan_event
from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.optimiser.plan import Move, Plan
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.edge.offline_router import OfflineRouter
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import OfflineDecision, ScanEvent, ShipToModel

SITE = sites.site_config(
    handling_minutes=15,
    doors=[
        sites.inbound(), sites.inbound("D2", 30, 0), sites.inbound("D3", 60, 0), sites.inbound("D4", 90, 0),
        sites.outbound("D11", 0, 30), sites.outbound("D12", 20, 30),
        sites.outbound("D13", 40, 30), sites.outbound("D14", 60, 30),
    ],
    areas=[sites.staging(x=30), sites.staging("C1", 50, 15, temp="chilled")],
    more_destinations=[sites.NICE],
    trailers=[
        sites.trailer(door="D11", capacity=6),
        sites.trailer("T-LYON-2", "D13", capacity=9, departure="19:00"),
        sites.trailer("T-LYON-R", "D14", capacity=5, departure="18:00", reefer=True),
        sites.trailer("T-NICE-1", "D12", "NICE", capacity=7, departure="17:00"),
    ],
)
CAPACITY = {t.id: t.capacity_pallets for t in SITE.trailers}
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Paris
EDGES = {"e1": "D1", "e2": "D2", "e3": "D3", "e4": "D4"}
ALONE = ("e1", "e2", "e3")
"""The edges that lose their link at times (``e4`` never does)."""

edge = st.sampled_from(ALONE)
postal = st.sampled_from(["69001", "69001", "69001", "06000"])
temp = st.sampled_from([None, None, None, 4.0])  # mostly ambient pallets for Lyon, so shares run out
scan = st.tuples(st.just("scan"), edge, postal, temp)
online = st.tuples(st.just("online"), st.sampled_from(sorted(EDGES)), postal, temp)
step = st.one_of(
    scan, scan, scan, scan, online, online, online,
    st.tuples(st.just("rematch")),
    st.tuples(st.just("replan"), st.sampled_from(sorted(CAPACITY))),
    st.tuples(st.just("apply"), edge, st.integers(min_value=0, max_value=60)),
    st.tuples(st.just("look")),
    st.tuples(st.just("deliver"), edge),
    st.tuples(st.just("connect"), edge),
    st.tuples(st.just("connect"), edge),
    st.tuples(st.just("drop"), edge),
    st.tuples(st.just("restart"), edge),
    st.tuples(st.just("wait"), st.sampled_from([1, 60, 300])),
)


class Site:
    """Central and the edges, with the scans each edge has decided alone and central not applied yet.

    ``central_view``: which edges central takes as connected (default: the model's ``connected``)."""

    def __init__(self, folder: Path, central_view: Callable[[str], bool] | None = None) -> None:
        self.clock = ManualClock(START)
        self.store = Store(folder / "c.db")
        self.central = LiveSite(SITE, self.store, self.clock)
        self.connected = {"e4"}
        """Edges central hears: they get its answers, it may cut their shares; the others decide alone."""
        self.publisher = RoutesPublisher(self.central, self.store, self.clock, edges=EDGES,
                                         connected=central_view or self.connected.__contains__)
        self.routers = {e: OfflineRouter() for e in EDGES}
        self.waiting: dict[str, list[ScanEvent]] = {e: [] for e in EDGES}
        self.seq = 0

    def play(self, move: tuple[object, ...]) -> None:
        match move:
            case ("scan", str(e), str(postal), temp):
                if e in self.connected:
                    self.drop(e)
                self.scan(e, postal, temp if isinstance(temp, float) else None)
            case ("online", str(e), str(postal), temp) if e in self.connected or not self.waiting[e]:
                self.connected.add(e)  # heard again once its backlog reached central
                self.central.apply_scan(self.event(e, postal, temp if isinstance(temp, float) else None, None))
            case ("connect", str(e)) if not self.waiting[e]:
                self.connected.add(e)
            case ("drop", str(e)) if e in self.connected and e != "e4":
                self.drop(e)
            case ("rematch",):
                self.central.rematch()
            case ("replan", str(trailer)):
                self.replan(trailer)
            case ("apply", str(e), int(index)) if self.waiting[e]:
                self.central.apply_scan(self.waiting[e].pop(index % len(self.waiting[e])))
            case ("look",):  # central looks at most once a second: each snapshot is newer than the last
                self.clock.advance(1)
                self.publisher.update(self.clock.now())
            case ("deliver", str(e)):
                self.deliver(e)
            case ("restart", str(e)):
                before = self.routers[e]
                self.routers[e] = OfflineRouter(held=before.held())
                if before.snapshot is not None:
                    assert self.routers[e].load(before.snapshot)
            case ("wait", int(seconds)):
                self.clock.advance(seconds)

    def drop(self, e: str) -> None:
        """``e``'s link drops: it has central's snapshot made after the last cut (the documented assumption)."""
        self.play(("look",))
        self.deliver(e)
        self.connected.discard(e)

    def deliver(self, e: str) -> None:
        snapshot = self.publisher.snapshot(e)
        if snapshot is not None:
            self.routers[e].load(snapshot)
            self.routers[e].take_released()

    def replan(self, trailer: str) -> None:
        """Adopt a plan sending every staged pallet for ``trailer``'s destination to it, up to its capacity
        (a re-plan knows nothing of the shares)."""
        floor = self.central.floor()
        target = floor.trailers[trailer]
        room = self.central.room(trailer)
        current = self.central.plan()
        moves = dict(current.moves)
        for sscc, move in sorted(current.moves.items()):
            pallet = floor.pallets[sscc]
            if room > 0 and move.kind == "staging" and target.destination in pallet.destinations and (
                pallet.temp == "ambient" or target.reefer
            ):
                moves[sscc] = Move(sscc, "direct", trailer, target.door, 10.0, "re-planned")
                room -= 1
        self.central.adopt_plan(Plan(current.version + 1, moves, current.trailer_doors, current.truck_doors))

    def scan(self, e: str, postal: str, max_temp_c: float | None) -> None:
        self.seq += 1
        ship_to = ShipToModel(kind="postal", value=postal)
        now = self.clock.now()
        answer = self.routers[e].decide(ship_to=ship_to, max_temp_c=max_temp_c, dangerous_goods=False, now=now,
                                        seq=self.seq)
        assert answer.decision is not None  # every edge holds a snapshot with both staging areas
        self.waiting[e].append(self.event(e, postal, max_temp_c, answer.decision))

    def event(self, e: str, postal: str, max_temp_c: float | None, offline: OfflineDecision | None) -> ScanEvent:
        if offline is None:
            self.seq += 1
        return scan_event(self.seq, edge=e, door=EDGES[e], at=self.clock.now(), postal=postal,
                          max_temp_c=max_temp_c, offline=offline)

    def check(self) -> None:
        assert self.central.stats.offline_corrected == 0
        aboard = Counter(p.trailer for p in self.central.floor().pallets.values() if p.trailer is not None)
        promised = Counter(
            s.offline.trailer for scans in self.waiting.values() for s in scans
            if s.offline is not None and s.offline.trailer is not None
        )
        for trailer, capacity in CAPACITY.items():
            assert aboard[trailer] + promised[trailer] <= capacity, (trailer, aboard[trailer], promised[trailer])


def run(site: Site, moves: list[tuple[object, ...]]) -> None:
    try:
        site.publisher.update(site.clock.now())
        for e in EDGES:
            site.deliver(e)
        for move in moves:
            site.play(move)
            site.check()
        for scans in site.waiting.values():  # everything reaches central at last
            while scans:
                site.central.apply_scan(scans.pop())
            site.check()
    finally:
        site.store.close()


@settings(max_examples=150, deadline=None)
@given(moves=st.lists(step, min_size=30, max_size=90))
def test_offline_decisions_never_exceed_a_trailers_room_whatever_the_interleaving(
    moves: list[tuple[object, ...]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        run(Site(Path(folder)), moves)


LYON = ("69001", None)
E1_ALONE_THEN_E4 = [("scan", "e1", *LYON)] * 5 + [("online", "e4", *LYON)] * 20
"""e1 sends five pallets alone (its share of T-LYON-1 at D11, its nearest); central answers twenty of e4's."""


def test_the_interleaving_holds_when_central_holds_the_disconnected_edges_room(tmp_path: Path) -> None:
    site = Site(tmp_path)
    run(site, E1_ALONE_THEN_E4)
    assert site.central.stats.offline_kept == 5


def test_ignoring_the_room_disconnected_edges_hold_overfills_a_trailer(tmp_path: Path) -> None:
    # Central takes e1's room for e4's pallets: T-LYON-1 gets 2 aboard while e1 sent 5 there alone (6 places).
    site = Site(tmp_path, central_view=lambda e: True)
    with pytest.raises(AssertionError, match=r"^\('T-LYON-1', 2, 5\)\n"):
        run(site, E1_ALONE_THEN_E4)
