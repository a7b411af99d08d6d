"""Offline answers an edge gave after their scan had left, reconciled with central's answer to that scan.

A scan sent while central was reachable carries no offline decision. If central then goes offline
before answering, the edge answers the worker from its routing snapshot, and when central's answer
comes it shows it as a correction if it differs. The edge then reports what the worker had been
told (:class:`~xdock.protocol.messages.OfflineAnswerShown`, on ``.../edge/{edge}/offline_answer``),
and this module records it exactly as for a scan that carried its decision
(:mod:`xdock.central.site.reconcile`): an ``offline_kept`` or ``offline_corrected`` event for the scan's
key, with ``correction`` saying whether the worker was corrected, counted in
:class:`~xdock.central.site.parts.ScanStats`.

Each report is applied once, keyed by its own ``(edge_id, seq)`` in the store's ``applied`` table
with an empty reply, in the same transaction as its event. A report naming a scan central never
applied, or another pallet than that scan's, is kept as an ``offline_unmatched`` event and counted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from xdock.central.site.parts import SiteParts
from xdock.central.site.reconcile import reconcile
from xdock.protocol.messages import Assignment, MessageError, OfflineAnswerShown, decode

__all__ = ["OfflineAnswers", "OfflineAnswersStats", "Outcome"]

log = logging.getLogger(__name__)

Outcome = Literal["offline_kept", "offline_corrected", "offline_unmatched", "duplicate"]


@dataclass
class OfflineAnswersStats:
    applied: int = 0
    duplicates: int = 0
    unmatched: int = 0
    """Reports naming a scan not applied, or applied for another pallet."""


class OfflineAnswers:
    """Applies the offline answers edges report shown (see the module docstring)."""

    def __init__(self, parts: SiteParts) -> None:
        self.parts = parts
        self.clock = parts.clock
        self.stats = OfflineAnswersStats()

    def apply(self, report: OfflineAnswerShown) -> Outcome:
        """Record ``report`` once; ``duplicate`` for a report whose key was applied before."""
        store = self.parts.store
        if store.applied_reply(report.edge_id, report.seq) is not None:
            self.stats.duplicates += 1
            log.info("offline answer report %s/%d already applied", report.edge_id, report.seq)
            return "duplicate"
        now = self.clock.now()
        answer = _answer(store.applied_reply(report.edge_id, report.scan_seq))
        if answer is None or answer.sscc != report.sscc:
            found = "no scan" if answer is None else f"pallet {answer.sscc}"
            log.warning("offline answer for scan %s/%d of pallet %s: central applied %s there", report.edge_id,
                        report.scan_seq, report.sscc, found)
            with store.transaction() as tx:
                tx.mark_applied(report.edge_id, report.seq, "", now)
                tx.append_event(now, "offline_unmatched", {"report": report.model_dump(mode="json"), "found": found},
                                sscc=report.sscc, edge_id=report.edge_id, seq=report.scan_seq)
            self.stats.applied += 1
            self.stats.unmatched += 1
            return "offline_unmatched"
        reconciled = reconcile(answer, report.offline)
        corrected = reconciled.kind == "offline_corrected"
        body = reconciled.event_body(report.offline) | {"correction": corrected, "after_sent": True}
        with store.transaction() as tx:
            tx.mark_applied(report.edge_id, report.seq, "", now)
            tx.append_event(now, reconciled.kind, body, sscc=report.sscc, edge_id=report.edge_id, seq=report.scan_seq)
        self.stats.applied += 1
        self.parts.stats.count_offline(corrected=corrected)
        if corrected:
            log.info("scan %s/%d: the worker's offline answer was corrected", report.edge_id, report.scan_seq)
        return reconciled.kind


def _answer(stored: str | None) -> Assignment | None:
    """Central's stored answer to a scan (``None``: not applied, or the key holds no scan's answer)."""
    if not stored:
        return None
    try:
        return decode(Assignment, stored.encode())
    except MessageError:
        return None
