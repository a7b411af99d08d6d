"""What a scanned pallet is routed with: its label, completed and checked by its advance shipping notice.

A label may carry less than the pallet's despatch advice said (no ship-to, no best-before, no
temperature, dangerous goods flagged without a class). An announced pallet is routed with the
advice's destination(s) — several make it a mixed pallet, sent to be split — its dangerous-goods
class, the colder of the two temperature classes, the earlier best-before, the label's weight or
else the advice's. Where label and advice both say something and disagree (destination, best-before,
temperature class, dangerous goods), the disagreement is kept as a *mismatch* for receiving
(:mod:`xdock.central.site.asns`); the pallet is still routed, on the safer side. An ambient notice says
nothing of temperature (D96A has no temperature segment: most advices give no range, and the notice
keeps only the class), so a colder label is no disagreement with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xdock.central.optimiser.schema import TempClass, temp_class
from xdock.central.site.floor_view import DANGEROUS_GOODS
from xdock.central.site_file.config import SiteConfig
from xdock.central.store.database import AnnouncedPalletRow
from xdock.protocol.messages import ScanEvent

__all__ = ["Routed", "routed"]

_COLD: dict[TempClass, int] = {"ambient": 0, "chilled": 1, "frozen": 2}


@dataclass(frozen=True)
class Routed:
    """A scanned pallet's facts the dispatcher weighs."""

    destination: str | None
    """Its one destination (``None``: unknown, or mixed)."""
    destinations: tuple[str, ...]
    """A mixed pallet's destinations (empty otherwise)."""
    temp: TempClass
    expiry: date | None
    hazmat: str | None
    weight_kg: float | None
    mismatches: dict[str, list[str | None]]
    """Field → ``[label, advice]`` where they disagree."""

    @property
    def dangerous(self) -> bool:
        return self.hazmat is not None


def routed(event: ScanEvent, label_destination: str | None, notice: AnnouncedPalletRow | None,
           config: SiteConfig) -> Routed:
    """The facts to route ``event``'s pallet with: its label's (``label_destination``: the site's destination
    its ship-to means) completed by ``notice``, when the pallet was announced."""
    rules = config.rules
    label_temp = temp_class(event.max_temp_c, chilled_max=rules.chilled_max_c, frozen_max=rules.frozen_max_c)
    label_hazmat = DANGEROUS_GOODS if event.dangerous_goods else None
    if notice is None:
        return Routed(label_destination, (), label_temp, event.expiry, label_hazmat, event.weight_kg, {})
    mismatches: dict[str, list[str | None]] = {}
    if label_destination is not None and notice.destinations and (notice.mixed or
                                                                  notice.destinations[0] != label_destination):
        mismatches["destination"] = [label_destination, ", ".join(notice.destinations)]
    if event.expiry is not None and notice.best_before is not None and event.expiry != notice.best_before:
        mismatches["best_before"] = [event.expiry.isoformat(), notice.best_before.isoformat()]
    if event.max_temp_c is not None and notice.temp not in ("ambient", label_temp):
        mismatches["temp"] = [label_temp, notice.temp]
    if event.dangerous_goods and notice.hazmat is None:
        mismatches["dangerous_goods"] = ["yes", "no"]
    if notice.mixed:
        destination, destinations = None, notice.destinations
    elif notice.destinations:
        destination, destinations = notice.destinations[0], ()
    else:
        destination, destinations = label_destination, ()
    temp = max(label_temp, notice.temp, key=_COLD.__getitem__)
    known = [d for d in (event.expiry, notice.best_before) if d is not None]
    return Routed(
        destination=destination, destinations=destinations, temp=temp, expiry=min(known) if known else None,
        hazmat=notice.hazmat or label_hazmat, weight_kg=event.weight_kg or notice.weight_kg, mismatches=mismatches,
    )
