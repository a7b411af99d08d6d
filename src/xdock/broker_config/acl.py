"""The Mosquitto access list of one site, rendered from :data:`~xdock.protocol.topic_table.TOPIC_TABLE`.

Each user gets ``topic`` lines of its own, and no ``pattern`` line is written: a Mosquitto pattern
applies to every user, so it would hand a sensor node (or central) the edges' rights on topics under
its own name. Whatever a user is not granted is refused: its publishes are dropped, its
subscriptions deliver nothing.
"""

from __future__ import annotations

from typing import Literal

from xdock.broker_config.users import BrokerUsers
from xdock.protocol.topic_table import TOPIC_TABLE, Role

__all__ = ["Access", "grants", "render_acl"]

Access = Literal["read", "write", "readwrite"]


def grants(site: str, role: Role, user: str) -> dict[str, Access]:
    """Every topic filter ``user`` (of ``role``) may use at ``site``, with how, in the table's order."""
    granted: dict[str, set[str]] = {}
    for rule in TOPIC_TABLE:
        for access, roles in (("write", rule.publishers), ("read", rule.readers)):
            if role in roles:
                granted.setdefault(rule.topic_filter(site, role, user), set()).add(access)
    return {topic: _access(ways) for topic, ways in granted.items()}


def _access(ways: set[str]) -> Access:
    if ways == {"read", "write"}:
        return "readwrite"
    return "read" if ways == {"read"} else "write"


def render_acl(users: BrokerUsers) -> str:
    """The ``acl_file`` text for ``users``."""
    lines = [
        f"# Mosquitto ACL for xdock site {users.site}, written by `xdock broker-config` from the protocol's",
        "# topic table: regenerate it rather than edit it. Each user may use only the topics listed under it.",
    ]
    for user, role in users:
        lines += ["", f"# {role.replace('_', ' ')}", f"user {user}"]
        lines += [f"topic {access} {topic}" for topic, access in grants(users.site, role, user).items()]
    return "\n".join(lines) + "\n"
