"""Solver-agnostic checks of a plan: every rule a plan must keep, whoever made it.

:func:`validate` returns the broken rules as sentences naming the pallet, trailer or door; an
empty list means the plan can be handed to the floor. The instant decision, the re-plan and
the property tests all answer to it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from xdock.central.optimiser.plan import Move, Plan
from xdock.central.optimiser.schema import Floor, Pallet, TempClass, Trailer

__all__ = ["validate"]

_COLD = {"ambient": 0, "chilled": 1, "frozen": 2}


def _keeps(area_temp: TempClass, pallet_temp: TempClass) -> bool:
    return _COLD[area_temp] >= _COLD[pallet_temp]


def validate(floor: Floor, plan: Plan, now: datetime) -> list[str]:
    """Every rule ``plan`` breaks on ``floor`` at ``now``."""
    problems: list[str] = []
    doors_of = _trailer_doors(floor, plan, problems)
    aboard: dict[str, list[Pallet]] = defaultdict(list)
    for pallet in floor.pallets.values():
        if pallet.frozen:
            if pallet.sscc in plan.moves:
                problems.append(f"pallet {pallet.sscc} is {pallet.state}: its move cannot change")
            if pallet.trailer is not None:
                aboard[pallet.trailer].append(pallet)
            continue
        move = plan.moves.get(pallet.sscc)
        if move is None:
            problems.append(f"pallet {pallet.sscc} has no move")
            continue
        if move.kind != "direct":
            problems += _to_area(floor, pallet, move)
            continue
        trailer = floor.trailers.get(move.target)
        if trailer is None:
            problems.append(f"pallet {pallet.sscc}: unknown trailer {move.target!r}")
            continue
        problems += _direct(floor, pallet, trailer, now)
        if move.door != doors_of.get(trailer.id):
            problems.append(
                f"pallet {pallet.sscc}: move names door {move.door}, trailer {trailer.id} is at "
                f"{doors_of.get(trailer.id)}"
            )
        aboard[trailer.id].append(pallet)
    for trailer_id, pallets in aboard.items():
        trailer = floor.trailers.get(trailer_id)
        if trailer is not None:
            problems += _load(floor, trailer, pallets)
    problems += _door_times(floor, plan, doors_of)
    return problems


def _to_area(floor: Floor, pallet: Pallet, move: Move) -> list[str]:
    area = floor.areas.get(move.target)
    wanted = "breakdown" if move.kind == "indirect" else "staging"
    if area is None or area.kind != wanted:
        return [f"pallet {pallet.sscc}: {move.kind} move to {move.target!r}, not a {wanted} area"]
    if move.kind == "indirect" and not pallet.mixed:
        return [f"pallet {pallet.sscc}: only mixed pallets go to breakdown"]
    if not _keeps(area.temp, pallet.temp):
        return [f"pallet {pallet.sscc}: {pallet.temp} pallet in {area.temp} area {area.id}"]
    return []


def _direct(floor: Floor, pallet: Pallet, trailer: Trailer, now: datetime) -> list[str]:
    out = []
    if pallet.mixed:
        out.append(f"pallet {pallet.sscc} is mixed: it must go to breakdown, not to trailer {trailer.id}")
    elif trailer.destination not in pallet.destinations:
        out.append(f"pallet {pallet.sscc} for {','.join(pallet.destinations) or '?'} on trailer {trailer.id} "
                   f"for {trailer.destination}")
    if trailer.departed or trailer.departure < now + floor.rules.handling:
        out.append(f"pallet {pallet.sscc}: trailer {trailer.id} leaves at {trailer.departure:%H:%M}, too soon")
    if pallet.temp != "ambient" and not trailer.reefer:
        out.append(f"pallet {pallet.sscc} is {pallet.temp}: trailer {trailer.id} is not a reefer")
    if pallet.hazmat is not None and not trailer.accepts_hazmat:
        out.append(f"pallet {pallet.sscc} is dangerous goods class {pallet.hazmat}: trailer {trailer.id} takes none")
    return out


def _load(floor: Floor, trailer: Trailer, pallets: list[Pallet]) -> list[str]:
    out = []
    if len(pallets) > trailer.capacity_pallets:
        out.append(f"trailer {trailer.id}: {len(pallets)} pallets exceed its {trailer.capacity_pallets} positions")
    kg = sum(p.weight_kg for p in pallets)
    if kg > trailer.capacity_kg + 1e-6:
        out.append(f"trailer {trailer.id}: {kg:.0f} kg exceed its {trailer.capacity_kg:.0f} kg")
    classes = sorted({p.hazmat for p in pallets if p.hazmat is not None})
    out += [
        f"trailer {trailer.id}: dangerous goods classes {a} and {b} must not travel together"
        for i, a in enumerate(classes)
        for b in classes[i + 1 :]
        if floor.rules.incompatible(a, b)
    ]
    return out


def _trailer_doors(floor: Floor, plan: Plan, problems: list[str]) -> dict[str, str | None]:
    doors_of: dict[str, str | None] = {}
    for trailer in floor.trailers.values():
        door_id = plan.trailer_doors.get(trailer.id, trailer.door)
        if trailer.docked and door_id != trailer.door:
            problems.append(f"trailer {trailer.id} is docked at {trailer.door}: the plan cannot move it to {door_id}")
        if door_id is not None and not trailer.departed:
            door = floor.doors.get(door_id)
            if door is None or not door.outbound or not door.open:
                problems.append(f"trailer {trailer.id}: door {door_id} is not an open outbound door")
        doors_of[trailer.id] = door_id
    for truck in floor.trucks.values():
        door_id = plan.truck_doors.get(truck.id, truck.door)
        if truck.docked and door_id != truck.door:
            problems.append(f"truck {truck.id} is docked at {truck.door}: the plan cannot move it to {door_id}")
        if door_id is not None:
            door = floor.doors.get(door_id)
            if door is None or not door.inbound or not door.open:
                problems.append(f"truck {truck.id}: door {door_id} is not an open inbound door")
    return doors_of


def _door_times(floor: Floor, plan: Plan, doors_of: dict[str, str | None]) -> list[str]:
    """No door holds two vehicles at once: trailer windows run to departure, truck windows to unloaded."""
    windows: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for trailer in floor.trailers.values():
        door = doors_of.get(trailer.id)
        if door is not None and not trailer.departed:
            start = trailer.loading_from or datetime.min.replace(tzinfo=trailer.departure.tzinfo)
            windows[door].append((start, trailer.departure, f"trailer {trailer.id}"))
    for truck in floor.trucks.values():
        door = plan.truck_doors.get(truck.id, truck.door)
        if door is not None:
            windows[door].append((truck.arrival, truck.arrival + truck.unload, f"truck {truck.id}"))
    out = []
    for door, spans in sorted(windows.items()):
        spans.sort()
        latest_end, holder = spans[0][1], spans[0][2]
        for start, end, who in spans[1:]:
            if start < latest_end:
                out.append(f"door {door}: {holder} and {who} are planned there at the same time")
            if end > latest_end:
                latest_end, holder = end, who
    return out
