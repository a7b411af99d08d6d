"""Live streams whose sign-in stops holding are closed, with a close code and a reason the page shows.

A stream signed in with a token is closed (:data:`~xdock.central.web.live_auth.CLOSE_UNAUTHORIZED`)
when the token is revoked or its lifetime ends, or its user is removed, and
(:data:`~xdock.central.web.live_auth.CLOSE_FORBIDDEN`) when its user's role falls below the one
the stream needs; the reason reads ``signed out: token revoked`` and so on (see
:func:`~xdock.central.api.auth.signed_out`). A stream opened while access control was off is closed
with ``signed out: access control turned on`` if a first user turns it on.

Cheap by design: nothing is read per message. Every ``recheck_s`` seconds (see
:class:`~xdock.central.api.access.Access`) the guard reads the store's access generation (one row)
and compares each stream's token lifetime with the clock; only when the generation moved on (a
change by central's API or by another process, such as ``xdock central user``) are the streams'
tokens looked up again. A change through central's API also calls :meth:`LiveGuard.check` at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from xdock.central.api.access import Access
from xdock.central.api.auth import Grant, SignedOut, signed_out
from xdock.central.store.database import StoreError
from xdock.central.web.live_auth import CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED

__all__ = ["LiveGuard", "Watched"]

log = logging.getLogger(__name__)

_TURNED_ON = SignedOut("signed out: access control turned on")
_EXPIRED = SignedOut("signed out: token expired")


@dataclass(eq=False)
class Watched:
    """One live stream: its sign-in (``None``: opened with access control off), how to close it."""

    held: Grant | None
    close: Callable[[int, str], None]
    generation: int
    """The store's access generation this stream's sign-in was last checked at."""


class LiveGuard:
    """Closes the live streams of ``access`` whose sign-in no longer holds (see the module doc)."""

    def __init__(self, access: Access) -> None:
        self.access = access
        self._watched: set[Watched] = set()
        self._ticker: asyncio.Task[None] | None = None
        access.on_change(self.check)

    @property
    def streams(self) -> int:
        return len(self._watched)

    def watch(self, held: Grant | None, close: Callable[[int, str], None]) -> Watched:
        """Follow a stream that just signed in; ``close(code, reason)`` ends it when its sign-in stops holding."""
        watched = Watched(held, close, self.access.store.access_generation())
        if held is None and self.access.required is False:
            return watched  # access control forced off: nothing to follow
        self._watched.add(watched)
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._run(), name="live-guard")
        return watched

    def forget(self, watched: Watched) -> None:
        """The stream ended."""
        self._watched.discard(watched)
        if not self._watched and self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def check(self) -> None:
        """Close every followed stream whose sign-in no longer holds."""
        if not self._watched:
            return
        store = self.access.store
        generation = store.access_generation()
        now = self.access.clock.now()
        enabled: bool | None = None
        for watched in list(self._watched):
            why: SignedOut | None = None
            if watched.generation != generation:
                watched.generation = generation
                enabled = self.access.enabled if enabled is None else enabled
                if not enabled:
                    watched.held = None  # access control is off: anyone may watch, until it is on again
                elif watched.held is None:
                    why = _TURNED_ON
                else:
                    why = signed_out(store, watched.held, self.access.live_role, now)
            elif watched.held is not None and watched.held.expired(now):
                why = _EXPIRED
            if why is not None:
                who = watched.held.principal.name if watched.held is not None else "anonymous"
                log.info("live stream of %s closed: %s", who, why.reason)
                self.forget(watched)
                watched.close(CLOSE_FORBIDDEN if why.role_too_low else CLOSE_UNAUTHORIZED, why.reason)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.access.recheck_s)
            try:
                self.check()
            except StoreError as exc:
                log.warning("live streams' sign-ins not re-checked: %s", exc)
