"""What central and the edges tell the site's monitoring: latency buckets, Prometheus exposition, JSON log lines.

Edge and central each build their own registry over their own counters (:mod:`.exposition`); nothing here
holds process-wide state, so several centrals and edges can run in one process (as the tests do).
"""

from xdock.observability.json_logs import JsonFormatter, configure_logging
from xdock.observability.latency import ANSWER_BOUNDS_S, REPLAN_BOUNDS_S, Latencies

__all__ = ["ANSWER_BOUNDS_S", "REPLAN_BOUNDS_S", "JsonFormatter", "Latencies", "configure_logging"]
