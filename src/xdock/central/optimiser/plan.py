"""What the optimiser answers: a move per pallet, and a plan over the whole floor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Move", "MoveKind", "Plan"]

MoveKind = Literal["direct", "indirect", "staging"]


@dataclass(frozen=True)
class Move:
    """Where one pallet goes next, and why, in words the handheld shows."""

    sscc: str
    kind: MoveKind
    target: str
    """Trailer id for a direct move; area id for an indirect (breakdown) or staging move."""
    door: str | None
    """Door of the target trailer (direct moves)."""
    metres: float
    """Travel from where the pallet stands to the target."""
    reason: str
    """Destination, trailer fill, departure and metres, e.g.
    ``LYON · T-LYON-1 12/33 · dep 16:40 · 46 m``."""


@dataclass(frozen=True)
class Plan:
    """A consistent assignment of the floor: pallets to trailers or areas, trailers and trucks to doors."""

    version: int
    moves: Mapping[str, Move] = field(default_factory=dict)
    """By SSCC, for every pallet that is not frozen."""
    trailer_doors: Mapping[str, str] = field(default_factory=dict)
    truck_doors: Mapping[str, str] = field(default_factory=dict)
    cost_m: float = 0.0
    """Objective, in metres-equivalent: travel plus penalties (changed instructions, unplaced pallets)."""
