"""The live demo's log: every record to the work folder's file, the last warnings to the Events box, none to stderr."""

from __future__ import annotations

import logging
import re
import sys
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

import pytest

from xdock.demo.logs import DemoEvent, EventHandler, logging_to_file
from xdock.protocol.clock import ManualClock

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\w+ [\w.]+: .*)$")


def _record(level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("xdock.central.alerts.book", level, __file__, 1, msg, args, None)


def test_warnings_and_errors_become_events_at_site_time_first_line_only() -> None:
    clock = ManualClock(T0)
    events: deque[DemoEvent] = deque(maxlen=2)
    handler = EventHandler(clock, events)
    for level, msg in ((logging.INFO, "alert 1 cleared"), (logging.WARNING, "alert %d raised: %s"),
                       (logging.ERROR, "cannot store 3 scans\nTraceback ..."), (logging.WARNING, "")):
        record = _record(level, msg, 2, "door D13 open") if "%" in msg else _record(level, msg)
        if record.levelno >= handler.level:
            handler.handle(record)
        clock.advance(61)
    assert list(events) == [
        DemoEvent(datetime(2026, 11, 23, 7, 2, 2, tzinfo=UTC), "ERROR: cannot store 3 scans"),
        DemoEvent(datetime(2026, 11, 23, 7, 3, 3, tzinfo=UTC), ""),
    ]


def test_while_live_all_logging_goes_to_the_file_and_no_line_to_stderr(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    cli_handler = logging.StreamHandler(sys.stderr)  # what ``xdock``'s logging.basicConfig puts on the root
    root.addHandler(cli_handler)
    before = root.handlers[:]
    events: deque[DemoEvent] = deque(maxlen=5)
    late = logging.getLogger("xdock.demo.test.own")
    try:
        with logging_to_file(tmp_path / "demo.log", EventHandler(ManualClock(T0), events)) as path:
            logging.getLogger("xdock.demo.test").warning("misload: %s at %s", "376141410000000018", "D13")
            logging.getLogger("xdock.demo.test").info("pallet received")  # below the root's WARNING: nowhere
            print("a library writing to stderr", file=sys.stderr)
            own = logging.StreamHandler(sys.stderr)  # a library setting up its own handler meanwhile
            late.addHandler(own)
            late.propagate = False
            late.error("own handler")
        assert root.handlers == before
        assert own.stream is sys.stderr
        text = path.read_text(encoding="utf-8").splitlines()
        assert [m.group(1) if (m := LINE.match(line)) else line for line in text] == [
            "WARNING xdock.demo.test: misload: 376141410000000018 at D13",
            "a library writing to stderr",
            "own handler",
        ]
        assert list(events) == [DemoEvent(T0, "misload: 376141410000000018 at D13")]
        assert capfd.readouterr().err == ""
        logging.getLogger("xdock.demo.test").warning("after the demo")
        assert capfd.readouterr().err == "after the demo\n"
    finally:
        late.handlers.clear()
        late.propagate = True
        root.removeHandler(cli_handler)
