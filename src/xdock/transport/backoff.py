"""How long a reconnect loop waits before its next attempt, and which attempts it tells the operator about.

:class:`BackoffPolicy` is xdock's one retry schedule; besides both MQTT reconnect loops
(:mod:`xdock.transport.reconnect`), the edge's refused-scan retries, the serial scanner's and the
LLRP reader's re-opens and the telemetry writer's retries all wait by it.

Both ends retry a broker that is down or that nobody listens on with one bounded exponential
back-off: ``first`` seconds after the first failure, doubling, never more than ``cap``. The cap
is what a worker pays after the broker returns (central answers again at most ``cap`` seconds
after it is back), so it stays small; the log is what grows with a long outage, so not every
attempt is logged: the first failure, then attempts 2, 4, 8, 16… (one line each, naming the
attempt and how long the broker has been away), and one line when the link is back.

A broker that refuses the log-in (CONNACK: bad user name or password, or not authorised) is not an
outage: those lines then say so, naming the user and where the password comes from. The loops keep
retrying all the same, since an operator may fix the broker's password file meanwhile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiomqtt.exceptions import MqttConnectError
from paho.mqtt.reasoncodes import ReasonCode

__all__ = ["Backoff", "BackoffPolicy", "login_refusal"]

_LOGIN_REFUSALS = {0x86: "bad user name or password", 0x87: "not authorized"}
"""MQTT 5 CONNACK reason codes that refuse the log-in (the client's credentials), and what they mean."""
_LOGIN_REFUSALS_311 = {4: _LOGIN_REFUSALS[0x86], 5: _LOGIN_REFUSALS[0x87]}
"""The same, as MQTT 3.1.1 CONNACK return codes."""
_CREDENTIALS_HINT = "check --broker-password-file or $XDOCK_BROKER_PASSWORD"


def login_refusal(cause: BaseException | None) -> str | None:
    """Why the broker refused the log-in, when ``cause`` is such a CONNACK refusal; else ``None``."""
    if not isinstance(cause, MqttConnectError):
        return None
    if isinstance(cause.rc, ReasonCode):
        return _LOGIN_REFUSALS.get(cause.rc.value)
    return None if cause.rc is None else _LOGIN_REFUSALS_311.get(cause.rc)


@dataclass(frozen=True)
class BackoffPolicy:
    """The waits between connection attempts."""

    first: float = 0.5
    """Seconds before the first retry."""
    cap: float = 2.0
    """Longest wait between two attempts, in seconds."""

    def __post_init__(self) -> None:
        if not 0 < self.first <= self.cap:
            raise ValueError(f"Invalid back-off: expected 0 < first <= cap, got first={self.first}, cap={self.cap}")

    def wait(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failures in a row (at least 1): ``first``, doubling, at most ``cap``."""
        if failures < 1:
            raise ValueError(f"Invalid failure count: expected at least 1, got {failures}")
        return min(self.cap, self.first * 2.0 ** min(failures - 1, 62))


@dataclass
class Backoff:
    """The failed attempts since the link was last up, and the wait before the next one."""

    policy: BackoffPolicy = field(default_factory=BackoffPolicy)
    failures: int = 0
    """Attempts (or sessions) that failed in a row."""
    away_s: float = 0.0
    """Seconds waited since the link was last up (the sum of the waits)."""

    def failed(self) -> float:
        """Count a failed attempt; the seconds to wait before the next one."""
        self.failures += 1
        delay = self.policy.wait(self.failures)
        self.away_s += delay
        return delay

    def succeeded(self) -> int:
        """The link is up: start afresh; how many attempts had failed before."""
        failures, self.failures, self.away_s = self.failures, 0, 0.0
        return failures

    @property
    def worth_logging(self) -> bool:
        """Whether the latest failure is one to log: the first, then the 2nd, 4th, 8th…"""
        return self.failures > 0 and self.failures & (self.failures - 1) == 0

    def log_failure(
        self, log: logging.Logger, what: str, cause: BaseException | None, delay: float, *, user: str | None = None
    ) -> None:
        """One warning for the latest failure of ``what`` (e.g. ``"edge e1: broker mqtt://…"``), if worth it;
        ``user``: the user name the client logs in with (named when the broker refuses the log-in)."""
        if not self.worth_logging:
            return
        refusal = login_refusal(cause)
        if refusal is not None:
            whom = "an anonymous client" if user is None else f"user {user}"
            if self.failures == 1:
                log.warning("%s refused the log-in of %s: %s (%s); retrying in %.1f s",
                            what, whom, refusal, _CREDENTIALS_HINT, delay)
            else:
                log.warning("%s still refuses the log-in of %s: %s (%s): attempt %d failed, %.1f s so far; "
                            "retrying every %.1f s at most",
                            what, whom, refusal, _CREDENTIALS_HINT, self.failures, self.away_s - delay, self.policy.cap)
        elif self.failures == 1:
            log.warning("%s unreachable or lost (%s); retrying in %.1f s", what, cause, delay)
        else:
            log.warning("%s still unreachable (%s): attempt %d failed, %.1f s so far; retrying every %.1f s at most",
                        what, cause, self.failures, self.away_s - delay, self.policy.cap)
