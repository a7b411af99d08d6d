"""Which of an edge's offline decisions central has applied, told back to the edge in its routing snapshot.

An edge deciding alone counts each pallet it sends to a trailer against its share of that trailer and
keeps that decision until a snapshot says central has applied it: before, the snapshot's share and
free positions do not count the pallet yet, so the edge must; after, they do, so it must not. The edge's
scans may reach central in any order (live scans overtake the backlog), so central names the applied
scans one by one rather than by the highest ``seq``.

Only scans carrying an offline decision that *assigned* a trailer count (a staged pallet used no share),
and only while that trailer is open: a closed trailer is in no table, and the edge forgets its decisions
for a trailer once it has left. The ledger is small (at most the trailers' free positions) and kept in
the store's meta with the plan version, so a restarted central still names what it applied before; a
scan applied just before a crash may be missing, which only makes the edge keep a decision longer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

__all__ = ["OFFLINE_APPLIED_KEY", "AppliedOffline"]

log = logging.getLogger(__name__)

OFFLINE_APPLIED_KEY = "offline_applied"
"""Name of the ledger in the store's meta."""


class AppliedOffline:
    """Edge → trailer → the ``seq`` of each applied scan whose offline decision sent a pallet there."""

    def __init__(self) -> None:
        self._seqs: dict[str, dict[str, set[int]]] = {}

    def add(self, edge: str, trailer: str, seq: int) -> None:
        self._seqs.setdefault(edge, {}).setdefault(trailer, set()).add(seq)

    def keep_only(self, trailers: Iterable[str]) -> None:
        """Forget every trailer not in ``trailers`` (no longer open)."""
        kept = set(trailers)
        for edge in list(self._seqs):
            by_trailer = {t: s for t, s in self._seqs[edge].items() if t in kept}
            if by_trailer:
                self._seqs[edge] = by_trailer
            else:
                del self._seqs[edge]

    def of(self, edge: str) -> list[int]:
        """The applied scans of ``edge`` to name in its snapshot, sorted."""
        return sorted(seq for seqs in self._seqs.get(edge, {}).values() for seq in seqs)

    def dumps(self) -> str:
        return json.dumps(
            {e: {t: sorted(s) for t, s in sorted(by.items())} for e, by in sorted(self._seqs.items())},
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: str | None) -> AppliedOffline:
        """The ledger kept by :meth:`dumps`; an empty one (logged) when ``text`` is not one."""
        ledger = cls()
        if text is None:
            return ledger
        try:
            for edge, trailer, seq in _entries(json.loads(text)):
                ledger.add(edge, trailer, seq)
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning("stored %s ignored: %s", OFFLINE_APPLIED_KEY, exc)
            return cls()
        return ledger


def _entries(data: object) -> list[tuple[str, str, int]]:
    if not isinstance(data, dict):
        raise TypeError(f"expected an object, got {type(data).__name__}")
    found = []
    for edge, by_trailer in data.items():
        for trailer, seqs in by_trailer.items():
            for seq in seqs:
                if not isinstance(seq, int) or isinstance(seq, bool):
                    raise TypeError(f"seq of {edge}/{trailer} must be an integer, got {seq!r}")
                found.append((str(edge), str(trailer), seq))
    return found
