"""A drawn :class:`~xdock.simulation.model.Day` written back as a scenario with everything listed."""

from __future__ import annotations

from typing import Any

from xdock.simulation.model import Day


def day_as_scenario(day: Day, name: str | None = None) -> dict[str, Any]:
    """``day`` as a scenario mapping with every truck, pallet and trailer listed and the site inline: dumped
    as YAML it loads back (:func:`parse_scenario`) and draws ``day`` again, whatever the seed. The shape a
    published dataset is converted into."""
    site = day.site.model_dump(mode="json", exclude_defaults=True)
    for trailer in site.get("trailers", []):
        trailer["departure"] = trailer["departure"][:5]  # HH:MM, as site files write it
    local = day.start.astimezone(day.site.zone)
    disturbances: list[dict[str, Any]] = []
    for d in day.disturbances:
        item: dict[str, Any] = {"kind": d.kind, "start_min": d.start_min, "end_min": d.end_min}
        if d.kind == "door_closed":
            item["door"] = d.target
        elif d.kind == "reefer_failure":
            item["trailer"] = d.target
        elif d.kind == "volume_peak":
            item["factor"] = d.factor
        disturbances.append(item)
    return {
        "name": name or day.scenario,
        "start": local.replace(tzinfo=None).isoformat(sep=" "),
        "horizon_hours": day.horizon_min / 60,
        "site": site,
        "forklifts": {"count": day.fleet.forklifts, "speed_m_per_s": day.fleet.speed_m_per_s,
                      "handle_s": day.fleet.handle_s, "unload_s": day.fleet.unload_s,
                      "dock_apron": day.fleet.dock_apron},
        "co2": {"kg_per_forklift_km": day.co2.kg_per_forklift_km,
                "kg_per_trailer_departure": day.co2.kg_per_trailer_departure},
        "inbound": {"trucks": [
            {"id": t.id, "arrival_min": t.arrival_min, "supplier": t.supplier, "pallets": [
                {"sscc": p.sscc, "destination": p.destination, "postal_code": p.postal_code, "due_min": p.due_min,
                 "temp": p.temp, "dangerous": p.dangerous}
                for p in t.pallets
            ]}
            for t in day.trucks
        ]},
        "outbound": {"trailers": [
            {"id": t.id, "destination": t.destination, "arrival_min": t.arrival_min,
             "departure_min": t.departure_min, "capacity": t.capacity, "reefer": t.reefer,
             "accepts_hazmat": t.accepts_hazmat}
            for t in day.trailers
        ]},
        "disturbances": disturbances,
    }
