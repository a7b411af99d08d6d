"""JSON log lines: one object per record, with the ids the log call gave and the exception as one string."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

import pytest

from xdock.observability.json_logs import JsonFormatter, configure_logging


def _fail() -> None:
    raise ValueError("disk full")


def record(message: str, *args: object, extra: dict[str, object] | None = None,
           exc: bool = False) -> logging.LogRecord:
    logger = logging.getLogger("xdock.central.site.scans")
    exc_info = None
    if exc:
        try:
            _fail()
        except ValueError:
            exc_info = sys.exc_info()
    made = logger.makeRecord(logger.name, logging.WARNING, __file__, 1, message, args, exc_info, extra=extra)
    made.created = datetime(2026, 11, 23, 8, tzinfo=UTC).timestamp() + 0.25
    return made


def test_a_line_holds_time_level_logger_message_and_the_ids_given() -> None:
    line = JsonFormatter().format(record(
        "scan %s/%d applied", "edge-d1", 7,
        extra={"edge": "edge-d1", "seq": 7, "sscc": "037613032200000014", "trailer": "T-LYON-1", "other": "x"},
    ))
    assert json.loads(line) == {
        "time": "2026-11-23T08:00:00.250+00:00", "level": "WARNING", "logger": "xdock.central.site.scans",
        "message": "scan edge-d1/7 applied", "edge": "edge-d1", "seq": 7, "sscc": "037613032200000014",
        "trailer": "T-LYON-1",
    }
    assert "\n" not in line


def test_an_exception_is_one_string_field() -> None:
    parsed = json.loads(JsonFormatter().format(record("cannot store %d scans", 3, exc=True)))
    assert parsed["message"] == "cannot store 3 scans"
    assert parsed["exception"].startswith("Traceback (most recent call last):\n")
    assert parsed["exception"].endswith("ValueError: disk full")
    assert "edge" not in parsed


def test_an_unknown_format_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"^Invalid log format 'xml': expected one of text, json$"):
        configure_logging("INFO", "xml")  # type: ignore[arg-type]
