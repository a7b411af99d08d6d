"""Hand-built floors with exact outcomes for the re-plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from xdock.central.optimiser.plan import Move, Plan
from xdock.central.optimiser.replan import plan_cost, replan
from xdock.central.optimiser.schema import Area, Door, Floor, InboundTruck, Pallet, Rules, Trailer
from xdock.central.optimiser.validation import validate

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=4)


def line_of_doors(count: int = 40, inbound: int = 4) -> dict[str, Door]:
    """Doors 10 m apart along one wall: D00.. inbound, the rest outbound."""
    return {
        f"D{i:02}": Door(f"D{i:02}", x=10.0 * i, y=0.0, inbound=i < inbound, outbound=i >= inbound)
        for i in range(count)
    }


AREAS = {
    "S": Area("S", "staging", 0.0, 50.0, "frozen"),
    "B": Area("B", "breakdown", 20.0, 50.0, "frozen"),
}


def trailer(tid: str, dest: str = "LYON", door: str | None = None, **kw: object) -> Trailer:
    fields: dict[str, object] = {"capacity_pallets": 33, "capacity_kg": 24_000.0, "departure": LATER}
    fields.update(kw)
    return Trailer(tid, dest, door, docked=door is not None, **fields)  # type: ignore[arg-type]


def make_floor(
    trailers: list[Trailer],
    pallets: list[Pallet],
    trucks: list[InboundTruck] = (),  # type: ignore[assignment]
    rules: Rules | None = None,
    doors: dict[str, Door] | None = None,
) -> Floor:
    return Floor(
        doors=doors or line_of_doors(),
        areas=dict(AREAS),
        trailers={t.id: t for t in trailers},
        pallets={p.sscc: p for p in pallets},
        trucks={k.id: k for k in trucks},
        rules=rules or Rules(),
    )


def solve(floor: Floor, current: Plan | None = None) -> Plan:
    current = current or Plan(version=4)
    plan = replan(floor, current, NOW, time_limit=1.0)
    assert validate(floor, plan, NOW) == []
    assert plan.version == current.version + 1
    assert plan.cost_m == plan_cost(floor, plan, NOW)
    return plan


def targets(plan: Plan) -> dict[str, str]:
    return {s: m.target for s, m in plan.moves.items()}


def test_frozen_pallets_are_untouched_and_take_their_room() -> None:
    loaded = Pallet("L1", ("LYON",), "D10", state="loaded", trailer="T1")
    moving = Pallet("M1", ("LYON",), "D10", state="moving", trailer="T1")
    waiting = [Pallet(f"W{i}", ("LYON",), "D00") for i in range(2)]
    floor = make_floor(
        [trailer("T1", door="D10", capacity_pallets=3), trailer("T2", door="D30")], [loaded, moving, *waiting]
    )
    plan = solve(floor)
    assert set(plan.moves) == {"W0", "W1"}
    assert sorted(targets(plan).values()) == ["T1", "T2"]


def instructed_case(far_door: str) -> dict[str, str]:
    told = Pallet("P1", ("LYON",), "D00", trailer="T1", instructed=True)
    floor = make_floor([trailer("T1", door=far_door), trailer("T2", door="D04")], [told])
    return targets(solve(floor))


def test_an_instruction_is_kept_when_the_gain_is_below_the_change_penalty() -> None:
    # T1 at 150 m, T2 at 40 m: 110 m saved < 200 m penalty.
    assert instructed_case("D15") == {"P1": "T1"}


def test_an_instruction_changes_when_the_gain_exceeds_the_change_penalty() -> None:
    # T1 at 320 m, T2 at 40 m: 280 m saved > 200 m penalty.
    assert instructed_case("D32") == {"P1": "T2"}


def test_pallets_of_a_trailer_that_left_go_to_the_other_trailer() -> None:
    pallets = [Pallet(f"P{i}", ("LYON",), "D00") for i in range(3)]
    floor = make_floor([trailer("T1", door="D05"), trailer("T2", door="D20")], pallets)
    first = solve(floor)
    assert set(targets(first).values()) == {"T1"}
    gone = replace(floor, trailers={**floor.trailers, "T1": replace(floor.trailers["T1"], departed=True)})
    assert validate(gone, first, NOW) != []
    second = solve(gone, first)
    assert targets(second) == {"P0": "T2", "P1": "T2", "P2": "T2"}
    assert {m.door for m in second.moves.values()} == {"D20"}


def test_chilled_pallets_ride_only_on_reefers() -> None:
    pallets = [Pallet("C1", ("LYON",), "D00", temp="chilled"), Pallet("A1", ("LYON",), "D00")]
    floor = make_floor([trailer("T1", door="D05"), trailer("T2", door="D30", reefer=True)], pallets)
    assert targets(solve(floor)) == {"C1": "T2", "A1": "T1"}


def test_dangerous_goods_classes_kept_apart_stay_on_separate_trailers() -> None:
    rules = Rules(segregate=frozenset({frozenset({"3", "5.1"})}))
    pallets = [
        Pallet("F", ("LYON",), "D00", hazmat="3"),
        Pallet("O", ("LYON",), "D00", hazmat="5.1"),
        Pallet("X", ("LYON",), "D00", hazmat="8"),
    ]
    floor = make_floor([trailer("T1", door="D05"), trailer("T2", door="D30")], pallets, rules=rules)
    got = targets(solve(floor))
    assert got["F"] != got["O"]
    assert got["X"] == "T1"
    # A class 3 pallet already aboard T1 sends the oxidiser to T2, the flammable next to it.
    aboard = Pallet("L", ("LYON",), "D05", state="loaded", hazmat="3", trailer="T1")
    floor = make_floor(
        [trailer("T1", door="D05"), trailer("T2", door="D30")], [*pallets, aboard], rules=rules
    )
    assert targets(solve(floor)) == {"F": "T1", "O": "T2", "X": "T1"}


def test_two_trailers_wanting_the_same_door_at_the_same_time_get_two_doors() -> None:
    pallets = [Pallet(f"L{i}", ("LYON",), "D03") for i in range(3)] + [Pallet("P0", ("PARIS",), "D03")]
    floor = make_floor([trailer("TL", "LYON"), trailer("TP", "PARIS")], pallets)
    plan = solve(floor)
    assert plan.trailer_doors == {"TL": "D04", "TP": "D05"}


def test_trailers_at_different_times_share_the_best_door() -> None:
    pallets = [Pallet(f"L{i}", ("LYON",), "D03") for i in range(3)] + [Pallet("P0", ("PARIS",), "D03")]
    early = trailer("TL", "LYON", departure=NOW + timedelta(hours=1))
    late = trailer("TP", "PARIS", loading_from=NOW + timedelta(hours=1), departure=LATER)
    plan = solve(make_floor([early, late], pallets))
    assert plan.trailer_doors == {"TL": "D04", "TP": "D04"}


def test_trucks_unload_at_the_inbound_doors_nearest_their_trailers() -> None:
    doors = {
        f"D{i:02}": Door(f"D{i:02}", x=10.0 * i, y=0.0, inbound=i % 2 == 0, outbound=i % 2 == 1) for i in range(30)
    }
    trailers = [trailer("TL", "LYON", door="D01"), trailer("TP", "PARIS", door="D29")]
    trucks = [
        InboundTruck("K1", NOW + timedelta(minutes=30), timedelta(minutes=45), {"LYON": 20, "PARIS": 2}),
        InboundTruck("K2", NOW + timedelta(minutes=40), timedelta(minutes=45), {"PARIS": 18}),
    ]
    plan = solve(make_floor(trailers, [], trucks, doors=doors))
    # D00 and D02 are both 10 m from TL's door; D02 is 20 m nearer TP for K1's two PARIS pallets.
    assert plan.truck_doors == {"K1": "D02", "K2": "D28"}
    assert plan.cost_m == 20 * 10 + 2 * 270 + 18 * 10


def test_kilograms_bind_and_the_urgent_pallet_gets_the_room() -> None:
    pallets = [Pallet(f"P{i}", ("LYON",), "D00", weight_kg=400.0) for i in range(3)]
    floor = make_floor([trailer("T1", door="D05", capacity_kg=1000.0), trailer("T2", door="D30")], pallets)
    assert sorted(targets(solve(floor)).values()) == ["T1", "T1", "T2"]
    heavy = [Pallet(f"H{i}", ("LYON",), "D00", weight_kg=600.0, priority=2 if i == 1 else 0) for i in range(3)]
    floor = make_floor([trailer("T1", door="D05", capacity_kg=1000.0)], heavy)
    plan = solve(floor)
    assert targets(plan) == {"H0": "S", "H1": "T1", "H2": "S"}
    assert plan.moves["H0"].kind == "staging"


def test_mixed_pallets_go_to_breakdown() -> None:
    floor = make_floor([trailer("T1", door="D05")], [Pallet("M", ("LYON", "PARIS"), "D00")])
    plan = solve(floor)
    assert plan.moves["M"] == Move("M", "indirect", "B", None, 70.0, "LYON,PARIS · B · breakdown · 70 m")


def test_moves_of_pallets_no_longer_on_the_floor_are_dropped() -> None:
    floor = make_floor([trailer("T1", door="D05")], [Pallet("P1", ("LYON",), "D00")])
    current = solve(floor)
    stale = replace(current, moves={**current.moves, "GONE": replace(current.moves["P1"], sscc="GONE")})
    plan = solve(floor, stale)
    assert set(plan.moves) == {"P1"}
    assert plan.moves["P1"].door == "D05"


def test_a_closed_door_sends_its_undocked_trailer_to_the_next_door() -> None:
    pallets = [Pallet(f"L{i}", ("LYON",), "D03") for i in range(2)]
    floor = make_floor([trailer("TL", "LYON")], pallets)
    first = solve(floor)
    assert first.trailer_doors == {"TL": "D04"}
    closed = replace(floor, doors={**floor.doors, "D04": replace(floor.doors["D04"], open=False)})
    second = replan(closed, first, NOW, time_limit=1.0, workers=2)
    assert validate(closed, second, NOW) == []
    assert second.trailer_doors == {"TL": "D05"}
    assert {m.door for m in second.moves.values()} == {"D05"}


def test_a_departed_trailer_at_a_door_that_closed_breaks_no_rule() -> None:
    pallets = [Pallet("P1", ("LYON",), "D00")]
    floor = make_floor([trailer("T1", door="D05"), trailer("T2", door="D20")], pallets)
    first = solve(floor)
    gone = replace(
        floor,
        trailers={**floor.trailers, "T1": replace(floor.trailers["T1"], departed=True)},
        doors={**floor.doors, "D05": replace(floor.doors["D05"], open=False)},
    )
    plan = solve(gone, first)
    assert targets(plan) == {"P1": "T2"}
    assert plan.trailer_doors == {"T2": "D20"}
