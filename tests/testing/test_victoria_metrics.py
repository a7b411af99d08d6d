"""VictoriaMetrics' scrape config as the site-hour rig writes it."""

from __future__ import annotations

import json

from xdock.testing.victoria_metrics import scrape_config


def test_each_job_scrapes_its_targets_metrics_at_the_interval() -> None:
    config = json.loads(scrape_config({"xdock-central": ["127.0.0.1:8080"], "xdock-edge": ["127.0.0.1:9101"]}, 0.5))
    assert config == {
        "global": {"scrape_interval": "500ms"},
        "scrape_configs": [
            {"job_name": "xdock-central", "metrics_path": "/metrics",
             "static_configs": [{"targets": ["127.0.0.1:8080"]}]},
            {"job_name": "xdock-edge", "metrics_path": "/metrics", "static_configs": [{"targets": ["127.0.0.1:9101"]}]},
        ],
    }
