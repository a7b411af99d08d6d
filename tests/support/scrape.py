"""Scraping a ``/metrics`` endpoint in tests: the samples by name and labels, parsed by prometheus_client."""

from __future__ import annotations

import asyncio
import urllib.request

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
