"""The simulator and the live path give the same decisions for the same events.

A day runs under the ``xdock`` policy, which drives a site core directly and keeps every command it gave
(:attr:`XdockPolicy.calls`). The same commands then go to a real :class:`~xdock.central.app.Central` (its
composition root, its store, its MQTT ingest behind a real Mosquitto) on a manual clock set to each
command's site time, the way they reach central on a site:

- a scan is the :class:`~xdock.protocol.messages.ScanEvent` its door's edge publishes (``.../edge/{edge}/scan``,
  QoS 1, the message's JSON), and its answer is the :class:`~xdock.protocol.messages.Assignment` central
  publishes on the edge's command topic; the next command waits for it;
- the yard's and supervisor's commands go through the REST API (inbound trucks, trailers announced and
  departed, doors closed and opened), a forklift's load through the handheld's ``/load``;
- anything else (none on these days) to the core itself.

Central runs its ingest only: its other loops (routing-table looks, sensor ticks, KPI points) sleep on the
clock, and a manual clock moves when slept on. None of them decides a pallet's place while every edge is
heard (an edge central does not hear keeps its share of a trailer's positions out of central's decisions,
which is the outage's story, :mod:`tests.simulation.test_xdock_outage`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import aiomqtt
import httpx
import pytest
from tests.simulation.days import small_day

from support.central_rig import api_client
from xdock.central.app import Central, CentralConfig
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import Assignment, ScanEvent, decode, encode
from xdock.protocol.topics import cmd_topic, scan_topic
from xdock.simulation.engine import run_day
from xdock.simulation.model import Day, Disturbance
from xdock.simulation.policies.xdock import CoreCall, XdockPolicy
from xdock.simulation.scenario import load_scenario
from xdock.testing import Mosquitto
from xdock.transport.mqtt_socket import no_delay

ANSWER_WITHIN_S = 10.0
"""Deadline for central's answer to one scan (a hung path fails the test instead of hanging it)."""


@dataclasses.dataclass
class LivePath:
    """Central behind the broker: an edge's MQTT client on one side, the API's client on the other."""

    central: Central
    clock: ManualClock
    http: httpx.AsyncClient
    edges: aiomqtt.Client

    async def apply(self, call: CoreCall) -> Assignment | None:
        """Give ``call`` to central the way it reaches it on a site; a scan's answer is returned."""
        self.clock.current = call.at
        if call.name == "apply_scan":
            return await self.scan(call.args[0])
        post = _route(call)
        if post is None:
            getattr(self.central.site, call.name)(*call.args, **call.kwargs)
            return None
        path, body = post
        response = await self.http.post(path, json=body)
        assert response.status_code in (200, 201), (call.name, response.status_code, response.text)
        return None

    async def scan(self, event: ScanEvent) -> Assignment:
        site = self.central.site.config.site
        await self.edges.publish(scan_topic(site, event.edge_id), encode(event), qos=1)
        async with asyncio.timeout(ANSWER_WITHIN_S):
            async for message in self.edges.messages:
                assert isinstance(message.payload, bytes)
                answer = decode(Assignment, message.payload)
                assert (str(message.topic), answer.seq) == (cmd_topic(site, event.edge_id), event.seq)
                return answer
        raise AssertionError(f"no answer to scan {event.edge_id}/{event.seq}")


def _iso(at: datetime) -> str:
    return at.isoformat()


def _route(call: CoreCall) -> tuple[str, dict[str, Any]] | None:
    """The API request that gives ``call``: (path, JSON body); ``None``: the API has no route for it."""
    a, k = call.args, call.kwargs
    match call.name:
        case "announce_truck":
            body = {"id": a[0], "eta": _iso(k["eta"]), "pallets": k["pallets"], "destinations": k["destinations"]}
            return "/api/v1/inbound-trucks", body
        case "truck_arrived":
            return f"/api/v1/inbound-trucks/{a[0]}/arrive", {"door": a[1]}
        case "truck_unloaded":
            return f"/api/v1/inbound-trucks/{a[0]}/unloaded", {}
        case "announce_trailer":
            body = {"id": a[0], "destination": k["destination"], "door": k["door"], "departure": _iso(k["departure"]),
                    "capacity_pallets": k["capacity_pallets"], "reefer": k["reefer"],
                    "accepts_hazmat": k["accepts_hazmat"]}
            return "/api/v1/trailers", body
        case "depart_trailer":
            return f"/api/v1/trailers/{a[0]}/depart", {}
        case "set_door":
            return f"/api/v1/doors/{a[0]}/{'open' if k['open_'] else 'close'}", {}
        case "confirm_load":
            return "/api/v1/handheld/load", {"device": k["device"], "sscc": a[0], "at": a[1]}
    return None


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.fixture
async def live_path_for(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[Any]:
    """``await live_path_for(day)``: central for ``day``'s site at ``day.start``, its ingest subscribed."""
    opened: list[tuple[Central, asyncio.Task[None], httpx.AsyncClient, aiomqtt.Client]] = []

    async def start(day: Day) -> LivePath:
        clock = ManualClock(day.start)
        config = CentralConfig(site=day.site, broker=mosquitto.url, db=tmp_path / "central.db", api_port=None,
                               replan_interval=None)
        central = Central(config, clock)
        ingest = asyncio.create_task(central.ingest.run(), name="ingest")
        http = api_client(central)
        edges = aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="edges")
        opened.append((central, ingest, http, edges))
        await edges.__aenter__()
        no_delay(edges)  # as an edge's uplink: each scan leaves at once
        for door in day.site.doors:
            if door.receives:  # the edge at each inbound door hears its answers
                await edges.subscribe(cmd_topic(day.site.site, f"edge-{door.id}"), qos=1)
        async with asyncio.timeout(ANSWER_WITHIN_S):
            await central.ingest.connected.wait()
        return LivePath(central, clock, http, edges)

    try:
        yield start
    finally:
        for central, ingest, http, edges in opened:
            await edges.__aexit__(None, None, None)
            await http.aclose()
            await _stop(ingest)
            await central.aclose()


def _days() -> dict[str, Day]:
    closed = (Disturbance("door_closed", 60, 150, "O2"),)
    return {
        "small-day-door-closed": dataclasses.replace(small_day(2), disturbances=closed),
        "torbali-ll-4h": load_scenario("torbali-ll").with_horizon(4).draw(3),
    }


@pytest.mark.parametrize("name", sorted(_days()))
async def test_the_live_path_answers_every_scan_as_the_simulator_did(
    name: str, live_path_for: Any, tmp_path: Path,
) -> None:
    day = _days()[name]
    policy = XdockPolicy(workdir=tmp_path)
    run = run_day(day, policy)
    names = {c.name for c in policy.calls}
    assert {"announce_truck", "truck_arrived", "apply_scan", "truck_unloaded", "confirm_load",
            "depart_trailer"} <= names
    assert ("announce_trailer" in names) == (name == "torbali-ll-4h")  # small_day's trailers are in its site file
    assert ("set_door" in names) == (name == "small-day-door-closed")
    scanned = sum(1 for p in run.pallets if p.unloaded_min is not None)
    assert 50 <= scanned <= 300
    live: LivePath = await live_path_for(day)
    answers: dict[str, Assignment] = {}
    for call in policy.calls:
        answer = await live.apply(call)
        if answer is not None:
            answers[answer.sscc] = answer
    assert len(answers) == scanned
    assert answers == policy.answers  # trailer or area, door, text, reason, departure, time: all of it
    simulated = policy.site.state.pallets
    assert dict(live.central.site.state.pallets) == dict(simulated)
    aboard = {r.sscc: r.trailer for r in run.pallets if r.departed_min is not None}
    assert aboard
    assert {s: (simulated[s].state, simulated[s].trailer) for s in aboard} == {
        s: ("loaded", t) for s, t in aboard.items()
    }
