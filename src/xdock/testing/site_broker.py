"""A site's Mosquitto as an operator installs it: ``xdock broker-config``'s files, every user logging in.

:func:`site_broker` writes the broker config of a site into ``folder/broker`` (the same code as the
command), keeps one password file per user in ``folder/secrets`` (what an operator hands each
gateway for ``--broker-password-file``), and returns the Mosquitto running that config, not started.
With ``tls``, the config has a TLS listener too (``xdock broker-config --tls``), on a free port of
127.0.0.1, and the site's certificates in ``folder/broker/tls``.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, replace
from pathlib import Path

from xdock.broker_config import (
    TLS_FOLDER,
    BrokerSettings,
    BrokerUsers,
    TlsSettings,
    read_credentials,
    write_broker_config,
)
from xdock.protocol.broker_url import BrokerUrl
from xdock.testing.servers import Mosquitto, free_port

__all__ = ["SiteBroker", "site_broker"]


@dataclass(frozen=True)
class SiteBroker:
    """The broker of one site and where each user's password is."""

    broker: Mosquitto
    secrets: Path
    tls_port: int | None = None
    """The TLS listener's port, if the config has one."""
    tls_folder: Path | None = None
    """The site's certificates (``ca.pem``, ``clients/USER.pem``, ``clients/USER.key``), with TLS."""

    @property
    def ca_file(self) -> Path:
        """The site CA's certificate (every TLS client's ``--broker-ca``)."""
        return self._tls()[1] / "ca.pem"

    def client_cert(self, user: str) -> tuple[Path, Path]:
        """``user``'s certificate and key (``--broker-cert``, ``--broker-key``)."""
        folder = self._tls()[1] / "clients"
        if not (folder / f"{user}.pem").exists():
            raise KeyError(f"No certificate of {user!r} in {folder}")
        return folder / f"{user}.pem", folder / f"{user}.key"

    def tls_url(self, user: str | None = None) -> BrokerUrl:
        """The ``mqtts://`` URL of the TLS listener, naming ``user`` if given."""
        return BrokerUrl("127.0.0.1", self._tls()[0], tls=True, username=user)

    def _tls(self) -> tuple[int, Path]:
        if self.tls_port is None or self.tls_folder is None:
            raise ValueError("This site broker has no TLS listener: make it with site_broker(..., tls=True)")
        return self.tls_port, self.tls_folder

    def password_file(self, user: str) -> Path:
        path = self.secrets / user
        if not path.exists():
            raise KeyError(f"No broker user {user!r} in {self.secrets}")
        return path

    def url(self, user: str, via: BrokerUrl | None = None) -> BrokerUrl:
        """The URL ``user`` logs in with, to the broker or through ``via`` (e.g. a proxy in front of it)."""
        self.password_file(user)
        return replace(via or self.broker.url, username=user)


def site_broker(folder: Path, users: BrokerUsers, *, tls: bool = False) -> SiteBroker:
    """Write ``users``' broker config into ``folder`` and return its broker (persistence in ``folder/mosquitto``)."""
    port = free_port()
    settings = BrokerSettings(port=port, persistence_dir=folder / "mosquitto", run_as=getpass.getuser())
    tls_settings = TlsSettings(port=free_port(), bind="127.0.0.1") if tls else None
    write_broker_config(folder / "broker", users, settings, tls=tls_settings)
    secrets = folder / "secrets"
    secrets.mkdir(mode=0o700, exist_ok=True)
    for user, password in read_credentials(folder / "broker" / "credentials.json").items():
        fd = os.open(secrets / user, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(password + "\n")
    conf = (folder / "broker" / "mosquitto.conf").resolve()
    return SiteBroker(
        Mosquitto(folder / "mosquitto", conf=conf, port=port), secrets,
        tls_port=None if tls_settings is None else tls_settings.port,
        tls_folder=None if tls_settings is None else (folder / "broker" / TLS_FOLDER).resolve(),
    )
