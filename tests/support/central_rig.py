"""Central as ``xdock central`` builds it (its one composition root), in-process, for tests.

:func:`built_central` returns a :class:`~xdock.central.app.Central` over a site and a store file that is
never run: no broker connection, no API socket, no re-plan loop. Tests drive its site core
(``central.site``) directly and call its API in-process with :func:`api_client`; the collaborators
(liveness, access, live hub, ingest counters) are the ones central itself wires.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from xdock.central.app import Central, CentralConfig
from xdock.central.site_file.config import SiteConfig
from xdock.central.telemetry import TelemetryConfig
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock

__all__ = ["NO_BROKER", "api_client", "built_central", "running_api"]

NO_BROKER = BrokerUrl("127.0.0.1", 1)
"""A broker address nothing listens on: a built central never connects to it."""


def built_central(
    site: SiteConfig, db: Path, clock: Clock, *, auth: bool | None = None, live_tick_s: float = 0.05,
    telemetry: TelemetryConfig | None = None, max_body_bytes: int | None = None,
    label_printer: tuple[str, int] | None = None,
) -> Central:
    """Central for ``site`` over the store ``db``, on ``clock``; close it with ``await central.aclose()``."""
    extra: dict[str, Any] = {} if max_body_bytes is None else {"max_body_bytes": max_body_bytes}
    if label_printer is not None:
        extra["label_printer"] = label_printer
    config = CentralConfig(site=site, broker=NO_BROKER, db=db, api_port=None, replan_interval=None, auth=auth,
                           telemetry=telemetry, live_tick_s=live_tick_s, **extra)
    return Central(config, clock)


def api_client(central: Central) -> httpx.AsyncClient:
    """An HTTP client on ``central``'s API, in-process (base URL ``http://central``)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=central.app), base_url="http://central")


@asynccontextmanager
async def running_api(
    site: SiteConfig, db: Path, clock: Clock, *, auth: bool | None = None,
) -> AsyncIterator[tuple[Central, httpx.AsyncClient]]:
    """A built central and an HTTP client on its API; both closed on the way out."""
    central = built_central(site, db, clock, auth=auth)
    try:
        async with api_client(central) as http:
            yield central, http
    finally:
        await central.aclose()
