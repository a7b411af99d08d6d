"""A sensor node's retained status and Last Will at central: online, then a device_offline alert, then clear."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from xdock.central.alerts.book import Alerts
from xdock.central.edges.liveness import Liveness
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import DeviceStatus, encode
from xdock.protocol.topics import device_status_topic

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _status(online: bool, detail: str = "") -> bytes:
    return encode(DeviceStatus(edge_id="node-t1", device_id="node-t1", device_kind="sensor_node", online=online,
                               at=T0, detail=detail))


def test_a_nodes_last_will_raises_device_offline_and_its_return_clears_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    liveness = Liveness("it", ManualClock(T0), Alerts(store))
    topic = device_status_topic("it", "node-t1", "node-t1")
    liveness.handle(topic, _status(True), retained=True)
    assert liveness.alerts.open_alerts() == []
    liveness.handle(topic, _status(False, "link lost"), retained=False)
    [alert] = liveness.alerts.open_alerts()
    assert (alert.kind, alert.subject) == ("device_offline", "node-t1/node-t1")
    assert alert.message == "sensor node node-t1 offline: link lost"
    liveness.handle(topic, _status(True), retained=False)
    assert liveness.alerts.open_alerts() == []
    store.close()
