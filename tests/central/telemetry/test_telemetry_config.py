"""Telemetry configuration: the token from a file or the environment, refusals naming the field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from xdock.central.telemetry import TOKEN_ENV, TelemetryConfig, TelemetryConfigError

URL = "http://127.0.0.1:8086"


def test_token_from_a_file_wins_and_is_stripped(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    config = TelemetryConfig.load(
        url=URL, org="xdock", bucket="tele", token_file=token_file, environ={TOKEN_ENV: "other"}
    )
    assert (config.url, config.org, config.bucket, config.token) == (URL, "xdock", "tele", "s3cret")
    assert "s3cret" not in repr(config)


def test_token_from_the_environment() -> None:
    assert TelemetryConfig.load(url=URL, org="o", bucket="b", environ={TOKEN_ENV: "t0k"}).token == "t0k"


def test_missing_token_names_the_variable() -> None:
    with pytest.raises(TelemetryConfigError) as err:
        TelemetryConfig.load(url=URL, org="o", bucket="b", environ={})
    assert str(err.value) == f"telemetry.token: give token_file or set ${TOKEN_ENV}"


def test_unreadable_and_empty_token_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(TelemetryConfigError) as err:
        TelemetryConfig.load(url=URL, org="o", bucket="b", token_file=missing, environ={})
    assert str(err.value) == f"telemetry.token_file: cannot read '{missing}': No such file or directory"
    empty = tmp_path / "empty"
    empty.write_text(" \n")
    with pytest.raises(TelemetryConfigError) as err:
        TelemetryConfig.load(url=URL, org="o", bucket="b", token_file=empty, environ={})
    assert str(err.value) == f"telemetry.token_file: '{empty}' is empty"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": "ftp://x"}, "telemetry.url: expected http(s)://host[:port], got 'ftp://x'"),
        ({"url": "http://"}, "telemetry.url: expected http(s)://host[:port], got 'http://'"),
        ({"org": ""}, "telemetry.org: must not be empty"),
        ({"bucket": ""}, "telemetry.bucket: must not be empty"),
        ({"batch_size": 0}, "telemetry.batch_size: expected a positive integer, got 0"),
        ({"buffer_limit": 1.5}, "telemetry.buffer_limit: expected a positive integer, got 1.5"),
        ({"buffer_limit": 10}, "telemetry.buffer_limit: must be at least batch_size (500), got 10"),
        ({"flush_interval_s": 0}, "telemetry.flush_interval_s: expected a positive number of seconds, got 0"),
        ({"retry_max_s": 0.1}, "telemetry.retry_max_s: must be at least retry_initial_s (0.5), got 0.1"),
    ],
)
def test_bad_settings_name_the_field(change: dict[str, object], message: str) -> None:
    base = TelemetryConfig(url=URL, org="o", bucket="b", token="t")
    with pytest.raises(TelemetryConfigError) as err:
        dataclasses.replace(base, **change)  # type: ignore[arg-type]
    assert str(err.value) == message
