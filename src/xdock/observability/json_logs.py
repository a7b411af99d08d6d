"""Log lines as JSON objects, one per line (``--log-format json``), for a log shipper to index.

Each line holds ``time`` (ISO 8601, UTC, milliseconds), ``level``, ``logger`` and ``message``, then
the ids a log call gave in its ``extra`` (:data:`IDS`: ``edge``, ``seq``, ``sscc``, ``trailer``,
``door``, ``device``), and ``exception`` (the traceback as one string) when there is one.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Literal

__all__ = ["IDS", "LOG_FORMATS", "JsonFormatter", "LogFormat", "configure_logging"]

IDS = ("edge", "seq", "sscc", "trailer", "door", "device")
"""The ids a log call may give in ``extra=``; each becomes a field of its JSON line."""

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
"""The text lines' layout (the default)."""


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in IDS:
            value = record.__dict__.get(key)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str, log_format: LogFormat) -> None:
    """Log at ``level`` and above on stderr, as text lines or JSON lines."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"Invalid log format {log_format!r}: expected one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
