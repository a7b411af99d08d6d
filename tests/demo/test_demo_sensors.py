"""demo.yaml's report periods match how often the demo's sensor nodes and the D1 edge's probe report."""

from __future__ import annotations

from xdock.demo.runner import demo_site
from xdock.demo.sensors import SAMPLE_S, node_plans, report_period
from xdock.edge.report_policy import DEFAULT_RULES
from xdock.firmware_mocks.mqtt_sensor_node import NodeSensor, ValueScript


def test_each_node_sensor_has_the_report_s_of_its_node_schedule() -> None:
    site = demo_site()
    plans = node_plans(horizon_s=3600.0, seed=7)
    configured = {s.id: s for s in site.sensors}
    on_nodes = {sensor.sensor_id: report_period(sensor) for sensors in plans.values() for sensor in sensors}
    assert len(on_nodes) == 10
    assert {sid: configured[sid].report_s for sid in on_nodes} == on_nodes
    assert set(on_nodes.values()) == {300.0}
    probe = {s.id: s for s in site.sensors if s.id not in on_nodes}
    assert {sid: s.report_s for sid, s in probe.items()} == {
        sid: DEFAULT_RULES[s.kind].max_interval_s for sid, s in probe.items()
    }
    assert set(probe) == {"B1P-temp", "B1P-rh"}


def test_an_unchanged_value_is_reported_at_the_first_sample_after_max_interval() -> None:
    script = ValueScript([(0.0, 1.0)])
    assert [report_period(NodeSensor("S", "door_contact", script, max_interval_s=m)) for m in (60, 61, 300)] == [
        SAMPLE_S, 2 * SAMPLE_S, 300.0,
    ]
