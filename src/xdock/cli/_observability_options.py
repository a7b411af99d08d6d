"""The options of ``xdock central`` and ``xdock edge`` that feed the site's monitoring: ``--log-format``,
and the edge's ``--metrics-host`` / ``--metrics-port`` (central serves ``/metrics`` on its API)."""

from __future__ import annotations

import argparse

from xdock.observability.json_logs import LOG_FORMATS

__all__ = ["add_log_format_option", "add_metrics_options", "metrics_port"]


def add_log_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-format", choices=LOG_FORMATS, default="text",
                        help="log lines on stderr as text, or as one JSON object per line with time, level, logger, "
                             "message and the ids in play (edge, seq, sscc, trailer) (default: %(default)s)")


def metrics_port(text: str) -> int:
    """A ``--metrics-port``: 1 to 65535, or 0 for any free port."""
    port = int(text) if text.isdigit() else -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected 0 to 65535 (0: any free port)")
    return port


def add_metrics_options(parser: argparse.ArgumentParser, *, default_host: str) -> None:
    group = parser.add_argument_group("metrics (Prometheus text format, for VictoriaMetrics or Prometheus to scrape)")
    group.add_argument("--metrics-port", type=metrics_port, metavar="PORT",
                       help="serve http://HOST:PORT/metrics (default: no metrics endpoint)")
    group.add_argument("--metrics-host", default=default_host, metavar="HOST",
                       help="interface of the metrics endpoint (default: %(default)s)")
