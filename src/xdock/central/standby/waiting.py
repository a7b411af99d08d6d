"""Standing by: the standby's API served while the site's leadership is tried every few tenths of a second."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from datetime import UTC, datetime

from xdock.central.api.access import Access
from xdock.central.api.http_server import serve_http
from xdock.central.api.leadership import LeadershipOut, leadership_out
from xdock.central.config import CentralConfig
from xdock.central.standby.api import standby_app
from xdock.central.store.database import Store
from xdock.central.store.leadership import Leadership

__all__ = ["stand_by"]

log = logging.getLogger(__name__)


async def stand_by(
    config: CentralConfig, leadership: Leadership, api_socket: socket.socket | None, *, poll_s: float,
) -> int:
    """Serve the standby API on ``api_socket`` (left open: the leader's API takes it over) and try to take
    the lead every ``poll_s`` seconds; answer the epoch taken."""
    store = Store(config.db, application=f"xdock-central {leadership.central}", password=config.db_password)
    seen = leadership.leader()
    log.warning("central %s stands by: central %s leads the site (epoch %d)", leadership.central, seen.central,
                seen.epoch)
    if seen.central == leadership.central:
        log.error("the central leading the site has this central's id %r: give each central its own --central-id",
                  leadership.central)

    def current() -> LeadershipOut:
        return leadership_out(leadership.central, store.leader())

    serving: asyncio.Task[None] | None = None
    if api_socket is not None:
        app = standby_app(store, Access(store, config.auth), current, site=config.site.site)
        serving = asyncio.create_task(serve_http(app, config.api_host, 0, sock=api_socket.dup()), name="standby-api")
        log.info("standby API on http://%s:%d/api/v1 (reads from the store; writes go to the leader)",
                 config.api_host, api_socket.getsockname()[1])
    try:
        while True:
            epoch = await asyncio.to_thread(leadership.try_take, datetime.now(UTC))
            if epoch is not None:
                return epoch
            await asyncio.sleep(poll_s)
    finally:
        if serving is not None:
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
        store.close()
