"""Recent telemetry and the dock sensors over REST, read from central's local ring and live state.

``GET /api/v1/telemetry``
    points of one measurement from the local ring (see :mod:`xdock.central.telemetry.sink`), at or
    after ``since``, carrying the given tag values (``sensor=…``, ``device=…``: any other query
    field is a tag filter), in time order, newest last; the newest ``limit`` of them (default
    500, at most 5,000). A bad query field is refused with 422 naming it: ``since`` without a UTC
    offset, an unknown ``measurement``, ``limit`` out of range, a tag the measurement does not carry.
``GET /api/v1/sensors``
    each sensor of the site file with its last value, time, unit, what it watches, its limit, its
    report period (``report_s`` in the site file, else its kind's default) and its status, with
    the reason when it is ``stale`` (silent for two report periods, or its edge or sensor node
    offline by central's liveness; see :mod:`xdock.central.api.sensor_status`).

Both need a token of any role when access control is on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime, BaseModel

from xdock.central.api.access import Access, FieldProblem
from xdock.central.api.sensor_status import SensorStatus, SensorView, offline_sources, sensor_view
from xdock.central.edges.liveness import Liveness
from xdock.central.sensors.service import temperature_limit
from xdock.central.site.live_site import LiveSite
from xdock.central.telemetry import FieldValue, LocalTelemetry, TelemetryPoint
from xdock.protocol.sensors import KIND_UNITS

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MEASUREMENT_TAGS", "PointOut", "SensorOut", "telemetry_router"]

Measurement = Literal["sensor_reading", "read_rate", "device_health", "kpi", "uplink_refusals"]

MEASUREMENT_TAGS: Final[dict[str, tuple[str, ...]]] = {
    "sensor_reading": ("edge", "kind", "sensor", "site", "unit"),
    "read_rate": ("device", "edge", "site"),
    "device_health": ("device", "edge", "site"),
    "kpi": ("site",),
    "uplink_refusals": ("edge", "reason", "site"),
}
"""The tags each measurement carries (see :mod:`xdock.central.telemetry.points`)."""

DEFAULT_LIMIT: Final = 500
MAX_LIMIT: Final = 5000
_QUERY_FIELDS: Final = frozenset({"measurement", "since", "limit"})


class PointOut(BaseModel):
    measurement: str
    time: datetime
    tags: dict[str, str]
    fields: dict[str, FieldValue]


class SensorOut(BaseModel):
    id: str
    kind: Literal["temperature", "humidity", "door_contact", "trailer_presence"]
    watches: Literal["trailer", "area", "door"]
    """What the sensor watches; ``target`` is its id."""
    target: str
    limit_c: float | None
    """The temperature limit (``None``: no limit, or not a temperature sensor)."""
    unit: str
    value: float | None
    at: datetime | None
    """When the last value was read (the edge's clock)."""
    edge: str | None
    """The edge that reported the last value."""
    report_period_s: float
    """The sensor's report period: it reports on change and at least this often."""
    status: SensorStatus
    reason: str | None
    """Why the sensor is ``stale`` (``None`` otherwise)."""


def _point(p: TelemetryPoint) -> PointOut:
    return PointOut(measurement=p.measurement, time=p.time, tags=dict(p.tags), fields=dict(p.fields))


def _sensor(view: SensorView) -> SensorOut:
    s, r = view.sensor, view.reading
    watches: Literal["trailer", "area", "door"] = "trailer" if s.trailer else "area" if s.area else "door"
    return SensorOut(
        id=s.id, kind=s.kind, watches=watches, target=s.trailer or s.area or s.door or "", limit_c=view.limit_c,
        unit=KIND_UNITS[s.kind], value=None if r is None else r.value, at=None if r is None else r.at,
        edge=None if r is None else r.edge_id, report_period_s=view.report_period_s, status=view.status,
        reason=view.reason,
    )


def _tag_filters(request: Request, measurement: str) -> dict[str, str]:
    known = MEASUREMENT_TAGS[measurement]
    tags: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in _QUERY_FIELDS:
            continue
        if not name:
            raise FieldProblem(422, "query", f"query: a field without a name (={value[:32]})")
        if name not in known:
            raise FieldProblem(422, name, f"{name}: not a tag of {measurement} (its tags: {', '.join(known)})")
        if name in tags:
            raise FieldProblem(422, name, f"{name}: given more than once")
        if not value:
            raise FieldProblem(422, name, f"{name}: expected a tag value, got an empty one")
        tags[name] = value
    return tags


def telemetry_router(
    recent: LocalTelemetry, site: LiveSite, access: Access, liveness: Liveness | None = None
) -> APIRouter:
    """Routes ``/api/v1/telemetry`` over ``recent`` and ``/api/v1/sensors`` over ``site``'s sensors (a sensor
    whose edge or node ``liveness`` knows offline is stale at once)."""
    router = APIRouter(prefix="/api/v1", tags=["telemetry"], dependencies=[Depends(access.require("worker"))])
    configured = {s.id: s for s in site.config.sensors}

    @router.get("/telemetry", summary="Recent telemetry points of one measurement, newest last")
    async def telemetry(
        request: Request,
        measurement: Measurement,
        since: AwareDatetime | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> list[PointOut]:
        tags = _tag_filters(request, measurement)
        points = sorted(recent.query(measurement, since=since, tags=tags), key=lambda p: p.time)
        return [_point(p) for p in points[-limit:]]

    @router.get("/sensors", summary="The site's sensors: last value, limit and status (ok, breach, stale, no_data)")
    async def sensor_list() -> list[SensorOut]:
        latest, now = site.latest_readings(), site.clock.now()
        offline = offline_sources(liveness.edges) if liveness is not None else {}
        return [
            _sensor(sensor_view(s, temperature_limit(s, site.config) if s.kind == "temperature" else None,
                                latest, configured, now, offline))
            for s in configured.values()
        ]

    return router
