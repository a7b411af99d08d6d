"""Hypothesis strategies for despatch advices: valid keys with their check digits, free text full of ``?+:'``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from biip.checksums import gs1_standard_check_digit
from hypothesis import strategies as st

from xdock.partners.desadv import Carrier, DangerousGoods, DespatchAdvice, PalletAdvice, TradeItemLine
from xdock.partners.desadv._rules import ADR_CLASSES

PRINTABLE = "".join(chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0x100)])
"""Every character the model's free text takes (printable ISO 8859-1)."""


def _keyed(length: int) -> st.SearchStrategy[str]:
    body = st.text("0123456789", min_size=length - 1, max_size=length - 1)
    return body.map(lambda digits: digits + str(gs1_standard_check_digit(digits)))


ssccs = _keyed(18)
glns = _keyed(13)
gtins = st.sampled_from([8, 12, 13, 14]).flatmap(_keyed)
texts = st.text(st.sampled_from("?+:'") | st.sampled_from(PRINTABLE), min_size=1, max_size=35)
zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1), timezones=zones)
temperatures = st.floats(-100, 100, allow_nan=False)

dangerous_goods = st.builds(
    DangerousGoods, adr_class=st.sampled_from(sorted(ADR_CLASSES)),
    un_number=st.integers(1, 9999).map(lambda n: f"{n:04d}"),
)
lines = st.builds(
    TradeItemLine, gtin=gtins, quantity=st.integers(1, 10**15 - 1), best_before=st.none() | st.dates(),
    batch=st.none() | texts, final_destination_gln=st.none() | glns,
)
carriers = st.builds(Carrier, gln=glns, name=st.none() | texts) | st.builds(Carrier, name=texts)


@st.composite
def pallets(draw: st.DrawFn, sscc: st.SearchStrategy[str] = ssccs) -> PalletAdvice:
    """A pallet: a temperature range in order, dangerous goods only with a line to carry them."""
    items = tuple(draw(st.lists(lines, max_size=4)))
    bounds = sorted(draw(st.lists(temperatures, min_size=2, max_size=2)))
    low, high = (draw(st.none() | st.just(b)) for b in bounds)
    return PalletAdvice(
        sscc=draw(sscc), lines=items, min_temp_c=low, max_temp_c=high,
        dangerous_goods=tuple(draw(st.lists(dangerous_goods, max_size=3))) if items else (),
        gross_weight_kg=draw(st.none() | st.floats(0, 100_000, exclude_min=True)),
    )


advices = st.builds(
    DespatchAdvice, shipment_id=texts, issued_at=instants, expected_arrival=st.none() | instants,
    supplier_gln=glns, consignee_gln=glns, ultimate_consignee_gln=st.none() | glns,
    carrier=st.none() | carriers, truck_id=st.none() | texts,
    pallets=st.lists(pallets(), min_size=1, max_size=5, unique_by=lambda p: p.sscc).map(tuple),
)
