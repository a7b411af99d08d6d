"""Who logs in to one site's broker: central, the edges and the MQTT sensor nodes, each with its role."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from xdock.protocol.topic_table import Role
from xdock.protocol.topics import check_id

__all__ = ["CENTRAL_USER", "BrokerUsers", "UsersError"]

CENTRAL_USER = "central"
"""The user name central logs in with."""


class UsersError(ValueError):
    """A site id, edge id or sensor node id that cannot be a broker user."""


@dataclass(frozen=True)
class BrokerUsers:
    """The users of one site's broker: central, then every edge and sensor node by its id."""

    site: str
    edges: tuple[str, ...]
    sensor_nodes: tuple[str, ...] = ()

    @classmethod
    def parse(cls, site: str, edges: Sequence[str], sensor_nodes: Sequence[str] = ()) -> BrokerUsers:
        """Check every id (``check_id``) and that no two users share a name; raise :class:`UsersError` naming it."""
        try:
            check_id("site id", site)
            for edge in edges:
                check_id("edge id", edge)
            for node in sensor_nodes:
                check_id("sensor node id", node)
        except ValueError as exc:
            raise UsersError(str(exc)) from exc
        seen: dict[str, str] = {CENTRAL_USER: "central's user"}
        for what, ids in (("edge id", edges), ("sensor node id", sensor_nodes)):
            for user in ids:
                if user in seen:
                    raise UsersError(f"Invalid {what} {user!r}: already taken by {seen[user]}")
                seen[user] = f"the {what} {user!r}"
        if not edges:
            raise UsersError("No edge given: expected at least one --edge ID")
        return cls(site, tuple(edges), tuple(sensor_nodes))

    def __iter__(self) -> Iterator[tuple[str, Role]]:
        """Every user name with its role, central first."""
        yield CENTRAL_USER, "central"
        for edge in self.edges:
            yield edge, "edge"
        for node in self.sensor_nodes:
            yield node, "sensor_node"

    def names(self) -> list[str]:
        return [name for name, _ in self]
