"""Broker addresses as operators write them: ``mqtt://host:port`` (``mqtts://`` for TLS)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

__all__ = ["BrokerUrl"]


@dataclass(frozen=True)
class BrokerUrl:
    """Where the MQTT broker is, and how to log in."""

    host: str
    port: int = 1883
    tls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> BrokerUrl:
        """Parse ``mqtt://[user[:password]@]host[:port]``; raise ``ValueError`` naming the problem."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp"):
            raise ValueError(f"Invalid broker URL {url!r}: expected scheme mqtt:// or mqtts://, got {parts.scheme!r}")
        if not parts.hostname:
            raise ValueError(f"Invalid broker URL {url!r}: no host")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"Invalid broker URL {url!r}: expected no path or query after host:port")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"Invalid broker URL {url!r}: port must be 1-65535") from exc
        tls = parts.scheme == "mqtts"
        return cls(
            host=parts.hostname,
            port=port or (8883 if tls else 1883),
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def __str__(self) -> str:
        scheme = "mqtts" if self.tls else "mqtt"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"
