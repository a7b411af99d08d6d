"""Central's metrics for Prometheus at ``GET /metrics``, read from central's own counters at each scrape.

Every family carries the ``site`` label. Counters are cumulative since central started, except
``xdock_rejected_uplinks_total``, which counts from the store (as ``/api/v1/stats`` does) and so goes on
across restarts. Nothing is registered in prometheus_client's global registry: each central has its own.
What each metric means: ``docs/metrics.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric

from xdock.central.edges.liveness import Liveness
from xdock.central.ingest.mqtt_ingest import Ingest
from xdock.central.planning.planning_loop import PlanningLoop
from xdock.central.site.live_site import LiveSite
from xdock.observability.exposition import counter, gauge, histogram, registry_of
from xdock.observability.latency import REPLAN_BOUNDS_S, Latencies

__all__ = ["CentralMetrics", "metrics_router"]


class CentralMetrics:
    """One central's metrics registry, over its site core, ingest, liveness and planning loop."""

    def __init__(
        self, site: LiveSite, *, ingest: Ingest, liveness: Liveness, planning: PlanningLoop | None,
        epoch: Callable[[], int] | None = None,
    ) -> None:
        """``planning``: ``None`` when re-plans are off (their families then stay empty); ``epoch``: the site's
        leadership epoch while this central leads (``None``: 0, the one central of an SQLite store)."""
        self.labels = {"site": site.config.site}
        self._site = site
        self._ingest = ingest
        self._liveness = liveness
        self._planning = planning
        self._epoch = epoch
        self.registry: CollectorRegistry = registry_of(self._families)

    def _families(self) -> Iterator[Metric]:
        labels, ingest, liveness = self.labels, self._ingest, self._liveness
        yield counter("xdock_scans_applied", "Scans applied (each edge_id/seq once) since central started.",
                      labels, self._site.stats.applied)
        yield counter("xdock_scans_answered", "Answers to scans acknowledged by the broker (a scan received again is "
                      "answered again).", labels, ingest.stats.answered)
        yield histogram("xdock_answer_latency_seconds", "From a scan's batch taken from the broker to its answer "
                        "acknowledged by the broker.", labels, ingest.stats.answer_latency)
        rejected: Counter[str] = Counter()
        for reasons in ingest.refusals.counts().values():
            rejected.update(reasons)
        yield counter("xdock_rejected_uplinks", "Uplinks refused (bad topic, payload, identifier...), by reason; "
                      "counted in the store.", labels, {(r,): n for r, n in sorted(rejected.items())}, by=("reason",))
        planning = self._planning
        durations = planning.durations if planning is not None else Latencies(REPLAN_BOUNDS_S)
        yield histogram("xdock_replan_duration_seconds", "Wall-clock seconds of each background re-plan.", labels,
                        durations)
        cost = planning.last_cost_m if planning is not None else None
        yield gauge("xdock_replan_objective_m", "Objective of the latest re-plan adopted (metres-equivalent).",
                    labels, {} if cost is None else {(): cost})
        yield gauge("xdock_edges_online", "Edge agents whose last status says online.", labels,
                    liveness.edges_online())
        yield gauge("xdock_devices_online", "Devices (scanners, readers, probes, sensor nodes) online, by kind.",
                    labels, {(k,): n for k, n in sorted(liveness.devices_online().items())}, by=("kind",))
        yield gauge("xdock_alerts_open", "Alerts open now, by kind.", labels,
                    {(k,): n for k, n in self._site.alerts.open_by_kind().items()}, by=("kind",))
        yield gauge("xdock_broker_connected", "1 while central's MQTT session is up, else 0.", labels,
                    float(ingest.connected.is_set()))
        yield gauge("xdock_leader", "1 while this central leads its site.", labels, 1.0)  # it runs while leading
        yield gauge("xdock_leader_epoch", "The epoch of the site's leader, as this central last saw it.", labels,
                    float(self._epoch() if self._epoch is not None else 0))


def metrics_router(metrics: CentralMetrics) -> APIRouter:
    """``GET /metrics``: the registry in the Prometheus text format (open like ``/healthz``: counts only,
    no pallet or user data)."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:  # on the event loop: the collectors read the store's connection
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(metrics.registry), headers={"Content-Type": content_type})

    return router
