"""Turning a scanner line into a scan event, or into the reason the worker hears an error beep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xdock.protocol.gs1 import LabelError, PalletLabel
from xdock.protocol.messages import ScanEvent, ShipToModel
from xdock.protocol.scanner_wire import ScanLine

__all__ = ["LabelRejected", "read_label", "scan_event"]


@dataclass(frozen=True)
class LabelRejected:
    """A scan that will not leave the edge: ``short`` for the display, ``detail`` for the log."""

    short: str
    detail: str


def read_label(line: ScanLine) -> PalletLabel | LabelRejected:
    """Parse and validate the label text of one scanner line."""
    text = (line.symbology or "") + line.data
    try:
        return PalletLabel.parse(text)
    except LabelError as exc:
        return LabelRejected(exc.reason, str(exc))


def scan_event(
    label: PalletLabel, *, edge_id: str, seq: int, device_id: str, door: str, at: datetime
) -> ScanEvent:
    """The uplink message for a valid label."""
    ship_to = None
    if label.ship_to is not None:
        ship_to = ShipToModel(kind=label.ship_to.kind, value=label.ship_to.value, country=label.ship_to.country)
    return ScanEvent(
        edge_id=edge_id, seq=seq, device_id=device_id, door=door, scanned_at=at, sscc=label.sscc,
        ship_to=ship_to, expiry=label.expiry, symbology=label.symbology, raw=label.raw[:512],
        weight_kg=label.gross_weight_kg if label.gross_weight_kg is not None else label.net_weight_kg,
        max_temp_c=label.max_temp_c, dangerous_goods=label.dangerous_goods,
    )
