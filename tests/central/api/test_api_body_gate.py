"""Central's API signs a body's sender in before reading the body, and reads no body over its limit.

The bodies are streams counting what the app pulled from them: a refused body is never pulled (its
declared length is over the limit, or its sender is not signed in) or pulled only up to the limit
(streamed without a length). Against a real server, a request whose body never comes is answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.access_site import SITE, START, Floor, open_floor
from support.central_rig import api_client, built_central
from xdock.central.api.body_gate import DEFAULT_MAX_BODY_BYTES, BodyGate
from xdock.central.api.http_server import serve_http
from xdock.central.app import Central, CentralConfig
from xdock.cli import main
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ManualClock

PROBLEM = "application/problem+json"
CHUNK = 64 * 1024
BIG = 10 * 1024 * 1024
TRUCKS = "/api/v1/inbound-trucks"


class Pulled:
    """A body of ``size`` bytes as a stream of ``CHUNK``-byte pieces, counting the pieces pulled."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.chunks = 0

    async def stream(self) -> AsyncIterator[bytes]:
        sent = 0
        while sent < self.size:
            piece = b" " * min(CHUNK, self.size - sent)
            self.chunks += 1
            sent += len(piece)
            yield piece


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db")
    async with f.http:
        yield f
    await f.close()


async def _post(http: httpx.AsyncClient, body: Pulled, *, declared: bool = True, **headers: str) -> httpx.Response:
    sent = {"Content-Type": "application/json", **headers}
    if declared:
        sent["Content-Length"] = str(body.size)
    return await http.post(TRUCKS, content=body.stream(), headers=sent)


def _problem(status: int, detail: str) -> dict[str, Any]:
    titles = {401: "Unauthorized", 403: "Forbidden", 413: "Content Too Large"}
    return {"type": "about:blank", "title": titles[status], "status": status, "detail": detail}


async def test_an_unsigned_body_is_refused_unread(floor: Floor) -> None:
    body = Pulled(BIG)
    response = await _post(floor.http, body)
    assert (response.status_code, response.headers["content-type"]) == (401, PROBLEM)
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == _problem(401, "Authorization: a bearer token is required")
    assert body.chunks == 0


async def test_a_body_with_an_unknown_token_is_refused_unread(floor: Floor) -> None:
    body = Pulled(BIG)
    response = await _post(floor.http, body, declared=False, Authorization="Bearer xdk_forged")
    assert response.status_code == 401
    assert response.json() == _problem(401, "Authorization: unknown or revoked token")
    assert body.chunks == 0


async def test_a_declared_body_over_the_limit_is_413_unread(floor: Floor) -> None:
    body = Pulled(BIG)
    response = await _post(floor.http, body, **floor.as_("sam"))
    assert (response.status_code, response.headers["content-type"]) == (413, PROBLEM)
    assert response.json() == _problem(413, "Request body of 10485760 bytes is over the limit of 1048576 bytes")
    assert body.chunks == 0


async def test_a_streamed_body_is_cut_at_the_limit(floor: Floor) -> None:
    body = Pulled(BIG)
    response = await _post(floor.http, body, declared=False, **floor.as_("sam"))
    assert (response.status_code, response.headers["content-type"]) == (413, PROBLEM)
    assert response.json() == _problem(413, "Request body is over the limit of 1048576 bytes")
    assert body.chunks == DEFAULT_MAX_BODY_BYTES // CHUNK + 1


async def test_a_body_of_the_limit_is_read(floor: Floor) -> None:
    body = Pulled(DEFAULT_MAX_BODY_BYTES)
    response = await _post(floor.http, body, **floor.as_("sam"))
    assert response.status_code == 400
    # read to its end: blank
    assert response.json()["detail"] == "body: not JSON text (Expecting value at character 1048576)"
    assert body.chunks == DEFAULT_MAX_BODY_BYTES // CHUNK


async def test_a_role_too_low_is_told_after_a_body_within_the_limit(floor: Floor) -> None:
    response = await floor.http.post(TRUCKS, json={"id": "IN-1"}, headers=floor.as_("wanda"))
    assert response.status_code == 403
    assert response.json() == _problem(403, "user wanda is a worker; this needs a supervisor")


@pytest.mark.parametrize("length", ["\u00b2", "-1", "1e3", "12 "])
async def test_a_content_length_that_is_no_whole_number_is_400(floor: Floor, length: str) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was read")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": TRUCKS, "raw_path": TRUCKS.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"content-length", length.encode("latin-1")), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1), "server": ("central", 80),
    }
    await floor.app(scope, receive, send)
    assert sent[0]["status"] == 400
    assert (b"content-type", PROBLEM.encode()) in sent[0]["headers"]
    assert json.loads(sent[1]["body"]) == {
        "type": "about:blank", "title": "Bad Request", "status": 400,
        "detail": f"Content-Length {length!r}: expected a whole number of bytes",
    }


async def test_with_access_control_off_only_the_limit_holds(tmp_path: Path) -> None:
    f = open_floor(tmp_path / "c.db", auth=False)
    async with f.http:
        body = Pulled(BIG)
        assert (await _post(f.http, body)).status_code == 413
        assert body.chunks == 0
        small = Pulled(2)
        assert (await _post(f.http, small)).status_code == 400  # read, and not JSON
        assert small.chunks == 1
    await f.close()


async def test_the_limit_is_a_setting(floor: Floor) -> None:
    limited = built_central(SITE, floor.central.config.db, floor.site.clock, auth=True, max_body_bytes=100)
    async with api_client(limited) as http:
        over, at = Pulled(101), Pulled(100)
        assert (await _post(http, over, **floor.as_("sam"))).json()["detail"] == (
            "Request body of 101 bytes is over the limit of 100 bytes"
        )
        assert (await _post(http, at, **floor.as_("sam"))).status_code == 400  # read, and not JSON
        assert (over.chunks, at.chunks) == (0, 1)
    await limited.aclose()


def test_a_limit_below_one_byte_is_refused(floor: Floor) -> None:
    with pytest.raises(ValueError, match="max_body_bytes must be at least 1, got 0"):
        BodyGate(floor.app, access=floor.central.access, max_body_bytes=0)


@contextlib.asynccontextmanager
async def _served(floor: Floor) -> AsyncIterator[int]:
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.ensure_future(serve_http(floor.app, "127.0.0.1", 0, on_bound=bound.set_result))
    try:
        yield await asyncio.wait_for(bound, 10)
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


async def _status_without_sending_the_body(port: int, headers: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"POST {TRUCKS} HTTP/1.1\r\nHost: central\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {BIG}\r\n{headers}\r\n".encode())
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    finally:
        writer.close()
    status = int(head.split(b" ", 2)[1])
    return status, head


async def test_a_real_server_answers_before_the_body_comes(floor: Floor) -> None:
    async with _served(floor) as port:
        status, head = await _status_without_sending_the_body(port, "")
        assert status == 401
        assert b"content-type: application/problem+json" in head.lower()
        token = floor.tokens["sam"]
        status, _ = await _status_without_sending_the_body(port, f"Authorization: Bearer {token}\r\n")
        assert status == 413


@pytest.mark.parametrize("given", ["0", "-5", "1MiB"])
def test_central_refuses_a_limit_below_one_byte(capsys: pytest.CaptureFixture[str], given: str) -> None:
    with pytest.raises(SystemExit) as done:
        main(["central", "--site", "x.yaml", "--no-api", "--max-body-bytes", given])
    assert done.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        f"argument --max-body-bytes: invalid byte count '{given}': expected a whole number, 1 or more"
    )


async def test_central_serves_its_api_with_the_configured_limit(tmp_path: Path) -> None:
    central = Central(CentralConfig(SITE, BrokerUrl.parse("mqtt://127.0.0.1:1"), tmp_path / "c.db", api_port=None,
                                    replan_interval=None, max_body_bytes=4096), ManualClock(START))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=central.app), base_url="http://c") as http:
            over = await _post(http, Pulled(4097))
    finally:
        central.telemetry.close()
        central.store.close()
    assert over.json() == _problem(413, "Request body of 4097 bytes is over the limit of 4096 bytes")
    assert CentralConfig(SITE, BrokerUrl.parse("mqtt://127.0.0.1:1"), tmp_path / "d.db").max_body_bytes == 1024 * 1024
