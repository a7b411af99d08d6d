"""``xdock optimise cdap``: one JSON object on stdout, errors on stderr with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from xdock.cdap.cli import main
from xdock.cdap.instance import CdapInstance
from xdock.cdap.solution import objective

TINY = "2 2 2 2\n3 1\n0 2\n1 4\n2 1\n4 2\n5 5\n3 3\n4 4\n"


def test_prints_one_json_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY, encoding="utf-8")
    assert main([str(path), "--time-limit", "10", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    report = json.loads(out)
    assert set(report) == {"objective", "inbound_doors", "outbound_doors", "seconds", "status"}
    instance = CdapInstance.parse(TINY)
    # Each side needs both doors. Of the four layouts, inbound (1, 0) with outbound (1, 0) is cheapest:
    # 3*d[1][1] + 1*d[1][0] + 0*d[0][1] + 2*d[0][0] = 3 + 2 + 0 + 2 = 7
    recomputed = objective(
        instance, *(np.asarray(report[key], dtype=np.int64) for key in ("inbound_doors", "outbound_doors"))
    )
    assert report["objective"] == recomputed == 7
    assert (report["inbound_doors"], report["outbound_doors"], report["status"]) == ([1, 0], [1, 0], "optimal")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.txt"
    assert main([str(missing), "--time-limit", "1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"xdock optimise cdap: no such file: {missing}\n"


def test_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("2 2 2 2\n3 1\n", encoding="utf-8")
    assert main([str(path), "--time-limit", "1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "xdock optimise cdap: Invalid CDAP instance 'bad': too few numbers: expected 20 for M=2 I=2 J=2 N=2, "
        "got 6 (field w (flows) is incomplete)\n"
    )


def test_bad_time_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY, encoding="utf-8")
    assert main([str(path), "--time-limit", "0"]) == 2
    assert capsys.readouterr().err == "xdock optimise cdap: --time-limit expected > 0, got 0.0\n"
