"""``xdock broker-config``: what it prints (never a password), what it refuses, and a second run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xdock.cli import main


def run(out: Path, *extra: str) -> int:
    return main(["broker-config", "--site", "lyon-nord", "--edge", "edge-D1", "--out", str(out), *extra])


def test_prints_who_got_a_password_and_how_to_start_never_a_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "broker"
    assert run(out, "--edge", "edge-D2", "--sensor-node", "logger-T2", "--port", "1884") == 0
    printed = capsys.readouterr().out
    assert printed == (
        f"xdock broker-config: site lyon-nord, 4 users in {out}\n"
        "  new password: central, edge-D1, edge-D2, logger-T2\n"
        f"  start the broker with: mosquitto -c {out}/mosquitto.conf\n"
    )
    credentials = json.loads((out / "credentials.json").read_text())
    assert not any(password in printed for password in credentials.values())
    assert "listener 1884 127.0.0.1\n" in (out / "mosquitto.conf").read_text()


def test_a_second_run_says_which_passwords_it_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path) == 0
    capsys.readouterr()
    assert run(tmp_path, "--edge", "edge-D2") == 0
    assert capsys.readouterr().out.splitlines()[1:3] == ["  new password: edge-D2", "  password kept: central, edge-D1"]


@pytest.mark.parametrize(("extra", "message"), [
    (["--edge", "edge/D2"], "Invalid edge id 'edge/D2': expected 1-64 characters of A-Z a-z 0-9 _ -"),
    (["--sensor-node", "edge-D1"], "Invalid sensor node id 'edge-D1': already taken by the edge id 'edge-D1'"),
    (["--port", "70000"], "Invalid port 70000: expected 1-65535"),
])
def test_bad_input_is_refused_naming_it_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert run(tmp_path / "broker", *extra) == 2
    assert capsys.readouterr().err == f"xdock: error: {message}\n"
    assert not (tmp_path / "broker").exists()


def test_a_foreign_out_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mosquitto.db").write_bytes(b"")
    assert run(tmp_path) == 2
    assert capsys.readouterr().err.startswith(f"xdock: error: Invalid --out {tmp_path}: holds mosquitto.db;")


def test_at_least_one_edge_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["broker-config", "--site", "s1", "--out", "x"])
    assert "the following arguments are required: --edge" in capsys.readouterr().err
