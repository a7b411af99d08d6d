from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from xdock.edge.portal import Passage
from xdock.edge.portal_config import PortalConfig
from xdock.edge.portals import PortalReader, PortalRunner
from xdock.protocol.clock import ManualClock


def test_reader_spec() -> None:
    assert PortalReader.parse("r1=10.0.0.7:5084@D12") == PortalReader("r1", "10.0.0.7", 5084, "D12")
    assert PortalReader.parse("r2=127.0.0.1:15084") == PortalReader("r2", "127.0.0.1", 15084, None)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("10.0.0.7:5084", "Invalid reader '10.0.0.7:5084': expected ID=HOST:PORT[@DOOR] (e.g. r1=10.0.0.7:5084@D12)"),
        ("r1=10.0.0.7", "Invalid reader 'r1=10.0.0.7': expected ID=HOST:PORT[@DOOR] (e.g. r1=10.0.0.7:5084@D12)"),
        ("r1=host:x", "Invalid reader 'r1=host:x': port 'x' is not a number"),
        ("r1=host:70000", "Reader 'r1': port 70000 is outside 1 to 65535"),
        ("r/1=host:5084", "Invalid reader device id 'r/1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        ("r1=host:5084@D 1", "Invalid reader door id 'D 1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
    ],
)
def test_bad_reader_spec_names_the_problem(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        PortalReader.parse(spec)
    assert str(err.value) == message


@pytest.mark.parametrize("silence", [30.0, None])
def test_a_portal_asks_its_reader_for_keepalives_per_the_silence_setting(silence: float | None) -> None:
    runner = PortalRunner(
        PortalReader("r1", "127.0.0.1", 5084, "D12"), PortalConfig("D12", frozenset({1}), frozenset({2})),
        ManualClock(datetime(2026, 11, 29, 6, 0, tzinfo=UTC)), _no_passage, silence_timeout_s=silence,
    )
    assert runner.driver.config.silence_timeout_s == silence
    spec = runner.driver.config.keepalive_spec()
    assert (spec.interval_ms if spec else None) == (10_000 if silence else None)


async def _no_passage(passage: Passage) -> None:
    raise AssertionError(f"no passage expected, got {passage}")
