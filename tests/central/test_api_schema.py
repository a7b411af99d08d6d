"""schemathesis against central's OpenAPI schema, in process: no generated request gets a 5xx.

schemathesis generates the requests from the app's own schema (bounded examples per operation);
they are sent through httpx's ASGI transport on the test's event loop, with access control on and a
supervisor's token, so the overrides and the alert route are reached past the token check. The site
has pallets, trailers and an open alert to act upon.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from access_site import Floor, open_floor
from hypothesis import HealthCheck, given, settings

EXAMPLES = 30
"""Generated requests per operation."""


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db")
    f.alerts.raise_alert("edge_offline", "e1", f.service.clock.now(), "edge e1 silent for 20 s")
    async with f.http:
        yield f
    f.service.store.close()


def _requests(floor: Floor) -> list[dict[str, Any]]:
    """Requests schemathesis generates from the schema, as httpx keyword arguments."""
    schema = schemathesis.openapi.from_dict(floor.app.openapi())
    requests: list[dict[str, Any]] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, database=None, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def generate(case: schemathesis.Case) -> None:
            kwargs = case.as_transport_kwargs(base_url="http://central", headers=floor.as_("sam"))
            if not kwargs.get("cookies"):
                kwargs.pop("cookies", None)
            data = kwargs.pop("data", None)
            if isinstance(data, (bytes, str)):
                kwargs["content"] = data
            elif data is not None:
                kwargs["data"] = data
            requests.append(kwargs)

        generate()
    return requests


async def test_no_generated_request_is_a_server_error(floor: Floor) -> None:
    requests = _requests(floor)
    assert len({(r["method"], r["url"].split("?")[0]) for r in requests}) > 20
    errors = []
    for kwargs in requests:
        what = f"{kwargs['method']} {kwargs['url']} {kwargs.get('json')}"
        try:
            response = await floor.http.request(**kwargs)
        except Exception as exc:  # the ASGI transport raises what the app did not answer
            errors.append(f"{what}: {exc!r}")
            continue
        if response.status_code >= 500:
            errors.append(f"{what}: {response.status_code}")
    assert errors == []
