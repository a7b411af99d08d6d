"""The ROSpec lifecycle a reader keeps, as a table: (state, command) → next state.

::

    ADD_ROSPEC      (new)     → disabled     the ROSpec must arrive disabled, with an unused non-zero id
    ENABLE_ROSPEC   disabled  → inactive     (→ active at once when its start trigger is immediate)
    START_ROSPEC    inactive  → active
    STOP_ROSPEC     active    → inactive
    DISABLE_ROSPEC  inactive, active → disabled
    DELETE_ROSPEC   any       → (removed)
    duration stop   active    → inactive     after the stop trigger's duration

ENABLE, START, STOP, DISABLE and DELETE with ROSpecID 0 apply to every ROSpec the command fits. Anything
else is refused with an LLRPStatus naming the ROSpec and its state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from xdock.protocol.llrp import LlrpStatus, ROSpec
from xdock.protocol.llrp.rospec import START_IMMEDIATE

__all__ = ["ACTIVE", "DISABLED", "INACTIVE", "ROSpecTable", "RunningROSpec"]

DISABLED: Final = 0
INACTIVE: Final = 1
ACTIVE: Final = 2
STATE_NAMES: Final = {DISABLED: "disabled", INACTIVE: "inactive", ACTIVE: "active"}
M_FIELD_ERROR: Final = 101
# command → (the states it applies to, the state it leads to)
TRANSITIONS: Final[dict[str, tuple[frozenset[int], int]]] = {
    "enable": (frozenset({DISABLED}), INACTIVE),
    "start": (frozenset({INACTIVE}), ACTIVE),
    "stop": (frozenset({ACTIVE}), INACTIVE),
    "disable": (frozenset({INACTIVE, ACTIVE}), DISABLED),
}


@dataclass
class RunningROSpec:
    """An added ROSpec, its state and when it last became active."""

    spec: ROSpec
    state: int = DISABLED
    started_at: datetime | None = None


class ROSpecTable:
    """The ROSpecs of one reader."""

    def __init__(self) -> None:
        self.rospecs: dict[int, RunningROSpec] = {}

    def active(self) -> list[RunningROSpec]:
        """The ROSpecs currently running, by id."""
        return [r for _, r in sorted(self.rospecs.items()) if r.state == ACTIVE]

    def add(self, spec: ROSpec) -> LlrpStatus:
        """ADD_ROSPEC."""
        if spec.rospec_id == 0:
            return LlrpStatus(M_FIELD_ERROR, "ROSpecID 0 is reserved")
        if spec.rospec_id in self.rospecs:
            return LlrpStatus(M_FIELD_ERROR, f"ROSpec {spec.rospec_id} already exists")
        if spec.current_state != DISABLED:
            return LlrpStatus(M_FIELD_ERROR, f"ROSpec {spec.rospec_id} CurrentState {spec.current_state}: expected 0")
        self.rospecs[spec.rospec_id] = RunningROSpec(spec)
        return LlrpStatus()

    def apply(self, command: str, rospec_id: int, now: datetime) -> LlrpStatus:
        """ENABLE, START, STOP or DISABLE one ROSpec (or all that fit, for id 0)."""
        allowed, target = TRANSITIONS[command]
        if rospec_id == 0:
            for each in self.rospecs.values():
                if each.state in allowed:
                    self._enter(each, target, now)
            return LlrpStatus()
        found = self.rospecs.get(rospec_id)
        if found is None:
            return LlrpStatus(M_FIELD_ERROR, f"ROSpec {rospec_id} is not defined")
        if found.state not in allowed:
            return LlrpStatus(M_FIELD_ERROR, f"ROSpec {rospec_id} is {STATE_NAMES[found.state]}: cannot {command} it")
        self._enter(found, target, now)
        return LlrpStatus()

    def delete(self, rospec_id: int) -> LlrpStatus:
        """DELETE_ROSPEC."""
        if rospec_id == 0:
            self.rospecs.clear()
        elif self.rospecs.pop(rospec_id, None) is None:
            return LlrpStatus(M_FIELD_ERROR, f"ROSpec {rospec_id} is not defined")
        return LlrpStatus()

    def stop_expired(self, now: datetime) -> None:
        """Stop active ROSpecs whose duration stop trigger has passed."""
        for running in self.active():
            spec, started = running.spec, running.started_at
            if spec.stop_trigger == 1 and started is not None and (now - started) >= _ms(spec.stop_duration_ms):
                running.state = INACTIVE

    @staticmethod
    def _enter(running: RunningROSpec, target: int, now: datetime) -> None:
        if target == INACTIVE and running.state == DISABLED and running.spec.start_trigger == START_IMMEDIATE:
            target = ACTIVE
        if target == ACTIVE:
            running.started_at = now
        running.state = target


def _ms(milliseconds: int) -> timedelta:
    return timedelta(milliseconds=milliseconds)
