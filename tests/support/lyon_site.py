"""The smallest useful site: one inbound door, one outbound door with a Lyon trailer; shared by API tests."""

from __future__ import annotations

from datetime import UTC, datetime

from support.sites import site_config

SITE = site_config()
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
