"""The accounting after a site hour: what was sent against what the store applied, and the metrics against the store.

Read from the centrals' PostgreSQL store directly (the event log and the ``applied`` keys):

* a scan applied is a ``scan`` event (one per ``(edge_id, seq)`` key); each sent label's SSCC must
  appear in exactly one, warm-up pallets aside;
* a passage applied is a ``received`` event (a pallet in through an inbound door), keyed like a scan;
  each pallet the portals carried in must appear once, at its door's edge;
* a reading applied is an ``applied`` key of its node with reply ``sensor_reading`` (central keeps the
  latest value per sensor in memory and writes each reading to telemetry; the key is the store's record).

A node counts as sent the readings the broker acknowledged; a reading in flight when its broker went
away may have been taken without the acknowledgement reaching the node, so up to one reading per
node per outage may be applied beyond what was sent (``unconfirmed``), never fewer.

From VictoriaMetrics: the last scraped ``xdock_scans_applied_total`` of each central (a counter since
the process started: central-b's counts from its take-over, central-a's stop at its last scrape
before the SIGKILL), each edge's ``xdock_edge_scans_total``, and the ``sensor_reading_value`` samples
central's telemetry wrote.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psycopg

from xdock.testing.site_hour_plan import WARM_UP_SERIAL, Door
from xdock.testing.victoria_metrics import VictoriaMetrics

__all__ = ["MetricsCheck", "StoreCounts", "Tally", "metrics_check", "store_counts", "tally_passages",
           "tally_readings", "tally_scans"]

_PASSAGE_KINDS = ("received", "passage", "misload")


@dataclass(frozen=True)
class StoreCounts:
    """The hour's scans, passages and readings (warm-ups aside) as the store holds them."""

    scans: int
    passages: int
    readings: int


@dataclass(frozen=True)
class Tally:
    """One kind of message, sent against applied."""

    sent: int
    applied: int
    """Applications in the store (a duplicate counts each time)."""
    lost: int
    """Sent, never applied."""
    duplicates: int
    """Applications beyond the first of the same message."""
    unexpected: int = 0
    """Applied though never sent (nor in flight when the broker went away)."""
    unconfirmed: int = 0
    """Applied though the sender never heard the broker acknowledge it (in flight at an outage)."""


def _warm_ups(doors: Sequence[Door]) -> list[str]:
    return [door.sscc(WARM_UP_SERIAL) for door in doors]


def store_counts(db: str, doors: Sequence[Door]) -> StoreCounts:
    """How many of the hour's scans, passages and readings the store holds now."""
    with psycopg.connect(db) as conn:
        scans = conn.execute("SELECT count(*) FROM events WHERE kind = 'scan' AND NOT sscc = ANY(%s)",
                             (_warm_ups(doors),)).fetchone()
        passages = conn.execute("SELECT count(*) FROM events WHERE kind = ANY(%s)", (list(_PASSAGE_KINDS),)).fetchone()
        readings = conn.execute("SELECT count(*) FROM applied WHERE reply = 'sensor_reading'").fetchone()
    return StoreCounts(*(0 if row is None else int(row[0]) for row in (scans, passages, readings)))


def _tally(sent: Counter[tuple[str, str]], applied: Counter[tuple[str, str]]) -> Tally:
    return Tally(
        sent=sum(sent.values()), applied=sum(applied.values()),
        lost=sum(1 for key in sent if key not in applied),
        duplicates=sum(n - 1 for n in applied.values() if n > 1),
        unexpected=sum(n for key, n in applied.items() if key not in sent),
    )


def tally_scans(db: str, doors: Sequence[Door], sent: Mapping[str, Sequence[str]]) -> Tally:
    """``sent``: each edge's scanned SSCCs (warm-ups aside)."""
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT edge_id, sscc FROM events WHERE kind = 'scan' AND NOT sscc = ANY(%s)",
                            (_warm_ups(doors),)).fetchall()
    return _tally(Counter((edge, sscc) for edge, ssccs in sent.items() for sscc in ssccs),
                  Counter((str(edge), str(sscc)) for edge, sscc in rows))


def tally_passages(db: str, carried: Mapping[Door, Sequence[str]]) -> Tally:
    """``carried``: the pallets each door's portal showed its edge coming in, each to be applied at that edge as
    ``received``."""
    sent = Counter((door.edge_id, f"{sscc}@{door.id}") for door, ssccs in carried.items() for sscc in ssccs)
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT kind, edge_id, sscc, body FROM events WHERE kind = ANY(%s)",
                            (list(_PASSAGE_KINDS),)).fetchall()
    applied: Counter[tuple[str, str]] = Counter()
    for kind, edge, sscc, body in rows:
        door = json.loads(body)["passage"]["door"]
        applied[(str(edge), f"{sscc}@{door}" if kind == "received" else f"{sscc}@{door} {kind}")] += 1
    return _tally(sent, applied)


def tally_readings(db: str, sent: Mapping[str, int], outages: int) -> Tally:
    """``sent``: readings each node's broker acknowledged; ``outages``: times the broker went away."""
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT edge_id, count(*) FROM applied WHERE reply = 'sensor_reading' GROUP BY edge_id"
                            ).fetchall()
    applied = {str(node): int(n) for node, n in rows}
    over = {node: applied.get(node, 0) - n for node, n in sent.items()}
    unconfirmed = sum(min(max(0, d), outages) for d in over.values())
    unexpected = sum(max(0, d) for d in over.values()) - unconfirmed + sum(
        n for node, n in applied.items() if node not in sent)
    return Tally(sent=sum(sent.values()), applied=sum(applied.values()),
                 lost=sum(max(0, -d) for d in over.values()), duplicates=0, unexpected=unexpected,
                 unconfirmed=unconfirmed)


@dataclass(frozen=True)
class MetricsCheck:
    """What VictoriaMetrics scraped and took, next to the store's counts."""

    scans_applied_scraped: dict[str, float]
    """Each central's last scraped ``xdock_scans_applied_total``."""
    scans_applied_stored: dict[str, int]
    """Scans (warm-ups included) in the store under each central's leadership epochs."""
    edge_scans_scraped: dict[str, float]
    """Each edge's last scraped ``xdock_edge_scans_total``."""
    edge_scans_sent: dict[str, int]
    leader_scraped: dict[str, float]
    """Each central's last scraped ``xdock_leader``."""
    telemetry_readings: int
    """``sensor_reading_value`` samples in VictoriaMetrics."""
    stored_readings: int


def _last_by_instance(vm: VictoriaMetrics, name: str, instances: Mapping[str, str]) -> dict[str, float]:
    """The last sample of metric ``name`` per target, named by ``instances`` (``host:port`` → name)."""
    out = {}
    for series in vm.export(f'{{__name__="{name}"}}'):
        who = instances.get(series.labels.get("instance", ""))
        values = [v for _, v in series.samples if v is not None and not math.isnan(v)]  # NaN: a target gone stale
        if who is not None and values:
            out[who] = values[-1]
    return out


def metrics_check(
    vm: VictoriaMetrics, db: str, centrals: Mapping[str, str], edges: Mapping[str, str], edge_sent: dict[str, int],
) -> MetricsCheck:
    """``centrals``, ``edges``: scrape target (``host:port``) → name; ``edge_sent``: scans each edge was given."""
    with psycopg.connect(db) as conn:
        leaders = conn.execute("SELECT epoch, body FROM events WHERE kind = 'leadership'").fetchall()
        by_epoch = conn.execute("SELECT epoch, count(*) FROM events WHERE kind = 'scan' GROUP BY epoch").fetchall()
        stored_readings = conn.execute("SELECT count(*) FROM applied WHERE reply = 'sensor_reading'").fetchone()
    leader_of = {int(epoch): str(json.loads(body)["central"]) for epoch, body in leaders}
    stored: Counter[str] = Counter()
    for epoch, n in by_epoch:
        stored[leader_of.get(int(epoch), f"epoch {epoch}")] += int(n)
    telemetry = sum(len(s.samples) for s in vm.export('{__name__="sensor_reading_value"}'))
    return MetricsCheck(
        scans_applied_scraped=_last_by_instance(vm, "xdock_scans_applied_total", centrals),
        scans_applied_stored=dict(stored),
        edge_scans_scraped=_last_by_instance(vm, "xdock_edge_scans_total", edges),
        edge_scans_sent=edge_sent,
        leader_scraped=_last_by_instance(vm, "xdock_leader", centrals),
        telemetry_readings=telemetry,
        stored_readings=0 if stored_readings is None else int(stored_readings[0]),
    )
