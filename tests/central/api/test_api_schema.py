"""schemathesis, with every check, against central's API served on a free port: it reports nothing.

schemathesis' own command line runs against the API of a :class:`~xdock.central.app.Central` (the
telemetry routes too) whose site has users, pallets, an inbound truck and an open alert: with a
supervisor's token (every phase: coverage, fuzzing, stateful) and with no token (fuzzing). Its
warnings fail a run as its failures do. The runs are bounded (examples per operation, a fixed seed).

What the configuration excuses, operation by operation, and why, is written next to it below.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from support.access_site import PALLET_A, PALLET_B, SITE, START, scan
from support.central_rig import built_central
from xdock.central.api.auth import UserAdmin
from xdock.central.api.http_server import serve_http
from xdock.central.store.database import DeliveryRow, SubscriptionRow
from xdock.partners.webhooks import WebhookSecret
from xdock.protocol.clock import ManualClock

EXAMPLES = 5
"""Generated requests per operation and phase (the coverage phase draws its own boundary cases)."""
TRUCK = "IN-1"

BASE = f"""
seed = 20261123
cache.enabled = false
# schemathesis' workers are threads, and Python 3.11's ast (which hypothesis uses) is not safe to share.
workers = 1
generation.max-examples = {EXAMPLES}
"""

WEBHOOK, DEAD_MESSAGE = "wh_0123456789ab", "lyon-nord.1.alert_raised"

SEMANTIC_422 = (
    "POST /api/v1/handheld/scan", "POST /api/v1/handheld/load", "POST /api/v1/inbound-trucks",
    "POST /api/v1/inbound-trucks/{truck_id}/arrive", "POST /api/v1/trailers", "POST /api/v1/asns",
    "GET /api/v1/epcis/events",
)
"""Operations whose well-formed requests may name what the site has not (a door, a trailer, a
destination, a departure already past) or carry a label no scanner reads, or a despatch advice no schema of
a string can tell from a malformed one, or an EPCIS query's page token or EPC pattern: central answers them 422, as
documented, and no schema can tell them apart. Generated data is mostly refused there (schemathesis' warnings
``validation_mismatch``, ``missing_test_data``)."""


def _config(signed_in: bool) -> str:
    """The run's configuration: as a supervisor (``signed_in``) or with no token."""
    warnings = '["missing_auth"]' if signed_in else "[]"
    sections = [BASE]
    if signed_in:
        sections.append('warnings = { fail-on = true }\n')
    else:  # every secured operation answers 401, as it must: schemathesis' "missing_auth" says so
        sections.append('warnings = { display = ["base_url_mismatch", "validation_mismatch", "missing_test_data", '
                        '"missing_deserializer", "unsupported_regex", "method_not_allowed", "low_valid_rate", '
                        '"unresolvable_reference"], fail-on = true }\n')
    sections.extend(f"""[[operations]]
include-name = "{name}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]
warnings = {{ display = {warnings}, fail-on = true }}
""" for name in SEMANTIC_422)
    sections.append(f"""# Ids of the test's site, for operations on one.
[[operations]]
include-name = "POST /api/v1/inbound-trucks/{{truck_id}}/unloaded"
parameters = {{ truck_id = "{TRUCK}" }}

[[operations]]
include-name = "POST /api/v1/alerts/{{alert_id}}/acknowledge"
parameters = {{ alert_id = 1 }}

# The breakdown station's operations on a pallet of the site (not at a breakdown area: 409).
[[operations]]
include-name = "POST /api/v1/breakdown/{{sscc}}/split"
parameters = {{ sscc = "{PALLET_A}" }}
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]
warnings = {{ display = [], fail-on = true }}

[[operations]]
include-name = "GET /api/v1/breakdown/{{sscc}}/labels"
parameters = {{ sscc = "{PALLET_A}" }}

[[operations]]
include-name = "POST /api/v1/breakdown/{{sscc}}/labels/print"
parameters = {{ sscc = "{PALLET_A}" }}

# A trailer's dispatch advice: 409 until it departs, then 404 when it left with nothing aboard (as the
# generated calls leave it): no advice exists to reach.
[[operations]]
include-name = "GET /api/v1/trailers/{{trailer_id}}/desadv"
parameters = {{ trailer_id = "T-LYON-2" }}
warnings = {{ display = [], fail-on = true }}

[[operations]]
include-name = "GET /api/v1/webhooks/{{sub_id}}/deliveries"
parameters = {{ sub_id = "{WEBHOOK}" }}

[[operations]]
include-name = "POST /api/v1/webhooks/{{sub_id}}/deliveries/{{message_id}}/retry"
parameters = {{ sub_id = "{WEBHOOK}", message_id = "{DEAD_MESSAGE}" }}

# Moving a trailer also names a door, assigning a pallet a trailer, which a generated body seldom
# does: mostly 404.
[[operations]]
include-name = "POST /api/v1/trailers/{{trailer_id}}/move"
parameters = {{ trailer_id = "T-LYON-2" }}
warnings = {{ display = {warnings}, fail-on = true }}

[[operations]]
include-name = "POST /api/v1/pallets/{{sscc}}/assign"
parameters = {{ sscc = "{PALLET_A}" }}
warnings = {{ display = {warnings}, fail-on = true }}
""")
    if signed_in:
        sections.append("""# An admin's operations answer a supervisor 403, as they must: no token is missing there.
[[operations]]
include-tag = "admin"
warnings = { display = [], fail-on = true }
""")
    return "\n".join(sections)


@dataclass
class Served:
    url: str
    token: str
    operations: int


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    central = built_central(SITE, tmp_path / "c.db", ManualClock(START))
    users = UserAdmin(central.store)
    for name, role in (("wanda", "worker"), ("sam", "supervisor"), ("ada", "admin")):
        users.add(name, role, START, by="setup")
    token = users.issue("sam", START, by="setup")
    scan(central.site, 1, PALLET_A, "69001")
    scan(central.site, 2, PALLET_B, "69002")
    central.site.alerts.raise_alert("edge_offline", "e1", START, "edge e1 silent for 20 s")
    with central.store.transaction() as tx:  # a subscription with a dead letter, for the operations on them
        secret = WebhookSecret.generate().text
        tx.put_subscription(SubscriptionRow(WEBHOOK, "webhook", "http://127.0.0.1:9/hook", secret, ("alert_raised",),
                                            START, "setup", None, 0))
        tx.add_deliveries([DeliveryRow(WEBHOOK, 1, "alert_raised", DEAD_MESSAGE, None, {}, "dead", 12, START)])
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.ensure_future(serve_http(central.app, "127.0.0.1", 0, on_bound=bound.set_result))
    try:
        url = f"http://127.0.0.1:{await asyncio.wait_for(bound, 10)}"
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
            announced = await http.post("/api/v1/inbound-trucks", json={
                "id": TRUCK, "eta": (START + timedelta(hours=1)).isoformat(), "pallets": 3,
            })
            assert announced.status_code == 201
        operations = sum(len(item) for item in central.app.openapi()["paths"].values())
        yield Served(url, token, operations)
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
        await central.aclose()


async def _schemathesis(cwd: Path, *args: str) -> tuple[int, str]:
    """Run schemathesis' command line in ``cwd``; its exit code and its output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()", *args,
        cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"},
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 280)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace")


SPLIT = "^/api/v1/(admin|inbound-trucks|handheld|telemetry|sensors|me|access)"
"""The coverage phase, the longest, is shared between two runs: the operations under these paths, and the others."""


@dataclass(frozen=True)
class Run:
    name: str
    signed_in: bool
    phases: str
    only: tuple[str, ...] = ()
    """Options of schemathesis selecting operations (none: all)."""


RUNS = (
    Run("supervisor, coverage (first half)", True, "coverage", ("--include-path-regex", SPLIT)),
    Run("supervisor, coverage (second half)", True, "coverage", ("--exclude-path-regex", SPLIT)),
    Run("supervisor, fuzzing and stateful", True, "fuzzing,stateful"),
    Run("no token, fuzzing", False, "fuzzing"),
)
"""schemathesis' runs, side by side: each waits on the server far more than it computes."""


async def _run(served: Served, folder: Path, run: Run) -> tuple[int, str]:
    config = folder / "schemathesis.toml"
    args = ["--config-file", str(config), "run", f"{served.url}/openapi.json", "--checks", "all", "--phases",
            run.phases, *run.only]
    if run.signed_in:
        args += ["-H", f"Authorization: Bearer {served.token}"]
    return await _schemathesis(folder, *args)


def _tested(out: str) -> int:
    found = re.search(r"^  Tested: (\d+)$", out, re.MULTILINE)
    assert found is not None, out[-8000:]
    return int(found[1])


@pytest.mark.timeout(300)
async def test_schemathesis_with_every_check_reports_nothing(served: Served, tmp_path: Path) -> None:
    for i, run in enumerate(RUNS):
        (tmp_path / f"run{i}").mkdir()
        (tmp_path / f"run{i}" / "schemathesis.toml").write_text(_config(run.signed_in))
    outcomes = await asyncio.gather(*(_run(served, tmp_path / f"run{i}", run) for i, run in enumerate(RUNS)))
    tested = {}
    for run, (code, out) in zip(RUNS, outcomes, strict=True):
        assert code == 0, f"{run.name}:\n{out[-8000:]}"
        last = out.strip().splitlines()[-1]
        assert re.fullmatch(r"=+ No issues found in [\d.]+s =+", last), f"{run.name}:\n{out[-8000:]}"
        tested[run.name] = _tested(out)
    assert tested == {
        "supervisor, coverage (first half)": tested["supervisor, coverage (first half)"],
        "supervisor, coverage (second half)": served.operations - tested["supervisor, coverage (first half)"],
        "supervisor, fuzzing and stateful": served.operations,
        "no token, fuzzing": served.operations,
    }
    assert 10 < tested["supervisor, coverage (first half)"] < served.operations - 10
