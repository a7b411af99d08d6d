"""The site's rules reach the edges in their routing snapshots: an edge deciding alone obeys the site file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.sites import inbound, outbound, site_yaml, staging, trailer
from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.site.live_site import LiveSite
from xdock.central.site_file.config import DEFAULT_CHILLED_MAX_C, SiteConfig, SiteConfigError, parse_site
from xdock.central.store.database import Store
from xdock.edge.offline_router import OfflineRouter
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import RouteSnapshot, ShipToModel, decode, encode

SITE = site_yaml(
    doors=[inbound(), outbound("D11", 0, 30), outbound("D14", 40, 30)],
    areas=[staging(), staging("C1", 50, 15, temp="chilled")],
    trailers=[
        trailer(door="D11", capacity=10),
        trailer("T-LYON-R", "D14", capacity=10, departure="18:00", reefer=True),
    ],
)
"""The site without rules: each test adds its own ``rules:`` line."""
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
LYON = ShipToModel(kind="postal", value="69001")


def published(site: SiteConfig, path: Path) -> RouteSnapshot:
    """The snapshot central publishes to edge ``e1`` at door D1, as the edge reads it off the wire."""
    clock = ManualClock(START)
    store = Store(path / "c.db")
    try:
        [snapshot] = RoutesPublisher(LiveSite(site, store, clock), store, clock, edges={"e1": "D1"}).update(clock.now())
    finally:
        store.close()
    return decode(RouteSnapshot, encode(snapshot))


def offline_trailer(snapshot: RouteSnapshot, max_temp_c: float) -> str | None:
    router = OfflineRouter()
    router.load(snapshot)
    answer = router.decide(ship_to=LYON, max_temp_c=max_temp_c, dangerous_goods=False, now=START)
    assert answer.decision is not None
    return answer.decision.trailer


def test_the_snapshot_carries_the_site_files_chilled_limit_and_the_edge_obeys_it(tmp_path: Path) -> None:
    snapshot = published(parse_site(SITE + "rules: {chilled_max_c: 5.0}\n"), tmp_path)
    assert snapshot.chilled_max_c == 5.0
    assert [r.trailer for r in snapshot.routes] == ["T-LYON-1", "T-LYON-R"]
    # 6 °C is above this site's 5 °C: not chilled, so the nearest trailer, no reefer needed.
    assert offline_trailer(snapshot, 6.0) == "T-LYON-1"
    # 5 °C is at the limit: chilled, so the reefer.
    assert offline_trailer(snapshot, 5.0) == "T-LYON-R"


def test_a_site_file_without_the_rule_sends_the_one_default(tmp_path: Path) -> None:
    snapshot = published(parse_site(SITE), tmp_path)
    assert snapshot.chilled_max_c == DEFAULT_CHILLED_MAX_C == 8.0
    # The same 6 °C pallet is chilled under the default 8 °C: the reefer.
    assert offline_trailer(snapshot, 6.0) == "T-LYON-R"


def test_a_frozen_limit_not_below_the_chilled_one_is_refused_naming_the_field() -> None:
    with pytest.raises(SiteConfigError) as caught:
        parse_site(SITE + "rules: {chilled_max_c: 5.0, frozen_max_c: 5.0}\n", "site.yaml")
    assert str(caught.value) == "site.yaml: rules: frozen_max_c: 5.0 must be below chilled_max_c (5.0)"


def test_a_chilled_limit_outside_a_labels_range_is_refused_naming_the_field() -> None:
    with pytest.raises(SiteConfigError) as caught:
        parse_site(SITE + "rules: {chilled_max_c: 150}\n", "site.yaml")
    assert str(caught.value) == "site.yaml: rules.chilled_max_c: Input should be less than or equal to 100"
