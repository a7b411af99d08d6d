"""Which destination a label's ship-to means, shared by central and the edges' offline answers.

A destination lists GLNs (AI 410, exact) and postal codes (AI 420/421): exact codes, or prefixes
ending in ``*`` (``"69*"``); an exact code wins, then the longest prefix.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from xdock.protocol.messages import ShipToModel

__all__ = ["Matchable", "match_destination"]


class Matchable(Protocol):
    @property
    def glns(self) -> list[str]: ...

    @property
    def postal_codes(self) -> list[str]: ...


D = TypeVar("D", bound=Matchable)


def match_destination(ship_to: ShipToModel, destinations: Iterable[D]) -> D | None:
    """The destination ``ship_to`` names, or ``None`` when none matches."""
    if ship_to.kind == "gln":
        return next((d for d in destinations if ship_to.value in d.glns), None)
    code = ship_to.value.strip().upper()
    best: tuple[int, D] | None = None
    for dest in destinations:
        for written in dest.postal_codes:
            pattern = written.upper()
            if pattern.endswith("*"):
                prefix = pattern[:-1]
                if code.startswith(prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), dest)
            elif code == pattern:
                return dest
    return best[1] if best is not None else None
