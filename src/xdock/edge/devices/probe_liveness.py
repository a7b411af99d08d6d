"""Whether a Modbus probe is online, from the outcomes of its polls (sans-I/O).

================  ==========  ====================================================================
outcome           counts as   effect
================  ==========  ====================================================================
``ok``            answered    online at once (the probe is there and talking)
``exception``     answered    online at once
``bad_value``     answered    online at once
``timeout``       missed      offline on the ``offline_after``-th poll in a row without an answer
``crc_error``     missed      offline on the ``offline_after``-th poll in a row without an answer
``disconnected``  gone        offline at once (the port vanished or cannot be opened)
================  ==========  ====================================================================

``offline_after`` is :data:`OFFLINE_AFTER` (3) unless configured: one frame lost or corrupted on a
noisy RS-485 line is not an outage, three in a row (seconds of silence at the usual poll interval)
are. A port that is gone is gone, as for a scanner whose port vanishes. Before its first poll a
probe's state is not known (``None``). :meth:`ProbeLiveness.observe` returns the new state when it
changes, so the poller can tell it at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["OFFLINE_AFTER", "PollOutcome", "ProbeLiveness"]

PollOutcome = Literal["ok", "timeout", "crc_error", "exception", "bad_value", "disconnected"]
"""How one poll of a probe ended (:mod:`xdock.edge.devices.modbus_sensor` reports it, this module judges it)."""

OFFLINE_AFTER = 3
"""Polls in a row without an answer (timeouts, CRC errors) after which a probe is offline."""

_Effect = Literal["answered", "missed", "gone"]

_EFFECTS: dict[PollOutcome, _Effect] = {
    "ok": "answered", "exception": "answered", "bad_value": "answered",
    "timeout": "missed", "crc_error": "missed",
    "disconnected": "gone",
}


@dataclass
class ProbeLiveness:
    """One probe's online state; see the module docstring."""

    offline_after: int = OFFLINE_AFTER
    online: bool | None = field(default=None, init=False)
    """``None`` until the first poll."""
    missed: int = field(default=0, init=False)
    """Polls in a row that got no answer (a port gone included)."""

    def __post_init__(self) -> None:
        if self.offline_after < 1:
            raise ValueError(f"ProbeLiveness offline_after must be >= 1, got {self.offline_after}")

    def observe(self, outcome: PollOutcome) -> bool | None:
        """Take one poll's outcome; the new state if it changed, else ``None``."""
        effect = _EFFECTS[outcome]
        if effect == "answered":
            self.missed = 0
            state = True
        else:
            self.missed += 1
            if effect == "missed" and self.missed < self.offline_after:
                return None
            state = False
        if state == self.online:
            return None
        self.online = state
        return state
