"""Over any sequence of scans and looks, the edges' shares of a trailer never add up to more than its room."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from support import sites
from support.scans import scan
from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.edge_routing.snapshots import open_trailers
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock

SITE = sites.site_config(
    handling_minutes=15,
    doors=[
        sites.inbound(), sites.inbound("D2", 30, 0), sites.inbound("D3", 60, 0),
        sites.outbound("D11", 0, 30), sites.outbound("D12", 20, 30),
        sites.outbound("D13", 40, 30), sites.outbound("D14", 60, 30),
    ],
    areas=[sites.staging(x=30), sites.staging("C1", 50, 15, temp="chilled")],
    more_destinations=[sites.NICE],
    trailers=[
        sites.trailer(door="D11", capacity=6),
        sites.trailer("T-LYON-2", "D13", capacity=9, departure="08:40"),
        sites.trailer("T-LYON-R", "D14", capacity=5, departure="18:00", reefer=True),
        sites.trailer("T-NICE-1", "D12", "NICE", capacity=7, departure="17:00"),
    ],
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Paris: T-LYON-2 is offered until 08:25
EDGES = {"e1": "D1", "e2": "D2", "e3": "D3", "e4": "D2"}

scans = st.lists(
    st.tuples(
        st.sampled_from(sorted(EDGES)),
        st.sampled_from(["69001", "06000", "75000"]),  # Paris is no destination: staged
        st.sampled_from([None, 4.0, 20.0]),  # label's highest temperature: chilled, ambient
        st.booleans(),  # a look follows this scan
        st.integers(min_value=0, max_value=400),  # seconds of site time after it
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(steps=scans)
def test_shares_in_the_edges_snapshots_never_exceed_a_trailers_free_positions(
    steps: list[tuple[str, str, float | None, bool, int]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock(START)
        store = Store(Path(folder) / "c.db")
        site = LiveSite(SITE, store, clock)
        publisher = RoutesPublisher(site, store, clock, edges=EDGES)
        try:
            publisher.update(clock.now())
            check(site, publisher, clock.now())
            for seq, (edge, postal, max_temp_c, look, wait) in enumerate(steps, start=1):
                site.apply_scan(scan(seq, edge=edge, door=EDGES[edge], at=clock.now(), postal=postal,
                                     max_temp_c=max_temp_c))
                if look:
                    publisher.update(clock.now())
                    check(site, publisher, clock.now())
                clock.advance(wait)
        finally:
            store.close()


def check(site: LiveSite, publisher: RoutesPublisher, now: datetime) -> None:
    """Each open trailer's shares, summed over every edge's current snapshot, fit its free positions; a
    trailer no longer open is in no snapshot; no route offers an edge zero positions."""
    open_now = open_trailers(site.floor(), site.plan().trailer_doors, now)
    free = {o.trailer.id: o.free_positions for o in open_now}
    shared: dict[str, int] = {}
    for edge in EDGES:
        snapshot = publisher.snapshot(edge)
        assert snapshot is not None
        for route in snapshot.routes:
            assert route.free_positions > 0
            shared[route.trailer] = shared.get(route.trailer, 0) + route.free_positions
    assert set(shared) <= set(free)
    for trailer, positions in shared.items():
        assert positions <= free[trailer], (trailer, positions, free[trailer])
