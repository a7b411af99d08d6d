"""What one edge agent has done since it started: lines read, scans and passages recorded, answers shown."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EdgeStats"]


@dataclass
class EdgeStats:
    lines: int = 0
    published: int = 0
    """Scans recorded in the outbox (each goes to central)."""
    rejected_labels: int = 0
    rejected_lines: int = 0
    answers: int = 0
    not_recorded: int = 0
    offline_answers: int = 0
    confirmed_offline: int = 0
    """Central's answers that agreed with an offline answer (nothing shown)."""
    corrections: int = 0
    superseded: int = 0
    """Central's answers and corrections to a scan no longer the last on its scanner: not shown."""
    offline_reports: int = 0
    """Offline answers given after their scan left, reported to central once it answered the scan."""
    repeated_answers: int = 0
    """Central's answers to a ``seq`` already answered (or unknown to this edge): not shown."""
    passages: int = 0
    """RFID door passages recorded in the outbox (each goes to central)."""
    stops: int = 0
    """STOP feedback from central for a reader (a mis-load), shown on the door's scanners."""
