"""The site's floor as the engine travels it: where each door and area stands, and the metres between.

Distances are rectilinear (``|dx| + |dy|``), central's own :func:`~xdock.central.optimiser.schema.metres`,
so the forklift kilometres the simulator counts are the metres the optimiser minimises.
"""

from __future__ import annotations

from xdock.central.optimiser.schema import metres
from xdock.central.site_file.config import SiteConfig

__all__ = ["Layout"]


class Layout:
    """Coordinates of the doors and areas of ``site``, and travel between them."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.xy: dict[str, tuple[float, float]] = {d.id: (d.x, d.y) for d in site.doors}
        self.xy.update({a.id: (a.x, a.y) for a in site.areas})
        self.inbound = tuple(d.id for d in site.doors if d.receives)
        self.outbound = tuple(d.id for d in site.doors if d.ships)
        self.staging = {a.id: a for a in site.areas if a.kind == "staging"}
        self._cache: dict[tuple[str, str], float] = {}

    def metres(self, a: str, b: str) -> float:
        """Rectilinear metres from door or area ``a`` to ``b``."""
        key = (a, b)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = metres(self.xy[a], self.xy[b])
        return found
