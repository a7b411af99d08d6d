"""Answering the worker from central's routing snapshot while central cannot be reached.

Pure: a :class:`RouteSnapshot` in, one :class:`OfflineAnswer` per scan out. The rules follow
central's dispatcher in their simplest form:

- the label's ship-to names a destination (:func:`xdock.protocol.routing.match_destination`);
- the first route for it in the snapshot's order (central lists the nearest first) that fits: a
  reefer when the pallet is chilled or frozen (label maximum temperature at or below the snapshot's
  ``chilled_max_c``, the site file's rule, as central's ``temp_class``; the edge keeps no copy of it),
  dangerous goods only where ``accepts_hazmat``, a departure still ahead, and a free position left of
  this edge's share;
- else the staging area (``chilled_staging`` for chilled and frozen pallets).

The positions left of a share: the snapshot's, less the edge's own decisions central had not applied
when it made the snapshot. Each decision sending a pallet to a trailer is *held* (``seq`` → trailer)
from the moment it is made until a snapshot names its scan among those central applied
(``applied_offline``), or the trailer has left; a newer snapshot made before central applied them
therefore still counts them, so reconnecting to central never hands the same positions out twice.
The agent keeps the held decisions in the outbox's database, so a restarted edge holds them still.
A snapshot of an older central (no ``applied_offline``) is trusted as it is: its shares are counted
down from scratch, as before.

With no snapshot, or a ship-to that names no destination, there is no offline instruction: the scan
is recorded and central answers when it can.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from xdock.protocol.display import clip
from xdock.protocol.messages import Assignment, OfflineDecision, Route, RouteSnapshot, ShipToModel
from xdock.protocol.routing import match_destination

__all__ = ["NO_ROUTE_TEXT", "HeldDecision", "OfflineAnswer", "OfflineRouter", "correction_text", "differs"]

NO_ROUTE_TEXT = "recorded - no route offline"


@dataclass(frozen=True)
class OfflineAnswer:
    """What the worker is told: ``decision`` is ``None`` when the edge has no instruction to give."""

    decision: OfflineDecision | None
    display: str


@dataclass(frozen=True)
class HeldDecision:
    """A pallet this edge sent to ``trailer`` alone, by the ``seq`` of the scan that carried the decision."""

    seq: int
    trailer: str
    departure: datetime | None
    """The trailer's departure: once a snapshot is made after it, the decision is forgotten."""


class OfflineRouter:
    """The latest routing snapshot, the positions left of this edge's shares, and its held decisions."""

    def __init__(self, *, held: Iterable[HeldDecision] = ()) -> None:
        """``held``: the decisions a previous run held (from the outbox), before any snapshot is loaded."""
        self.snapshot: RouteSnapshot | None = None
        self._free: dict[str, int] = {}
        self._held: dict[int, HeldDecision] = {h.seq: h for h in held}
        self._released: list[int] = []

    def load(self, snapshot: RouteSnapshot) -> bool:
        """Adopt ``snapshot`` if it is newer than the one held; ``True`` when adopted.

        The same snapshot again (the broker re-delivers the retained one on every reconnect) keeps the
        positions this edge already counted down. A newer one releases the held decisions it names as
        applied and those whose trailer has left, and counts the others against its shares.
        """
        if self.snapshot is not None and snapshot.made_at <= self.snapshot.made_at:
            return False
        self.snapshot = snapshot
        self._free = {route.trailer: route.free_positions for route in snapshot.routes}
        gone = [h.seq for h in self._held.values() if h.departure is not None and h.departure <= snapshot.made_at]
        if snapshot.applied_offline is None:
            self._release(gone)
            return True
        self._release([*gone, *(seq for seq in snapshot.applied_offline if seq in self._held)])
        for held in self._held.values():
            if held.trailer in self._free:
                self._free[held.trailer] -= 1
        return True

    def free_positions(self, trailer: str) -> int:
        """The positions this edge may still fill of ``trailer`` alone."""
        return max(0, self._free.get(trailer, 0))

    def held(self) -> list[HeldDecision]:
        """The decisions held, by ``seq``."""
        return [self._held[seq] for seq in sorted(self._held)]

    def holding(self, seq: int) -> HeldDecision | None:
        return self._held.get(seq)

    def forget(self, seq: int) -> None:
        """The scan ``seq`` was not recorded: its decision reached nobody (its position stays counted
        until the next snapshot)."""
        self._held.pop(seq, None)

    def take_released(self) -> list[int]:
        """The held decisions released since the last call (to drop from disk), by ``seq``."""
        released, self._released = sorted(self._released), []
        return released

    def _release(self, seqs: Iterable[int]) -> None:
        for seq in seqs:
            if self._held.pop(seq, None) is not None:
                self._released.append(seq)

    def decide(
        self, *, ship_to: ShipToModel | None, max_temp_c: float | None, dangerous_goods: bool, now: datetime,
        seq: int | None = None,
    ) -> OfflineAnswer:
        """The offline instruction for one pallet, counting down the trailer's free positions.

        ``seq``: the scan that carries the decision to central; a pallet sent to a trailer is then held
        under it. Without it (the scan went to central before, without the decision, and central's own
        answer will stand) the position is counted down for this snapshot only."""
        snapshot = self.snapshot
        if snapshot is None or ship_to is None:
            return OfflineAnswer(None, NO_ROUTE_TEXT)
        destination = match_destination(ship_to, snapshot.destinations)
        if destination is None:
            return OfflineAnswer(None, NO_ROUTE_TEXT)
        cold = max_temp_c is not None and max_temp_c <= snapshot.chilled_max_c
        for route in snapshot.routes:
            if route.destination == destination.id and self._fits(route, cold=cold, hazmat=dangerous_goods, now=now):
                self._free[route.trailer] -= 1
                if seq is not None:
                    self._held[seq] = HeldDecision(seq, route.trailer, route.departure)
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
