"""Writing one site's broker config into a folder: ``mosquitto.conf``, ``acl``, ``passwd``, ``credentials.json``.

Run again on the same folder (say with one more ``--edge``), it keeps the password of every user still
named, makes one for each new user and drops the users no longer named, so adding a door re-keys no
gateway; ``new_passwords`` gives everyone a new one. A folder holding anything else is refused.
Every file is written beside its final name, flushed to disk and then renamed over it, created with
its mode (``credentials.json`` and ``passwd`` 0600, the others 0644 whatever the umask), so a reader
never sees half a file or a readable secret. A rewritten file keeps the owner and group of the one it
replaces, so a broker reading ``passwd`` and ``acl`` as its own user still can after a reload; run as
root, a new ``passwd`` or ``acl`` belongs to ``run_as`` (and its group), the user Mosquitto switches to,
and so does the persistence folder (mode 0700) when it has to be created.

With ``tls`` settings it also writes the ``tls/`` folder (:mod:`xdock.broker_config.tls_files`, which
needs the ``cryptography`` library of the ``tls`` extra) and a TLS listener into the conf. A folder
holding ``tls/`` from an earlier run is refused without them, so re-running to add a door never drops
the TLS listener unnoticed.
"""

from __future__ import annotations

import json
import logging
import os
import pwd
from dataclasses import dataclass
from pathlib import Path

from xdock.broker_config.acl import render_acl
from xdock.broker_config.atomic_file import write_file
from xdock.broker_config.conf import BrokerSettings, render_conf
from xdock.broker_config.passwd import new_password, render_passwd
from xdock.broker_config.tls import TlsListener, TlsSettings
from xdock.broker_config.users import BrokerUsers

__all__ = ["FILES", "TLS_FOLDER", "BrokerConfigError", "Written", "read_credentials", "write_broker_config"]

log = logging.getLogger(__name__)

FILES = ("mosquitto.conf", "acl", "passwd", "credentials.json")
TLS_FOLDER = "tls"
_SECRET_MODE = 0o600
_PUBLIC_MODE = 0o644
_STATE_MODE = 0o700
_BROKER_READS = ("passwd", "acl")
"""The files Mosquitto reads again as ``run_as`` on a reload (the conf it reads as root at start)."""


class BrokerConfigError(ValueError):
    """The output folder cannot take the broker config (a foreign file, unreadable credentials)."""


@dataclass(frozen=True)
class Written:
    """What a run changed, by user name."""

    fresh: tuple[str, ...]
    """Users given a new password."""
    kept: tuple[str, ...]
    """Users whose earlier password was kept."""
    removed: tuple[str, ...]
    """Users of the earlier credentials no longer named: their log-in no longer works."""
    fresh_certificates: tuple[str, ...] = ()
    """With TLS: users given a new certificate."""
    kept_certificates: tuple[str, ...] = ()
    """With TLS: users whose earlier certificate was kept."""


def read_credentials(path: Path) -> dict[str, str]:
    """``credentials.json`` as user -> password; raise :class:`BrokerConfigError` naming the file if malformed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BrokerConfigError(f"Cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise BrokerConfigError(f"Invalid {path}: expected a JSON object of user name to password")
    return data


def write_broker_config(
    out: Path, users: BrokerUsers, settings: BrokerSettings, *, new_passwords: bool = False,
    tls: TlsSettings | None = None,
) -> Written:
    """Write the four files into ``out`` (created if missing), and ``tls/`` with ``tls``; see the module docstring."""
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise BrokerConfigError(f"Invalid --out {out}: not a folder")
    ours = {*FILES, *(f".{name}.new" for name in FILES), TLS_FOLDER}
    foreign = sorted(p.name for p in out.iterdir() if p.name not in ours) if out.exists() else []
    if foreign:
        raise BrokerConfigError(
            f"Invalid --out {out}: holds {', '.join(foreign)}; expected an empty folder or one written by "
            "xdock broker-config"
        )
    if tls is not None and tls.port == settings.port:
        raise BrokerConfigError(f"Invalid --tls-port {tls.port}: the plain listener (--port) already uses it")
    if tls is None and (out / TLS_FOLDER).exists():
        raise BrokerConfigError(
            f"Invalid --out {out}: holds the TLS files of an earlier run with --tls; give --tls again "
            f"(or remove {out / TLS_FOLDER} to drop the TLS listener)"
        )
    broker = _broker_ids(settings.run_as)
    listener: TlsListener | None = None
    certificates: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    if tls is not None:
        from xdock.broker_config.tls_files import write_tls  # noqa: PLC0415  (cryptography: only with --tls)

        tls_written = write_tls(out / TLS_FOLDER, users, tls, broker)
        listener, certificates = tls_written.listener, (tls_written.fresh, tls_written.kept)
    out.mkdir(parents=True, exist_ok=True)
    before_path = out / "credentials.json"
    before = read_credentials(before_path) if before_path.exists() else {}
    credentials: dict[str, str] = {}
    for user in users.names():
        earlier = before.get(user)
        credentials[user] = earlier if earlier is not None and not new_passwords else new_password()
    texts = {
        "credentials.json": (json.dumps(credentials, indent=2) + "\n", _SECRET_MODE),
        "passwd": (render_passwd(credentials), _SECRET_MODE),
        "acl": (render_acl(users), _PUBLIC_MODE),
        "mosquitto.conf": (render_conf(users.site, settings, out, listener), _PUBLIC_MODE),
    }
    for name, (text, mode) in texts.items():
        write_file(out / name, text, mode, broker if name in _BROKER_READS else None)
    _make_state_folder(settings.persistence_dir, broker)
    kept = tuple(u for u in users.names() if u in before and not new_passwords)
    written = Written(
        fresh=tuple(u for u in users.names() if u not in kept),
        kept=kept,
        removed=tuple(u for u in before if u not in credentials),
        fresh_certificates=certificates[0],
        kept_certificates=certificates[1],
    )
    log.info("broker config for site %s in %s: %d users", users.site, out, len(credentials))
    return written


def _broker_ids(run_as: str) -> tuple[int, int] | None:
    """``run_as``'s user and group ids when this process is root (it may hand files over), else None."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(run_as)
    except KeyError:
        raise BrokerConfigError(f"Invalid --run-as {run_as}: no such user on this machine") from None
    return entry.pw_uid, entry.pw_gid


def _make_state_folder(folder: Path, owner: tuple[int, int] | None) -> None:
    """Create the persistence folder (mode 0700, belonging to ``owner`` if given); an existing one is left as is."""
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(mode=_STATE_MODE)
    os.chmod(folder, _STATE_MODE)  # whatever the umask
    if owner is not None:
        os.chown(folder, *owner)
    log.info("created the persistence folder %s", folder)
