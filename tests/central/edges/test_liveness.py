"""Liveness of edges and devices on a manual clock: statuses, silence, Last Will, alerts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from support.waiting import eventually
from xdock.central.alerts.book import Alerts
from xdock.central.edges.liveness import Liveness, status_subscriptions
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock, ScaledClock
from xdock.protocol.messages import DeviceStatus, EdgeStatus, MessageError, encode
from xdock.protocol.topics import TopicError, cmd_topic, device_status_topic, edge_status_topic

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(tmp_path / "c.db")
    yield db
    db.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def live(store: Store, clock: ManualClock) -> Liveness:
    return Liveness("t", clock, Alerts(store))


def edge(online: bool = True, *, at: datetime | None = None, hb: float | None = 10.0, backlog: int = 0) -> EdgeStatus:
    if not online:
        return EdgeStatus(edge_id="e1", online=False, door="D1")
    return EdgeStatus(edge_id="e1", online=True, door="D1", at=at or T0, version="0.3.0", heartbeat_s=hb,
                      backlog=backlog)


def device(online: bool, at: datetime, *, hb: float = 6.0, detail: str = "") -> DeviceStatus:
    return DeviceStatus(edge_id="e1", device_id="s1", device_kind="serial_scanner", online=online, at=at,
                        detail=detail, heartbeat_s=hb)


def alerts(store: Store) -> list[tuple[str, str, datetime, datetime | None, str]]:
    return [(a.kind, a.subject, a.raised_at, a.cleared_at, a.message) for a in reversed(store.alerts())]


def test_statuses_are_tracked(live: Liveness, clock: ManualClock) -> None:
    live.edge_status(edge(backlog=7))
    clock.advance(2)
    live.device_status(device(True, clock.now(), detail="/dev/pts/3"))
    e1 = live.edges["e1"]
    assert (e1.online, e1.door, e1.version, e1.heartbeat_s, e1.backlog, e1.last_seen) == (
        True, "D1", "0.3.0", 10.0, 7, T0,
    )
    s1 = e1.devices["s1"]
    assert (s1.online, s1.kind, s1.detail, s1.heartbeat_s, s1.last_seen) == (
        True, "serial_scanner", "/dev/pts/3", 6.0, T0 + timedelta(seconds=2),
    )


def test_an_edge_silent_for_two_heartbeats_is_offline_once_then_back(
    live: Liveness, clock: ManualClock, store: Store
) -> None:
    live.edge_status(edge())
    clock.advance(19.999)
    assert live.check() == 0
    clock.advance(0.001)
    assert live.check() == 1
    assert live.edges["e1"].online is False
    clock.advance(30)
    assert live.check() == 0
    raised = T0 + timedelta(seconds=20)
    assert alerts(store) == [("edge_offline", "e1", raised, None, "edge e1 (door D1) silent for 20 s")]
    live.edge_status(edge(at=clock.now()))
    assert live.edges["e1"].online is True
    back = T0 + timedelta(seconds=50)
    assert alerts(store) == [("edge_offline", "e1", raised, back, "edge e1 (door D1) silent for 20 s")]
    assert [e.kind for e in store.events()] == ["alert_raised", "alert_cleared"]


async def test_the_watchdog_marks_offline_after_exactly_two_periods(
    live: Liveness, clock: ManualClock, store: Store
) -> None:
    live.edge_status(edge())
    assert live.next_check_in() == 5.0
    watchdog = asyncio.create_task(live.run())
    try:
        await eventually(lambda: bool(store.alerts()), what="edge alert")
        await eventually(lambda: clock.now() > T0 + timedelta(seconds=200), what="more watchdog rounds")
    finally:
        watchdog.cancel()
        with pytest.raises(asyncio.CancelledError):
            await watchdog
    assert alerts(store) == [("edge_offline", "e1", T0 + timedelta(seconds=20), None,
                              "edge e1 (door D1) silent for 20 s")]


def test_a_silent_scanner_raises_its_own_alert(live: Liveness, clock: ManualClock, store: Store) -> None:
    live.edge_status(edge())
    live.device_status(device(True, T0))
    for _ in range(2):
        clock.advance(5)
        live.edge_status(edge(at=clock.now()))
        assert live.check() == 0
    clock.advance(2)
    assert live.check() == 1
    assert (live.edges["e1"].online, live.edges["e1"].devices["s1"].online) == (True, False)
    assert alerts(store) == [
        ("device_offline", "e1/s1", T0 + timedelta(seconds=12), None, "scanner s1 on edge e1 (door D1) silent for 12 s")
    ]
    live.device_status(device(True, clock.now()))
    assert store.alerts(open_only=True) == []


@pytest.mark.parametrize(
    ("kind", "name"),
    [("rfid_reader", "RFID reader"), ("modbus_sensor", "Modbus sensor"), ("sensor_node", "sensor node")],
)
def test_a_reader_or_probe_alert_names_its_kind(
    live: Liveness, clock: ManualClock, store: Store, kind: str, name: str
) -> None:
    live.edge_status(EdgeStatus(edge_id="edge-D12", online=True, door="D12", at=T0, heartbeat_s=600))
    live.device_status(DeviceStatus.model_validate({
        "edge_id": "edge-D12", "device_id": "R1", "device_kind": kind, "online": True, "at": T0, "heartbeat_s": 5,
        "counters": {"reads": 3},
    }))
    clock.advance(10)
    assert live.check() == 1
    live.device_status(DeviceStatus.model_validate({
        "edge_id": "edge-D12", "device_id": "T1", "device_kind": kind, "online": False, "at": clock.now(),
        "detail": "/dev/ttyUSB0@3: timeout",
    }))
    assert alerts(store) == [
        ("device_offline", "edge-D12/R1", T0 + timedelta(seconds=10), None,
         f"{name} R1 on edge edge-D12 (door D12) silent for 10 s"),
        ("device_offline", "edge-D12/T1", T0 + timedelta(seconds=10), None,
         f"{name} T1 on edge edge-D12 (door D12) offline: /dev/ttyUSB0@3: timeout"),
    ]
    assert live.edges["edge-D12"].devices["R1"].kind == kind


def test_a_last_will_marks_the_edge_offline_at_once_and_spares_its_devices(
    live: Liveness, clock: ManualClock, store: Store
) -> None:
    live.edge_status(edge())
    live.device_status(device(True, T0))
    clock.advance(3)
    live.edge_status(edge(online=False))
    assert live.edges["e1"].online is False
    assert alerts(store) == [("edge_offline", "e1", T0 + timedelta(seconds=3), None,
                              "edge e1 (door D1) offline, last seen 3 s ago")]
    clock.advance(60)
    assert live.check() == 0
    # Back: the scanner has two of its periods from the edge's return to report.
    live.edge_status(edge(at=clock.now()))
    back = clock.now()
    clock.advance(11.5)
    live.edge_status(edge(at=clock.now()))
    assert live.check() == 0
    clock.advance(0.5)
    assert live.check() == 1
    assert alerts(store)[1] == ("device_offline", "e1/s1", back + timedelta(seconds=12), None,
                                "scanner s1 on edge e1 (door D1) silent for 75 s")
    assert [a.cleared_at for a in store.alerts()] == [None, back]


def test_a_device_reported_offline_says_why(live: Liveness, clock: ManualClock, store: Store) -> None:
    live.edge_status(edge())
    live.device_status(device(False, T0, detail="pty closed"))
    live.device_status(device(False, T0, detail="pty closed"))
    assert alerts(store) == [
        ("device_offline", "e1/s1", T0, None, "scanner s1 on edge e1 (door D1) offline: pty closed")
    ]


def test_a_stale_retained_status_is_offline_at_the_first_look(live: Liveness, store: Store) -> None:
    live.edge_status(edge(at=T0 - timedelta(seconds=50)), retained=True)
    assert live.edges["e1"].last_seen == T0 - timedelta(seconds=50)
    assert live.check() == 1
    assert alerts(store)[0][4] == "edge e1 (door D1) silent for 50 s"


def test_a_live_status_counts_at_its_arrival_not_its_clock(live: Liveness, store: Store) -> None:
    live.edge_status(edge(at=T0 - timedelta(hours=1)))
    assert live.edges["e1"].last_seen == T0
    assert live.check() == 0


def test_nothing_is_judged_while_central_cannot_hear(live: Liveness, clock: ManualClock, store: Store) -> None:
    live.edge_status(edge())
    live.deaf()
    clock.advance(100)
    assert live.check() == 0
    live.listening()
    clock.advance(19)
    assert live.check() == 0
    clock.advance(1)
    assert live.check() == 1
    assert alerts(store)[0][4] == "edge e1 (door D1) silent for 120 s"


def test_next_look_is_half_the_shortest_heartbeat_or_the_next_deadline(live: Liveness, clock: ManualClock) -> None:
    assert live.next_check_in() == 1.0
    live.edge_status(edge(hb=30))
    assert live.next_check_in() == 15.0
    clock.advance(50)
    assert live.next_check_in() == 10.0
    live.device_status(device(True, clock.now(), hb=4))
    assert live.next_check_in() == 2.0


def test_status_messages_are_checked_against_their_topic(live: Liveness, store: Store) -> None:
    assert live.handle(edge_status_topic("t", "e1"), encode(edge()), retained=True) == edge()
    assert live.handle(device_status_topic("t", "e1", "s1"), encode(device(True, T0)), retained=False) == device(
        True, T0
    )
    assert sorted(live.edges["e1"].devices) == ["s1"]
    with pytest.raises(MessageError, match="field 'edge_id': 'e1' published on 'xdock/v1/t/edge/e2/status'"):
        live.handle(edge_status_topic("t", "e2"), encode(edge()), retained=False)
    with pytest.raises(MessageError, match="fields 'edge_id', 'device_id': 'e1', 's1' published on"):
        live.handle(device_status_topic("t", "e1", "s2"), encode(device(True, T0)), retained=False)
    with pytest.raises(TopicError, match="Status for site 'other' reached central of site 't'"):
        live.handle(edge_status_topic("other", "e1"), encode(edge()), retained=False)
    with pytest.raises(TopicError, match="Not a status topic"):
        live.handle(cmd_topic("t", "e1"), encode(edge()), retained=False)
    with pytest.raises(MessageError, match="Invalid EdgeStatus"):
        live.handle(edge_status_topic("t", "e1"), b'{"v": 1, "edge_id": "e1"', retained=False)
    assert status_subscriptions("t") == ["xdock/v1/t/edge/+/status", "xdock/v1/t/edge/+/device/+/status"]


async def test_a_new_short_heartbeat_wakes_a_watchdog_waiting_on_a_long_one(store: Store) -> None:
    clock = ScaledClock(T0)
    live = Liveness("t", clock, Alerts(store))
    live.edge_status(edge(at=clock.now(), hb=600))
    watchdog = asyncio.create_task(live.run())
    try:
        await asyncio.sleep(0)  # the watchdog now waits 300 s of site time
        live.device_status(device(True, clock.now(), hb=0.05))
        await eventually(lambda: bool(store.alerts()), what="scanner alert well before 300 s")
    finally:
        watchdog.cancel()
        with pytest.raises(asyncio.CancelledError):
            await watchdog
    assert [(a.kind, a.subject) for a in store.alerts()] == [("device_offline", "e1/s1")]


def test_an_edge_is_heard_while_online_fresh_with_no_backlog_and_central_listening(
    live: Liveness, clock: ManualClock
) -> None:
    assert not live.heard("e1")  # never heard of
    live.edge_status(edge(backlog=3))
    assert not live.heard("e1")  # scans it decided alone are still on their way
    live.edge_status(edge(backlog=0))
    assert live.heard("e1")
    clock.advance(19.9)
    assert live.heard("e1")
    clock.advance(0.1)  # two heartbeats of silence, before the watchdog's look
    assert (live.heard("e1"), live.edges["e1"].online) == (False, True)
    live.edge_status(edge(at=clock.now()))
    assert live.heard("e1")
    live.deaf()
    assert not live.heard("e1")
    live.listening()
    assert live.heard("e1")
    live.edge_status(edge(online=False))  # its Last Will
    assert not live.heard("e1")
    live.edge_status(EdgeStatus(edge_id="e2", online=True, door="D2", at=clock.now(), backlog=0))
    assert not live.heard("e2")  # online with no heartbeat period: its silence could not be judged


def test_a_broker_refusal_is_an_alert_until_a_status_reports_none(
    live: Liveness, clock: ManualClock, store: Store
) -> None:
    refused = edge(backlog=2).model_copy(update={"refused": {"not_authorised": 4},
                                                 "problem": "broker refuses passage: not authorised"})
    live.edge_status(refused)
    assert (live.edges["e1"].refused, live.edges["e1"].problem) == (
        {"not_authorised": 4}, "broker refuses passage: not authorised"
    )
    clock.advance(3)
    live.edge_status(refused)  # repeated by the heartbeat: still the one alert
    live.edge_status(edge(online=False))  # the Last Will says nothing of refusals: the problem stands
    assert live.edges["e1"].problem == "broker refuses passage: not authorised"
    clock.advance(4)
    live.edge_status(edge().model_copy(update={"at": clock.now(), "refused": {"not_authorised": 5}}))
    assert (live.edges["e1"].refused, live.edges["e1"].problem) == ({"not_authorised": 5}, None)
    assert [a for a in alerts(store) if a[0] == "broker_refusal"] == [
        ("broker_refusal", "e1", T0, T0 + timedelta(seconds=7), "e1: broker refuses passage: not authorised")
    ]
