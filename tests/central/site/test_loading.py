from __future__ import annotations

from support.web_rig import SSCC, START
from xdock.central.site.loading import LoadBook
from xdock.central.site.scans import ScanService
from xdock.protocol.messages import ScanEvent, ShipToModel


def test_loads_and_stopped_misloads_survive_a_restart(service: ScanService) -> None:
    service.apply(ScanEvent(edge_id="e1", seq=1, device_id="s1", door="D1", scanned_at=START, sscc=SSCC,
                            ship_to=ShipToModel(kind="postal", value="69001"), raw="x"))
    book = LoadBook(service)
    assert not book.confirm(SSCC, "D13", device="hh1", now=START).ok
    assert book.confirm(SSCC, "D12", device="hh1", now=START).first_time
    again = book.confirm(SSCC, "D12", device="hh1", now=START)
    assert (again.ok, again.first_time) == (True, False)
    assert book.loaded_on("T-LYON-1") == 1

    restarted = LoadBook(service)
    assert (restarted.loaded, restarted.wrong_door_scans_stopped, restarted.portal_misloads) == ({SSCC: START}, 1, 0)
    assert [e.kind for e in service.store.events()].count("loaded") == 1
