"""Positions held elsewhere (edges' shares): a trailer whose room is all held is full for the pallet."""

from __future__ import annotations

from dataclasses import replace

from test_dispatcher import NOW, dispatcher, loaded, pallet, scan, trailer

from xdock.central.optimiser.dispatcher import Dispatcher
from xdock.central.optimiser.plan import Move, Plan
from xdock.central.optimiser.validation import validate


def near_and_far(capacity: int = 3) -> Dispatcher:
    """T-LYON-1 at D1 (10 m, one pallet loaded of ``capacity``) and T-LYON-2 at D3 (60 m, empty)."""
    near = trailer("T-LYON-1", "D1", capacity_pallets=capacity)
    return dispatcher([near, trailer("T-LYON-2", "D3")], [loaded("L1", near)])


def test_held_room_sends_the_pallet_to_the_next_trailer() -> None:
    d = near_and_far()
    held = {"T-LYON-1": 2}
    d.put_pallet(pallet("P1", "LYON"))
    move = d.decide("P1", NOW, held=lambda t: held.get(t, 0))
    reason = "LYON · T-LYON-2 1/33 · 400/24000 kg · dep 16:40 · 60 m"
    assert move == Move("P1", "direct", "T-LYON-2", "D3", 60.0, reason)
    assert (d.room("T-LYON-1"), d.room("T-LYON-2"), d.room("T-NONE")) == (2, 32, 0)
    assert validate(d.floor, d.plan(), NOW) == []


def test_room_beyond_the_held_positions_is_taken() -> None:
    d = near_and_far()
    d.put_pallet(pallet("P1", "LYON"))
    move = d.decide("P1", NOW, held=lambda t: 1 if t == "T-LYON-1" else 0)
    assert move.reason == "LYON · T-LYON-1 2/3 · 800/24000 kg · dep 16:40 · 10 m"
    assert d.room("T-LYON-1") == 1


def test_every_trailer_held_or_full_stages_the_pallet_saying_so() -> None:
    full = trailer("T-LYON-1", "D1", capacity_pallets=1)
    d = dispatcher([full, trailer("T-LYON-2", "D3", capacity_pallets=2)], [loaded("L1", full)])
    d.put_pallet(pallet("P1", "LYON"))
    move = d.decide("P1", NOW, held=lambda t: 2 if t == "T-LYON-2" else 0)
    assert move == Move("P1", "staging", "S1", None, 20.0, "room for LYON held by edges · staging S1 · 20 m")
    # Without held positions, the same floor sends it to T-LYON-2.
    d.put_pallet(pallet("P2", "LYON"))
    assert d.decide("P2", NOW).target == "T-LYON-2"


def test_a_pallet_already_on_a_held_trailer_keeps_it() -> None:
    d = near_and_far()
    first = scan(d, pallet("P1", "LYON"))
    assert first.target == "T-LYON-1"
    assert d.decide("P1", NOW, held=lambda t: 5) is first


def test_rematch_leaves_held_positions_alone_then_takes_them_once_given_back() -> None:
    d = dispatcher([], [])
    assert scan(d, pallet("P1", "NICE")).kind == "staging"
    d.put_pallet(replace(d.floor.pallets["P1"], state="staged", location="S1"))
    d.put_trailer(trailer("T-NICE-1", "D2", "NICE", capacity_pallets=2))
    assert d.rematch(NOW, held=lambda t: 2) == []
    assert d.rematch(NOW, held=lambda t: 1) == [
        Move("P1", "direct", "T-NICE-1", "D2", 10.0, "NICE · T-NICE-1 1/2 · 400/24000 kg · dep 16:40 · 10 m")
    ]


def test_an_adopted_plan_filling_held_positions_stages_its_least_deserving_newcomers() -> None:
    near = trailer("T-LYON-1", "D1", capacity_pallets=5)
    d = dispatcher([near, trailer("T-LYON-2", "D3")], [loaded("L1", near)])
    on = scan(d, pallet("P0", "LYON"))  # counted on T-LYON-1 before the re-plan: stays
    assert on.target == "T-LYON-1"
    for p in (pallet("P1", "LYON"), pallet("P2", "LYON"), pallet("P3", "LYON", priority=1)):
        d.put_pallet(p)
    plan = Plan(3, {s: Move(s, "direct", "T-LYON-1", "D1", 10.0, "re-plan") for s in ("P0", "P1", "P2", "P3")})
    # 5 positions: L1 and P0 aboard, 1 held: room for two of the three newcomers.
    d.adopt(plan, held=lambda t: 1 if t == "T-LYON-1" else 0)
    moves = d.plan().moves
    assert {s: moves[s].target for s in ("P0", "P1", "P2", "P3")} == {
        "P0": "T-LYON-1", "P1": "T-LYON-1", "P2": "S1", "P3": "T-LYON-1"
    }
    assert moves["P2"].reason == "T-LYON-1 held by edges · staging S1 · 20 m"
    assert d.room("T-LYON-1") == 1
    assert validate(d.floor, d.plan(), NOW) == []
    # The same plan adopted with nothing held keeps all four.
    d.adopt(plan)
    assert d.room("T-LYON-1") == 0
