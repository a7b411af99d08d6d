"""Pallet labels as trucks bring them: mostly good, some damaged or wrong, in a seeded mix."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.identifiers import check_postal_code

__all__ = ["LabelFactory", "LabelMix", "SimLabel"]

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
    """Share of each kind of trouble among scans (the rest are good labels)."""

    bad_check_digit: float = 0.03
    product_code: float = 0.02
    rescan: float = 0.02
    chilled: float = 0.08
    """Share of good labels that carry a maximum temperature of 4 °C (AI 4331)."""
    dangerous: float = 0.03
    """Share of good labels flagged as dangerous goods (AI 4321)."""


class LabelFactory:
    """Makes pallet labels for a GS1 company prefix, with ship-to postal codes drawn by weight.

    Every identifier on a label meant good is one central accepts (:mod:`xdock.protocol.identifiers`):
    the SSCC carries its check digit, the postal codes are checked here.
    """

    def __init__(
        self, rng: random.Random, postal_weights: dict[str, float], *, company_prefix: str = "376130321",
        mix: LabelMix | None = None,
    ) -> None:
        if not company_prefix.isdigit() or not 6 <= len(company_prefix) <= 12:
            raise ValueError(f"Invalid GS1 company prefix {company_prefix!r}: expected 6-12 digits")
        if not postal_weights:
            raise ValueError("postal_weights must name at least one postal code")
        for code in postal_weights:
            check_postal_code(code)  # a good label ships to a code central accepts
        self.rng = rng
        self.prefix = company_prefix
        self.codes = list(postal_weights)
        self.weights = [postal_weights[c] for c in self.codes]
        self.mix = mix or LabelMix()
        self._serial = rng.randrange(10**6)
        self._issued: list[SimLabel] = []

    def _sscc(self) -> str:
        self._serial += 1
        serial_len = 16 - len(self.prefix)
        body = "0" + self.prefix + str(self._serial % 10**serial_len).zfill(serial_len)
        return sscc_with_check_digit(body)

    def next(self) -> SimLabel:
        roll = self.rng.random()
        mix = self.mix
        if roll < mix.rescan and self._issued:
            again = self.rng.choice(self._issued[-20:])
            return SimLabel(again.text, again.sscc, again.postal, "rescan", again.symbology)
        roll -= mix.rescan
        if roll < mix.product_code:
            # A product's EAN-13 on a carton, scanned by mistake: the same mod-10 check digit as an SSCC.
            ean12 = "376130321" + str(self.rng.randrange(1000)).zfill(3)
            ean13 = sscc_with_check_digit("0" * 5 + ean12)[5:]
            return SimLabel(ean13, None, None, "product_code", symbology="]E0")
        roll -= mix.product_code
        sscc = self._sscc()
        postal = self.rng.choices(self.codes, self.weights)[0]
        if roll < mix.bad_check_digit:
            wrong = sscc[:-1] + str((int(sscc[-1]) + 1 + self.rng.randrange(9)) % 10)
            return SimLabel(build_label(wrong, ship_to_postal=postal), wrong, postal, "bad_check_digit")
        text = build_label(
            sscc, ship_to_postal=postal, gross_weight_kg=round(self.rng.uniform(120, 850), 1),
            max_temp_c=4.0 if self.rng.random() < mix.chilled else None,
            dangerous_goods=self.rng.random() < mix.dangerous,
        )
        label = SimLabel(text, sscc, postal, "good")
        self._issued.append(label)
        return label
