"""The API's browsable docs: Swagger UI at ``/docs``, its files served by central from an installed package.

The page, its script, its style sheet and its icon all come from central itself (under
``/static/docs/``, out of the ``swagger-ui-bundle-v2`` package's copy of Swagger UI 5, which reads
OpenAPI 3.1), so a site without internet access still browses its API. Swagger UI's online
validator is turned off: nothing is sent anywhere but central. There is no ``/redoc``: ReDoc ships
in no Python package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

__all__ = ["DOCS_ASSETS", "docs_router"]

DOCS_ASSETS: Final = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
"""The files of Swagger UI the page loads, with their media type."""

_ASSETS_URL = "/static/docs"


def docs_router(openapi_url: str, title: str) -> APIRouter:
    """``/docs`` (Swagger UI over ``openapi_url``) and its files, none in the OpenAPI schema."""
    router = APIRouter(include_in_schema=False)
    folder = Path(swagger_ui_path)

    @router.get("/docs")
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url, title=f"{title} - API docs",
            swagger_js_url=f"{_ASSETS_URL}/swagger-ui-bundle.js", swagger_css_url=f"{_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{_ASSETS_URL}/favicon-32x32.png", swagger_ui_parameters={"validatorUrl": None},
        )

    @router.get(f"{_ASSETS_URL}/{{name}}")
    async def asset(name: str) -> FileResponse:
        if name not in DOCS_ASSETS:
            raise HTTPException(404, f"No docs file {name!r} (there are {', '.join(sorted(DOCS_ASSETS))})")
        return FileResponse(folder / name, media_type=DOCS_ASSETS[name], headers={"Cache-Control": "max-age=3600"})

    return router
