"""The demo's trucks are announced by their supplier's despatch advice: an EDIFACT DESADV central reads back whole."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.demo.advices import SUPPLIER_GLN, despatch_advice, interchange
from xdock.demo.day import load_demo_scenario
from xdock.protocol.clock import ManualClock


def test_a_demo_truck_is_announced_with_each_pallet_its_destination_cold_chain_and_dangerous_goods(
    tmp_path: Path,
) -> None:
    day = load_demo_scenario("demo").draw(7)
    truck = next(t for t in day.trucks if any(p.dangerous for p in t.pallets))
    eta = day.start + timedelta(hours=1)
    advice = despatch_advice(day.site, truck, issued=day.start, eta=eta)
    text, read = interchange(day.site, advice)
    assert text.startswith(f"UNA:+.? '\nUNB+UNOC:3+{SUPPLIER_GLN}:14+{day.site.gln}:14+")
    assert read == advice
    site = LiveSite(day.site, Store(tmp_path / "c.db"), ManualClock(day.start))
    applied = site.apply_asn(read, source="demo-supplier", by="yard")
    assert (applied.truck.id, applied.truck.pallets, applied.truck.eta) == (truck.id, len(truck.pallets), eta)
    assert dict(applied.truck.destinations or {}) == dict(Counter(p.destination for p in truck.pallets))
    for plan in truck.pallets:
        announced = site.announced_pallet(plan.sscc)
        assert announced is not None
        assert (announced.destinations, announced.temp, announced.hazmat) == (
            (plan.destination,), plan.temp, plan.dangerous)
