"""The ``tls/`` folder of a site's broker config: the site CA, the broker's certificate and one per user.

Run again on the same folder, it keeps what still holds, as the passwords are kept: the CA (its
``ca.key`` and ``ca.pem``), and each user's certificate while it names the user, was signed by the
CA and has not expired; a new user gets a new one, and a user no longer named loses its files. The
broker's certificate is made anew at every run (for the hosts given now) unless one is given.
A certificate removed here still verifies until it expires, but the ACL no longer names its user,
so its holder may log in and can use no topic at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature

from xdock.broker_config.atomic_file import write_file
from xdock.broker_config.certs import Issued, issue_client, issue_server, load_issued, new_ca, subject_cn
from xdock.broker_config.tls import TlsListener, TlsSettings
from xdock.broker_config.users import BrokerUsers

__all__ = ["TlsWritten", "write_tls"]

_KEY_MODE = 0o600
_CERT_MODE = 0o644
_SKEW = timedelta(minutes=5)
"""A certificate is valid from a little before now, so a client whose clock lags a bit accepts it at once."""


@dataclass(frozen=True)
class TlsWritten:
    """Which users' certificates a run made and which it kept."""

    listener: TlsListener
    fresh: tuple[str, ...]
    kept: tuple[str, ...]


def write_tls(folder: Path, users: BrokerUsers, settings: TlsSettings, broker: tuple[int, int] | None) -> TlsWritten:
    """Write the TLS files into ``folder`` (``OUT/tls``); ``broker``: the owner of the broker's key, if handed over."""
    given_ca = None if settings.ca is None else load_issued(*settings.ca, what="--tls-ca-cert")
    if settings.server is not None:
        load_issued(*settings.server, what="--tls-server-cert")
    clients = folder / "clients"  # made once every given file loads: a refused run leaves nothing behind
    clients.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca = _site_ca(folder, users.site, given_ca, settings.ca_days, now)
    if settings.server is not None:
        certfile, keyfile = settings.server
        for name in ("broker.pem", "broker.key"):
            (folder / name).unlink(missing_ok=True)
    else:
        server = issue_server(ca, settings.hosts, now - _SKEW, now + timedelta(days=settings.days))
        certfile, keyfile = folder / "broker.pem", folder / "broker.key"
        write_file(certfile, server.cert_pem().decode(), _CERT_MODE, None)
        write_file(keyfile, server.key_pem().decode(), _KEY_MODE, broker)
    fresh, kept = [], []
    for user in users.names():
        if _still_good(clients, user, ca, now):
            kept.append(user)
            continue
        issued = issue_client(ca, user, now - _SKEW, now + timedelta(days=settings.days))
        write_file(clients / f"{user}.key", issued.key_pem().decode(), _KEY_MODE, None)
        write_file(clients / f"{user}.pem", issued.cert_pem().decode(), _CERT_MODE, None)
        fresh.append(user)
    named = {f"{user}.{ext}" for user in users.names() for ext in ("pem", "key")}
    for stale in clients.iterdir():
        if stale.name not in named:
            stale.unlink()
    listener = TlsListener(settings.port, settings.bind, folder / "ca.pem", certfile.absolute(), keyfile.absolute())
    return TlsWritten(listener, tuple(fresh), tuple(kept))


def _site_ca(folder: Path, site: str, given: Issued | None, days: int, now: datetime) -> Issued:
    """The given CA (its certificate copied to ``ca.pem``, its key left where it is), the earlier one, or a new one."""
    cert_file, key_file = folder / "ca.pem", folder / "ca.key"
    if given is not None:
        ca = given
        key_file.unlink(missing_ok=True)
    elif cert_file.exists() and key_file.exists():
        return load_issued(cert_file, key_file, what="earlier CA")
    else:
        ca = new_ca(site, now - _SKEW, now + timedelta(days=days))
        write_file(key_file, ca.key_pem().decode(), _KEY_MODE, None)
    write_file(cert_file, ca.cert_pem().decode(), _CERT_MODE, None)
    return ca


def _still_good(clients: Path, user: str, ca: Issued, now: datetime) -> bool:
    """Whether ``user``'s earlier certificate and key are there, name the user, come from ``ca``, still hold."""
    cert_file, key_file = clients / f"{user}.pem", clients / f"{user}.key"
    if not (cert_file.exists() and key_file.exists()):
        return False
    try:
        issued = load_issued(cert_file, key_file, what=f"earlier {user}")
    except ValueError:
        return False
    cert = issued.cert
    try:
        cert.verify_directly_issued_by(ca.cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return subject_cn(cert) == user and cert.not_valid_after_utc > now
