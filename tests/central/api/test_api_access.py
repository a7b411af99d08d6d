"""Access control of the API: tokens, roles, the admin's user routes; tokens kept only as digests."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support.access_site import Floor, open_floor
from xdock.protocol.clock import ManualClock


def _store_bytes(folder: Path) -> bytes:
    """Every byte of the store's files (database, WAL, shared memory)."""
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.name.startswith("c.db"))


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db")
    async with f.http:
        yield f
    await f.close()


async def test_reads_need_a_token(floor: Floor) -> None:
    response = await floor.http.get("/api/v1/trailers")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"type": "about:blank", "title": "Unauthorized", "status": 401,
                               "detail": "Authorization: a bearer token is required"}
    assert (await floor.http.get("/healthz")).status_code == 200


async def test_unknown_token_is_401(floor: Floor) -> None:
    response = await floor.http.get("/api/v1/trailers", headers={"Authorization": "Bearer xdk_forged"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Authorization: unknown or revoked token"


async def test_worker_reads_but_may_not_override(floor: Floor) -> None:
    trailers = await floor.http.get("/api/v1/trailers", headers=floor.as_("wanda"))
    assert trailers.status_code == 200
    assert [t["id"] for t in trailers.json()] == ["T-LYON-1", "T-LYON-2"]
    response = await floor.http.post("/api/v1/doors/D12/close", headers=floor.as_("wanda"))
    assert response.status_code == 403
    assert response.json() == {"type": "about:blank", "title": "Forbidden", "status": 403,
                               "detail": "user wanda is a worker; this needs a supervisor"}
    assert floor.site.closed_doors() == set()


async def test_supervisor_may_not_manage_users(floor: Floor) -> None:
    response = await floor.http.get("/api/v1/admin/users", headers=floor.as_("sam"))
    assert response.status_code == 403
    assert response.json()["detail"] == "user sam is a supervisor; this needs a admin"


async def test_admin_adds_a_user_issues_and_revokes_a_token(floor: Floor, tmp_path: Path) -> None:
    admin = floor.as_("ada")
    added = await floor.http.put("/api/v1/admin/users/nina", json={"role": "supervisor"}, headers=admin)
    assert added.status_code == 200
    assert added.json()["role"] == "supervisor"
    issued = await floor.http.post("/api/v1/admin/users/nina/tokens", headers=admin)
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert token.startswith("xdk_")
    assert len(token) == 4 + 43
    nina = {"Authorization": f"Bearer {token}"}
    assert (await floor.http.get("/api/v1/site", headers=nina)).status_code == 200

    db = sqlite3.connect(tmp_path / "c.db")
    stored = [row[0] for row in db.execute("SELECT sha256 FROM tokens WHERE user = 'nina'")]
    db.close()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert token.encode() not in _store_bytes(tmp_path)

    revoked = await floor.http.delete("/api/v1/admin/users/nina/tokens", headers=admin)
    assert revoked.json() == {"user": "nina", "revoked": 1}
    assert (await floor.http.get("/api/v1/site", headers=nina)).status_code == 401
    events = (await floor.http.get("/api/v1/events", params={"limit": 1000}, headers=admin)).json()
    audit = [(e["kind"], e["body"]) for e in events if e["body"].get("user") == "nina"]
    assert audit == [
        ("user_saved", {"by": "ada", "user": "nina", "role": "supervisor"}),
        ("token_issued", {"by": "ada", "user": "nina"}),
        ("tokens_revoked", {"by": "ada", "user": "nina", "count": 1}),
    ]


async def test_bad_user_name_and_role_name_the_field(floor: Floor) -> None:
    admin = floor.as_("ada")
    bad_name = await floor.http.put("/api/v1/admin/users/-x", json={"role": "worker"}, headers=admin)
    assert bad_name.status_code == 422
    assert bad_name.json()["field"] == "name"
    assert bad_name.json()["detail"].startswith("Invalid user name '-x'")
    bad_role = await floor.http.put("/api/v1/admin/users/x", json={"role": "boss"}, headers=admin)
    assert bad_role.status_code == 422
    assert bad_role.json()["detail"].startswith("body.role: Input should be 'worker', 'supervisor' or 'admin'")
    unknown = await floor.http.post("/api/v1/admin/users/ghost/tokens", headers=admin)
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Unknown user 'ghost': add the user before issuing a token"


async def test_admin_registers_an_edge(floor: Floor) -> None:
    admin = floor.as_("ada")
    ok = await floor.http.put("/api/v1/admin/edges/edge-d1", json={"door": "D1"}, headers=admin)
    assert ok.json() == {"id": "edge-d1", "door": "D1"}
    assert (await floor.http.get("/api/v1/admin/edges", headers=admin)).json() == [{"id": "edge-d1", "door": "D1"}]
    outbound = await floor.http.put("/api/v1/admin/edges/edge-d2", json={"door": "D12"}, headers=admin)
    assert outbound.status_code == 422
    assert outbound.json()["field"] == "door"
    assert outbound.json()["detail"] == "door D12 is no inbound door of this site"


async def test_no_users_means_open_api(tmp_path: Path) -> None:
    f = open_floor(tmp_path / "open.db", auth=None)
    async with f.http:
        assert (await f.http.get("/api/v1/trailers")).status_code == 200
        closed = await f.http.post("/api/v1/doors/D15/close")
        assert closed.json() == {"kind": "override_door_closed", "by": "anonymous", "changed": {}, "rematched": {}}
    await f.close()


async def test_admin_issues_a_token_with_a_lifetime(floor: Floor) -> None:
    admin = floor.as_("ada")
    issued = await floor.http.post("/api/v1/admin/users/wanda/tokens", json={"expires_in_s": 600}, headers=admin)
    assert issued.status_code == 201
    assert issued.json()["expires_at"] == "2026-11-23T07:10:00Z"
    short = {"Authorization": f"Bearer {issued.json()['token']}"}
    clock = floor.site.clock
    assert isinstance(clock, ManualClock)
    clock.advance(599)
    assert (await floor.http.get("/api/v1/me", headers=short)).json() == {"name": "wanda", "role": "worker"}
    clock.advance(1)
    expired = await floor.http.get("/api/v1/me", headers=short)
    assert (expired.status_code, expired.json()["detail"]) == (
        401, "Authorization: token expired at 2026-11-23T07:10:00+00:00")
    assert (await floor.http.get("/api/v1/me", headers=floor.as_("wanda"))).status_code == 200
    forever = await floor.http.post("/api/v1/admin/users/wanda/tokens", headers=admin)
    assert forever.json()["expires_at"] is None
    bad = await floor.http.post("/api/v1/admin/users/wanda/tokens", json={"expires_in_s": 0}, headers=admin)
    assert (bad.status_code, bad.json()["detail"]) == (422, "body.expires_in_s: Input should be greater than 0")
    events = (await floor.http.get("/api/v1/events", params={"limit": 1000}, headers=admin)).json()
    issued_events = [e["body"] for e in events if e["kind"] == "token_issued" and e["body"]["by"] == "ada"]
    assert issued_events == [
        {"by": "ada", "user": "wanda", "expires_at": "2026-11-23T07:10:00+00:00"},
        {"by": "ada", "user": "wanda"},
    ]


async def test_admin_removes_a_user_with_its_tokens_but_not_the_last_admin(floor: Floor) -> None:
    admin = floor.as_("ada")
    removed = await floor.http.delete("/api/v1/admin/users/sam", headers=admin)
    assert removed.json() == {"user": "sam", "removed": True, "revoked": 1}
    gone = await floor.http.get("/api/v1/me", headers=floor.as_("sam"))
    assert (gone.status_code, gone.json()["detail"]) == (401, "Authorization: unknown or revoked token")
    users = (await floor.http.get("/api/v1/admin/users", headers=admin)).json()
    assert [u["name"] for u in users] == ["ada", "wanda"]

    unknown = await floor.http.delete("/api/v1/admin/users/sam", headers=admin)
    assert (unknown.status_code, unknown.json()["field"], unknown.json()["detail"]) == (
        404, "name", "Unknown user 'sam'")
    last = await floor.http.delete("/api/v1/admin/users/ada", headers=admin)
    assert (last.status_code, last.json()["detail"]) == (
        409, "User 'ada' is the last admin: add another admin before removing it")
    assert (await floor.http.delete("/api/v1/admin/users/wanda", headers=floor.as_("wanda"))).status_code == 403
    events = (await floor.http.get("/api/v1/events", params={"limit": 1000}, headers=admin)).json()
    assert [e["body"] for e in events if e["kind"] == "user_removed"] == [{"by": "ada", "user": "sam", "tokens": 1}]
