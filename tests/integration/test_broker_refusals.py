"""A broker refusing an edge's scans (MQTT 5 PUBACK 0x87 from Mosquitto's ACL): kept, retried, counted, shown.

The edge's user may publish its statuses but not its scans until the ACL is changed (Mosquitto
reloads it on SIGHUP). On MQTT 5 the refused scan stays in the outbox, is tried again with back-off
and counted by reason; the edge's status carries the problem, which central shows in
``/api/v1/edges`` and as an alert until the scan gets through. On MQTT 3.1.1 the broker drops the
scan silently and acknowledges it: the edge cannot know, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.inproc_central import get_json, running_central
from support.scans import scan_bytes
from support.sites import site_yaml
from support.uplink_answers import Answers
from support.waiting import eventually
from xdock.central.app import CentralConfig
from xdock.central.site_file.config import load_site
from xdock.edge.outbox import Outbox
from xdock.edge.uplink import Uplink, UplinkOptions
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ScaledClock
from xdock.protocol.messages import Assignment
from xdock.protocol.topics import scan_topic
from xdock.testing import Mosquitto
from xdock.transport.broker import BrokerLink, MqttVersion

SITE = site_yaml(id="it", timezone="UTC")
START = datetime(2026, 11, 23, 8, tzinfo=UTC)
EDGE = "edge-d12"
PASSWORDS = {"central": "central-secret", EDGE: "edge-secret"}
EDGE_READS = ["cmd", "routes"]


def acl(*, scans_allowed: bool) -> str:
    edge = f"xdock/v1/it/edge/{EDGE}"
    lines = ["user central", "topic readwrite xdock/#", f"user {EDGE}", f"topic write {edge}/status",
             f"topic write {edge}/device/+/status", "topic read xdock/v1/it/central/status"]
    lines += [f"topic read {edge}/{leaf}" for leaf in EDGE_READS]
    if scans_allowed:
        lines.append(f"topic write {edge}/scan")
    return "\n".join(lines) + "\n"


@dataclass
class Floor:
    broker: Mosquitto
    acl_file: Path

    def allow_scans(self) -> None:
        self.acl_file.write_text(acl(scans_allowed=True))
        assert self.broker.proc is not None
        self.broker.proc.send_signal(signal.SIGHUP)  # Mosquitto reloads its ACL

    def url(self, user: str) -> BrokerUrl:
        return BrokerUrl("127.0.0.1", self.broker.port, username=user, password=PASSWORDS[user])


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Floor]:
    passwd = tmp_path / "passwd"
    passwd.write_text("")
    for user, password in PASSWORDS.items():
        subprocess.run(["mosquitto_passwd", "-b", str(passwd), user, password], check=True, capture_output=True)
    acl_file = tmp_path / "acl"
    acl_file.write_text(acl(scans_allowed=False))
    with Mosquitto(tmp_path / "mosquitto", password_file=passwd, acl_file=acl_file) as broker:
        yield Floor(broker, acl_file)


@contextlib.asynccontextmanager
async def running_uplink(uplink: Uplink) -> AsyncIterator[Uplink]:
    task = asyncio.create_task(uplink.run())
    try:
        async with asyncio.timeout(10):
            await uplink.connected.wait()
        yield uplink
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def scan(seq: int) -> bytes:
    return scan_bytes(seq, edge=EDGE, at=START)


async def test_a_refused_scan_waits_is_retried_counted_and_shown_until_it_gets_through(
    floor: Floor, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    clock = ScaledClock(START, 1.0)
    config = CentralConfig(load_site(site), floor.url("central"), tmp_path / "c.db", api_port=None,
                           replan_interval=None)
    outbox = Outbox(tmp_path / "outbox.db")
    answers = Answers()
    options = UplinkOptions(heartbeat_s=60, refused_retry_s=0.05, refused_retry_max_s=0.2)
    uplink = Uplink("it", EDGE, "D1", floor.url(EDGE), clock, outbox, answers, options)
    try:
        async with running_central(config, clock) as (central, http), running_uplink(uplink):
            await uplink.submit(1, scan_topic("it", EDGE), scan(1))
            await eventually(lambda: uplink.refusals.counts["not_authorised"] >= 3, timeout=10,
                             what="three refusals of the scan")
            assert (outbox.unacked, uplink.drain.held + uplink.drain.in_flight + uplink.drain.backlog) == (1, 1)
            assert set(uplink.refusals.counts) == {"not_authorised"}
            assert uplink.refusals.problem == "broker refuses scan: not authorised"
            assert [r.getMessage() for r in caplog.records if r.name == "xdock.edge.uplink" and r.levelname == "WARNING"
                    ] == [  # the same problem is told once a minute
                "edge edge-d12: broker refuses scan: not authorised (seq 1, reason code 0x87; 1 refused messages wait);"
                " trying again in 0.05 s"
            ]

            def edge_reports_the_problem() -> bool:
                edge = central.liveness.edges.get(EDGE)
                return edge is not None and edge.problem is not None

            await eventually(edge_reports_the_problem, timeout=10, what="central hearing the edge's problem")
            (listed,) = await get_json(http, "/api/v1/edges")
            assert (listed["id"], listed["problem"], listed["backlog"]) == (
                EDGE, "edge-d12: broker refuses scan: not authorised", 1
            )
            assert set(listed["refused"]) == {"not_authorised"}
            assert listed["refused"]["not_authorised"] >= 1
            assert [(a.kind, a.subject, a.message) for a in central.site.alerts.open_alerts()] == [
                ("broker_refusal", EDGE, "edge-d12: broker refuses scan: not authorised")
            ]
            assert answers.got == []

            floor.allow_scans()
            await eventually(lambda: len(answers.got) == 1, timeout=10, what="the scan's answer once allowed")
            assert outbox.unacked == 0
            assert uplink.refusals.problem is None
            await eventually(lambda: central.liveness.edges[EDGE].problem is None, timeout=10,
                             what="central hearing the problem is gone")
            assert central.site.alerts.open_alerts() == []
            (listed,) = await get_json(http, "/api/v1/edges")
            assert (listed["problem"], listed["backlog"]) == (None, 0)
            assert listed["refused"] == dict(uplink.refusals.counts)
    finally:
        await outbox.aclose()
    answer = answers.got[0]
    assert isinstance(answer, Assignment)
    assert (answer.seq, answer.door) == (1, "D12")


async def test_on_mqtt_3_1_1_the_broker_drops_a_refused_scan_silently(floor: Floor, tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    options = UplinkOptions(link=BrokerLink(version=MqttVersion.V311))
    uplink = Uplink("it", EDGE, "D1", floor.url(EDGE), ScaledClock(START, 1.0), outbox, Answers(), options)
    try:
        async with running_uplink(uplink):
            await uplink.submit(1, scan_topic("it", EDGE), scan(1))
            await eventually(lambda: outbox.unacked == 0, timeout=10, what="the broker's acknowledgement")
            assert (uplink.refusals.counts, uplink.refusals.problem) == ({}, None)
    finally:
        await outbox.aclose()
