"""Options and running shared by the ``xdock mock`` device commands: a run bound, checks naming the option."""

from __future__ import annotations

import argparse
import asyncio
import math
from collections.abc import Awaitable, Callable

from xdock.cli._common import run_until_stopped

__all__ = ["OptionError", "add_duration_option", "check_positive", "check_range", "run_for"]


class OptionError(ValueError):
    """A command-line option whose value cannot be used; the message names the option."""


def add_duration_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", type=float, metavar="SECONDS",
                        help="stop after this many seconds of wall time (default: run until Ctrl-C)")


def check_positive(option: str, value: float | None) -> None:
    """Refuse a value that is not a finite number above 0 (``None`` passes: the option was not given)."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise OptionError(f"{option} must be positive, got {value}")


def check_range(option: str, value: float, low: float, high: float) -> None:
    """Refuse a value outside ``low`` to ``high`` (inclusive)."""
    if not (math.isfinite(value) and low <= value <= high):
        raise OptionError(f"{option} must be {low:g} to {high:g}, got {value:g}")


def run_for(duration: float | None, main: Callable[[], Awaitable[int | None]]) -> int:
    """Run ``main`` until it returns, ``duration`` seconds pass, or SIGINT/SIGTERM arrives.

    The exit code is the one ``main`` returns (a failure it reported, e.g. a port it could not open), else 0.
    """
    code = 0

    async def bounded() -> None:
        nonlocal code
        scope = asyncio.timeout(duration)
        try:
            async with scope:
                code = await main() or 0
        except TimeoutError:
            if not scope.expired():
                raise

    return run_until_stopped(bounded()) or code
