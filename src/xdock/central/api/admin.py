"""An admin's routes: users with their roles and tokens, and the edges (devices) central serves.

All need the ``admin`` role when access control is on. A token is answered once, when issued; the
store keeps only its digest, and it may be given a lifetime (``expires_in_s``). Every change is an
event of the log naming the admin who made it. A role saved, tokens revoked or a user removed are
told to :meth:`Access.changed <xdock.central.api.access.Access.changed>` at once, so live streams
that no longer hold are closed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from xdock.central.api.access import Access, FieldProblem
from xdock.central.api.auth import AuthError, Principal, Role, UserAdmin
from xdock.central.api.models import StrictIn
from xdock.central.edges.registry import EDGES_KEY, registered_edges
from xdock.central.store.database import Store
from xdock.protocol.clock import Clock
from xdock.protocol.identifiers import Id, IdentifierError, check_id

__all__ = ["EDGES_KEY", "admin_router", "registered_edges"]

class UserIn(StrictIn):
    role: Role


class UserOut(BaseModel):
    name: str
    role: str
    created_at: datetime


class TokenIn(StrictIn):
    expires_in_s: Annotated[float | None, Field(gt=0, le=366 * 86400)] = None
    """Seconds the token is accepted for; none: until revoked."""


class TokenOut(BaseModel):
    user: str
    token: str
    """Shown this once; central keeps only its SHA-256."""
    expires_at: datetime | None = None


class RevokedOut(BaseModel):
    user: str
    revoked: int


class RemovedOut(BaseModel):
    user: str
    removed: bool
    revoked: int
    """How many live tokens went with the user."""


class EdgeIn(StrictIn):
    door: Id
    """The inbound door the edge serves."""


class EdgeRegisteredOut(BaseModel):
    id: str
    door: str


def admin_router(
    store: Store, clock: Clock, access: Access, *, inbound_doors: Collection[str],
    edge_seen: Callable[[str, str], None] | None = None,
) -> APIRouter:
    """Routes under ``/api/v1/admin``; ``edge_seen`` is told of each edge registered (routing snapshots)."""
    router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
    admin = Depends(access.require("admin"))
    users = UserAdmin(store, on_change=access.changed)

    @router.get("/users", summary="API users and their roles")
    async def list_users(_: Principal = admin) -> list[UserOut]:
        return [UserOut(name=u.name, role=u.role, created_at=u.created_at) for u in users.users()]

    @router.put("/users/{name}", summary="Add a user, or change a user's role")
    async def put_user(name: str, body: UserIn, who: Principal = admin) -> UserOut:
        try:
            row = users.add(name, body.role, clock.now(), by=who.name)
        except AuthError as exc:
            raise FieldProblem(422, "name", str(exc)) from exc
        return UserOut(name=row.name, role=row.role, created_at=row.created_at)

    @router.delete("/users/{name}", summary="Remove a user and its tokens (its live streams are closed)",
                   responses={409: {"description": "The last admin is kept"}})  # as problem+json: api_schema
    async def remove_user(name: str, who: Principal = admin) -> RemovedOut:
        if store.user(name) is None:
            raise FieldProblem(404, "name", f"Unknown user {name!r}")
        try:
            count = users.remove(name, clock.now(), by=who.name)
        except AuthError as exc:
            raise FieldProblem(409, "name", str(exc)) from exc
        return RemovedOut(user=name, removed=True, revoked=count)

    @router.post("/users/{name}/tokens", status_code=201, summary="Issue a token for a user (shown once)")
    async def issue(name: str, body: TokenIn | None = None, who: Principal = admin) -> TokenOut:
        lifetime = timedelta(seconds=body.expires_in_s) if body is not None and body.expires_in_s else None
        now = clock.now()
        try:
            token = users.issue(name, now, by=who.name, valid_for=lifetime)
        except AuthError as exc:
            raise FieldProblem(404, "name", str(exc)) from exc
        return TokenOut(user=name, token=token, expires_at=now + lifetime if lifetime is not None else None)

    @router.delete("/users/{name}/tokens", summary="Revoke every token of a user")
    async def revoke(name: str, who: Principal = admin) -> RevokedOut:
        try:
            count = users.revoke(name, clock.now(), by=who.name)
        except AuthError as exc:
            raise FieldProblem(404, "name", str(exc)) from exc
        return RevokedOut(user=name, revoked=count)

    @router.get("/edges", summary="Edges registered by an admin, with their door")
    async def list_edges(_: Principal = admin) -> list[EdgeRegisteredOut]:
        return [EdgeRegisteredOut(id=k, door=v) for k, v in sorted(registered_edges(store).items())]

    @router.put("/edges/{edge_id}", summary="Register an edge at an inbound door: it gets routing snapshots")
    async def put_edge(edge_id: str, body: EdgeIn, who: Principal = admin) -> EdgeRegisteredOut:
        try:
            check_id("edge id", edge_id)
        except IdentifierError as exc:
            raise FieldProblem(422, "edge_id", str(exc)) from exc
        if body.door not in inbound_doors:
            raise FieldProblem(422, "door", f"door {body.door} is no inbound door of this site")
        edges = registered_edges(store)
        edges[edge_id] = body.door
        now = clock.now()
        with store.transaction() as tx:
            tx.put_meta(EDGES_KEY, json.dumps(edges, sort_keys=True))
            tx.append_event(now, "edge_registered", {"by": who.name, "edge": edge_id, "door": body.door},
                            edge_id=edge_id)
        if edge_seen is not None:
            edge_seen(edge_id, body.door)
        return EdgeRegisteredOut(id=edge_id, door=body.door)

    return router
