"""The edge's metrics for Prometheus, read from the agent's own counters at each scrape.

Every family carries the ``site`` and ``edge`` labels. Counters are cumulative since the agent started
(Prometheus' ``rate()`` handles the restart). What each one means: ``docs/metrics.md``.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric

from xdock.edge.answer_times import AnswerTimes
from xdock.edge.device_health import DeviceHealth
from xdock.edge.edge_stats import EdgeStats
from xdock.edge.outbox import Outbox
from xdock.edge.uplink import Uplink
from xdock.observability.exposition import counter, gauge, histogram, registry_of

__all__ = ["EdgeMetrics"]


class EdgeMetrics:
    """One edge agent's metrics registry (its own, never the global default)."""

    def __init__(
        self, site: str, edge_id: str, *, stats: EdgeStats, outbox: Outbox, uplink: Uplink, health: DeviceHealth,
        times: AnswerTimes,
    ) -> None:
        self.labels = {"site": site, "edge": edge_id}
        self._stats = stats
        self._outbox = outbox
        self._uplink = uplink
        self._health = health
        self._times = times
        self.registry: CollectorRegistry = registry_of(self._families)

    def _families(self) -> Iterator[Metric]:
        labels, stats = self.labels, self._stats
        yield counter("xdock_edge_scans", "Scans recorded in the outbox (each goes to central).", labels,
                      stats.published)
        yield counter("xdock_edge_answers", "Answers given to scans: central's, or the edge's own offline ones.",
                      labels, {("central",): stats.answers, ("offline",): stats.offline_answers}, by=("source",))
        yield histogram("xdock_edge_answer_latency_seconds",
                        "From a scan recorded to its first answer on the scanner's display.", labels,
                        self._times.latencies)
        yield gauge("xdock_edge_outbox_backlog", "Outbox rows (scans, passages, readings) not yet acknowledged by "
                    "the broker.", labels, self._outbox.unacked)
        yield gauge("xdock_edge_outbox_oldest_age_seconds", "Age of the oldest outbox row not yet acknowledged "
                    "(0 when none waits).", labels, self._outbox.oldest_unacked_age())
        yield gauge("xdock_edge_broker_connected", "1 while the edge's MQTT session is up, else 0.", labels,
                    float(self._uplink.connected.is_set()))
        yield counter("xdock_edge_refused_publishes", "Publishes the broker refused (MQTT 5 reason code 0x80 or "
                      "above), each retry counted.", labels, sum(self._uplink.refusals.counts.values()))
        yield gauge("xdock_edge_devices_online", "The edge's devices online, by kind.", labels,
                    {(kind,): n for kind, n in self._health.online_by_kind().items()}, by=("kind",))
