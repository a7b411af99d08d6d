"""Answering the worker from central's routing snapshot while central cannot be reached.

Pure: a :class:`RouteSnapshot` in, one :class:`OfflineAnswer` per scan out. The rules follow
central's dispatcher in their simplest form:

- the label's ship-to names a destination (:func:`xdock.protocol.routing.match_destination`);
- the first route for it in the snapshot's order (central lists the nearest first) that fits: a
  reefer when the pallet is chilled or frozen (label maximum temperature at or below
  ``chilled_max_c``, as central's ``temp_class``), dangerous goods only where ``accepts_hazmat``, a
  departure still ahead, and a free position left of this edge's share (the edge counts down the
  positions it hands out itself until the next snapshot);
- else the staging area (``chilled_staging`` for chilled and frozen pallets).

With no snapshot, or a ship-to that names no destination, there is no offline instruction: the scan
is recorded and central answers when it can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xdock.protocol.display import clip
from xdock.protocol.messages import Assignment, OfflineDecision, Route, RouteSnapshot, ShipToModel
from xdock.protocol.routing import match_destination

__all__ = ["NO_ROUTE_TEXT", "OfflineAnswer", "OfflineRouter", "correction_text", "differs"]

NO_ROUTE_TEXT = "recorded - no route offline"
CHILLED_MAX_C = 8.0


@dataclass(frozen=True)
class OfflineAnswer:
    """What the worker is told: ``decision`` is ``None`` when the edge has no instruction to give."""

    decision: OfflineDecision | None
    display: str


class OfflineRouter:
    """The latest routing snapshot and the positions this edge used from it."""

    def __init__(self, *, chilled_max_c: float = CHILLED_MAX_C) -> None:
        self.chilled_max_c = chilled_max_c
        self.snapshot: RouteSnapshot | None = None
        self._free: dict[str, int] = {}

    def load(self, snapshot: RouteSnapshot) -> bool:
        """Adopt ``snapshot`` if it is newer than the one held; ``True`` when adopted.

        The same snapshot again (the broker re-delivers the retained one on every reconnect) keeps the
        positions this edge already counted down.
        """
        if self.snapshot is not None and snapshot.made_at <= self.snapshot.made_at:
            return False
        self.snapshot = snapshot
        self._free = {route.trailer: route.free_positions for route in snapshot.routes}
        return True

    def free_positions(self, trailer: str) -> int:
        return self._free.get(trailer, 0)

    def decide(
        self, *, ship_to: ShipToModel | None, max_temp_c: float | None, dangerous_goods: bool, now: datetime
    ) -> OfflineAnswer:
        """The offline instruction for one pallet, counting down the trailer's free positions."""
        snapshot = self.snapshot
        if snapshot is None or ship_to is None:
            return OfflineAnswer(None, NO_ROUTE_TEXT)
        destination = match_destination(ship_to, snapshot.destinations)
        if destination is None:
            return OfflineAnswer(None, NO_ROUTE_TEXT)
        cold = max_temp_c is not None and max_temp_c <= self.chilled_max_c
        for route in snapshot.routes:
            if route.destination == destination.id and self._fits(route, cold=cold, hazmat=dangerous_goods, now=now):
                self._free[route.trailer] -= 1
                decision = OfflineDecision(
                    plan_version=snapshot.plan_version, outcome="assigned", door=route.door, trailer=route.trailer,
                    decided_at=now,
                )
                return OfflineAnswer(decision, clip(f"{route.door} {route.trailer} (offline)"))
        area = snapshot.chilled_staging if cold else snapshot.staging
        if area is None:
            return OfflineAnswer(None, NO_ROUTE_TEXT)
        decision = OfflineDecision(plan_version=snapshot.plan_version, outcome="staged", area=area, decided_at=now)
        return OfflineAnswer(decision, clip(f"{area} STAGING (offline)"))

    def _fits(self, route: Route, *, cold: bool, hazmat: bool, now: datetime) -> bool:
        if cold and not route.reefer:
            return False
        if hazmat and not route.accepts_hazmat:
            return False
        if route.departure is not None and route.departure <= now:
            return False
        return self._free.get(route.trailer, 0) > 0


def differs(decision: OfflineDecision, answer: Assignment) -> bool:
    """Whether central's answer sends the pallet elsewhere than the edge's offline decision did."""
    told = (decision.outcome, decision.door, decision.trailer, decision.area)
    return told != (answer.outcome, answer.door, answer.trailer, answer.area)


def correction_text(answer: Assignment) -> str:
    """What the scanner shows when central's answer replaces an offline instruction."""
    if answer.outcome == "assigned" and answer.door is not None and answer.trailer is not None:
        return clip(f"CHANGE: {answer.door} {answer.trailer}")
    if answer.outcome in ("staged", "breakdown") and answer.area is not None:
        return clip(f"CHANGE: {answer.area} {answer.outcome.upper()}")
    return clip(f"CHANGE: {answer.display}")
