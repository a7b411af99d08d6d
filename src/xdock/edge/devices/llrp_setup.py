"""What the edge asks of an LLRP portal reader, and the configuration exchange that asks it.

:class:`LlrpReaderConfig` names the reader and how the edge talks to it. :func:`setup_requests`
gives the requests a fresh connection sends, in order::

    SET_READER_CONFIG (KeepaliveSpec: periodic, silence_timeout_s / 3; only with a silence timeout)
      → DELETE_ROSPEC 0 (all) → ADD_ROSPEC → ENABLE_ROSPEC → START_ROSPEC

A reader's keepalives are off by default (LLRP 1.0.1, 12.2.3), so an edge that takes silence for a
dead link asks for them: a quiet but healthy reader then speaks several times per silence period.
:func:`check_answer` turns an answer that is not M_Success into a :class:`ReaderSessionError`
naming the reader, the request and the reader's LLRPStatus.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from xdock.edge.reader_clock import DEFAULT_TOLERANCE_S
from xdock.protocol import llrp
from xdock.protocol.llrp.rospec import SELECT_ANTENNA_ID, SELECT_FIRST_SEEN, SELECT_PEAK_RSSI

__all__ = [
    "KEEPALIVES_PER_SILENCE",
    "LlrpReaderConfig",
    "ReaderSessionError",
    "check_answer",
    "setup_requests",
]

KEEPALIVES_PER_SILENCE: Final = 3
"""Keepalives the reader is asked to send per silence period (so one lost keepalive is no drop)."""
_PERIODIC: Final = 1
_MAX_INTERVAL_MS: Final = 0xFFFFFFFF


class ReaderSessionError(Exception):
    """The reader refused the connection or a configuration step, or stopped answering."""


@dataclass(frozen=True)
class LlrpReaderConfig:
    """One portal reader and how the edge talks to it."""

    host: str
    """The reader's address."""
    port: int = llrp.LLRP_PORT
    """The reader's LLRP port (IANA's unless configured)."""
    rospec_id: int = 1
    """Id of the ROSpec the edge adds (every other ROSpec on the reader is deleted)."""
    antennas: tuple[int, ...] = (0,)
    """Antennas to inventory; (0,) means all."""
    response_timeout_s: float = 5.0
    """How long to wait for the connection notice and for each configuration answer."""
    silence_timeout_s: float | None = None
    """No frame for this long means the link is dead, and the driver reconnects; the reader is asked to
    send a keepalive every ``silence_timeout_s / KEEPALIVES_PER_SILENCE``. None asks for no keepalives
    and waits for the socket to tell."""
    reconnect_initial_s: float = 0.5
    """First back-off after a lost or failed connection."""
    reconnect_max_s: float = 30.0
    """Longest back-off; each failure doubles it up to this."""
    clock_tolerance_s: float = DEFAULT_TOLERANCE_S
    """A reader clock further than this from the edge's (estimated from each report) has its reads
    rebased onto the edge's clock."""

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("LlrpReaderConfig.host: expected an address, got an empty string")
        if not 1 <= self.port <= 65535:
            raise ValueError(f"LlrpReaderConfig.port: expected 1 to 65535, got {self.port}")
        if not 1 <= self.rospec_id <= 0xFFFFFFFF:
            raise ValueError(f"LlrpReaderConfig.rospec_id: expected 1 to 4294967295, got {self.rospec_id}")
        if not self.antennas or any(not 0 <= a <= 0xFFFF for a in self.antennas):
            raise ValueError(f"LlrpReaderConfig.antennas: expected ids 0 to 65535, got {self.antennas}")
        for name in ("response_timeout_s", "reconnect_initial_s", "reconnect_max_s"):
            value: float = getattr(self, name)
            if not value > 0:
                raise ValueError(f"LlrpReaderConfig.{name}: expected more than 0 s, got {value}")
        if not math.isfinite(self.clock_tolerance_s) or self.clock_tolerance_s < 0:
            raise ValueError(
                f"LlrpReaderConfig.clock_tolerance_s: expected a finite number of seconds >= 0, "
                f"got {self.clock_tolerance_s}"
            )
        silence = self.silence_timeout_s
        if silence is not None and not (math.isfinite(silence) and silence > 0):
            raise ValueError(f"LlrpReaderConfig.silence_timeout_s: expected a finite number of seconds > 0, "
                             f"got {silence}")
        if self.reconnect_max_s < self.reconnect_initial_s:
            raise ValueError(
                f"LlrpReaderConfig.reconnect_max_s: expected at least reconnect_initial_s "
                f"{self.reconnect_initial_s}, got {self.reconnect_max_s}"
            )

    @property
    def address(self) -> str:
        """``host:port``, as errors and logs name the reader."""
        return f"{self.host}:{self.port}"

    def rospec(self) -> llrp.ROSpec:
        """The ROSpec the edge adds: started by START_ROSPEC, runs until stopped, reports every tag read."""
        return llrp.ROSpec(
            self.rospec_id,
            ai_specs=(llrp.AISpec(antenna_ids=self.antennas),),
            report=llrp.ROReportSpec(trigger=1, n=1, content=SELECT_ANTENNA_ID | SELECT_PEAK_RSSI | SELECT_FIRST_SEEN),
        )

    def keepalive_spec(self) -> llrp.KeepaliveSpec | None:
        """The KeepaliveSpec the reader is asked to keep: periodic, a whole number of milliseconds (at least
        1) no longer than ``silence_timeout_s / KEEPALIVES_PER_SILENCE``; None without a silence timeout."""
        if self.silence_timeout_s is None:
            return None
        interval_ms = math.floor(self.silence_timeout_s * 1000 / KEEPALIVES_PER_SILENCE)
        return llrp.KeepaliveSpec(_PERIODIC, min(max(interval_ms, 1), _MAX_INTERVAL_MS))


def setup_requests(config: LlrpReaderConfig, message_id: Callable[[], int]) -> list[tuple[llrp.LlrpMessage, str]]:
    """The requests that configure a fresh connection, each with its name, in the order they are sent."""
    steps: list[tuple[llrp.LlrpMessage, str]] = []
    keepalive = config.keepalive_spec()
    if keepalive is not None:
        steps.append((llrp.SetReaderConfig(message_id(), keepalive=keepalive), "SET_READER_CONFIG"))
    steps += [
        (llrp.DeleteROSpec(message_id(), 0), "DELETE_ROSPEC"),
        (llrp.AddROSpec(message_id(), config.rospec()), "ADD_ROSPEC"),
        (llrp.EnableROSpec(message_id(), config.rospec_id), "ENABLE_ROSPEC"),
        (llrp.StartROSpec(message_id(), config.rospec_id), "START_ROSPEC"),
    ]
    return steps


def check_answer(config: LlrpReaderConfig, name: str, answer: llrp.LlrpMessage) -> None:
    """Raise :class:`ReaderSessionError` unless ``answer`` carries LLRPStatus M_Success (0)."""
    status = getattr(answer, "status", None)
    if not isinstance(status, llrp.LlrpStatus):
        raise ReaderSessionError(
            f"LLRP reader {config.address} answered {name} with {type(answer).__name__}, which has no LLRPStatus"
        )
    if status.code != 0:
        kind = "ERROR_MESSAGE" if isinstance(answer, llrp.ErrorMessage) else "status"
        raise ReaderSessionError(
            f"LLRP reader {config.address} refused {name}: {kind} {status.code} {status.description!r}"
        )
