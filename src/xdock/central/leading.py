"""``xdock central`` on its store: the one central of an SQLite store, or the leader or a standby of a
PostgreSQL store shared by several centrals.

On PostgreSQL, a central first tries to take the site's leadership
(:class:`~xdock.central.store.leadership.Leadership`). If another central leads, it *stands by*: no
MQTT session (the leader's session, by the same client id, is the site's, and taking it would cut
the leader off), no decisions, an API that answers reads from the store and refuses the rest naming
the leader (:mod:`xdock.central.standby.api`); every ``poll_s`` seconds it tries again. Once it
leads, it builds the whole :class:`~xdock.central.app.Central` from the store as the last leader left
it, on the same API socket, and takes over the MQTT session: the scans the old leader had taken but
not acknowledged come again and are applied once (their keys are in the store).

A leader that loses its lead (its lock's session ended, or a newer epoch is in the store) stops with
:class:`~xdock.central.app.LeadershipLostError`; started again (``Restart=on-failure``), it stands by.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from xdock.central.api.listen_socket import bind_api
from xdock.central.app import Central, LeadershipLostError
from xdock.central.config import CentralConfig
from xdock.central.store.database import StoreError
from xdock.central.store.leadership import Leadership
from xdock.protocol.clock import Clock

__all__ = ["CentralRun", "is_shared_store"]

log = logging.getLogger(__name__)


def is_shared_store(db: Path | str) -> bool:
    """Whether ``db`` is a store several centrals may share (PostgreSQL)."""
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


class CentralRun:
    """One ``xdock central`` process: bind the API, lead or stand by, run central while leading.

    The constructor binds the API's address (:class:`~xdock.central.api.listen_socket.ApiAddressError`) and
    opens the store (:class:`~xdock.central.store.database.StoreError`): an SQLite file's whole central, or a
    shared store's leadership connection (the central itself is built once it leads).
    """

    def __init__(self, config: CentralConfig, clock: Clock, *, poll_s: float = 0.5) -> None:
        self.config = config
        self.clock = clock
        self.poll_s = poll_s
        self.central_id = config.central_id or socket.gethostname()
        self.api_socket = None if config.api_port is None else bind_api(config.api_host, config.api_port)
        self.central: Central | None = None
        self.lost: str | None = None
        """Why this central stopped leading, when it did."""
        self.failed: str | None = None
        """Why this central stopped on a store error (the database unreachable while standing by, say)."""
        self.on_lead: Callable[[Central], None] | None = None
        """Told when this central leads (its :class:`Central` built, about to run)."""
        self.leadership: Leadership | None = None
        try:
            if is_shared_store(config.db):
                self.leadership = Leadership(
                    str(config.db), self.central_id, api=self.advertised_api(), password=config.db_password,
                )
            else:  # the one central of its file: opened now, so a store it cannot open is a start-up error
                self.central = Central(config, clock, api_socket=self.api_socket)
                self.api_socket = None  # the central's now: closed with it
        except BaseException:
            self.close()
            raise

    @property
    def listening_port(self) -> int | None:
        if self.central is not None:
            return self.central.listening_port
        return None if self.api_socket is None else int(self.api_socket.getsockname()[1])

    def advertised_api(self) -> str | None:
        """The API base address told to clients and other centrals (see ``CentralConfig.advertise_api``)."""
        if self.config.advertise_api is not None or self.api_socket is None:
            return self.config.advertise_api
        host = self.config.api_host
        if host in ("0.0.0.0", "::", ""):  # noqa: S104  (every interface: other machines use the host's name)
            host = socket.getfqdn()
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.listening_port}"

    def leads_now(self) -> bool:
        """Take the lead if no central holds it."""
        return self.leadership is None or self.leadership.try_take(datetime.now(UTC)) is not None

    async def run(self, *, started: Callable[[], None] | None = None) -> None:
        """Stand by until leading (shared store), then run central until cancelled or deposed (:attr:`lost`).
        ``started``: see :meth:`Central.run`."""
        try:
            if self.central is None:
                if not await asyncio.to_thread(self.leads_now):
                    await self._stand_by()
                self.central = Central(self.config, self.clock, api_socket=self.api_socket, leadership=self.leadership)
                self.api_socket = None  # the central's now: closed with it
            central = self.central
            if self.leadership is not None:
                log.warning("central %s leads the site at epoch %s", self.central_id, self.leadership.epoch)
            if self.on_lead is not None:
                self.on_lead(central)
            try:
                await central.run(started=started)
            except* LeadershipLostError as lost:  # told by the command, in one line
                self.lost = str(lost.exceptions[0])
            except* StoreError:
                # A write that failed because the lead is gone (its connection cut, or fenced by a newer epoch)
                # may stop central before the leadership check notices: the lost lead is the reason.
                if self.lost is None:
                    reason = await asyncio.to_thread(self._lost_lead)
                    if reason is None:
                        raise
                    self.lost = f"central {self.central_id!r} no longer leads the site: {reason}"
        except* StoreError as failed:  # told by the command, in one line
            self.failed = str(failed.exceptions[0])
        finally:
            self.close()

    def _lost_lead(self) -> str | None:
        """Why this central no longer leads (``None``: it still does, or the store has no leadership)."""
        return None if self.leadership is None else self.leadership.lost()

    async def _stand_by(self) -> None:
        from xdock.central.standby.waiting import stand_by  # noqa: PLC0415  (the web stack, only for a standby)

        assert self.leadership is not None
        await stand_by(self.config, self.leadership, self.api_socket, poll_s=self.poll_s)

    def close(self) -> None:
        if self.api_socket is not None:
            self.api_socket.close()
            self.api_socket = None
        if self.leadership is not None:
            self.leadership.close()
