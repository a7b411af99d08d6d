"""The smallest useful site: one inbound door, one outbound door with a Lyon trailer; shared by API tests."""

from __future__ import annotations

from datetime import UTC, datetime

from xdock.central.site_file.config import parse_site

SITE = parse_site("""
site: t
timezone: Europe/Paris
doors:
  - {id: D1, role: inbound, x: 0, y: 0}
  - {id: D12, role: outbound, x: 10, y: 30}
destinations:
  - {id: LYON, name: Lyon, postal_codes: ["69*"]}
trailers:
  - {id: T-LYON-1, door: D12, destination: LYON, capacity_pallets: 33, departure: "16:40"}
""")
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
