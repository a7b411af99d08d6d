"""VictoriaMetrics for the telemetry tests: :mod:`xdock.testing.victoria_metrics`'s server, its series asked
for by metric name (a regular expression), as central's InfluxDB line protocol writes them."""

from __future__ import annotations

from xdock.testing.victoria_metrics import Series
from xdock.testing.victoria_metrics import VictoriaMetrics as _Server

__all__ = ["Series", "VictoriaMetrics"]


class VictoriaMetrics(_Server):
    def export(self, selector: str) -> list[Series]:
        """Every series whose name matches the regular expression ``selector``, all samples, after a flush."""
        return super().export(f'{{__name__=~"{selector}"}}')
