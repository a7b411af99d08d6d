"""The site scan streams run on (``bench/scan_latency.py``, the fault rig): inbound doors, four destinations.

Destination ``d`` is reached by postal codes ``{11 + d}xxx``; its trailers all leave at 23:30 so a
stream is never cut short by a departure.
"""

from __future__ import annotations

import math

__all__ = ["CAPACITY", "DESTINATIONS", "postal", "site_yaml"]

DESTINATIONS = ("ALPHA", "BRAVO", "CHARLIE", "DELTA")
CAPACITY = 100
"""Pallet positions of every trailer."""


def postal(dest: int) -> str:
    """A postal code of destination number ``dest``."""
    return f"{11 + dest}000"


def site_yaml(site_id: str, edges: int, pallets_per_dest: int) -> str:
    """A site with ``edges`` inbound doors and room on trailers for ``pallets_per_dest`` pallets per destination."""
    per_dest = math.ceil(pallets_per_dest / CAPACITY) + 1
    lines = [f"site: {site_id}", "timezone: Europe/Paris", "handling_minutes: 15", "doors:"]
    lines += [f"  - {{id: D{i + 1}, role: inbound, x: {8 * i}, y: 0}}" for i in range(edges)]
    lines += [f"  - {{id: O{d + 1}, role: outbound, x: {10 * d}, y: 40}}" for d in range(len(DESTINATIONS))]
    lines.append("destinations:")
    lines += [
        f'  - {{id: {name}, name: {name.title()}, postal_codes: ["{postal(d)[:2]}*"]}}'
        for d, name in enumerate(DESTINATIONS)
    ]
    lines.append("trailers:")
    lines += [
        f'  - {{id: T-{name}-{t + 1:03d}, door: O{d + 1}, destination: {name}, capacity_pallets: {CAPACITY},'
        f' departure: "23:30"}}'
        for d, name in enumerate(DESTINATIONS)
        for t in range(per_dest)
    ]
    return "\n".join(lines) + "\n"
