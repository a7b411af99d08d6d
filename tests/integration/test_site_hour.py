"""A site's production topology through a scripted stretch of its day, with a leader kill and a broker restart in it.

Everything a site runs, as processes on loopback (:mod:`xdock.testing.site_hour`): Mosquitto with TLS,
the generated ACL and a certificate per client; central-a leading and central-b standing by on one
PostgreSQL store; two edges, each reading a mock scanner and an LLRP portal; two MQTT sensor nodes;
VictoriaMetrics taking central's telemetry and scraping every ``/metrics``. Site time runs 30 times
the wall clock. 24 site minutes here (48 s of wall time, to stay well inside the test's budget on a
busy machine); ``bench/site_hour.py`` runs the whole hour.

At a third of it central-a is SIGKILLed and central-b must take over; at two thirds the broker
stops for 3 s and starts again. Afterwards the store holds every scan and every passage exactly once
and every reading the broker acknowledged, and the metrics VictoriaMetrics scraped agree with it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from xdock.testing.postgres import fresh_database
from xdock.testing.site_hour import HourLedger, HourRun, SiteHour
from xdock.testing.site_hour_ledger import Tally
from xdock.testing.site_hour_plan import HourPlan

PLAN = HourPlan(site_minutes=24, scans_per_door=240, passages_per_door=16)


async def play(folder: Path) -> tuple[SiteHour, HourRun, HourLedger]:
    with fresh_database() as db:
        async with SiteHour(folder, PLAN, db) as hour:
            run = await hour.run()
            ledger = await asyncio.to_thread(hour.ledger)
            roles = [await asyncio.to_thread(central.role) for central in hour.centrals.values() if central.running()]
    assert roles == ["leader"]
    return hour, run, ledger


@pytest.mark.timeout(240)
async def test_an_hour_with_a_leader_kill_and_a_broker_restart_loses_nothing_and_applies_nothing_twice(
    tmp_path: Path,
) -> None:
    hour, run, ledger = await play(tmp_path)
    assert hour.centrals["central-a"].exit_code == -9
    assert run.failover_s > 0
    assert run.node_restarts >= 2  # each node went down with the broker and came back
    assert ledger.scans == Tally(sent=480, applied=480, lost=0, duplicates=0)
    # a pallet passing while its edge reconnects to the reader is not shown to it: every one shown is applied
    assert ledger.passages == Tally(sent=ledger.passages.sent, applied=ledger.passages.sent, lost=0, duplicates=0)
    assert ledger.passages.sent == ledger.passages_scripted == 32
    readings = ledger.readings
    assert (readings.lost, readings.duplicates, readings.unexpected) == (0, 0, 0)
    assert readings.applied == readings.sent + readings.unconfirmed
    assert readings.unconfirmed <= 2  # at most one in flight per node when the broker stopped
    assert readings.sent > 0

    metrics = ledger.metrics
    assert metrics.edge_scans_scraped == {edge: float(n) for edge, n in metrics.edge_scans_sent.items()}
    assert sum(metrics.edge_scans_sent.values()) == 480 + ledger.warm_up_scans
    stored = metrics.scans_applied_stored
    assert set(stored) == {"central-a", "central-b"}
    assert sum(stored.values()) == 480 + ledger.warm_up_scans
    # central-b's counter started at its take-over and was scraped after the drain; central-a's was last scraped
    # before its SIGKILL, so it may miss the scans it applied after that scrape
    assert metrics.scans_applied_scraped["central-b"] == stored["central-b"]
    assert 0 < metrics.scans_applied_scraped["central-a"] <= stored["central-a"]
    assert metrics.leader_scraped == {"central-a": 1.0, "central-b": 1.0}
    # telemetry: what central-a held in its write buffer when it was killed is gone; nothing is written twice
    assert 0 < metrics.telemetry_readings <= metrics.stored_readings == readings.applied
