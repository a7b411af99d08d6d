"""The topic table as the operator's docs show it: a Markdown table of every topic kind and its roles."""

from __future__ import annotations

from xdock.protocol.topic_table import TOPIC_TABLE, Role

__all__ = ["markdown_table"]

_ROLE_NAMES: dict[Role, str] = {"central": "central", "edge": "edge", "sensor_node": "sensor node"}


def _roles(roles: tuple[Role, ...]) -> str:
    return ", ".join(_ROLE_NAMES[role] for role in roles)


def markdown_table() -> str:
    """Every row of :data:`~xdock.protocol.topic_table.TOPIC_TABLE`: topic, kind, publishers, readers, message, QoS."""
    lines = [
        "| topic | kind | published by | read by | message | QoS, retained |",
        "|---|---|---|---|---|---|",
    ]
    for rule in TOPIC_TABLE:
        flags = f"{rule.qos}" + (", retained" if rule.retained else "") + (", Last Will" if rule.will else "")
        lines.append(
            f"| `{rule.full_pattern()}` | `{rule.kind}` | {_roles(rule.publishers)} | {_roles(rule.readers)} "
            f"| `{rule.message.replace('|', chr(92) + '|')}` | {flags} |"
        )
    return "\n".join(lines) + "\n"
