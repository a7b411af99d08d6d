"""Sensor readings at the site core: applied once by key, latest per sensor, telemetry, and the three sensor alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.scans import scan
from support.sites import sensor, site_config, staging, trailer
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.central.telemetry import LocalTelemetry
from xdock.protocol.clock import ManualClock
from xdock.protocol.sensors import KIND_UNITS, SensorKind, SensorReading

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

SITE = site_config(
    id="lyon-nord",
    timezone="UTC",
    areas=[staging("STG-C", 10, 10, temp="chilled")],
    trailers=[trailer(reefer=True)],
    sensors=[
        sensor("T1-TEMP", "temperature", trailer="T-LYON-1", grace_s=300),
        sensor("STG-TEMP", "temperature", area="STG-C", max_c=6.0, grace_s=0),
        sensor("D12-DOOR", "door_contact", door="D12", grace_s=60),
        sensor("D12-PRES", "trailer_presence", door="D12"),
    ],
    staging_dwell_minutes=30,
)


class _Rig:
    def __init__(self, tmp_path: Path) -> None:
        self.clock = ManualClock(T0)
        self.site = SITE
        self.store = Store(tmp_path / "c.db")
        self.telemetry = LocalTelemetry(100)
        self.live_site = LiveSite(self.site, self.store, self.clock, telemetry=self.telemetry)
        self.alerts = self.live_site.alerts
        self.seq = 0

    def read(self, sensor: str, kind: SensorKind, value: float, *, seq: int | None = None) -> bool:
        if seq is None:
            self.seq += 1
            seq = self.seq
        return self.live_site.apply_reading(SensorReading(edge_id="edge-d12", seq=seq, sensor_id=sensor, kind=kind,
                                                value=value, unit=KIND_UNITS[kind], at=self.clock.now()))

    def open_alerts(self) -> list[tuple[str, str]]:
        return [(a.kind, a.subject) for a in self.alerts.open_alerts()]


def test_a_reading_is_applied_once_by_its_key_even_after_a_restart(tmp_path: Path) -> None:
    rig = _Rig(tmp_path)
    assert rig.read("T1-TEMP", "temperature", 3.0, seq=7) is True
    assert rig.read("T1-TEMP", "temperature", 3.0, seq=7) is False
    assert (rig.live_site.sensor_stats.applied, rig.live_site.sensor_stats.duplicates) == (1, 1)
    points = rig.telemetry.query("sensor_reading")
    assert [(p.tags["sensor"], p.fields) for p in points] == [("T1-TEMP", {"value": 3.0})]
    rig.store.close()
    store = Store(tmp_path / "c.db")
    again = LiveSite(rig.site, store, rig.clock)
    assert again.apply_reading(SensorReading(edge_id="edge-d12", seq=7, sensor_id="T1-TEMP", kind="temperature",
                                     value=3.0, unit="C", at=T0)) is False
    store.close()


def test_a_late_reading_is_stored_but_not_made_the_latest(tmp_path: Path) -> None:
    rig = _Rig(tmp_path)
    rig.read("T1-TEMP", "temperature", 4.0)
    late = SensorReading(edge_id="edge-d12", seq=99, sensor_id="T1-TEMP", kind="temperature", value=2.0,
                         unit="C", at=T0 - timedelta(seconds=10))
    assert rig.live_site.apply_reading(late) is True
    assert rig.live_site.latest_readings()["T1-TEMP"].value == 4.0
    assert rig.live_site.sensor_stats.late == 1
    rig.store.close()


def test_cold_chain_breach_after_the_grace_and_cleared_below_the_limit(tmp_path: Path) -> None:
    rig = _Rig(tmp_path)
    rig.read("T1-TEMP", "temperature", 9.5)  # reefer: limit rules.chilled_max_c = 8.0
    rig.clock.advance(299)
    rig.live_site.tick()
    assert rig.open_alerts() == []
    rig.clock.advance(1)
    rig.live_site.tick()
    assert rig.open_alerts() == [("cold_chain_breach", "T1-TEMP")]
    assert rig.alerts.open_alerts()[0].message == "cold chain breach: T-LYON-1 at 9.5 °C above 8.0 °C (sensor T1-TEMP)"
    rig.clock.advance(10)
    rig.read("T1-TEMP", "temperature", 8.0)
    assert rig.open_alerts() == []
    assert [e.kind for e in rig.store.events()] == ["alert_raised", "alert_cleared"]
    rig.store.close()


def test_a_dip_below_the_limit_restarts_the_grace(tmp_path: Path) -> None:
    rig = _Rig(tmp_path)
    rig.read("T1-TEMP", "temperature", 9.0)
    rig.clock.advance(200)
    rig.read("T1-TEMP", "temperature", 7.0)
    rig.clock.advance(10)
    rig.read("T1-TEMP", "temperature", 9.0)
    rig.clock.advance(200)
    rig.live_site.tick()
    assert rig.open_alerts() == []
    rig.clock.advance(100)
    rig.live_site.tick()
    assert rig.open_alerts() == [("cold_chain_breach", "T1-TEMP")]
    rig.store.close()


def test_an_area_limit_from_the_site_file_with_no_grace(tmp_path: Path) -> None:
    rig = _Rig(tmp_path)
    rig.read("STG-TEMP", "temperature", 6.0)
    assert rig.open_alerts() == []
    rig.read("STG-TEMP", "temperature", 6.5)
    assert rig.open_alerts() == [("cold_chain_breach", "STG-TEMP")]
    rig.store.close()


def test_door_open_without_a_trailer_after_the_grace(tmp_path: Path) -> None:
    rig = _Rig(tmp_path)
    rig.read("D12-PRES", "trailer_presence", 1.0)
    rig.read("D12-DOOR", "door_contact", 1.0)
    rig.clock.advance(120)
    rig.live_site.tick()
    assert rig.open_alerts() == []  # a trailer is at the door
    rig.read("D12-PRES", "trailer_presence", 0.0)
    rig.clock.advance(59)
    rig.live_site.tick()
    assert rig.open_alerts() == []
    rig.clock.advance(1)
    rig.live_site.tick()
    assert rig.open_alerts() == [("door_open_no_trailer", "D12")]
    assert rig.alerts.open_alerts()[0].message == "door D12 open with no trailer present (sensor D12-DOOR)"
    rig.read("D12-DOOR", "door_contact", 0.0)
    assert rig.open_alerts() == []
    rig.store.close()


def test_a_pallet_dwelling_in_staging_past_the_threshold(tmp_path: Path) -> None:
    rig = _Rig(tmp_path)
    sscc = "376130321100000018"
    # D12 closed: T-LYON-1 takes no pallets, and the chilled pallet scanned at D1 is staged in STG-C.
    rig.live_site.set_door("D12", open_=False, by="supervisor")
    rig.live_site.apply_scan(scan(edge="edge-d1", at=T0, sscc=sscc, max_temp_c=5.0))
    rig.clock.advance(29 * 60)
    rig.live_site.tick()
    assert rig.open_alerts() == []
    rig.clock.advance(60)
    rig.live_site.tick()
    assert rig.open_alerts() == [("pallet_dwell", sscc)]
    assert rig.alerts.open_alerts()[0].message == f"pallet {sscc} staged in STG-C for 30 min (limit 30 min)"
    # D12 open again: the pallet goes to T-LYON-1 and leaves staging.
    rig.live_site.set_door("D12", open_=True, by="supervisor")
    rig.live_site.rematch()
    rig.live_site.tick()
    assert rig.open_alerts() == []
    rig.store.close()


def test_readings_of_sensors_not_in_the_site_file_are_kept_and_raise_nothing(tmp_path: Path) -> None:
    rig = _Rig(tmp_path)
    rig.read("SPARE", "temperature", 40.0)
    rig.clock.advance(3600)
    rig.live_site.tick()
    assert rig.live_site.latest_readings()["SPARE"].value == 40.0
    assert rig.open_alerts() == []
    rig.store.close()
