"""A standby central takes over mid-stream: every scan applied exactly once, by the leader of its time.

Each test runs a fault scenario of :mod:`xdock.testing.fault_scenarios` on a rig with a standby
(Mosquitto running the site's generated config, ``central-a`` leading and ``central-b`` standing by
on one fresh PostgreSQL database, two edge agents, mock scanners on ptys, a steady stream of scans):
``central-a`` is SIGKILLed, or its database connections are cut so that it must stop by itself, and
``central-b`` leads from then on. ``bench/failover.py`` runs the same with larger counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from xdock.cli.central_cmd import LEADERSHIP_LOST
from xdock.protocol.messages import CentralStatus
from xdock.testing.fault_rig import CENTRAL_A, CENTRAL_B, FaultRig, RigConfig
from xdock.testing.fault_scenarios import ScenarioReport, run_on
from xdock.testing.postgres import fresh_database

SCANS = 120


@pytest.fixture
def db() -> Iterator[str]:
    with fresh_database() as url:
        yield url


async def fail_over(name: str, folder: Path, db: str) -> tuple[ScenarioReport, CentralStatus, int | None]:
    """Scenario ``name`` on a rig with a standby; the report, central's retained status at the end (read
    before the rig stops) and central-a's exit code."""
    config = RigConfig(scans=SCANS, edges=2, rate=60.0, db=db, standby=True)
    async with FaultRig(folder, config) as rig:
        report = await run_on(rig, name)
        status = await rig.central_status()
        exit_code = rig.central.exit_code
    return report, status, exit_code


def assert_taken_over(report: ScenarioReport, status: CentralStatus, folder: Path) -> None:
    """Exactly once across the takeover, both centrals applied some, and everyone heard central-b lead."""
    assert (report.sent, report.applied, report.lost, report.lost_confirmed, report.duplicates_applied) == (
        SCANS, SCANS, 0, 0, 0)
    assert report.confirmed_to_worker == SCANS
    assert set(report.answered_by) == {CENTRAL_A, CENTRAL_B}
    assert sum(report.answered_by.values()) == SCANS
    assert min(report.answered_by.values()) > 0
    assert report.failover_s is not None
    assert (status.online, status.leader, status.epoch) == (True, CENTRAL_B, 2)
    for edge_id in ("edge-d1", "edge-d2"):
        log = (folder / edge_id / f"{edge_id}.log").read_text()
        assert f"edge {edge_id}: central is online (central {CENTRAL_B} leads, epoch 2)" in log
    # central-a's log may hold the traceback of a write refused on its cut connection; central-b's has none.
    log_b = (folder / "central-b.log").read_text()
    assert f"central {CENTRAL_B} stands by: central {CENTRAL_A} leads the site (epoch 1)" in log_b
    assert f"central {CENTRAL_B} leads the site at epoch 2" in log_b
    assert "Traceback" not in log_b
    broker_log = (folder / "mosquitto" / "mosquitto.log").read_text()
    assert set(re.findall(r"\(p\d, c\d, k\d+, u'([^']+)'\)", broker_log)) == {"central", "edge-d1", "edge-d2"}
    assert "not authorised" not in broker_log


@pytest.mark.timeout(120)
async def test_leader_killed_mid_stream_standby_takes_over(tmp_path: Path, db: str) -> None:
    report, status, exit_code = await fail_over("leader_kill", tmp_path, db)
    assert_taken_over(report, status, tmp_path)
    assert exit_code == report.old_leader_exit == -9
    assert "Traceback" not in (tmp_path / "central-a.log").read_text()


@pytest.mark.timeout(120)
async def test_leader_cut_from_its_database_stops_and_standby_takes_over(tmp_path: Path, db: str) -> None:
    report, status, exit_code = await fail_over("leader_cut", tmp_path, db)
    assert_taken_over(report, status, tmp_path)
    assert exit_code == report.old_leader_exit == LEADERSHIP_LOST
    lines = (tmp_path / "central-a.log").read_text().splitlines()
    deposed = [line for line in lines if line.startswith("xdock: error:")]
    assert len(deposed) == 1
    assert deposed[0].startswith(
        f"xdock: error: central '{CENTRAL_A}' no longer leads the site: its connection to the store ended (")
    assert deposed[0].endswith("); restart it to stand by")
    assert "Traceback" not in "\n".join(lines)  # store errors are one line each, the lost lead one more
