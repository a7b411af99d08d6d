"""Limits of central's HTTP API that the command line sets before the web stack is loaded."""

from __future__ import annotations

from typing import Final

__all__ = ["DEFAULT_MAX_BODY_BYTES"]

DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
"""The largest request body central's API reads, unless configured otherwise (1 MiB)."""
