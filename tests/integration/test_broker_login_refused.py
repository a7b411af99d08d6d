"""A broker that refuses the log-in (wrong password) is reported as such, not as a network outage.

``xdock edge`` and ``xdock central`` keep retrying with the usual back-off (an operator may fix the
broker's password file meanwhile), and their lines name the user and where the password comes from.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from support.waiting import eventually
from xdock.protocol.broker_url import BrokerUrl
from xdock.testing import CentralProcess, EdgeProcess, Mosquitto
from xdock.testing.stream_site import site_yaml

SITE = "login"
HINT = "check --broker-password-file or $XDOCK_BROKER_PASSWORD"


def logged(log: Path, *, besides: str = "") -> list[str]:
    """The process's log records (without their time stamps), except those of logger ``besides``."""
    records = [re.sub(r"^\S+ \S+ ", "", line) for line in log.read_text().splitlines() if re.match(r"^\d{4}-", line)]
    return [r for r in records if not besides or not r.split(" ", 2)[1].startswith(besides)]


def expected(who: str, url: BrokerUrl, user: str) -> list[str]:
    return [
        f"WARNING {who}: broker {url} refused the log-in of user {user}: not authorized ({HINT}); retrying in 0.5 s",
        f"WARNING {who}: broker {url} still refuses the log-in of user {user}: not authorized ({HINT}): attempt 2 "
        "failed, 0.5 s so far; retrying every 2.0 s at most",
    ]


@pytest.fixture
def guarded(tmp_path: Path) -> tuple[Mosquitto, Path]:
    """A Mosquitto that knows ``edge-d2`` and ``central`` (password ``right``), and a file with a wrong password."""
    passwd = tmp_path / "passwd"
    passwd.write_text("")
    for user in ("edge-d2", "central"):
        subprocess.run(["mosquitto_passwd", "-b", str(passwd), user, "right"], check=True, capture_output=True)
    wrong = tmp_path / "wrong.secret"
    wrong.write_text("wrong\n")
    return Mosquitto(tmp_path / "mosquitto", password_file=passwd), wrong


@pytest.mark.timeout(60)
@pytest.mark.parametrize("version", ["5", "3.1.1"])
async def test_an_edge_with_a_wrong_password_says_the_broker_refused_its_log_in(
    guarded: tuple[Mosquitto, Path], tmp_path: Path, version: str
) -> None:
    broker, wrong = guarded
    with broker:
        url = replace(broker.url, username="edge-d2")
        edge = EdgeProcess(SITE, "edge-d2", "D2", {"s1": tmp_path / "no-scanner"}, url, tmp_path / "edge",
                           password_file=wrong)
        edge.args += ["--mqtt-version", version]
        edge.start()
        try:
            await eventually(lambda: "attempt 2 failed" in edge.log.read_text(), 20, "a second attempt")
            edge.check_running()
        finally:
            await asyncio.to_thread(edge.stop)
    assert logged(edge.log, besides="xdock.edge.devices.serial_scanner") == expected(
        "xdock.edge.uplink: edge edge-d2", url, "edge-d2"
    )


@pytest.mark.timeout(60)
async def test_central_with_a_wrong_password_says_the_broker_refused_its_log_in(
    guarded: tuple[Mosquitto, Path], tmp_path: Path
) -> None:
    broker, wrong = guarded
    site_file = tmp_path / "site.yaml"
    site_file.write_text(site_yaml(SITE, 1, 10))
    with broker:
        url = replace(broker.url, username="central")
        central = CentralProcess(site_file, url, tmp_path / "central.db", password_file=wrong)
        await asyncio.to_thread(central.start)
        try:
            await eventually(lambda: "attempt 2 failed" in central.log.read_text(), 20, "a second attempt")
        finally:
            await asyncio.to_thread(central.stop)
    assert logged(central.log) == expected("xdock.central.ingest.mqtt_ingest", url, "central")
