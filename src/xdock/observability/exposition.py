"""Prometheus exposition over a process's own counters: one registry per process object, collected at scrape time.

A collector here is a function returning metric families built from the live objects
(:class:`FamiliesCollector`); no metric is registered in prometheus_client's global default registry,
so a test may run several centrals and edges in one process. :func:`serve_metrics` serves a registry
over HTTP (the edge's ``--metrics-port``); central serves its own on its API's ``/metrics``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from xdock.observability.latency import Latencies

__all__ = [
    "FamiliesCollector", "MetricsServer", "counter", "gauge", "histogram", "registry_of", "serve_metrics",
]


class FamiliesCollector(Collector):
    """A collector whose families come from ``collect_families()`` at each scrape."""

    def __init__(self, collect_families: Callable[[], Iterable[Metric]]) -> None:
        self._collect = collect_families

    def collect(self) -> Iterable[Metric]:
        return list(self._collect())


def registry_of(collect_families: Callable[[], Iterable[Metric]]) -> CollectorRegistry:
    """A registry of its own (not the global default) holding one :class:`FamiliesCollector`."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FamiliesCollector(collect_families))
    return registry


def _add(add: Callable[[list[str], float], None], labels: Mapping[str, str],
         value: float | Mapping[tuple[str, ...], float]) -> None:
    samples: Mapping[tuple[str, ...], float] = value if isinstance(value, Mapping) else {(): value}
    for values, sample in samples.items():
        add([*labels.values(), *values], sample)


def counter(name: str, doc: str, labels: Mapping[str, str], value: float | Mapping[tuple[str, ...], float],
            by: tuple[str, ...] = ()) -> CounterMetricFamily:
    """A counter ``name`` (without ``_total``) with the constant ``labels``; ``value`` per tuple of the ``by``
    labels' values when ``by`` is given."""
    family = CounterMetricFamily(name, doc, labels=[*labels, *by])
    _add(family.add_metric, labels, value)
    return family


def gauge(name: str, doc: str, labels: Mapping[str, str], value: float | Mapping[tuple[str, ...], float],
          by: tuple[str, ...] = ()) -> GaugeMetricFamily:
    """A gauge, labelled as :func:`counter`."""
    family = GaugeMetricFamily(name, doc, labels=[*labels, *by])
    _add(family.add_metric, labels, value)
    return family


def histogram(name: str, doc: str, labels: Mapping[str, str], latencies: Latencies) -> HistogramMetricFamily:
    """The histogram of ``latencies`` (seconds) with the constant ``labels``."""
    family = HistogramMetricFamily(name, doc, labels=list(labels))
    family.add_metric(list(labels.values()), [(b, float(n)) for b, n in latencies.cumulative()], latencies.sum_s)
    return family


@dataclass(frozen=True)
class MetricsServer:
    """A running metrics HTTP server: its port (the one picked for port 0)."""

    port: int


@contextlib.contextmanager
def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> Iterator[MetricsServer]:
    """Serve ``registry`` at ``http://host:port/metrics`` (prometheus_client's server, in its own thread) until
    the block ends; then shut the server down and wait for its thread. ``OSError`` when the port is taken."""
    server: WSGIServer
    thread: threading.Thread
    server, thread = start_http_server(port, addr=host, registry=registry)
    try:
        yield MetricsServer(int(server.server_port))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
