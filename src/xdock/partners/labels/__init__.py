"""Pallet labels for printing: GS1-128 logistic labels in ZPL II, and reading printed labels back."""

from xdock.partners.labels.zpl import MAX_LINES, MAX_TEXT, LabelContentError, PalletLabel, pallet_label, parse_labels
from xdock.protocol.zpl import Barcode, Field, ParsedLabel, ZplDecoder, ZplError

__all__ = [
    "MAX_LINES",
    "MAX_TEXT",
    "Barcode",
    "Field",
    "LabelContentError",
    "PalletLabel",
    "ParsedLabel",
    "ZplDecoder",
    "ZplError",
    "pallet_label",
    "parse_labels",
]
