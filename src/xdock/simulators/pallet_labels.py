"""Pallet labels as trucks bring them: each pallet's own GS1-128 label, and now and then a scan gone wrong first.

A worker at an inbound door scans every pallet's label (its SSCC, ship-to postal code, maximum temperature
and dangerous-goods flag). A seeded few of the pallets are scanned wrong first (:class:`LabelMix`): the
carton's product code (an EAN-13, refused as not an SSCC) or a damaged label read with a wrong check
digit (refused); the worker then scans the right label. A few pallets are scanned again after their
answer (a rescan: answered the same).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.identifiers import check_postal_code

__all__ = ["LabelMix", "PalletLabels", "SimLabel"]

LabelKind = Literal["good", "bad_check_digit", "product_code", "rescan"]


@dataclass(frozen=True)
class SimLabel:
    """One label to scan and what the simulator meant it to be."""

    text: str
    sscc: str | None
    postal: str | None
    kind: LabelKind
    symbology: str = "]C1"
    """AIM identifier the scanner reports: GS1-128 for pallet labels, EAN-13 for product codes."""


@dataclass(frozen=True)
class LabelMix:
    """Share of pallets whose scan goes wrong first, by kind, and of pallets scanned again after their answer."""

    bad_check_digit: float = 0.03
    product_code: float = 0.02
    rescan: float = 0.02


class PalletLabels:
    """The scans a worker makes for each pallet, seeded by ``rng`` (the same seed, the same slips)."""

    def __init__(self, rng: random.Random, *, mix: LabelMix | None = None) -> None:
        self.rng = rng
        self.mix = mix or LabelMix()

    def scans(
        self, sscc: str, postal: str, *, max_temp_c: float | None = None, dangerous_goods: bool = False,
    ) -> list[SimLabel]:
        """The labels scanned, in order, for the pallet ``sscc`` shipped to ``postal``: its own label last
        but for a rescan, which follows it."""
        check_postal_code(postal)
        text = build_label(sscc, ship_to_postal=postal, gross_weight_kg=round(self.rng.uniform(120, 850), 1),
                           max_temp_c=max_temp_c, dangerous_goods=dangerous_goods)
        good = SimLabel(text, sscc, postal, "good")
        roll = self.rng.random()
        mix = self.mix
        if roll < mix.product_code:
            # A product's EAN-13 on a carton, scanned by mistake: the same mod-10 check digit as an SSCC.
            ean12 = "376130321" + str(self.rng.randrange(1000)).zfill(3)
            ean13 = sscc_with_check_digit("0" * 5 + ean12)[5:]
            return [SimLabel(ean13, None, None, "product_code", symbology="]E0"), good]
        roll -= mix.product_code
        if roll < mix.bad_check_digit:
            wrong = sscc[:-1] + str((int(sscc[-1]) + 1 + self.rng.randrange(9)) % 10)
            return [SimLabel(build_label(wrong, ship_to_postal=postal), wrong, postal, "bad_check_digit"), good]
        roll -= mix.bad_check_digit
        if roll < mix.rescan:
            return [good, SimLabel(text, sscc, postal, "rescan")]
        return [good]
