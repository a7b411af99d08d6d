"""What the site core needs to know of the trailer positions edges hold to fill alone.

The edges' routing tables (:mod:`xdock.central.edge_routing`) hand each edge a share of a trailer's free
positions; central's own decisions must leave the shares of edges that may be deciding alone untouched
(:mod:`xdock.central.site.scans`). The core sees those shares through :class:`HeldPositions`, which
:class:`~xdock.central.edge_routing.shares.ShareBook` is; so the core does not depend on how the
routing tables are made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = ["Connected", "HeldPositions"]

Connected = Callable[[str], bool]
"""Edge id → whether central hears it now, so a snapshot with a cut share reaches it within about a second."""


class HeldPositions(Protocol):
    """Positions of trailers held by edges."""

    def held(self, trailer: str, edge: str | None = None, connected: Connected | None = None) -> int:
        """Positions of ``trailer`` held by edges other than ``edge`` (all edges when ``None``) that are not
        ``connected`` (every one of them when ``connected`` is ``None``)."""
        ...

    def fit(self, trailer: str, edge: str | None, free: int, connected: Connected | None = None) -> list[str]:
        """Central placed a pallet and ``trailer`` has ``free`` positions left: cut what the shares hold beyond
        them (``edge``'s first, then connected edges'); returns the edges whose share changed."""
        ...

    def trailers(self) -> list[str]:
        """The trailers some edge holds a share of."""
        ...
