"""The demo's log while the live screen runs: every record to a file, the last warnings to the screen.

A full-screen frame redrawn in place is garbled by log lines written to the terminal between two
redraws (a mis-load, a sensor alert, a lost device). For the length of :func:`logging_to_file`:

* the root logger's handlers are replaced by one writing to the log file (format of ``xdock``'s
  command line: time, level, logger, message) and by an :class:`EventHandler` that keeps each
  warning or error as a :class:`DemoEvent` (site time, first line of the message) for the frame's
  Events box;
* ``sys.stderr`` is the log file too, so a library that writes there directly (or sets up its own
  handler on it while the demo runs, as the embedded web server does) does not reach the terminal.

On leaving, the root handlers come back, and a handler that was set up on the log file while it
was ``sys.stderr`` is pointed at the real ``sys.stderr``: nothing writes to the closed file later.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator, MutableSequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, TextIO

from xdock.protocol.clock import Clock

__all__ = ["LOG_FORMAT", "DemoEvent", "EventHandler", "logging_to_file"]

LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
"""The format of the log file's lines (as ``xdock``'s command line prints them)."""


@dataclass(frozen=True)
class DemoEvent:
    """A warning or an error of the demo, as the Events box shows it."""

    at: datetime
    """Site time when it was logged."""
    text: str
    """The message's first line; ``ERROR: ...`` (or the level's name) above warnings."""


class EventHandler(logging.Handler):
    """Keeps each record of ``level`` or above as a :class:`DemoEvent` in ``events`` (a bounded deque)."""

    def __init__(self, clock: Clock, events: MutableSequence[DemoEvent], level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.clock = clock
        self.events = events

    def emit(self, record: logging.LogRecord) -> None:
        try:
            first = (record.getMessage().splitlines() or [""])[0]
            text = first if record.levelno < logging.ERROR else f"{record.levelname}: {first}"
            self.events.append(DemoEvent(self.clock.now(), text))
        except Exception:  # noqa: BLE001 - logging's own contract: a handler reports, never raises
            self.handleError(record)


def _rebind(stream: TextIO, to: TextIO) -> None:
    loggers = [logging.getLogger(), *(v for v in logging.Logger.manager.loggerDict.values()
                                      if isinstance(v, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is stream:
                handler.setStream(to)


@contextlib.contextmanager
def logging_to_file(path: Path, events: EventHandler) -> Iterator[Path]:
    """Route all logging (and ``sys.stderr``) to ``path`` (appended) and warnings to ``events`` for the block."""
    root = logging.getLogger()
    saved = root.handlers[:]
    real_stderr = sys.stderr
    with path.open("a", encoding="utf-8", buffering=1) as stream:
        to_file = logging.StreamHandler(stream)
        to_file.setFormatter(logging.Formatter(LOG_FORMAT))
        root.handlers = [to_file, events]
        try:
            with contextlib.redirect_stderr(stream):
                yield path
        finally:
            root.handlers = saved
            _rebind(stream, real_stderr)
