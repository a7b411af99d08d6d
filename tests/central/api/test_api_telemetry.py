"""Recent telemetry and the dock sensors over REST: points from the local ring, sensors with a status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from support.central_rig import api_client, built_central
from support.sites import sensor, site_config, staging, trailer
from xdock.central.api.auth import UserAdmin
from xdock.central.app import Central, CentralConfig
from xdock.central.telemetry import device_health
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import DeviceStatus, EdgeStatus
from xdock.protocol.sensors import KIND_UNITS, SensorKind, SensorReading

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SITE = site_config(
    id="lyon-nord",
    timezone="UTC",
    areas=[staging("STG-C", 10, 10, temp="chilled"), staging("STG-A", 20, 10)],
    trailers=[trailer(reefer=True)],
    sensors=[
        sensor("T1-TEMP", "temperature", trailer="T-LYON-1"),
        sensor("STG-TEMP", "temperature", area="STG-C", max_c=6.0),
        sensor("AMB-TEMP", "temperature", area="STG-A"),
        sensor("D12-DOOR", "door_contact", door="D12"),
        sensor("D12-PRES", "trailer_presence", door="D12", report_s=300),
    ],
)


class Rig:
    def __init__(self, db: Path, *, auth: bool = False) -> None:
        self.clock = ManualClock(T0)
        self.central = built_central(SITE, db, self.clock, auth=auth)
        self.store = self.central.store
        self.ring = self.central.telemetry.recent
        self.site = self.central.site
        self.liveness = self.central.liveness
        self.app = self.central.app
        self.http = api_client(self.central)
        self.seq = 0

    def read(self, sensor: str, kind: SensorKind, value: float, *, at: datetime | None = None,
             edge: str = "edge-d12") -> None:
        self.seq += 1
        assert self.site.apply_reading(SensorReading(edge_id=edge, seq=self.seq, sensor_id=sensor, kind=kind,
                                                     value=value, unit=KIND_UNITS[kind], at=at or self.clock.now()))

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(path)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    r = Rig(tmp_path / "c.db")
    async with r.http:
        yield r
    await r.central.aclose()


def _point(sensor: str, value: float, time: str) -> dict[str, object]:
    return {
        "measurement": "sensor_reading", "time": time,
        "tags": {"site": "lyon-nord", "edge": "edge-d12", "sensor": sensor, "kind": "temperature", "unit": "C"},
        "fields": {"value": value},
    }


async def test_points_of_one_sensor_newest_last_and_only_the_newest_limit(rig: Rig) -> None:
    for minute in range(5):
        rig.read("T1-TEMP", "temperature", 3.0 + minute / 2)
        rig.read("STG-TEMP", "temperature", 4.0)
        rig.clock.advance(60)
    r = await rig.get("/api/v1/telemetry?measurement=sensor_reading&sensor=T1-TEMP&limit=3")
    assert r.status_code == 200
    assert r.json() == [
        _point("T1-TEMP", 4.0, "2026-11-23T08:02:00Z"),
        _point("T1-TEMP", 4.5, "2026-11-23T08:03:00Z"),
        _point("T1-TEMP", 5.0, "2026-11-23T08:04:00Z"),
    ]


async def test_since_keeps_points_at_or_after_it(rig: Rig) -> None:
    for minute in range(4):
        rig.read("T1-TEMP", "temperature", float(minute))
        rig.clock.advance(60)
    r = await rig.get("/api/v1/telemetry?measurement=sensor_reading&since=2026-11-23T09:02:00%2B01:00")
    assert [p["time"] for p in r.json()] == ["2026-11-23T08:02:00Z", "2026-11-23T08:03:00Z"]


async def test_a_late_point_takes_its_place_in_time(rig: Rig) -> None:
    rig.read("T1-TEMP", "temperature", 5.0, at=T0 + timedelta(minutes=2))
    rig.read("T1-TEMP", "temperature", 4.0, at=T0 + timedelta(minutes=1))
    r = await rig.get("/api/v1/telemetry?measurement=sensor_reading&sensor=T1-TEMP")
    assert [(p["time"], p["fields"]["value"]) for p in r.json()] == [
        ("2026-11-23T08:01:00Z", 4.0), ("2026-11-23T08:02:00Z", 5.0),
    ]


async def test_other_measurements_filter_by_their_own_tags(rig: Rig) -> None:
    for device, online in (("portal-1", True), ("scanner-1", False)):
        rig.ring.record(device_health(site="lyon-nord", edge="edge-d12", device=device, online=online, backlog=3,
                                      time=T0))
    r = await rig.get("/api/v1/telemetry?measurement=device_health&device=scanner-1")
    assert r.json() == [{
        "measurement": "device_health", "time": "2026-11-23T08:00:00Z",
        "tags": {"site": "lyon-nord", "edge": "edge-d12", "device": "scanner-1"},
        "fields": {"online": False, "backlog": 3},
    }]
    assert (await rig.get("/api/v1/telemetry?measurement=kpi")).json() == []


async def test_the_default_limit_is_500_and_the_most_5000(rig: Rig) -> None:
    for i in range(600):
        rig.read("T1-TEMP", "temperature", 3.0, at=T0 + timedelta(seconds=i))
    points = (await rig.get("/api/v1/telemetry?measurement=sensor_reading")).json()
    assert (len(points), points[0]["time"], points[-1]["time"]) == (500, "2026-11-23T08:01:40Z", "2026-11-23T08:09:59Z")
    assert len((await rig.get("/api/v1/telemetry?measurement=sensor_reading&limit=5000")).json()) == 600


@pytest.mark.parametrize(("query", "detail"), [
    ("measurement=sensor_reading&limit=5001", "query.limit: Input should be less than or equal to 5000"),
    ("measurement=sensor_reading&limit=0", "query.limit: Input should be greater than or equal to 1"),
    ("measurement=sensor_reading&since=2026-11-23T08:00:00", "query.since: Input should have timezone info"),
    ("measurement=sensor_reading&since=yesterday",
     "query.since: Input should be a valid datetime or date, input is too short"),
    ("measurement=temperature",
     "query.measurement: Input should be 'sensor_reading', 'read_rate', 'device_health', 'kpi' or 'uplink_refusals'"),
    ("limit=3", "query.measurement: Field required"),
])
async def test_a_bad_query_field_is_422_naming_it(rig: Rig, query: str, detail: str) -> None:
    r = await rig.get("/api/v1/telemetry?" + query)
    assert (r.status_code, r.headers["content-type"]) == (422, "application/problem+json")
    field = detail.split(":", maxsplit=1)[0].removeprefix("query.")
    assert r.json() == {
        "type": "about:blank", "title": "Unprocessable Content", "status": 422, "detail": detail, "field": field,
    }


@pytest.mark.parametrize(("query", "field", "detail"), [
    ("measurement=sensor_reading&device=portal-1", "device",
     "device: not a tag of sensor_reading (its tags: edge, kind, sensor, site, unit)"),
    ("measurement=kpi&sensor=T1-TEMP", "sensor", "sensor: not a tag of kpi (its tags: site)"),
    ("measurement=sensor_reading&sensor=A&sensor=B", "sensor", "sensor: given more than once"),
    ("measurement=read_rate&device=", "device", "device: expected a tag value, got an empty one"),
    ("measurement=read_rate&=portal-1", "query", "query: a field without a name (=portal-1)"),
])
async def test_a_bad_tag_filter_is_422_naming_the_tag(rig: Rig, query: str, field: str, detail: str) -> None:
    r = await rig.get("/api/v1/telemetry?" + query)
    assert r.status_code == 422
    assert r.json() == {
        "type": "about:blank", "title": "Unprocessable Content", "status": 422, "detail": detail, "field": field,
    }


def _sensor(sid: str, kind: str, watches: str, target: str, limit: float | None, unit: str,
            period: float, status: str, value: float | None = None, at: str | None = None,
            reason: str | None = None) -> dict[str, object]:
    return {
        "id": sid, "kind": kind, "watches": watches, "target": target, "limit_c": limit, "unit": unit,
        "value": value, "at": at, "edge": None if at is None else "edge-d12", "report_period_s": period,
        "status": status, "reason": reason,
    }


async def test_sensors_with_no_reading_say_no_data(rig: Rig) -> None:
    assert (await rig.get("/api/v1/sensors")).json() == [
        _sensor("T1-TEMP", "temperature", "trailer", "T-LYON-1", 8.0, "C", 300.0, "no_data"),
        _sensor("STG-TEMP", "temperature", "area", "STG-C", 6.0, "C", 300.0, "no_data"),
        _sensor("AMB-TEMP", "temperature", "area", "STG-A", None, "C", 300.0, "no_data"),
        _sensor("D12-DOOR", "door_contact", "door", "D12", None, "open", 60.0, "no_data"),
        _sensor("D12-PRES", "trailer_presence", "door", "D12", None, "present", 300.0, "no_data"),
    ]


async def test_sensors_ok_breach_and_stale_with_last_value_and_time(rig: Rig) -> None:
    rig.read("T1-TEMP", "temperature", 9.5)  # above the reefer's 8 °C
    rig.read("STG-TEMP", "temperature", 5.0)
    rig.read("AMB-TEMP", "temperature", 30.0)  # ambient: no limit
    rig.read("D12-DOOR", "door_contact", 1.0)  # open, no trailer reported yet
    at = "2026-11-23T08:00:00Z"
    assert (await rig.get("/api/v1/sensors")).json() == [
        _sensor("T1-TEMP", "temperature", "trailer", "T-LYON-1", 8.0, "C", 300.0, "breach", 9.5, at),
        _sensor("STG-TEMP", "temperature", "area", "STG-C", 6.0, "C", 300.0, "ok", 5.0, at),
        _sensor("AMB-TEMP", "temperature", "area", "STG-A", None, "C", 300.0, "ok", 30.0, at),
        _sensor("D12-DOOR", "door_contact", "door", "D12", None, "open", 60.0, "breach", 1.0, at),
        _sensor("D12-PRES", "trailer_presence", "door", "D12", None, "present", 300.0, "no_data"),
    ]
    rig.read("D12-PRES", "trailer_presence", 1.0)  # a trailer docks: the open door is fine
    statuses = {s["id"]: s["status"] for s in (await rig.get("/api/v1/sensors")).json()}
    assert (statuses["D12-DOOR"], statuses["D12-PRES"]) == ("ok", "ok")
    rig.clock.advance(121)  # two door periods and a second without news of the door
    rig.read("D12-PRES", "trailer_presence", 1.0)
    statuses = {s["id"]: s["status"] for s in (await rig.get("/api/v1/sensors")).json()}
    assert statuses == {"T1-TEMP": "breach", "STG-TEMP": "ok", "AMB-TEMP": "ok", "D12-DOOR": "stale",
                        "D12-PRES": "ok"}


async def test_a_quiet_sensor_is_not_stale_before_two_report_periods(rig: Rig) -> None:
    rig.read("STG-TEMP", "temperature", 5.0)
    rig.clock.advance(600)  # no change reported for two periods: still believed
    (stg,) = [s for s in (await rig.get("/api/v1/sensors")).json() if s["id"] == "STG-TEMP"]
    assert (stg["status"], stg["value"]) == ("ok", 5.0)
    rig.clock.advance(1)
    (stg,) = [s for s in (await rig.get("/api/v1/sensors")).json() if s["id"] == "STG-TEMP"]
    assert (stg["status"], stg["value"], stg["at"]) == ("stale", 5.0, "2026-11-23T08:00:00Z")


async def test_each_sensor_is_judged_on_its_own_report_period(rig: Rig) -> None:
    rig.read("D12-DOOR", "door_contact", 0.0)  # reports at least every 60 s (its kind's default)
    rig.read("D12-PRES", "trailer_presence", 1.0)  # report_s: 300 in the site file
    rig.clock.advance(300)
    body = {s["id"]: s for s in (await rig.get("/api/v1/sensors")).json()}
    assert body["D12-DOOR"] == _sensor("D12-DOOR", "door_contact", "door", "D12", None, "open", 60.0, "stale", 0.0,
                                       "2026-11-23T08:00:00Z", "no reading for 300 s (reports at least every 60 s)")
    assert body["D12-PRES"] == _sensor("D12-PRES", "trailer_presence", "door", "D12", None, "present", 300.0, "ok",
                                       1.0, "2026-11-23T08:00:00Z")


async def test_a_sensor_behind_an_offline_edge_or_node_is_stale_at_once(rig: Rig) -> None:
    rig.read("STG-TEMP", "temperature", 5.0)
    rig.read("T1-TEMP", "temperature", 3.0, edge="node-t1")
    rig.liveness.edge_status(EdgeStatus(edge_id="edge-d12", online=True, at=T0))
    rig.liveness.device_status(DeviceStatus(edge_id="node-t1", device_id="node-t1", device_kind="sensor_node",
                                            online=True, at=T0))

    async def statuses() -> dict[str, tuple[str, str | None]]:
        return {s["id"]: (s["status"], s["reason"]) for s in (await rig.get("/api/v1/sensors")).json()
                if s["id"] in ("STG-TEMP", "T1-TEMP")}

    assert await statuses() == {"STG-TEMP": ("ok", None), "T1-TEMP": ("ok", None)}
    rig.liveness.device_status(DeviceStatus(edge_id="node-t1", device_id="node-t1", device_kind="sensor_node",
                                            online=False, at=T0, detail="link lost"))
    assert await statuses() == {"STG-TEMP": ("ok", None),
                                "T1-TEMP": ("stale", "sensor node node-t1 offline: link lost")}
    rig.liveness.edge_status(EdgeStatus(edge_id="edge-d12", online=False, at=T0))
    assert await statuses() == {"STG-TEMP": ("stale", "edge edge-d12 offline"),
                                "T1-TEMP": ("stale", "sensor node node-t1 offline: link lost")}
    rig.liveness.edge_status(EdgeStatus(edge_id="edge-d12", online=True, at=T0))
    assert await statuses() == {"STG-TEMP": ("ok", None),
                                "T1-TEMP": ("stale", "sensor node node-t1 offline: link lost")}


async def test_both_need_a_token_when_access_control_is_on(tmp_path: Path) -> None:
    rig = Rig(tmp_path / "c.db", auth=True)
    users = UserAdmin(rig.store)
    users.add("wanda", "worker", T0, by="setup")
    token = users.issue("wanda", T0, by="setup")
    async with rig.http:
        for path in ("/api/v1/sensors", "/api/v1/telemetry?measurement=kpi"):
            assert (await rig.get(path)).status_code == 401
            r = await rig.http.get(path, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200
    await rig.central.aclose()


async def test_central_serves_its_sensor_readings_from_its_own_telemetry(tmp_path: Path) -> None:
    central = Central(CentralConfig(SITE, BrokerUrl.parse("mqtt://127.0.0.1:1"), tmp_path / "c.db", api_port=None,
                                    replan_interval=None), ManualClock(T0))
    try:
        central.site.apply_reading(SensorReading(edge_id="edge-d12", seq=1, sensor_id="STG-TEMP", kind="temperature",
                                                 value=7.5, unit="C", at=T0))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=central.app), base_url="http://c") as http:
            points = (await http.get("/api/v1/telemetry?measurement=sensor_reading&sensor=STG-TEMP")).json()
            sensors = (await http.get("/api/v1/sensors")).json()
    finally:
        central.telemetry.close()
        central.store.close()
    assert points == [{
        "measurement": "sensor_reading", "time": "2026-11-23T08:00:00Z",
        "tags": {"site": "lyon-nord", "edge": "edge-d12", "sensor": "STG-TEMP", "kind": "temperature", "unit": "C"},
        "fields": {"value": 7.5},
    }]
    assert [(s["id"], s["value"], s["status"]) for s in sensors] == [
        ("T1-TEMP", None, "no_data"), ("STG-TEMP", 7.5, "breach"), ("AMB-TEMP", None, "no_data"),
        ("D12-DOOR", None, "no_data"), ("D12-PRES", None, "no_data"),
    ]


async def test_no_generated_request_is_a_server_error(rig: Rig) -> None:
    """Valid and invalid requests generated from the two operations' schema: 200 or 422, never a 5xx."""
    rig.read("T1-TEMP", "temperature", 3.0)
    schema = schemathesis.openapi.from_dict(rig.app.openapi())
    urls: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(("/api/v1/telemetry", "/api/v1/sensors")):
            continue
        for mode in GenerationMode:

            @settings(max_examples=40, database=None, deadline=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(mode))
            def generate(case: schemathesis.Case) -> None:
                kwargs = case.as_transport_kwargs(base_url="http://central")
                urls.append(str(httpx.URL(kwargs["url"], params=kwargs.get("params"))))

            generate()
    assert {u.split("?")[0] for u in urls} == {"http://central/api/v1/telemetry", "http://central/api/v1/sensors"}
    statuses = {(await rig.http.get(u)).status_code for u in urls}
    assert statuses == {200, 422}
