from __future__ import annotations

import re

import pytest

from xdock.edge.portals import PortalReader


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
