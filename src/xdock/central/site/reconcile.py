"""Reconciling an edge's offline answer with central's decision for the same scan.

While central was unreachable the edge told the worker where the pallet goes from its routing
snapshot (:class:`~xdock.protocol.messages.OfflineDecision`). When the scan reaches central, the
scan service first tries to keep that instruction (the dispatcher checks it by its usual rules),
else decides normally; this module compares the outcome with what the worker was told. The answer
is a correction (``correction=True``, the edge tells the worker again) only when the outcome, door,
trailer or area differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from xdock.protocol.messages import Assignment, OfflineDecision

__all__ = ["Reconciled", "reconcile"]


@dataclass(frozen=True)
class Reconciled:
    """Central's answer to an offline-decided scan and how it relates to the worker's instruction."""

    reply: Assignment
    kind: Literal["offline_kept", "offline_corrected"]
    """The event kind recorded for supervisors: the instruction stood, or the worker was corrected."""

    def event_body(self, offline: OfflineDecision) -> dict[str, Any]:
        """What the event log keeps: the worker's instruction and central's, side by side."""
        r = self.reply
        told = offline.model_dump(mode="json", exclude_none=True)
        now = {k: v for k, v in (("outcome", r.outcome), ("door", r.door), ("trailer", r.trailer),
                                 ("area", r.area)) if v is not None}
        return {"offline": told, "central": now}


def _told(offline: OfflineDecision) -> tuple[str, str | None, str | None, str | None]:
    if offline.outcome == "assigned":
        return ("assigned", offline.door, offline.trailer, None)
    return ("staged", None, None, offline.area)


def reconcile(reply: Assignment, offline: OfflineDecision) -> Reconciled:
    """``reply`` marked as a correction when it differs from ``offline`` in outcome, door, trailer or area."""
    decided = (reply.outcome, reply.door, reply.trailer, reply.area)
    if decided == _told(offline):
        return Reconciled(reply, "offline_kept")
    return Reconciled(reply.model_copy(update={"correction": True}), "offline_corrected")
