"""Access control of the API: tokens, roles, the admin's user routes; tokens kept only as digests."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from access_site import Floor, open_floor


def _store_bytes(folder: Path) -> bytes:
    """Every byte of the store's files (database, WAL, shared memory)."""
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.name.startswith("c.db"))


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db")
    async with f.http:
        yield f
    f.service.store.close()


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
    assert floor.overrides.closed == set()


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
        assert closed.json() == {"kind": "override_door_closed", "by": "anonymous", "changed": {}}
    f.service.store.close()
