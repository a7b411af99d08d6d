"""RFID door passages at central: a pallet out through the wrong outbound door is a mis-load (alert,
event, STOP to the edge); through its own trailer's door it is loaded; in at an inbound door it is
received. Each passage is applied once.

Site of ``access_site``: pallet A on T-LYON-1 at D12, pallet B on T-LYON-2 at D14; D1 is inbound.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Literal

import pytest

from support.access_site import PALLET_A, PALLET_B, START, Floor, open_floor
from xdock.central.site.passages import PassageResult
from xdock.protocol.epc import Sscc96, epc_hex
from xdock.protocol.messages import Feedback
from xdock.protocol.passages import DoorPassage


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db", auth=False)
    yield f
    await f.close()


def passage(seq: int, sscc: str, door: str, direction: Literal["in", "out"]) -> DoorPassage:
    epc = epc_hex(Sscc96.from_sscc(sscc, company_prefix_length=7).encode())
    return DoorPassage(edge_id="edge-r", seq=seq, device_id="r1", door=door, sscc=sscc,
                       epc=epc, direction=direction, at=START, reads=30, peak_rssi=-45)


def test_out_through_the_wrong_door_is_a_misload_with_a_stop(floor: Floor) -> None:
    result = floor.site.apply_passage(passage(10, PALLET_B, "D12", "out"))
    stop = Feedback(device_id="r1", beep="error", text="STOP D12 -> D14")
    assert result == PassageResult("misload", stop)
    [alert] = floor.store.alerts()
    assert (alert.kind, alert.subject, alert.message) == (
        "misload", f"{PALLET_B}@D12",
        f"Mis-load: pallet {PALLET_B} went out through D12 (T-LYON-1); its trailer T-LYON-2 loads at D14",
    )
    assert floor.site.state.pallets[PALLET_B].state == "assigned"
    # Redelivered: the same STOP again, nothing applied twice.
    assert floor.site.apply_passage(passage(10, PALLET_B, "D12", "out")) == PassageResult("duplicate", stop)
    kinds = [e.kind for e in floor.store.events(limit=1000)]
    assert (kinds.count("misload"), kinds.count("alert_raised")) == (1, 1)
    assert (floor.site.passage_stats.misloads, floor.site.passage_stats.duplicates) == (1, 1)


def test_out_through_its_trailers_door_is_loaded(floor: Floor) -> None:
    assert floor.site.apply_passage(passage(11, PALLET_A, "D12", "out")) == PassageResult("loaded", None)
    row = floor.site.state.pallets[PALLET_A]
    assert (row.state, row.trailer, row.door) == ("loaded", "T-LYON-1", "D12")
    assert floor.store.alerts() == []
    assert floor.site.apply_passage(passage(11, PALLET_A, "D12", "out")) == PassageResult("duplicate", None)
    assert [e.kind for e in floor.store.events(limit=1000)].count("loaded") == 1


def test_in_at_an_inbound_door_is_received(floor: Floor) -> None:
    assert floor.site.apply_passage(passage(12, PALLET_A, "D1", "in")) == PassageResult("received", None)
    [event] = [e for e in floor.store.events(limit=1000) if e.kind == "received"]
    assert (event.sscc, event.edge_id, event.seq) == (PALLET_A, "edge-r", 12)
    # "in" at an outbound door (a trailer unloaded back) only records the passage.
    assert floor.site.apply_passage(passage(13, PALLET_A, "D12", "in")) == PassageResult("recorded", None)


def test_a_passage_reusing_a_scans_key_is_refused_and_recorded(floor: Floor) -> None:
    # access_site's scans are e1/1 and e1/2.
    reused = passage(1, PALLET_B, "D12", "out").model_copy(update={"edge_id": "e1"})
    assert floor.site.apply_passage(reused) == PassageResult("conflict", None)
    assert floor.store.alerts() == []
    [event] = [e for e in floor.store.events(limit=1000) if e.kind == "seq_conflict"]
    assert (event.edge_id, event.seq, event.sscc) == ("e1", 1, PALLET_B)


def test_an_unscanned_pallet_out_through_an_outbound_door_is_stopped(floor: Floor) -> None:
    unknown = "376130321109103444"
    result = floor.site.apply_passage(passage(14, unknown, "D14", "out"))
    assert result == PassageResult("misload", Feedback(device_id="r1", beep="error", text="STOP D14: not scanned in"))
    [alert] = floor.store.alerts()
    assert alert.message == f"Mis-load: pallet {unknown} went out through D14 (T-LYON-2); it was never scanned in"
