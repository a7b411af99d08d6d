from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from xdock.protocol.clock import ManualClock, ScaledClock
from xdock.protocol.display import assigned_text, clip


def test_assigned_text() -> None:
    dep = datetime(2026, 11, 23, 16, 40)
    assert assigned_text("D12", "Lyon", dep) == "→ D12  LYON  dep 16:40"
    assert assigned_text("D12", "Saint-Étienne-du-Rouvray", None) == "→ D12  SAINT-ÉTIENN"


def test_assigned_text_names_the_day_of_a_trailer_leaving_on_another_day() -> None:
    dep = datetime(2026, 11, 24, 6, 30)  # a Tuesday
    assert assigned_text("D12", "Lyon", dep, datetime(2026, 11, 24, 5, 0)) == "→ D12  LYON  dep 06:30"
    assert assigned_text("D12", "Lyon", dep, datetime(2026, 11, 23, 22, 15)) == "→ D12  LYON  dep Tue 06:30"


def test_clip_keeps_one_line_of_64() -> None:
    assert clip("a\r\nb\tc") == "a b c"
    assert clip("x" * 70) == "x" * 63 + "…"
    assert len(clip("y" * 200)) == 64


async def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    await clock.sleep(90)
    assert clock.now() == datetime(2026, 1, 1, 0, 1, 30, tzinfo=UTC)


def test_scaled_clock_runs_faster() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    clock = ScaledClock(start, speed=3600)
    assert start <= clock.now() < start + timedelta(hours=1)
    with pytest.raises(ValueError, match="ScaledClock speed must be positive, got 0"):
        ScaledClock(start, speed=0)
    with pytest.raises(ValueError, match="ScaledClock start must be timezone-aware"):
        ScaledClock(datetime(2026, 1, 1), speed=1)
