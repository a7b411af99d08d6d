"""The Grafana dashboard ``deploy/grafana/xdock.json``: valid JSON whose queries name only metrics xdock exports.

``METRICS`` is the list of the names central and the edge agents serve on ``/metrics``: kept here, and checked
equal to docs/metrics.md's tables, which tests/central/api and tests/edge check equal to the registries.
A query is read as PromQL: strings,
label matchers, range selectors and ``by (...)`` clauses are set aside, and every name left is either a
function or aggregation of ``FUNCTIONS`` (a name followed by ``(``) or a metric of ``METRICS`` (a histogram's
``_bucket``, ``_sum`` and ``_count`` series included). A typo in a metric name, or a metric no part exports,
fails here instead of leaving a panel empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.scrape import documented_names

DEPLOY = Path(__file__).parents[2] / "deploy"
DASHBOARD = DEPLOY / "grafana" / "xdock.json"
DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources" / "victoriametrics.yml"

COUNTERS_AND_GAUGES = frozenset({
    # central
    "xdock_scans_applied_total", "xdock_scans_answered_total", "xdock_rejected_uplinks_total",
    "xdock_replan_objective_m", "xdock_edges_online", "xdock_devices_online", "xdock_alerts_open",
    "xdock_broker_connected", "xdock_leader", "xdock_leader_epoch",
    # edge
    "xdock_edge_scans_total", "xdock_edge_answers_total", "xdock_edge_outbox_backlog",
    "xdock_edge_outbox_oldest_age_seconds", "xdock_edge_broker_connected", "xdock_edge_refused_publishes_total",
    "xdock_edge_devices_online",
})
HISTOGRAMS = frozenset({
    "xdock_answer_latency_seconds", "xdock_replan_duration_seconds", "xdock_edge_answer_latency_seconds",
})
METRICS = COUNTERS_AND_GAUGES | {f"{name}{suffix}" for name in HISTOGRAMS for suffix in ("_bucket", "_sum", "_count")}

FUNCTIONS = frozenset({"sum", "max", "min", "avg", "count", "rate", "increase", "histogram_quantile", "topk"})

_SET_ASIDE = (
    re.compile(r'"(?:[^"\\]|\\.)*"'),  # strings
    re.compile(r"\{[^}]*\}"),  # label matchers
    re.compile(r"\[[^\]]*\]"),  # range selectors, Grafana's $__rate_interval included
    re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"),  # label lists
)
_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def names_in(expr: str) -> tuple[set[str], set[str]]:
    """(functions called, metrics named) in a PromQL expression."""
    for pattern in _SET_ASIDE:
        expr = pattern.sub(" ", expr)
    functions: set[str] = set()
    metrics: set[str] = set()
    for match in _NAME.finditer(expr):
        called = expr[match.end():].lstrip().startswith("(")
        (functions if called else metrics).add(match.group())
    return functions, metrics


def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside rows too."""
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))


DASHBOARD_JSON: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
QUERIES = [(panel["title"], target["expr"]) for panel in panels(DASHBOARD_JSON["panels"])
           for target in panel.get("targets", [])]


def test_names_in_reads_functions_and_metrics_apart() -> None:
    expr = 'histogram_quantile(0.99, sum by (le, instance) (rate(xdock_a_bucket{kind="x(y)"}[$__rate_interval])))'

    assert names_in(expr) == ({"histogram_quantile", "sum", "rate"}, {"xdock_a_bucket"})


def test_the_dashboard_has_a_query_on_every_metric_of_the_list() -> None:
    named = set().union(*(names_in(expr)[1] for _, expr in QUERIES))
    covered = (named & COUNTERS_AND_GAUGES) | {h for h in HISTOGRAMS if named & {f"{h}_bucket", f"{h}_count"}}

    assert covered == COUNTERS_AND_GAUGES | HISTOGRAMS


@pytest.mark.parametrize(("title", "expr"), QUERIES, ids=[title for title, _ in QUERIES])
def test_every_query_names_only_known_metrics_and_functions(title: str, expr: str) -> None:
    functions, metrics = names_in(expr)

    assert metrics, f"{title}: {expr} names no metric"
    assert metrics - METRICS == set(), f"{title}: unknown metrics in {expr}"
    assert functions - FUNCTIONS == set(), f"{title}: unknown functions in {expr}"


def test_every_panel_has_a_unique_id_and_queries_the_provisioned_data_source() -> None:
    provisioned = yaml.safe_load(DATASOURCES.read_text(encoding="utf-8"))["datasources"]
    (uid,) = [source["uid"] for source in provisioned]
    every = list(panels(DASHBOARD_JSON["panels"]))
    queried = [panel for panel in every if panel["type"] != "row"]

    assert len({panel["id"] for panel in every}) == len(every)
    assert {panel["datasource"]["uid"] for panel in queried} == {uid}
    assert {target["datasource"]["uid"] for panel in queried for target in panel["targets"]} == {uid}
    assert all(panel["targets"] for panel in queried)


def test_the_list_is_what_docs_metrics_md_lists() -> None:
    assert documented_names("Central") | documented_names("Edge") == COUNTERS_AND_GAUGES | HISTOGRAMS
