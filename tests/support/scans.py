"""Scan events for tests, with defaults so a test names only what it varies.

``scan(seq)`` is the scan edge ``e1``'s scanner ``s1`` sends from door ``D1`` at :data:`AT`
(2026-11-23 07:00 UTC, 08:00 in Paris): pallet ``sscc(seq)`` for postal code ``69001``, no weight,
no temperature limit, no dangerous goods, ``raw="x"``, no offline decision. ``n=`` picks the pallet
apart from ``seq``; ``postal=None`` (and no ``gln``) sends no ship-to. Any other ScanEvent field
goes through as a keyword.

:func:`sscc` numbers pallets under the company prefix ``0376130321`` with a valid GS1 check digit
(:func:`xdock.protocol.gs1.sscc_with_check_digit`); :func:`offline` is an edge's offline decision
(plan version 1, assigned, at :data:`AT`); :func:`scan_bytes` is a scan as published on MQTT.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.messages import OfflineDecision, ScanEvent, ShipToModel, encode

__all__ = ["AT", "offline", "scan", "scan_bytes", "sscc"]

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
"""When scans are made unless a test says otherwise (08:00 in Paris)."""


def sscc(n: int, company: str = "0376130321") -> str:
    """Pallet ``n``'s 18-digit SSCC: ``company`` (extension digit and prefix), ``n`` zero-padded, check digit."""
    return sscc_with_check_digit(f"{company}{n:0{17 - len(company)}d}")


def scan(
    seq: int = 1,
    *,
    n: int | None = None,
    sscc: str | None = None,
    edge: str = "e1",
    device: str = "s1",
    door: str = "D1",
    at: datetime = AT,
    postal: str | None = "69001",
    gln: str | None = None,
    raw: str = "x",
    **fields: Any,
) -> ScanEvent:
    """A scan; pallet ``sscc`` or else ``sscc(n)`` (``n`` defaults to ``seq``); ship-to ``gln`` or else ``postal``."""
    ship_to = (ShipToModel(kind="gln", value=gln) if gln is not None
               else ShipToModel(kind="postal", value=postal) if postal is not None else None)
    return ScanEvent.model_validate({
        "edge_id": edge, "seq": seq, "device_id": device, "door": door, "scanned_at": at,
        "sscc": sscc if sscc is not None else _sscc(seq if n is None else n),
        "ship_to": ship_to, "raw": raw, **fields,
    })


_sscc = sscc


def offline(outcome: Literal["assigned", "staged"] = "assigned", *, door: str | None = None,
            trailer: str | None = None, area: str | None = None, plan_version: int = 1,
            at: datetime = AT) -> OfflineDecision:
    """What an edge told the worker while central was unreachable."""
    return OfflineDecision(plan_version=plan_version, outcome=outcome, door=door, trailer=trailer, area=area,
                           decided_at=at)


def scan_bytes(seq: int = 1, **overrides: Any) -> bytes:
    """:func:`scan` as its MQTT payload."""
    return encode(scan(seq, **overrides))
