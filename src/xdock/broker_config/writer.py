"""Writing one site's broker config into a folder: ``mosquitto.conf``, ``acl``, ``passwd``, ``credentials.json``.

Run again on the same folder (say with one more ``--edge``), it keeps the password of every user still
named, makes one for each new user and drops the users no longer named, so adding a door re-keys no
gateway; ``new_passwords`` gives everyone a new one. A folder holding anything else is refused.
Every file is written beside its final name and then renamed over it, created with its mode
(``credentials.json`` and ``passwd`` 0600, the others 0644 whatever the umask), so a reader never sees
half a file or a readable secret.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from xdock.broker_config.acl import render_acl
from xdock.broker_config.conf import BrokerSettings, render_conf
from xdock.broker_config.passwd import new_password, render_passwd
from xdock.broker_config.users import BrokerUsers

__all__ = ["FILES", "BrokerConfigError", "Written", "read_credentials", "write_broker_config"]

log = logging.getLogger(__name__)

FILES = ("mosquitto.conf", "acl", "passwd", "credentials.json")
_SECRET_MODE = 0o600
_PUBLIC_MODE = 0o644


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
    out: Path, users: BrokerUsers, settings: BrokerSettings, *, new_passwords: bool = False
) -> Written:
    """Write the four files into ``out`` (created if missing); see the module docstring."""
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise BrokerConfigError(f"Invalid --out {out}: not a folder")
    ours = {*FILES, *(f".{name}.new" for name in FILES)}
    foreign = sorted(p.name for p in out.iterdir() if p.name not in ours) if out.exists() else []
    if foreign:
        raise BrokerConfigError(
            f"Invalid --out {out}: holds {', '.join(foreign)}; expected an empty folder or one written by "
            "xdock broker-config"
        )
    out.mkdir(parents=True, exist_ok=True)
    before_path = out / "credentials.json"
    before = read_credentials(before_path) if before_path.exists() else {}
    credentials: dict[str, str] = {}
    for user in users.names():
        earlier = before.get(user)
        credentials[user] = earlier if earlier is not None and not new_passwords else new_password()
    _write(out / "credentials.json", json.dumps(credentials, indent=2) + "\n", _SECRET_MODE)
    _write(out / "passwd", render_passwd(credentials), _SECRET_MODE)
    _write(out / "acl", render_acl(users), _PUBLIC_MODE)
    _write(out / "mosquitto.conf", render_conf(users.site, settings, out), _PUBLIC_MODE)
    kept = tuple(u for u in users.names() if u in before and not new_passwords)
    written = Written(
        fresh=tuple(u for u in users.names() if u not in kept),
        kept=kept,
        removed=tuple(u for u in before if u not in credentials),
    )
    log.info("broker config for site %s in %s: %d users", users.site, out, len(credentials))
    return written


def _write(path: Path, text: str, mode: int) -> None:
    """``text`` into ``path`` through a fresh file created with ``mode`` and renamed over it."""
    fresh = path.with_name(f".{path.name}.new")
    fresh.unlink(missing_ok=True)
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    os.fchmod(fd, mode)  # the umask may have taken more than the mode allows; a secret stays 0600 throughout
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(fresh, path)
