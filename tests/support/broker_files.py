"""What ``xdock broker-config`` tests share: settings for this machine's user, a site's users, a file's mode."""

from __future__ import annotations

import getpass
import stat
from pathlib import Path

from xdock.broker_config import BrokerSettings, BrokerUsers

__all__ = ["ME", "mode", "settings_in", "users"]

ME = getpass.getuser()


def settings_in(state: Path) -> BrokerSettings:
    """This machine's user (a user that exists) and a persistence folder in ``state``, not made yet."""
    return BrokerSettings(port=18830, persistence_dir=state / "mosquitto", run_as=ME)


def users(*edges: str, nodes: tuple[str, ...] = ()) -> BrokerUsers:
    return BrokerUsers.parse("s1", list(edges), list(nodes))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)
