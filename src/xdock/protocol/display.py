"""The text a scanner's display shows for an answer, at most 64 characters.

``→ D12  LYON  dep 16:40`` for a pallet with a place, the reason alone for one without.
"""

from __future__ import annotations

import re
from datetime import datetime

__all__ = ["MAX_DISPLAY", "area_text", "assigned_text", "clip"]

MAX_DISPLAY = 64


def clip(text: str, limit: int = MAX_DISPLAY) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def assigned_text(
    door: str, destination: str, departure_local: datetime | None, now_local: datetime | None = None,
) -> str:
    """What the scanner shows when the pallet has an outbound door; a trailer leaving on another day than
    ``now_local``'s (both in the site's time) shows its day: ``dep Tue 06:30``."""
    parts = [f"→ {door}", destination.upper()[:12]]
    if departure_local is not None:
        day = "" if now_local is None or departure_local.date() == now_local.date() else (
            f"{_DAYS[departure_local.weekday()]} ")
        parts.append(f"dep {day}{departure_local:%H:%M}")
    return clip("  ".join(parts))


def area_text(area: str, kind: str, why: str) -> str:
    """What the scanner shows when the pallet goes to a floor area: ``→ S1  STAGING  no trailer yet``."""
    return clip(f"→ {area}  {kind.upper()}  {why}")
