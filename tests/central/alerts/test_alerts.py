"""Alerts: raised once while open, cleared, in the event log, and still open after a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from xdock.central.alerts.book import Alerts, device_subject
from xdock.central.store.database import AlertRow, Store

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_an_alert_is_raised_once_while_open_and_cleared_with_events(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    alerts = Alerts(store)
    first = alerts.raise_alert("edge_offline", "e1", T0, "edge e1 (door D1) silent for 20 s", edge_id="e1")
    assert first == AlertRow(1, "edge_offline", "e1", T0, None, "edge e1 (door D1) silent for 20 s")
    assert alerts.raise_alert("edge_offline", "e1", T0 + timedelta(seconds=5), "again", edge_id="e1") is None
    assert alerts.is_open("edge_offline", "e1")
    cleared = alerts.clear("edge_offline", "e1", T0 + timedelta(seconds=30), edge_id="e1")
    assert cleared == AlertRow(1, "edge_offline", "e1", T0, T0 + timedelta(seconds=30), first.message)
    assert alerts.clear("edge_offline", "e1", T0 + timedelta(seconds=31)) is None
    assert store.alerts() == [cleared]
    events = store.events()
    assert [(e.kind, e.edge_id, e.body["alert"], e.at) for e in events] == [
        ("alert_raised", "e1", 1, T0), ("alert_cleared", "e1", 1, T0 + timedelta(seconds=30)),
    ]
    # Back offline later: a new alert.
    again = alerts.raise_alert("edge_offline", "e1", T0 + timedelta(seconds=90), "edge e1 offline", edge_id="e1")
    assert again is not None
    assert again.id == 2
    store.close()


def test_an_open_alert_stays_open_across_a_restart(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    alerts = Alerts(store)
    alerts.raise_alert("device_offline", device_subject("e1", "s1"), T0, "scanner s1 on edge e1 silent for 12 s")
    alerts.raise_alert("edge_offline", "e2", T0, "edge e2 offline")
    alerts.clear("edge_offline", "e2", T0 + timedelta(seconds=1))
    store.close()

    store = Store(tmp_path / "c.db")
    reopened = Alerts(store)
    assert [(a.kind, a.subject) for a in reopened.open_alerts()] == [("device_offline", "e1/s1")]
    assert reopened.raise_alert("device_offline", "e1/s1", T0 + timedelta(seconds=60), "again") is None
    assert [a.id for a in store.alerts(open_only=True)] == [1]
    assert [a.id for a in store.alerts(open_only=False)] == [2]
    assert [a.id for a in store.alerts()] == [2, 1]
    store.close()
