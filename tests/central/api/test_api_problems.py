"""Every error of central's API is problem+json, and every operation documents its errors in the OpenAPI schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.access_site import PALLET_A, Floor, open_floor

PROBLEM = "application/problem+json"
REF = {"schema": {"$ref": "#/components/schemas/Problem"}}


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db")
    async with f.http:
        yield f
    await f.close()


def _problem(status: int, title: str, detail: str, **more: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, **more}


async def test_an_unknown_route_is_a_problem(floor: Floor) -> None:
    response = await floor.http.get("/api/v1/nowhere", headers=floor.as_("sam"))
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    assert response.json() == _problem(404, "Not Found", "Not Found")


async def test_a_method_a_path_lacks_is_a_problem_with_allow(floor: Floor) -> None:
    response = await floor.http.delete("/api/v1/trailers", headers=floor.as_("sam"))
    assert (response.status_code, response.headers["content-type"]) == (405, PROBLEM)
    assert response.headers["allow"] == "GET, POST"
    assert response.json() == _problem(405, "Method Not Allowed", "Method Not Allowed")


async def test_405_allows_every_method_of_the_path(floor: Floor) -> None:
    response = await floor.http.options("/api/v1/admin/users/sam", headers=floor.as_("ada"))
    assert (response.status_code, response.headers["allow"]) == (405, "PUT, DELETE")
    response = await floor.http.patch("/api/v1/inbound-trucks", headers=floor.as_("ada"))
    assert (response.status_code, response.headers["allow"]) == (405, "GET, POST")
    response = await floor.http.post("/static/dashboard.css")
    assert (response.status_code, response.headers["allow"]) == (405, "GET")


async def test_an_unreadable_body_is_a_400_problem(floor: Floor) -> None:
    response = await floor.http.post(
        "/api/v1/trailers/T-LYON-2/move", content=b"o:P'\xa0",
        headers={**floor.as_("sam"), "Content-Type": "application/json"},
    )
    assert (response.status_code, response.headers["content-type"]) == (400, PROBLEM)
    assert response.json() == _problem(400, "Bad Request", "There was an error parsing the body")


async def test_a_body_that_is_not_json_text_is_a_400_problem_naming_where(floor: Floor) -> None:
    response = await floor.http.post(
        "/api/v1/trailers/T-LYON-2/move", content=b'{"door": "D12"',
        headers={**floor.as_("sam"), "Content-Type": "application/json"},
    )
    assert (response.status_code, response.headers["content-type"]) == (400, PROBLEM)
    assert response.json() == _problem(
        400, "Bad Request", "body: not JSON text (Expecting ',' delimiter at character 14)", field="body"
    )


async def test_a_bad_field_is_a_422_problem_naming_it(floor: Floor) -> None:
    response = await floor.http.post("/api/v1/trailers/T-LYON-2/move", json={}, headers=floor.as_("sam"))
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert response.json() == _problem(422, "Unprocessable Content", "body.door: Field required", field="door")


async def test_a_body_not_sent_as_json_is_a_422_problem(floor: Floor) -> None:
    response = await floor.http.post(
        "/api/v1/trailers/T-LYON-2/move", content=b'{"door": "D12"}',
        headers={**floor.as_("sam"), "Content-Type": "text/plain"},
    )
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert response.json() == _problem(
        422, "Unprocessable Content", "body: Input should be a valid dictionary or object to extract fields from"
    )


async def test_an_unknown_resource_is_a_404_problem(floor: Floor) -> None:
    response = await floor.http.get("/api/v1/pallets/376130321109103445", headers=floor.as_("sam"))
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    assert response.json() == _problem(
        404, "Not Found", "No pallet with SSCC '376130321109103445' has been scanned at t"
    )
    assert (await floor.http.get(f"/api/v1/pallets/{PALLET_A}", headers=floor.as_("sam"))).status_code == 200


async def test_a_failure_is_a_500_problem_telling_nothing_of_it(floor: Floor) -> None:
    @floor.app.get("/api/v1/broken")
    async def broken() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=floor.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://central") as http:
        response = await http.get("/api/v1/broken", headers=floor.as_("sam"))
    assert (response.status_code, response.headers["content-type"]) == (500, PROBLEM)
    assert response.json() == _problem(
        500, "Internal Server Error", "central failed to answer this request; its log tells why"
    )


def _operations(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{method.upper()} {path}": op for path, item in schema["paths"].items() for method, op in item.items()}


def test_every_operation_documents_its_errors_as_problems(floor: Floor) -> None:
    schema = floor.app.openapi()
    operations = _operations(schema)
    statuses = {name: sorted(int(s) for s in op["responses"] if int(s) >= 400) for name, op in operations.items()}
    assert statuses["GET /healthz"] == [500]
    assert statuses["GET /api/v1/access"] == [500]
    assert statuses["GET /api/v1/site"] == [401, 500]
    assert statuses["GET /api/v1/pallets"] == [401, 422, 500]
    assert statuses["GET /api/v1/pallets/{sscc}"] == [401, 404, 422, 500]
    assert statuses["POST /api/v1/handheld/scan"] == [400, 401, 413, 422, 500]
    assert statuses["POST /api/v1/trailers/{trailer_id}/move"] == [400, 401, 403, 404, 409, 413, 422, 500]
    assert statuses["PUT /api/v1/admin/users/{name}"] == [400, 401, 403, 404, 413, 422, 500]
    assert statuses["DELETE /api/v1/admin/users/{name}"] == [401, 403, 404, 409, 422, 500]
    assert statuses["GET /api/v1/overrides"] == [401, 500]
    assert statuses["GET /api/v1/inbound-trucks"] == [401, 422, 500]
    assert statuses["POST /api/v1/inbound-trucks"] == [400, 401, 403, 409, 413, 422, 500]
    for name, op in operations.items():
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert response["content"] == {PROBLEM: REF}, f"{name} {status}"
                assert response["description"], f"{name} {status}"
    assert operations["GET /api/v1/site"]["responses"]["401"]["headers"]["WWW-Authenticate"]["required"] is True
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert schema["components"]["schemas"]["Problem"]["required"] == ["title", "status", "detail"]


def test_the_role_an_operation_needs_is_its_security_scope(floor: Floor) -> None:
    operations = _operations(floor.app.openapi())
    assert operations["GET /api/v1/trailers"]["security"] == [{"HTTPBearer": ["worker"]}]
    assert operations["POST /api/v1/doors/{door_id}/close"]["security"] == [{"HTTPBearer": ["supervisor"]}]
    assert operations["GET /api/v1/admin/users"]["security"] == [{"HTTPBearer": ["admin"]}]
    assert "security" not in operations["GET /api/v1/access"]
