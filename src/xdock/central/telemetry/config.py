"""Typed telemetry configuration, validated once at start.

The token is never taken from the command line: it comes from a file (``token_file``) or from an
environment variable (``XDOCK_TELEMETRY_TOKEN`` by default). Every refusal names the field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["TOKEN_ENV", "TelemetryConfig", "TelemetryConfigError"]

TOKEN_ENV = "XDOCK_TELEMETRY_TOKEN"  # noqa: S105 - the variable's name, not a token


class TelemetryConfigError(ValueError):
    """A telemetry setting that cannot be used; the message starts with the field's name."""


@dataclass(frozen=True)
class TelemetryConfig:
    """Where and how central writes telemetry (InfluxDB v2 write API)."""

    url: str
    """Base URL of the server, ``http(s)://host[:port]`` (``/api/v2/write`` is appended by the client)."""
    org: str
    """InfluxDB organisation."""
    bucket: str
    """InfluxDB bucket the points go to."""
    token: str
    """API token (from ``token_file`` or the environment, never from the command line)."""
    batch_size: int = 500
    """Points per write request at most."""
    flush_interval_s: float = 1.0
    """A partial batch is written at the latest this long after its first point arrived."""
    buffer_limit: int = 100_000
    """Points kept while the server is away; beyond it the oldest are dropped (counted, logged)."""
    retry_initial_s: float = 0.5
    """First back-off after a failed write; doubled after each further failure."""
    retry_max_s: float = 30.0
    """Longest back-off between two attempts."""
    timeout_s: float = 10.0
    """HTTP timeout of one write request."""

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TelemetryConfigError(f"telemetry.url: expected http(s)://host[:port], got {self.url!r}")
        for name in ("org", "bucket", "token"):
            if not getattr(self, name):
                raise TelemetryConfigError(f"telemetry.{name}: must not be empty")
        for name in ("batch_size", "buffer_limit"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise TelemetryConfigError(f"telemetry.{name}: expected a positive integer, got {value!r}")
        if self.buffer_limit < self.batch_size:
            raise TelemetryConfigError(
                f"telemetry.buffer_limit: must be at least batch_size ({self.batch_size}), got {self.buffer_limit}"
            )
        for name in ("flush_interval_s", "retry_initial_s", "retry_max_s", "timeout_s"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise TelemetryConfigError(f"telemetry.{name}: expected a positive number of seconds, got {value!r}")
        if self.retry_max_s < self.retry_initial_s:
            raise TelemetryConfigError(
                f"telemetry.retry_max_s: must be at least retry_initial_s ({self.retry_initial_s}), "
                f"got {self.retry_max_s}"
            )

    def __repr__(self) -> str:
        return f"TelemetryConfig(url={self.url!r}, org={self.org!r}, bucket={self.bucket!r}, token=<hidden>)"

    @classmethod
    def load(
        cls,
        *,
        url: str,
        org: str,
        bucket: str,
        token_file: Path | None = None,
        environ: Mapping[str, str] | None = None,
        token_env: str = TOKEN_ENV,
    ) -> TelemetryConfig:
        """Build the config (default tuning), reading the token from ``token_file`` or else ``environ[token_env]``.

        Tune the rest with ``dataclasses.replace``.
        """
        env = os.environ if environ is None else environ
        if token_file is not None:
            try:
                token = token_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise TelemetryConfigError(
                    f"telemetry.token_file: cannot read {str(token_file)!r}: {exc.strerror}"
                ) from exc
            if not token:
                raise TelemetryConfigError(f"telemetry.token_file: {str(token_file)!r} is empty")
        else:
            token = env.get(token_env, "")
            if not token:
                raise TelemetryConfigError(f"telemetry.token: give token_file or set ${token_env}")
        return cls(url=url, org=org, bucket=bucket, token=token)
