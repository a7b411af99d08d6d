"""A pallet confirmed aboard its trailer: stored ``loaded``, and frozen for the optimiser.

The pallet row's ``state`` is the one record of it: :func:`confirm_aboard` writes the ``loaded``
event and the row together, then tells the dispatcher, whose re-plans, rematches and overrides
leave a frozen pallet where it is. When central starts, the stored rows give the optimiser its
frozen pallets again (:func:`~xdock.central.site.floor_view.pallet_from_row`).

Errors::

    ValueError
    └── NotAboardError    the pallet is unknown, or not assigned to a trailer
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from xdock.central.site.floor_view import pallet_from_row
from xdock.central.site.parts import SiteParts
from xdock.central.store.database import PalletRow

__all__ = ["NotAboardError", "confirm_aboard"]

log = logging.getLogger(__name__)


class NotAboardError(ValueError):
    """The pallet cannot be confirmed loaded; the message names the pallet and its state."""


def confirm_aboard(parts: SiteParts, sscc: str, now: datetime, body: dict[str, Any]) -> PalletRow:
    """Pallet ``sscc`` is aboard the trailer it is assigned to: store it ``loaded`` with a ``loaded``
    event (``body``), in one transaction, and freeze it; return the stored row.

    A pallet loaded already is stored again with a new event (the caller decides whether a repeat
    confirmation is worth one).
    """
    row = parts.state.pallets.get(sscc)
    if row is None:
        raise NotAboardError(f"pallet {sscc} has not been scanned at {parts.state.config.site}")
    if row.state not in ("assigned", "loaded") or row.trailer is None:
        raise NotAboardError(f"pallet {sscc} is {row.state}, not assigned to a trailer")
    loaded = replace(row, state="loaded", updated_at=now)
    with parts.store.transaction() as tx:
        tx.append_event(now, "loaded", {"trailer": row.trailer, "door": row.door} | body, sscc=sscc)
        tx.put_pallet(loaded)
    parts.state.put(loaded)
    parts.dispatcher.put_pallet(pallet_from_row(loaded))
    log.info("pallet %s loaded on %s", sscc, row.trailer,
             extra={"sscc": sscc, "trailer": row.trailer, "door": row.door})
    return loaded
