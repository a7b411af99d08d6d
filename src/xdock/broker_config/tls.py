"""The broker's TLS listener as ``xdock broker-config --tls`` sets it up: where it listens, for which hosts, how long.

Every client of this listener shows a certificate of the site's CA (``require_certificate``), and its
common name is its log-in (``use_identity_as_username``): no password on this listener, and the
site's ACL applies to the CN as to a user name. The certificates sit in ``tls/`` of the output folder:

| file | what | mode |
|---|---|---|
| ``tls/ca.pem`` | the site CA's certificate (every client's ``--broker-ca``) | 0644 |
| ``tls/ca.key`` | its key (not written when the CA is given: it stays where it is) | 0600 |
| ``tls/broker.pem``, ``tls/broker.key`` | the broker's certificate and key (not written when given) | 0644, 0600 |
| ``tls/clients/USER.pem``, ``USER.key`` | each user's certificate (CN = USER) and key | 0644, 0600 |
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_HOSTS", "TlsListener", "TlsSettings"]

DEFAULT_HOSTS = ("127.0.0.1", "localhost")
_MAX_DAYS = 36500
_DNS_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")


def _is_host(host: str) -> bool:
    """Whether ``host`` is an IP address or a DNS name (labels of letters, digits and inner hyphens)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return len(host) <= 253 and _DNS_NAME.fullmatch(host) is not None
    return True


@dataclass(frozen=True)
class TlsSettings:
    """The TLS listener and the certificates made for it; every error names the command's option."""

    port: int = 8883
    """The TLS listener's port (``--tls-port``)."""
    bind: str = "127.0.0.1"
    """The address it listens on (``--tls-bind``; ``0.0.0.0`` for edges on the dock network)."""
    hosts: tuple[str, ...] = DEFAULT_HOSTS
    """Host names and IP addresses clients reach the broker by, in its certificate (``--tls-host``)."""
    days: int = 825
    """How long the broker's and the users' certificates made by this run are valid (``--tls-days``)."""
    ca_days: int = 3650
    """How long a CA made by this run is valid (``--tls-ca-days``)."""
    ca: tuple[Path, Path] | None = None
    """An existing CA (certificate, key) that signs the certificates (``--tls-ca-cert``, ``--tls-ca-key``)."""
    server: tuple[Path, Path] | None = None
    """The broker's existing certificate and key, used as given (``--tls-server-cert``, ``--tls-server-key``)."""

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ValueError(f"Invalid --tls-port {self.port}: expected 1-65535")
        if not self.bind or any(c.isspace() for c in self.bind):
            raise ValueError(f"Invalid --tls-bind {self.bind!r}: expected an address without spaces")
        if not self.hosts:
            raise ValueError("Invalid --tls-host: expected at least one host name or IP address")
        for host in self.hosts:
            if not _is_host(host):
                raise ValueError(f"Invalid --tls-host {host!r}: expected a host name or an IP address")
        for option, days in (("--tls-days", self.days), ("--tls-ca-days", self.ca_days)):
            if not 1 <= days <= _MAX_DAYS:
                raise ValueError(f"Invalid {option} {days}: expected 1-{_MAX_DAYS} days")


@dataclass(frozen=True)
class TlsListener:
    """What ``mosquitto.conf`` says about the TLS listener."""

    port: int
    bind: str
    cafile: Path
    certfile: Path
    keyfile: Path
