"""Central's own answers leave alone the positions held as shares by edges that may be deciding alone, and
cut the shares of edges it hears.

e1 and e2 both list T-LYON-1 (8 positions: central keeps 2, each edge holds 3). While e1 is cut off,
central keeps answering e2's scans: the reserve first, then e2's own share, never e1's; beyond them
T-LYON-1 is full for e2's pallets, which go to the next trailer, then to staging. While central hears e1,
e2's pallets fill T-LYON-1 beyond e2's share, cutting e1's, and e1's next snapshot shows the cut.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import UTC, datetime
from pathlib import Path

from support.scans import scan as scan_event
from support.sites import inbound, outbound, site_config, staging, trailer
from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import Assignment

SITE = site_config(
    handling_minutes=15,
    doors=[inbound(), inbound("D2", 10, 0), outbound("D11", 0, 30), outbound("D13", 60, 30)],
    areas=[staging(x=30)],
    trailers=[trailer(door="D11", capacity=8), trailer("T-LYON-2", "D13", capacity=1, departure="19:00")],
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
EDGES = {"e1": "D1", "e2": "D2"}


class Central:
    def __init__(self, folder: Path, connected: Set[str] = frozenset()) -> None:
        """``connected``: the edges central hears."""
        self.clock = ManualClock(START)
        self.store = Store(folder / "c.db")
        self.site = LiveSite(SITE, self.store, self.clock)
        self.publisher = RoutesPublisher(self.site, self.store, self.clock, edges=EDGES,
                                         connected=connected.__contains__)
        self.seq = 0

    def scan(self, edge: str) -> Assignment:
        self.seq += 1
        return self.site.apply_scan(scan_event(self.seq, edge=edge, door=EDGES[edge], at=self.clock.now())).reply

    def shares(self) -> dict[str, list[tuple[str, int]]]:
        self.clock.advance(1)
        self.publisher.update(self.clock.now())
        found = {}
        for edge in EDGES:
            snapshot = self.publisher.snapshot(edge)
            assert snapshot is not None
            found[edge] = [(r.trailer, r.free_positions) for r in snapshot.routes]
        return found


def test_central_fills_the_reserve_and_the_scanning_edges_share_never_the_cut_off_edges(tmp_path: Path) -> None:
    central = Central(tmp_path, connected={"e2"})
    try:
        assert central.shares() == {"e1": [("T-LYON-1", 3)], "e2": [("T-LYON-1", 3)]}
        # e1 is cut off; e2's scans: two in the reserve, three in e2's share.
        assert [central.scan("e2").trailer for _ in range(5)] == ["T-LYON-1"] * 5
        sixth, seventh = central.scan("e2"), central.scan("e2")
        assert (sixth.trailer, sixth.door) == ("T-LYON-2", "D13")
        assert (seventh.outcome, seventh.area, seventh.display) == (
            "staged", "S1", "→ S1  STAGING  room for LYON held by edges",
        )
        # e1 still holds its 3, the last positions of T-LYON-1; e2 holds nothing more.
        assert central.shares() == {"e1": [("T-LYON-1", 3)], "e2": []}
        # e1 back online: its own pallets fill its share, then the trailer is full.
        assert [central.scan("e1").trailer for _ in range(3)] == ["T-LYON-1"] * 3
        assert central.scan("e1").display == "→ S1  STAGING  trailers for LYON full"
        assert central.site.room("T-LYON-1") == 0
        assert central.shares() == {"e1": [], "e2": []}
    finally:
        central.store.close()


def test_with_every_edge_heard_central_fills_the_trailer_beyond_the_scanning_edges_share(tmp_path: Path) -> None:
    central = Central(tmp_path, connected={"e1", "e2"})
    try:
        assert central.shares() == {"e1": [("T-LYON-1", 3)], "e2": [("T-LYON-1", 3)]}
        # e2's scans: two in the reserve, three in e2's own share; e1's share stands.
        assert [central.scan("e2").trailer for _ in range(5)] == ["T-LYON-1"] * 5
        assert central.shares() == {"e1": [("T-LYON-1", 3)], "e2": []}
        version = central.publisher.version
        # The sixth takes one of e1's three positions: e1's share is cut at once, its next snapshot shows it.
        sixth = central.scan("e2")
        assert (sixth.trailer, sixth.door) == ("T-LYON-1", "D11")
        assert central.shares() == {"e1": [("T-LYON-1", 2)], "e2": []}
        e1_snapshot = central.publisher.snapshot("e1")
        assert e1_snapshot is not None
        assert e1_snapshot.plan_version == version + 1
        # The last two positions too; then the next trailer, then staging for a full trailer, not a held one.
        assert [central.scan("e2").trailer for _ in range(3)] == ["T-LYON-1", "T-LYON-1", "T-LYON-2"]
        assert central.scan("e2").display == "→ S1  STAGING  trailers for LYON full"
        assert central.site.room("T-LYON-1") == 0
        assert central.shares() == {"e1": [], "e2": []}
    finally:
        central.store.close()
