"""A site's Mosquitto as an operator installs it: ``xdock broker-config``'s files, every user logging in.

:func:`site_broker` writes the broker config of a site into ``folder/broker`` (the same code as the
command), keeps one password file per user in ``folder/secrets`` (what an operator hands each
gateway for ``--broker-password-file``), and returns the Mosquitto running that config, not started.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, replace
from pathlib import Path

from xdock.broker_config import BrokerSettings, BrokerUsers, read_credentials, write_broker_config
from xdock.protocol.broker_url import BrokerUrl
from xdock.testing.servers import Mosquitto, free_port

__all__ = ["SiteBroker", "site_broker"]


@dataclass(frozen=True)
class SiteBroker:
    """The broker of one site and where each user's password is."""

    broker: Mosquitto
    secrets: Path

    def password_file(self, user: str) -> Path:
        path = self.secrets / user
        if not path.exists():
            raise KeyError(f"No broker user {user!r} in {self.secrets}")
        return path

    def url(self, user: str, via: BrokerUrl | None = None) -> BrokerUrl:
        """The URL ``user`` logs in with, to the broker or through ``via`` (e.g. a proxy in front of it)."""
        self.password_file(user)
        return replace(via or self.broker.url, username=user)


def site_broker(folder: Path, users: BrokerUsers) -> SiteBroker:
    """Write ``users``' broker config into ``folder`` and return its broker (persistence in ``folder/mosquitto``)."""
    port = free_port()
    settings = BrokerSettings(port=port, persistence_dir=folder / "mosquitto", run_as=getpass.getuser())
    write_broker_config(folder / "broker", users, settings)
    secrets = folder / "secrets"
    secrets.mkdir(mode=0o700, exist_ok=True)
    for user, password in read_credentials(folder / "broker" / "credentials.json").items():
        fd = os.open(secrets / user, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(password + "\n")
    conf = (folder / "broker" / "mosquitto.conf").resolve()
    return SiteBroker(Mosquitto(folder / "mosquitto", conf=conf, port=port), secrets)
