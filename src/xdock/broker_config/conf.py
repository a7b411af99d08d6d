"""``mosquitto.conf`` for one site: log-in required, the generated ACL, persistence, and central's payload limit.

With TLS, a second listener takes only clients showing a certificate of the site's CA, each logged in
as its certificate's common name (Mosquitto then reads no password for it); the ACL is the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xdock.broker_config.tls import TlsListener
from xdock.protocol.messages import MAX_PAYLOAD

__all__ = ["BrokerSettings", "render_conf"]


@dataclass(frozen=True)
class BrokerSettings:
    """Where and how the broker runs."""

    port: int = 1883
    """The plain MQTT listener's port."""
    bind: str = "127.0.0.1"
    """The address it listens on (``0.0.0.0``: every interface)."""
    persistence_dir: Path = Path("/var/lib/mosquitto")
    """Where Mosquitto keeps sessions and queued messages across a restart."""
    run_as: str = "mosquitto"
    """The user Mosquitto switches to when started as root (it must be able to read the files written)."""

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ValueError(f"Invalid port {self.port}: expected 1-65535")
        named = (("bind", self.bind), ("run_as", self.run_as), ("persistence_dir", str(self.persistence_dir)))
        for name, value in named:
            if not value or any(c.isspace() for c in value):
                raise ValueError(f"Invalid {name} {value!r}: expected a value without spaces")


def render_conf(site: str, settings: BrokerSettings, folder: Path, tls: TlsListener | None = None) -> str:
    """The ``mosquitto.conf`` text, naming the ``acl`` and ``passwd`` files in ``folder`` (an absolute path), with
    the ``tls`` listener if given."""
    tls_listener = "" if tls is None else (
        "\n"
        "# TLS: every client shows a certificate of the site's CA; its common name is its user name.\n"
        f"listener {tls.port} {tls.bind}\n"
        f"cafile {tls.cafile}\n"
        f"certfile {tls.certfile}\n"
        f"keyfile {tls.keyfile}\n"
        "tls_version tlsv1.2\n"
        "require_certificate true\n"
        "use_identity_as_username true\n"
    )
    return (
        f"# Mosquitto for xdock site {site}, written by `xdock broker-config`: regenerate it rather than edit it.\n"
        "per_listener_settings false\n"
        "allow_anonymous false\n"
        f"password_file {folder / 'passwd'}\n"
        f"acl_file {folder / 'acl'}\n"
        "\n"
        f"listener {settings.port} {settings.bind}\n"
        f"user {settings.run_as}\n"
        f"{tls_listener}"
        "\n"
        "# An uplink over central's payload limit is refused here, before it reaches anyone.\n"
        f"message_size_limit {MAX_PAYLOAD}\n"
        "persistence true\n"
        f"persistence_location {settings.persistence_dir}\n"  # Mosquitto adds the "/" before its file name
        "max_queued_messages 100000\n"
        "set_tcp_nodelay true\n"
        "log_dest stderr\n"
    )
