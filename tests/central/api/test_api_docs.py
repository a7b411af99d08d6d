"""``/docs`` is Swagger UI served wholly by central: the page names only central's own URLs, and they answer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from swagger_ui_bundle import swagger_ui_path

from support.access_site import Floor, open_floor


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db")
    async with f.http:
        yield f
    await f.close()


async def test_the_docs_page_loads_only_from_central(floor: Floor) -> None:
    page = await floor.http.get("/docs")
    assert (page.status_code, page.headers["content-type"]) == (200, "text/html; charset=utf-8")
    html = page.text
    urls = re.findall(r"""(?:src|href)="([^"]*)"|url: '([^']*)'""", html)
    named = sorted(u for pair in urls for u in pair if u)
    assert named == [
        "/openapi.json", "/static/docs/favicon-32x32.png", "/static/docs/swagger-ui-bundle.js",
        "/static/docs/swagger-ui.css",
    ]
    assert re.findall(r"\w+://", html) == []
    assert '"validatorUrl": null' in html


@pytest.mark.parametrize(("url", "media_type", "starts"), [
    ("/static/docs/swagger-ui-bundle.js", "text/javascript; charset=utf-8", b"/*! For license information"),
    ("/static/docs/swagger-ui.css", "text/css; charset=utf-8", b".swagger-ui"),
    ("/static/docs/favicon-32x32.png", "image/png", b"\x89PNG"),
])
async def test_the_docs_files_come_from_the_package(floor: Floor, url: str, media_type: str, starts: bytes) -> None:
    response = await floor.http.get(url)
    assert (response.status_code, response.headers["content-type"]) == (200, media_type)
    assert response.content.startswith(starts)
    assert response.content == (Path(swagger_ui_path) / url.rsplit("/", 1)[1]).read_bytes()


async def test_the_openapi_schema_is_open_and_there_is_no_redoc(floor: Floor) -> None:
    schema = await floor.http.get("/openapi.json")
    assert (schema.status_code, schema.json()["openapi"][:2]) == (200, "3.")
    assert "/docs" not in schema.json()["paths"]
    assert "/static/docs/{name}" not in schema.json()["paths"]
    assert (await floor.http.get("/redoc")).status_code == 404


async def test_other_files_are_not_served_from_the_package(floor: Floor) -> None:
    response = await floor.http.get("/static/docs/index.html")
    assert (response.status_code, response.headers["content-type"]) == (404, "application/problem+json")
    assert response.json()["detail"] == (
        "No docs file 'index.html' (there are favicon-32x32.png, swagger-ui-bundle.js, swagger-ui.css)"
    )
