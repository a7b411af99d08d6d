"""The edges an admin registered (edge id → inbound door), kept in the store's meta table.

Central sends routing snapshots to them from its start, before any of them says a word; the admin
API (:mod:`xdock.central.api.admin`) adds to them.
"""

from __future__ import annotations

import json

from xdock.central.store.database import Store

__all__ = ["EDGES_KEY", "registered_edges"]

EDGES_KEY = "registered_edges"
"""Meta key holding the edges an admin registered: edge id → inbound door."""


def registered_edges(store: Store) -> dict[str, str]:
    """The edges an admin registered (edge id → door), as stored."""
    return dict(json.loads(store.meta(EDGES_KEY) or "{}"))
