"""The dispatch advice of a departed trailer, from central's log: the pallets aboard (none left behind) with
their lines, dangerous goods and weight from their notice and label; its EDIFACT reads back to it; the same
departure gives the same advice every time; each refusal says why. The floor is
:mod:`support.departure_day`'s morning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from support.departure_day import GTIN_A, GTIN_B, SITE, SITE_GLN, log_id, play_day
from support.scans import AT, scan, sscc
from support.sites import LYON_GLN, site_config
from xdock.central.partners.dispatch_advice import DispatchAdviceError, DispatchAdvices
from xdock.central.site.live_site import LiveSite
from xdock.central.site_file.config import SiteConfig
from xdock.central.store.database import Store
from xdock.central.store.event_tail import EventTail
from xdock.partners.desadv import (
    DangerousGoods,
    DespatchAdvice,
    PalletAdvice,
    TradeItemLine,
    parse_edifact,
    to_json,
)
from xdock.protocol.clock import ManualClock

DEPARTED_AT = datetime.fromisoformat("2026-11-23T07:02:00+00:00")


@dataclass
class Floor:
    site: LiveSite
    store: Store
    clock: ManualClock
    advices: DispatchAdvices


def advices_of(store: Store, site: LiveSite) -> DispatchAdvices:
    return DispatchAdvices(EventTail(store), site.config, announced=site.announced_pallet,
                           pallet=site.state.pallets.get)


def open_floor(store_at: str, config: SiteConfig = SITE) -> Floor:
    store, clock = Store(store_at), ManualClock(AT)
    site = LiveSite(config, store, clock)
    return Floor(site, store, clock, advices_of(store, site))


@pytest.fixture
def floor(store_at: str) -> Iterator[Floor]:
    f = open_floor(store_at)
    try:
        yield f
    finally:
        f.store.close()


def expected(departure: int) -> DespatchAdvice:
    """The advice of the morning's departure of T-LYON-1 (log event ``departure``)."""
    return DespatchAdvice(
        shipment_id=f"T-LYON-1-{departure}", issued_at=DEPARTED_AT, supplier_gln=SITE_GLN, consignee_gln=LYON_GLN,
        truck_id="T-LYON-1",
        pallets=(
            PalletAdvice(
                sscc=sscc(1),
                lines=(TradeItemLine(gtin=GTIN_A, quantity=24, best_before=date(2026, 12, 31),
                                     final_destination_gln=LYON_GLN),
                       TradeItemLine(gtin=GTIN_B, quantity=12, final_destination_gln=LYON_GLN)),
                dangerous_goods=(DangerousGoods(adr_class="3", un_number="1203"),
                                 DangerousGoods(adr_class="8", un_number="1760")),
                gross_weight_kg=412.5,
            ),
            PalletAdvice(sscc=sscc(2), gross_weight_kg=380.0),
        ),
    )


def test_a_departed_trailer_s_advice_lists_the_pallets_aboard_with_what_their_notice_says(floor: Floor) -> None:
    play_day(floor.site, floor.clock)
    advice = floor.advices.advice("T-LYON-1")
    assert advice == expected(log_id(floor.store, "override_trailer_departed"))
    assert [p.sscc for p in advice.pallets] == [sscc(1), sscc(2)]  # pallet 3 was left behind
    assert floor.site.state.pallets[sscc(3)].state != "loaded"


def test_its_edifact_reads_back_to_the_same_advice_the_same_bytes_every_time(floor: Floor) -> None:
    play_day(floor.site, floor.clock)
    advice = floor.advices.advice("T-LYON-1")
    text = floor.advices.edifact(advice, prepared_at=advice.issued_at)
    assert parse_edifact(text, zone=SITE.zone) == advice
    assert floor.advices.edifact(floor.advices.advice("T-LYON-1"), prepared_at=advice.issued_at) == text
    departure = log_id(floor.store, "override_trailer_departed")
    segments = text.splitlines()
    assert segments[1] == f"UNB+UNOC:3+{SITE_GLN}:14+{LYON_GLN}:14+261123:0802+T-LYON-1-{departure}'"
    assert [s for s in segments if s.startswith(("NAD", "DGS", "GIN"))] == [
        f"NAD+SU+{SITE_GLN}::9'", f"NAD+DP+{LYON_GLN}::9'", f"GIN+BJ+{sscc(1)}'", "DGS+ADR+3+1203'",
        "DGS+ADR+8+1760'", f"GIN+BJ+{sscc(2)}'",
    ]


def test_the_same_departure_gives_the_same_advice_after_a_restart(floor: Floor, store_at: str) -> None:
    play_day(floor.site, floor.clock)
    advice = floor.advices.advice("T-LYON-1")
    store = Store(store_at)
    try:
        again = advices_of(store, LiveSite(SITE, store, ManualClock(floor.clock.now())))
        assert again.advice("T-LYON-1") == advice
        assert again.edifact(again.advice("T-LYON-1"), prepared_at=advice.issued_at) == floor.advices.edifact(
            advice, prepared_at=advice.issued_at)
    finally:
        store.close()


def test_a_webhook_carries_the_advice_as_json_and_edifact(floor: Floor) -> None:
    play_day(floor.site, floor.clock)
    [departure] = [e for e in floor.store.events(after=0, limit=100) if e.kind == "override_trailer_departed"]
    advice = floor.advices.advice("T-LYON-1")
    assert floor.advices.payload(departure) == {
        "trailer": "T-LYON-1", "desadv": to_json(advice),
        "edifact": floor.advices.edifact(advice, prepared_at=DEPARTED_AT),
    }


def refusal(advices: DispatchAdvices, trailer: str, *, known: bool = True) -> tuple[int, str]:
    with pytest.raises(DispatchAdviceError) as refused:
        advices.advice(trailer, known=known)
    return refused.value.status, refused.value.detail


def test_an_unknown_trailer_is_a_404_one_not_departed_a_409(floor: Floor) -> None:
    play_day(floor.site, floor.clock)
    assert refusal(floor.advices, "T-NOPE", known=False) == (404, "no trailer 'T-NOPE' at t")
    assert refusal(floor.advices, "T-PARIS-1") == (
        409, "trailer T-PARIS-1 has not departed: its dispatch advice is not final")


def test_a_trailer_that_left_empty_has_nothing_to_advise(floor: Floor) -> None:
    floor.site.apply_scan(scan(1))  # assigned to T-LYON-1, never loaded
    floor.site.depart_trailer("T-LYON-1", by="sue")
    assert refusal(floor.advices, "T-LYON-1") == (
        404, "trailer T-LYON-1 left with no pallet aboard: nothing to advise")
    [departure] = [e for e in floor.store.events(after=0, limit=100) if e.kind == "override_trailer_departed"]
    assert floor.advices.payload(departure) is None


def test_a_destination_without_gln_cannot_be_named(floor: Floor) -> None:
    floor.site.apply_scan(scan(1, postal="75001"))
    floor.site.confirm_load(sscc(1), "D14", device="h1")
    floor.site.depart_trailer("T-PARIS-1", by="sue")
    assert refusal(floor.advices, "T-PARIS-1") == (
        404, "trailer T-PARIS-1's destination PARIS has no GLN in the site file: no dispatch advice can name it")


@pytest.mark.parametrize("departed", [True, False])
def test_a_site_file_without_gln_gives_no_advice(store_at: str, departed: bool) -> None:
    floor = open_floor(store_at, site_config())
    try:
        floor.site.apply_scan(scan(1))
        floor.site.confirm_load(sscc(1), "D12", device="h1")
        if departed:
            floor.site.depart_trailer("T-LYON-1", by="sue")
        assert refusal(floor.advices, "T-LYON-1") == (
            404, "the site file gives no gln: no dispatch advice can name the site")
    finally:
        floor.store.close()
