"""What an uplink hands its owner, kept for a test: the commands central sent (answers, feedback)."""

from __future__ import annotations

from xdock.protocol.messages import Assignment, CentralStatus, Feedback, RouteSnapshot

__all__ = ["Answers"]


class Answers:
    """The uplink's handler: records every command; routing snapshots and central's status are ignored."""

    def __init__(self) -> None:
        self.got: list[Assignment | Feedback] = []

    async def on_command(self, message: Assignment | Feedback) -> None:
        self.got.append(message)

    def on_routes(self, snapshot: RouteSnapshot) -> None:
        return None

    def on_central_status(self, status: CentralStatus) -> None:
        return None
