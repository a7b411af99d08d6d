"""The routes publisher on a real Mosquitto: retained snapshots, coalesced publishes, central's status."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest

from support.scans import scan
from support.sites import site_config, staging
from support.waiting import eventually
from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ScaledClock
from xdock.protocol.messages import CentralStatus, RouteSnapshot, decode, encode
from xdock.protocol.topics import central_status_topic, routes_topic
from xdock.testing import Mosquitto

SITE = site_config(areas=[staging()])
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


class Heard:
    """What an edge-side subscriber received on the routes and central status topics."""

    def __init__(self) -> None:
        self.snapshots: list[RouteSnapshot] = []
        self.statuses: list[CentralStatus] = []

    async def listen(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            assert isinstance(message.payload, bytes)
            if str(message.topic).endswith("/routes"):
                self.snapshots.append(decode(RouteSnapshot, message.payload))
            else:
                self.statuses.append(decode(CentralStatus, message.payload))


@pytest.fixture
async def heard(mosquitto: Mosquitto) -> AsyncIterator[Heard]:
    heard = Heard()
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="edge-e1") as client:
        await client.subscribe(routes_topic("t", "e1"), qos=1)
        await client.subscribe(central_status_topic("t"), qos=1)
        task = asyncio.create_task(heard.listen(client))
        try:
            yield heard
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_a_burst_of_scans_makes_one_new_snapshot_and_a_clean_stop_says_offline(
    mosquitto: Mosquitto, heard: Heard, tmp_path: Path
) -> None:
    clock = ScaledClock(START)
    store = Store(tmp_path / "c.db")
    site = LiveSite(SITE, store, clock)
    publisher = RoutesPublisher(site, store, clock, min_interval=0.05, edges={"e1": "D1"})

    async def central_session() -> None:
        will = publisher.will()
        async with (
            aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="central", will=will) as client,
            publisher.session(client),
        ):
            await publisher.run()

    task = asyncio.create_task(central_session())
    try:
        # Online at once (version 0: nothing made yet), then the first snapshot and its version.
        await eventually(lambda: len(heard.snapshots) == 1 and len(heard.statuses) == 2, 5, "first snapshot")
        # Nine scans from e1 between two looks: central's reserve of 8 (33 less e1's share of 25) takes
        # eight, the ninth comes off e1's own share (25 -> 24), no more: 24 free, all held by e1.
        for n in range(1, 10):
            site.apply_scan(scan(n))
        await eventually(lambda: len(heard.snapshots) == 2, 5, "snapshot after the scans")
        looks = publisher.stats.looks
        publisher.touch()  # a look that finds nothing new publishes nothing
        await eventually(lambda: publisher.stats.looks == looks + 1, 5, "one more look")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await eventually(lambda: len(heard.statuses) == 4, 5, "offline status")
    first, after = heard.snapshots
    assert [(r.trailer, r.free_positions) for r in first.routes] == [("T-LYON-1", 25)]
    assert [(r.trailer, r.free_positions) for r in after.routes] == [("T-LYON-1", 24)]
    assert (first.plan_version, after.plan_version, first.staging) == (1, 2, "S1")
    assert (publisher.stats.snapshots, publisher.stats.versions) == (2, 2)
    assert [(s.online, s.plan_version) for s in heard.statuses] == [(True, 0), (True, 1), (True, 2), (False, 2)]
    assert heard.statuses[-1].at is not None
    assert publisher.stats.last_bytes == len(encode(after))
