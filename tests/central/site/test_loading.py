from __future__ import annotations

from support.scans import scan
from support.web_rig import SSCC, START
from xdock.central.app import Central
from xdock.central.site.live_site import LiveSite


def test_loads_and_stopped_misloads_survive_a_restart(central: Central, site: LiveSite) -> None:
    site.apply_scan(scan(1, sscc=SSCC, at=START))
    book = site.loads
    assert not site.confirm_load(SSCC, "D13", device="hh1").ok
    assert site.confirm_load(SSCC, "D12", device="hh1").first_time
    again = site.confirm_load(SSCC, "D12", device="hh1")
    assert (again.ok, again.first_time) == (True, False)
    assert book.loaded_on("T-LYON-1") == 1

    restarted = LiveSite(site.config, central.store, site.clock).loads
    assert (restarted.loaded, restarted.wrong_door_scans_stopped, restarted.portal_misloads) == ({SSCC: START}, 1, 0)
    assert [e.kind for e in central.store.events()].count("loaded") == 1
