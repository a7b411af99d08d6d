"""Property test: whatever the floor and whatever happens on it, the dispatcher's plan stays valid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xdock.central.optimiser._dispatch_rules import Load, fill_after, rank_key, reject, urgent
from xdock.central.optimiser.dispatcher import Dispatcher
from xdock.central.optimiser.schema import Area, Door, Floor, Pallet, Rules, TempClass, Trailer, metres
from xdock.central.optimiser.validation import validate
from xdock.testing.synthetic_site import synthetic_floor

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DESTS = ("LYON", "PARIS", "LILLE", "NICE")
CLASSES = (None, None, None, "3", "5.1", "8")
OPS = ("scan", "rescan", "trailer", "new trailer", "rematch", "load", "remove", "adopt")
TEMPS: tuple[TempClass, ...] = ("ambient", "chilled", "frozen")
RULES = Rules(segregate=frozenset({frozenset({"3", "5.1"}), frozenset({"3", "8"})}))


@st.composite
def floors(draw: st.DrawFn) -> Floor:
    doors: dict[str, Door] = {}
    for i in range(draw(st.integers(2, 9))):
        role = "in" if i == 0 else draw(st.sampled_from(["in", "out", "out", "both"]))
        doors[f"D{i}"] = Door(
            f"D{i}", draw(st.integers(0, 100)) * 1.0, draw(st.sampled_from([0.0, 40.0])),
            inbound=role != "out", outbound=role != "in", open=i == 0 or draw(st.integers(0, 4)) > 0,
        )
    areas = {f"S-{t}": Area(f"S-{t}", "staging", draw(st.integers(0, 100)) * 1.0, 20.0, t)
             for t in TEMPS}
    for k in range(draw(st.integers(0, 2))):
        temp = draw(st.sampled_from(TEMPS))
        areas[f"B{k}"] = Area(f"B{k}", "breakdown", draw(st.integers(0, 100)) * 1.0, 20.0, temp)
    free = [d.id for d in doors.values() if d.outbound and d.open]
    trailers = {t.id: t for t in (draw(trailers_at(f"T{k}", free)) for k in range(draw(st.integers(0, 6))))}
    pallets: dict[str, Pallet] = {}
    for i in range(draw(st.integers(0, 10))):
        p = draw(pallets_in(f"P{i}", doors, areas))
        on = draw(st.sampled_from([None, *sorted(trailers)]))
        if on is not None and draw(st.booleans()) and _room(trailers[on], pallets, p):
            t = trailers[on]
            p = replace(p, destinations=(t.destination,), state=draw(st.sampled_from(["moving", "loaded"])),
                        trailer=on, hazmat=None, location=t.door or p.location)
        pallets[p.sscc] = p
    return Floor(doors, areas, trailers, pallets, rules=RULES)


def _room(t: Trailer, pallets: dict[str, Pallet], p: Pallet) -> bool:
    aboard = [q for q in pallets.values() if q.trailer == t.id]
    return len(aboard) < t.capacity_pallets and sum(q.weight_kg for q in aboard) + p.weight_kg <= t.capacity_kg


@st.composite
def trailers_at(draw: st.DrawFn, tid: str, free: list[str]) -> Trailer:
    """A trailer at a free open outbound door (taken from ``free``), or at none."""
    door = free.pop(draw(st.integers(0, len(free) - 1))) if free and draw(st.integers(0, 4)) > 0 else None
    return Trailer(
        tid, draw(st.sampled_from(DESTS)), door,
        capacity_pallets=draw(st.integers(0, 5)), capacity_kg=draw(st.sampled_from([500.0, 1500.0, 24000.0])),
        departure=NOW + timedelta(minutes=draw(st.integers(-30, 300))),
        reefer=draw(st.booleans()), accepts_hazmat=draw(st.booleans()),
        departed=door is None and draw(st.booleans()), docked=door is not None and draw(st.booleans()),
    )


@st.composite
def pallets_in(draw: st.DrawFn, sscc: str, doors: Mapping[str, Door], areas: Mapping[str, Area]) -> Pallet:
    inbound = sorted(d for d, door in doors.items() if door.inbound)
    return Pallet(
        sscc, tuple(draw(st.lists(st.sampled_from(DESTS), max_size=3, unique=True))),
        location=draw(st.sampled_from(inbound + sorted(areas))),
        state=draw(st.sampled_from(["waiting", "staged"])),
        weight_kg=draw(st.sampled_from([0.0, 150.0, 400.0, 900.0])),
        temp=draw(st.sampled_from(["ambient", "ambient", "chilled", "frozen"])),
        hazmat=draw(st.sampled_from(CLASSES)),
        expiry=draw(st.none() | st.dates(date(2026, 11, 20), date(2026, 12, 5))),
        priority=draw(st.sampled_from([0, 0, 0, 1, 3])),
    )


def _free_doors(d: Dispatcher) -> list[str]:
    plan = d.plan()
    held = {plan.trailer_doors.get(t.id, t.door) for t in d.floor.trailers.values() if not t.departed}
    return sorted(k for k, door in d.floor.doors.items() if door.outbound and door.open and k not in held)


def _change_trailer(data: st.DataObject, d: Dispatcher, t: Trailer) -> Trailer:
    what = data.draw(st.sampled_from(["departed", "capacity", "flags", "door", "departure"]))
    if what == "departed":
        return replace(t, departed=True)
    if what == "capacity":  # never below what is already aboard: the dispatcher cannot unload a trailer
        aboard = [p for p in d.floor.pallets.values() if p.frozen and p.trailer == t.id]
        return replace(t, capacity_pallets=len(aboard) + data.draw(st.integers(0, 3)),
                       capacity_kg=sum(p.weight_kg for p in aboard) + data.draw(st.sampled_from([0.0, 500.0, 24000.0])))
    if what == "flags":
        return replace(t, reefer=data.draw(st.booleans()), accepts_hazmat=data.draw(st.booleans()))
    if what == "departure":
        return replace(t, departure=NOW + timedelta(minutes=data.draw(st.integers(-30, 300))))
    if t.docked or t.departed:
        return t
    return replace(t, door=data.draw(st.sampled_from([None, *_free_doors(d)])))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(floor=floors(), data=st.data())
def test_every_step_leaves_a_valid_plan(floor: Floor, data: st.DataObject) -> None:
    d = Dispatcher(floor)
    for sscc, p in sorted(floor.pallets.items()):
        move = d.decide(sscc, NOW)
        if p.frozen:
            assert (move.kind, move.target) == ("direct", p.trailer)
    assert validate(d.floor, d.plan(), NOW) == []
    for step in range(data.draw(st.integers(1, 12))):
        op = data.draw(st.sampled_from(OPS))
        pallets = d.floor.pallets
        movable = sorted(k for k, p in pallets.items() if not p.frozen)
        if op == "scan":
            p = data.draw(pallets_in(f"N{step}", floor.doors, floor.areas))
            d.put_pallet(p)
            d.decide(p.sscc, NOW)
        elif op == "rescan" and movable:
            sscc = data.draw(st.sampled_from(movable))
            before = d.plan().moves[sscc]
            d.put_pallet(pallets[sscc])
            after = d.decide(sscc, NOW)
            if before.kind == "direct":
                assert after == before
        elif op == "trailer" and d.floor.trailers:
            t = d.floor.trailers[data.draw(st.sampled_from(sorted(d.floor.trailers)))]
            d.put_trailer(_change_trailer(data, d, t))
        elif op == "new trailer":
            d.put_trailer(data.draw(trailers_at(f"X{step}", _free_doors(d))))
        elif op == "rematch":
            changed = d.rematch(NOW)
            assert all(m.kind == "direct" for m in changed)
        elif op == "load":
            direct = [k for k in movable if d.plan().moves[k].kind == "direct"]
            if direct:
                sscc = data.draw(st.sampled_from(direct))
                move = d.plan().moves[sscc]
                d.put_pallet(replace(pallets[sscc], state="loaded", location=move.door or pallets[sscc].location))
        elif op == "adopt":  # the re-plan's answer over the same floor: nothing may break, the version moves on
            current = d.plan()
            d.adopt(replace(current, version=current.version + 1))
            assert d.plan() == replace(current, version=current.version + 1)
        elif op == "remove" and pallets:
            d.remove_pallet(data.draw(st.sampled_from(sorted(pallets))))
        assert validate(d.floor, d.plan(), NOW) == [], op


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_the_synthetic_site_is_a_valid_starting_floor(seed: int) -> None:
    floor = synthetic_floor(40, 300, seed, NOW)
    assert floor == synthetic_floor(40, 300, seed, NOW)
    d = Dispatcher(floor)
    kinds = {d.decide(sscc, NOW).kind for sscc in floor.pallets}
    assert kinds == {"direct", "indirect", "staging"}
    assert validate(d.floor, d.plan(), NOW) == []


def _best_of_all(d: Dispatcher, pallet: Pallet) -> str | None:
    """The trailer the instant decision must pick for a new ``pallet``, weighing every trailer of its destination."""
    floor, plan = d.floor, d.plan()
    loads: dict[str, Load] = {}
    for p in floor.pallets.values():
        move = plan.moves.get(p.sscc)
        target = p.trailer if p.frozen else (move.target if move is not None and move.kind == "direct" else None)
        if target is not None and p.sscc != pallet.sscc:
            loads.setdefault(target, Load()).add(p)
    is_urgent = urgent(pallet, floor.rules, NOW.date())
    ranked = []
    for t in floor.trailers.values():
        door_id = plan.trailer_doors.get(t.id, t.door)
        door = floor.doors.get(door_id) if door_id is not None else None
        load = loads.get(t.id, Load())
        if t.destination != pallet.destinations[0] or door is None:
            continue
        if reject(floor.rules, pallet, t, door, load, NOW, aboard=False) is None:
            travel = metres(floor.where(pallet.location), (door.x, door.y))
            fill = fill_after(t, load, pallet, aboard=False)
            ranked.append((rank_key(floor.rules, t, travel, fill, NOW, is_urgent=is_urgent), t.id))
    return min(ranked)[1] if ranked else None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_scan_goes_to_the_best_ranked_trailer_of_all_that_fit(data: st.DataObject) -> None:
    """The decision weighs the nearest trailers first and stops early; it must pick what weighing all would."""
    rules = Rules(balance_weight_m=data.draw(st.sampled_from([0.0, 5.0, 60.0])),
                  departure_weight_m=data.draw(st.sampled_from([0.0, 0.5])))
    doors = {"IN1": Door("IN1", 0.0, 0.0, inbound=True, outbound=False),
             "IN2": Door("IN2", 90.0, 0.0, inbound=True, outbound=False)}
    for i in range(14):
        doors[f"D{i}"] = Door(f"D{i}", data.draw(st.integers(0, 100)) * 1.0, 40.0, inbound=False, outbound=True,
                              open=data.draw(st.integers(0, 5)) > 0)
    trailers = {}
    for k, door in enumerate(data.draw(st.lists(st.sampled_from(sorted(d for d in doors if d.startswith("D"))),
                                                min_size=1, max_size=12, unique=True))):
        trailers[f"T{k}"] = Trailer(
            f"T{k}", data.draw(st.sampled_from(DESTS[:2])), door, capacity_pallets=data.draw(st.integers(0, 6)),
            capacity_kg=24000.0,
            departure=NOW + timedelta(minutes=data.draw(st.integers(5, 300))), reefer=data.draw(st.booleans()),
        )
    areas = {"S": Area("S", "staging", 50.0, 20.0, "frozen")}
    d = Dispatcher(Floor(doors, areas, trailers, {}, rules=rules))
    for i in range(data.draw(st.integers(1, 25))):
        pallet = Pallet(
            f"P{i}", (data.draw(st.sampled_from(DESTS[:2])),), location=data.draw(st.sampled_from(["IN1", "IN2"])),
            state="waiting", weight_kg=300.0, temp=data.draw(st.sampled_from(["ambient", "ambient", "chilled"])),
            priority=data.draw(st.sampled_from([0, 0, 0, 2])),
        )
        if data.draw(st.integers(0, 6)) == 0:  # now and then a trailer changes door or leaves
            t = d.floor.trailers[data.draw(st.sampled_from(sorted(d.floor.trailers)))]
            d.put_trailer(replace(t, door=data.draw(st.sampled_from([None, *_free_doors(d)]))))
        d.put_pallet(pallet)
        expected = _best_of_all(d, pallet)
        move = d.decide(pallet.sscc, NOW)
        assert (move.target if move.kind == "direct" else None) == expected
