"""The despatch advice as xdock holds it: the one form EDIFACT and JSON are read into and written from.

A :class:`DespatchAdvice` tells what one truck brings: the supplier that sends it (``supplier_gln``), the
delivery party it goes to (``consignee_gln``, NAD+DP: the ship-to the sender was told: our cross-dock site
for an advice we receive, the destination for the one central sends when an outbound trailer leaves, then
with the site as supplier), and its pallets, each by SSCC with the trade items aboard.

Where each item finally goes decides the door: a line's own ``final_destination_gln`` (LOC+7), else the
advice's ``ultimate_consignee_gln`` (NAD+UC). Inside an advice every line is resolved that way when the
advice is built, so :attr:`PalletAdvice.final_destinations` needs no more than the pallet. (Build with
the constructor or ``model_validate``: pydantic's ``model_copy(update=...)`` does not validate.)

Times are timezone-aware, kept in UTC to the second (a finer part is dropped: EDIFACT carries seconds at
most). Free text is 1-35 printable ISO 8859-1 characters, what a UNOC interchange carries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Final, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from xdock.partners.desadv._rules import (
    adr_class_problem,
    gln_problem,
    gtin_problem,
    sscc_problem,
    text_problem,
    un_number_problem,
)

__all__ = ["Carrier", "DangerousGoods", "DespatchAdvice", "PalletAdvice", "TradeItemLine"]

MAX_QUANTITY: Final = 10**15 - 1
"""QTY's quantity is n..15."""
CELSIUS_RANGE: Final = (-100.0, 100.0)
"""The temperatures a pallet may be advised to keep, inclusive."""
MAX_KILOGRAMS: Final = 100_000.0
"""The heaviest pallet gross weight we take for true."""


def _refused(problem: str) -> PydanticCustomError:
    return PydanticCustomError("desadv", "{problem}", {"problem": problem})


def _rule(problem_of: Callable[[str], str | None]) -> AfterValidator:
    def validate(value: str) -> str:
        problem = problem_of(value)
        if problem is not None:
            raise _refused(problem)
        return value

    return AfterValidator(validate)


def _text(what: str) -> AfterValidator:
    return _rule(lambda value: text_problem(what, value))


def _utc_to_the_second(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC).replace(microsecond=0)
    except OverflowError as exc:
        raise _refused(f"time {value.isoformat()}: expected one within years 1-9999 in UTC") from exc


Sscc = Annotated[str, _rule(sscc_problem)]
Gln = Annotated[str, _rule(gln_problem)]
Gtin = Annotated[str, _rule(gtin_problem)]
Instant = Annotated[AwareDatetime, AfterValidator(_utc_to_the_second)]
Celsius = Annotated[float, Field(strict=True, ge=CELSIUS_RANGE[0], le=CELSIUS_RANGE[1], allow_inf_nan=False)]
Kilograms = Annotated[float, Field(strict=True, gt=0, le=MAX_KILOGRAMS, allow_inf_nan=False)]
Quantity = Annotated[int, Field(strict=True, gt=0, le=MAX_QUANTITY)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Carrier(_Frozen):
    """Who carries the goods (TDT's carrier, or NAD+CA): a GLN, a name, or both."""

    gln: Gln | None = None
    name: Annotated[str, _text("carrier name")] | None = None

    @model_validator(mode="after")
    def _named_somehow(self) -> Self:
        if self.gln is None and self.name is None:
            raise _refused("expected a GLN or a name, found neither")
        return self


class DangerousGoods(_Frozen):
    """One ADR entry of a pallet (DGS+ADR): its class and UN number."""

    adr_class: Annotated[str, _rule(adr_class_problem)]
    """``"3"``, ``"5.1"``, ``"8"``."""
    un_number: Annotated[str, _rule(un_number_problem)]
    """Four digits, ``"1203"``."""


class TradeItemLine(_Frozen):
    """A quantity of one trade item on a pallet (a LIN group)."""

    gtin: Gtin
    quantity: Quantity
    """Units despatched (QTY+12)."""
    best_before: date | None = None
    """DTM+361."""
    batch: Annotated[str, _text("batch")] | None = None
    """PIA+1 with item number type NB."""
    final_destination_gln: Gln | None = None
    """Where this line finally goes (LOC+7); inside an advice, the ultimate consignee when none is given."""


class PalletAdvice(_Frozen):
    """One pallet by its SSCC (CPS group with PCI+33E and GIN+BJ), what is aboard and how to handle it."""

    sscc: Sscc
    lines: tuple[TradeItemLine, ...] = ()
    max_temp_c: Celsius | None = None
    min_temp_c: Celsius | None = None
    dangerous_goods: tuple[DangerousGoods, ...] = ()
    """Written with the pallet's first line (D96A carries DGS in a LIN group), so they need a line."""
    gross_weight_kg: Kilograms | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.min_temp_c is not None and self.max_temp_c is not None and self.min_temp_c > self.max_temp_c:
            raise _refused(
                f"temperature range: expected min_temp_c {self.min_temp_c} <= max_temp_c {self.max_temp_c}")
        if self.dangerous_goods and not self.lines:
            raise _refused("dangerous_goods: expected at least one line to carry them (D96A: DGS in a LIN group)")
        return self

    @property
    def final_destinations(self) -> frozenset[str]:
        """The GLNs its lines finally go to (each line's own, else the advice's ultimate consignee)."""
        return frozenset(line.final_destination_gln for line in self.lines if line.final_destination_gln)

    @property
    def mixed(self) -> bool:
        """Whether its lines go to more than one final destination: it is broken down at the dock."""
        return len(self.final_destinations) > 1

    def _defaulted(self, destination: str) -> PalletAdvice:
        if all(line.final_destination_gln for line in self.lines):
            return self
        lines = tuple(
            line if line.final_destination_gln else line.model_copy(update={"final_destination_gln": destination})
            for line in self.lines
        )
        return self.model_copy(update={"lines": lines})


class DespatchAdvice(_Frozen):
    """What one truck brings or takes: a DESADV message (see :mod:`xdock.partners.desadv`)."""

    shipment_id: Annotated[str, _text("shipment id")]
    """BGM's document number."""
    issued_at: Instant
    """DTM+137."""
    expected_arrival: Instant | None = None
    """DTM+132, arrival date/time estimated."""
    supplier_gln: Gln
    """NAD+SU."""
    consignee_gln: Gln
    """NAD+DP: the delivery party the goods are sent to (for an advice we receive, our site)."""
    ultimate_consignee_gln: Gln | None = None
    """NAD+UC: the final destination of every line that names none of its own."""
    carrier: Carrier | None = None
    truck_id: Annotated[str, _text("truck id")] | None = None
    """The means of transport (TDT), e.g. the licence plate."""
    pallets: tuple[PalletAdvice, ...] = Field(min_length=1)

    @field_validator("pallets")
    @classmethod
    def _each_sscc_once_and_lines_resolved(
        cls, pallets: tuple[PalletAdvice, ...], info: ValidationInfo
    ) -> tuple[PalletAdvice, ...]:
        first: dict[str, int] = {}
        for index, pallet in enumerate(pallets):
            if pallet.sscc in first:
                raise _refused(
                    f"SSCC {pallet.sscc}: expected once, found at pallets[{first[pallet.sscc]}] and pallets[{index}]")
            first[pallet.sscc] = index
        default = info.data.get("ultimate_consignee_gln")
        if default is None:
            return pallets
        return tuple(pallet._defaulted(default) for pallet in pallets)
