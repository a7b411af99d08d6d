"""One HTTP POST to a partner's URL, off central's event loop: what a webhook or an EPCIS capture delivery sends."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import urllib3

__all__ = ["Posted", "Poster", "UrllibPoster"]


@dataclass(frozen=True)
class Posted:
    """The receiver's answer: its status, or why there was none."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def why(self) -> str:
        """Why a failed delivery failed, as kept in its ``last_error``."""
        return self.error or f"HTTP {self.status}"


class Poster(Protocol):
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Posted: ...


class UrllibPoster:
    """POSTs with urllib3 in a worker thread, each bounded by ``timeout_s`` (connect and read)."""

    def __init__(self, timeout_s: float = 10.0) -> None:
        self.timeout_s = timeout_s
        self._pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=timeout_s))

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Posted:
        return await asyncio.to_thread(self._post, url, body, dict(headers))

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> Posted:
        try:
            response = self._pool.request("POST", url, body=body, headers=headers, preload_content=True)
        except urllib3.exceptions.NewConnectionError as exc:  # a TimeoutError to urllib3, though none waited
            return Posted(None, f"no connection to {urllib3.util.parse_url(url).netloc}: {exc.__cause__ or exc}")
        except urllib3.exceptions.TimeoutError:
            return Posted(None, f"no answer within {self.timeout_s:g} s")
        except urllib3.exceptions.HTTPError as exc:
            return Posted(None, f"{type(exc).__name__}: {exc}")
        return Posted(response.status)

    def close(self) -> None:
        self._pool.clear()
