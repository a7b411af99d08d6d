"""The words a handheld shows with a move: the first 64 characters carry the message.

Departure times print as HH:MM in the datetime's own time zone; central passes site-local times.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdock.central.optimiser.schema import Pallet, Trailer

__all__ = ["DISPLAY", "direct", "frozen", "indirect", "mixed_label", "staging", "why_not"]

_MAX_LISTED = 3
DISPLAY = 64
"""Characters the scanner display shows."""


def mixed_label(destinations: Sequence[str]) -> str:
    """``mixed (LYON, PARIS)``; long lists end in ``+N``."""
    shown = ", ".join(destinations[:_MAX_LISTED])
    more = len(destinations) - _MAX_LISTED
    return f"mixed ({shown}{f' +{more}' if more > 0 else ''})"


def direct(
    destination: str, trailer: Trailer, count: int, kg: float, travel: float, *, is_urgent: bool
) -> str:
    """``LYON · T-LYON-1 13/33 · 412/24000 kg · dep 16:40 · 46 m``, counts including this pallet.

    When that outgrows the display and the trailer id already names the destination, the destination
    is left out: ``T-MONTPELLIER-11 24/52 · 11973/24000 kg · dep 09:10 · 356 m``.
    """
    text = (
        f"{trailer.id} {count}/{trailer.capacity_pallets} · "
        f"{kg:.0f}/{trailer.capacity_kg:.0f} kg · dep {trailer.departure:%H:%M} · {travel:.0f} m"
    )
    if len(destination) + 3 + len(text) <= DISPLAY or destination not in trailer.id:
        text = f"{destination} · {text}"
    return f"{text} · urgent" if is_urgent else text


def indirect(destinations: Sequence[str], area_id: str, travel: float) -> str:
    """``mixed (LYON, PARIS) · breakdown B1 · 8 m``."""
    return f"{mixed_label(destinations)} · breakdown {area_id} · {travel:.0f} m"


def staging(why: str, area_id: str, travel: float) -> str:
    """``no trailer for NICE yet · staging S1 · 12 m``."""
    return f"{why} · staging {area_id} · {travel:.0f} m"


def frozen(pallet: Pallet, door: str | None) -> str:
    """``loaded · T-LYON-1 · D12`` for a pallet no plan may change."""
    return f"{pallet.state} · {pallet.trailer}" + (f" · {door}" if door else "")


def why_not(reject: str | None, destination: str, pallet: Pallet) -> str:
    """Why no trailer takes ``pallet`` for ``destination``; ``reject`` is the closest trailer's failed check."""
    if reject is None:
        return f"no trailer for {destination} yet"
    words = {
        "gone": f"last trailer for {destination} gone",
        "door": f"no trailer for {destination} at a door",
        "reefer": f"no reefer for {destination} ({pallet.temp})",
        "hazmat": f"no ADR trailer for {destination} (class {pallet.hazmat})",
        "segregated": f"class {pallet.hazmat} segregated on {destination}",
        "held": f"room for {destination} held by edges",
    }
    return words.get(reject, f"trailers for {destination} full")
