from __future__ import annotations

import pytest

from xdock.cli import build_parser, main
from xdock.cli.edge_cmd import config_from

EDGE = ["edge", "--site-id", "s", "--edge-id", "e", "--door", "D12"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--reader", "10.0.0.7:5084"],
         "argument --reader: Invalid reader '10.0.0.7:5084': expected ID=HOST:PORT[@DOOR] (e.g. r1=10.0.0.7:5084@D12)"),
        (["--reader", "r1=h:5084", "--portal-antennas", "1,3"],
         "argument --portal-antennas: Invalid portal antennas '1,3': expected OUTSIDE/INSIDE, e.g. 1,3/2,4"),
        (["--reader", "r1=h:5084", "--portal-antennas", "1/x"],
         "argument --portal-antennas: Invalid portal antennas '1/x': expected OUTSIDE/INSIDE, e.g. 1,3/2,4"),
        (["--reader", "r1=h:5084", "--reader-clock-tolerance", "-1"],
         "argument --reader-clock-tolerance: Invalid reader clock tolerance '-1': expected seconds >= 0, e.g. 2"),
        (["--reader", "r1=h:5084", "--reader-clock-tolerance", "nan"],
         "argument --reader-clock-tolerance: Invalid reader clock tolerance 'nan': expected seconds >= 0, e.g. 2"),
        (["--reader", "r1=h:5084", "--reader-clock-tolerance", "2s"],
         "argument --reader-clock-tolerance: Invalid reader clock tolerance '2s': expected seconds >= 0, e.g. 2"),
        (["--reader", "r1=h:5084", "--reader-silence", "0.5"],
         "argument --reader-silence: Invalid reader silence '0.5': expected seconds >= 1, or 0 for no keepalives, "
         "e.g. 30"),
        (["--reader", "r1=h:5084", "--reader-silence", "inf"],
         "argument --reader-silence: Invalid reader silence 'inf': expected seconds >= 1, or 0 for no keepalives, "
         "e.g. 30"),
    ],
)
def test_edge_refuses_bad_reader_options(capsys: pytest.CaptureFixture[str], args: list[str], error: str) -> None:
    with pytest.raises(SystemExit) as done:
        main([*EDGE, *args])
    assert done.value.code == 2
    assert error in capsys.readouterr().err


def test_edge_needs_a_scanner_or_a_reader(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(EDGE) == 2
    assert "An edge needs at least one scanner (--scanner ID=PATH) or reader (--reader ID=HOST:PORT)" in (
        capsys.readouterr().err
    )


def test_edge_refuses_overlapping_portal_antennas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*EDGE, "--reader", "r1=h:5084", "--portal-antennas", "1,2/2"]) == 2
    assert "portal antennas: expected outside [1, 2] and inside [2] to be non-empty and apart" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(("args", "tolerance"), [([], 2.0), (["--reader-clock-tolerance", "0.5"], 0.5),
                                                 (["--reader-clock-tolerance", "0"], 0.0)])
def test_the_reader_clock_tolerance_reaches_the_edge_config(args: list[str], tolerance: float) -> None:
    parsed = build_parser().parse_args([*EDGE, "--reader", "r1=h:5084", *args])
    assert config_from(parsed).reader_clock_tolerance_s == tolerance


@pytest.mark.parametrize(("args", "silence"), [([], 30.0), (["--reader-silence", "12"], 12.0),
                                               (["--reader-silence", "0"], None)])
def test_the_reader_silence_reaches_the_edge_config_and_its_readers(args: list[str], silence: float | None) -> None:
    parsed = build_parser().parse_args([*EDGE, "--reader", "r1=h:5084", *args])
    config = config_from(parsed)
    assert config.reader_silence_s == silence
