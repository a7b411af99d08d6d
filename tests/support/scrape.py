"""Scraping a ``/metrics`` endpoint in tests: the samples by name and labels, parsed by prometheus_client; the
names a registry serves and those docs/metrics.md lists."""

from __future__ import annotations

import asyncio
import re
import urllib.request
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """``{(sample name, {(label, value), ...}): value}`` of an exposition text."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text) for sample in family.samples
    }


async def scrape(url: str) -> Samples:
    """GET ``url`` (off the event loop, asking for no format: the classic text format comes) and parse it."""

    def get() -> str:
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
            return str(response.read().decode())

    return parse(await asyncio.to_thread(get))


def labels(**values: str) -> frozenset[tuple[str, str]]:
    return frozenset(values.items())


def exported_names(registry: CollectorRegistry) -> set[str]:
    """The metric names a registry serves as a scraper queries them: counters with ``_total``, histograms bare."""
    return {f"{f.name}_total" if f.type == "counter" else f.name for f in registry.collect()}


def documented_names(section: str) -> set[str]:
    """The metric names of docs/metrics.md's table under ``## section`` (labels left out)."""
    text = (Path(__file__).parents[2] / "docs" / "metrics.md").read_text(encoding="utf-8")
    table = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(xdock_[a-z_]+)(?:\{[a-z,]+\})?` \|", table, flags=re.MULTILINE))
