"""Property tests: whatever the floor, the re-plan's plan is valid, one version on, and never worse."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xdock.central.optimiser.plan import Plan
from xdock.central.optimiser.replan import plan_cost, replan
from xdock.central.optimiser.schema import Area, Door, Floor, InboundTruck, Pallet, Rules, Trailer
from xdock.central.optimiser.validation import validate

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DESTS = ("LYON", "PARIS", "LILLE")
CLASSES = (None, None, None, "3", "5.1", "8")
RULES = Rules(segregate=frozenset({frozenset({"3", "5.1"}), frozenset({"3", "8"})}))


@st.composite
def floors(draw: st.DrawFn) -> Floor:
    n_doors = draw(st.integers(3, 8))
    doors: dict[str, Door] = {}
    for i in range(n_doors):
        role = draw(st.sampled_from(["in", "out", "both"])) if i > 1 else ("in" if i == 0 else "out")
        doors[f"D{i}"] = Door(
            f"D{i}", x=draw(st.integers(0, 100)) * 1.0, y=draw(st.sampled_from([0.0, 40.0])),
            inbound=role != "out", outbound=role != "in", open=i <= 1 or draw(st.booleans()),
        )
    areas = {
        "S": Area("S", "staging", 10.0, 20.0, "frozen"),
        "B": Area("B", "breakdown", 60.0, 20.0, "frozen"),
        "SA": Area("SA", "staging", draw(st.integers(0, 100)) * 1.0, 20.0, "ambient"),
    }
    free_out = [d.id for d in doors.values() if d.outbound and d.open]
    trailers: dict[str, Trailer] = {}
    for k in range(draw(st.integers(0, 5))):
        docked = bool(free_out) and draw(st.booleans())
        door = free_out.pop(0) if docked else None
        start = None if docked or draw(st.booleans()) else NOW + timedelta(minutes=draw(st.integers(-60, 240)))
        trailers[f"T{k}"] = Trailer(
            f"T{k}", draw(st.sampled_from(DESTS)), door,
            capacity_pallets=draw(st.integers(1, 6)), capacity_kg=draw(st.sampled_from([800.0, 2000.0, 24000.0])),
            departure=(start or NOW) + timedelta(minutes=draw(st.integers(5, 300))) + timedelta(hours=1),
            reefer=draw(st.booleans()), accepts_hazmat=draw(st.booleans()),
            departed=not docked and draw(st.integers(0, 5)) == 0, loading_from=start, docked=docked,
        )
    trucks = {
        f"K{k}": InboundTruck(
            f"K{k}", NOW + timedelta(minutes=draw(st.integers(-60, 240))), timedelta(minutes=draw(st.integers(0, 60))),
            {d: draw(st.integers(1, 10)) for d in draw(st.sets(st.sampled_from(DESTS), max_size=2))},
        )
        for k in range(draw(st.integers(0, 3)))
    }
    places = list(doors) + list(areas)
    pallets: dict[str, Pallet] = {}
    load: dict[str, list[Pallet]] = {t: [] for t in trailers}
    for i in range(draw(st.integers(0, 12))):
        size = draw(st.sampled_from([0, 1, 1, 1, 1, 1, 2]))
        dests = tuple(draw(st.lists(st.sampled_from(DESTS), min_size=size, max_size=size, unique=True)))
        pallet = Pallet(
            f"P{i:02}", dests, draw(st.sampled_from(places)),
            weight_kg=draw(st.sampled_from([0.0, 150.0, 400.0, 700.0])),
            temp=draw(st.sampled_from(["ambient", "ambient", "ambient", "chilled", "frozen"])),
            hazmat=draw(st.sampled_from(CLASSES)),
            expiry=draw(st.sampled_from([None, date(2026, 11, 24), date(2027, 1, 1)])),
            priority=draw(st.integers(0, 2)),
            trailer=draw(st.sampled_from([None, *trailers])),
            instructed=draw(st.booleans()),
        )
        if pallet.trailer is not None and draw(st.integers(0, 3)) == 0 and _fits(RULES, trailers[pallet.trailer],
                                                                                  load[pallet.trailer], pallet):
            pallet = replace(pallet, state="loaded", location=trailers[pallet.trailer].door or "D1")
            load[pallet.trailer].append(pallet)
        pallets[pallet.sscc] = pallet
    return Floor(doors, areas, trailers, pallets, trucks, RULES)


def _fits(rules: Rules, trailer: Trailer, aboard: list[Pallet], pallet: Pallet) -> bool:
    if len(aboard) + 1 > trailer.capacity_pallets or trailer.departed:
        return False
    if sum(p.weight_kg for p in aboard) + pallet.weight_kg > trailer.capacity_kg:
        return False
    if pallet.temp != "ambient" and not trailer.reefer:
        return False
    return pallet.hazmat is None or not any(p.hazmat and rules.incompatible(p.hazmat, pallet.hazmat) for p in aboard)


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(floors(), st.integers(0, 3))
def test_replan_is_valid_one_version_on_and_never_worse_than_a_valid_warm_start(floor: Floor, seed: int) -> None:
    first = replan(floor, Plan(version=7), NOW, time_limit=0.2, seed=seed)
    assert validate(floor, first, NOW) == []
    assert first.version == 8
    assert first.cost_m == plan_cost(floor, first, NOW)
    second = replan(floor, first, NOW, time_limit=0.2, seed=seed)
    assert validate(floor, second, NOW) == []
    assert second.version == 9
    assert plan_cost(floor, second, NOW) <= plan_cost(floor, first, NOW) + 1e-6


@PROPERTY
@given(floors(), st.data())
def test_replan_after_the_floor_changes_is_valid(floor: Floor, data: st.DataObject) -> None:
    first = replan(floor, Plan(version=0), NOW, time_limit=0.2)
    changed = floor
    if floor.trailers and data.draw(st.booleans()):
        gone = data.draw(st.sampled_from(sorted(floor.trailers)))
        changed = replace(floor, trailers={**floor.trailers, gone: replace(floor.trailers[gone], departed=True)})
    closing = [d for d in floor.doors.values() if d.open and not any(t.door == d.id for t in floor.trailers.values())]
    if closing and data.draw(st.booleans()):
        door = data.draw(st.sampled_from(closing))
        changed = replace(changed, doors={**changed.doors, door.id: replace(door, open=False)})
    later = NOW + timedelta(minutes=data.draw(st.integers(0, 30)))
    second = replan(changed, first, later, time_limit=0.2)
    assert validate(changed, second, later) == []
    assert second.version == 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(floors(), st.integers(0, 3))
def test_replan_in_deterministic_time_gives_the_same_plan_again(floor: Floor, seed: int) -> None:
    first = replan(floor, Plan(version=3), NOW, time_limit=0.2, seed=seed, deterministic=True)
    assert validate(floor, first, NOW) == []
    assert first.cost_m == plan_cost(floor, first, NOW)
    assert replan(floor, Plan(version=3), NOW, time_limit=0.2, seed=seed, deterministic=True) == first
