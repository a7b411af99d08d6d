"""``--log-format`` on ``xdock central`` and ``xdock edge``, ``--metrics-port`` on ``xdock edge``: bad values
are refused naming the option."""

from __future__ import annotations

import pytest

from xdock.cli import main

EDGE = ["edge", "--site-id", "s", "--edge-id", "e", "--door", "D1", "--scanner", "s1=/dev/null"]


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        ([*EDGE, "--metrics-port", "70000"],
         "argument --metrics-port: invalid port '70000': expected 0 to 65535 (0: any free port)"),
        ([*EDGE, "--metrics-port", "-1"],
         "argument --metrics-port: invalid port '-1': expected 0 to 65535 (0: any free port)"),
        ([*EDGE, "--metrics-port", "http"],
         "argument --metrics-port: invalid port 'http': expected 0 to 65535 (0: any free port)"),
        ([*EDGE, "--log-format", "xml"],
         "argument --log-format: invalid choice: 'xml' (choose from 'text', 'json')"),
        (["central", "--site", "x.yaml", "--log-format", "yaml"],
         "argument --log-format: invalid choice: 'yaml' (choose from 'text', 'json')"),
    ],
)
def test_a_bad_value_is_refused_naming_the_option(
    argv: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(f"error: {error}")


@pytest.mark.parametrize("command", ["central", "edge"])
def test_central_and_edge_take_a_log_format(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "--log-format {text,json}" in out
    assert ("--metrics-port PORT" in out) is (command == "edge")
