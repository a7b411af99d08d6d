"""Message models of the v1 contract (pydantic v2), encoded as UTF-8 JSON.

Uplink (edge → central) messages carry the idempotency key ``(edge_id, seq)``: ``seq`` grows with
every message an edge emits and is never reused, across restarts (it may jump forward after a
restart), so central can apply each message exactly once.

Every model carries ``v`` (the schema version); a payload of another version is refused with a
:class:`MessageError` that names the field, not silently misread.

Decoding is strict: a field of the wrong JSON type (``"seq": "7"``, ``"v": true``) is refused, not
coerced, and integers that are stored (``seq``, ``plan_version``) must fit a signed 64-bit column.
Identifiers are checked as :mod:`xdock.protocol.identifiers` says: an SSCC or a ship-to GLN with a
wrong check digit, an id with ``/`` or a control character, a malformed postal code are refused naming
the field (``field 'sscc': Invalid SSCC check digit for '376130320510005997': expected 6, got 7``).
A :class:`MessageError` carries a stable ``reason`` (``oversized``, ``wrong_version``,
``bad_identifier``, ``bad_payload``) for counting, and its text lists at most a few problems, each clipped, so a
hostile payload cannot make a huge error.

The status messages (:class:`EdgeStatus`, :class:`DeviceStatus`, :class:`CentralStatus`) live in
:mod:`xdock.protocol.status_messages` and the shared base in :mod:`xdock.protocol._message_base`;
both are re-exported here.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from xdock.protocol._message_base import (
    SCHEMA_VERSION,
    Id,
    MessageError,
    MessageErrorReason,
    PlanVersion,
    Seq,
    Sscc,
    _Message,
)
from xdock.protocol.identifiers import (
    BAD_IDENTIFIER,
    CountryCode,
    Gln,
    IdentifierError,
    PostalCodeMatch,
    check_gln,
    check_postal_code,
)
from xdock.protocol.status_messages import CentralStatus, DeviceKind, DeviceStatus, EdgeStatus

__all__ = [
    "MAX_PAYLOAD",
    "SCHEMA_VERSION",
    "Assignment",
    "Celsius",
    "CentralStatus",
    "DestinationMatch",
    "DeviceKind",
    "DeviceStatus",
    "Downlink",
    "EdgeStatus",
    "Feedback",
    "Id",
    "MessageError",
    "MessageErrorReason",
    "OfflineAnswerShown",
    "OfflineDecision",
    "PlanVersion",
    "Route",
    "RouteSnapshot",
    "ScanEvent",
    "Seq",
    "ShipToModel",
    "Sscc",
    "_Message",
    "decode",
    "decode_downlink",
    "encode",
]

MAX_PAYLOAD = 64 * 1024
"""The largest payload (bytes) of any xdock MQTT message: :func:`decode` refuses a larger one as
``oversized``, and a site's broker refuses it before anyone reads it (Mosquitto's
``message_size_limit``, generated from this constant). The one home of this number."""

_MAX_PROBLEMS = 5
_MAX_TEXT = 120


class ShipToModel(BaseModel):
    """Where the label says the pallet goes: a GLN (AI 410) or a postal code (AI 420), with its
    country for AI 421. The GLN's check digit and the postal code's form are checked
    (:mod:`xdock.protocol.identifiers`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["gln", "postal"]
    value: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    country: CountryCode | None = None

    @field_validator("value")
    @classmethod
    def _identifier(cls, value: str, info: ValidationInfo) -> str:
        check = check_gln if info.data.get("kind") == "gln" else check_postal_code
        try:
            return check(value)
        except IdentifierError as exc:
            raise PydanticCustomError(BAD_IDENTIFIER, "{problem}", {"problem": str(exc)}) from exc

    @field_validator("country")
    @classmethod
    def _postal_only(cls, country: str | None, info: ValidationInfo) -> str | None:
        if country is not None and info.data.get("kind") == "gln":
            raise PydanticCustomError("ship_to_country", "a GLN ship-to has no country")
        return country


class OfflineDecision(BaseModel):
    """What the edge told the worker from its routing snapshot while central was unreachable.

    It travels inside the scan so central can keep the worker's instruction when its plan allows,
    and answer with ``correction=True`` only where it must differ.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan_version: PlanVersion
    outcome: Literal["assigned", "staged"]
    door: Id | None = None
    trailer: Id | None = None
    area: Id | None = None
    decided_at: AwareDatetime


class ScanEvent(_Message):
    """A validated pallet label scan, uplink on ``.../edge/{edge}/scan``."""

    edge_id: Id
    seq: Seq
    device_id: Id
    door: Id
    scanned_at: AwareDatetime
    sscc: Sscc
    ship_to: ShipToModel | None = None
    expiry: date | None = None
    weight_kg: Annotated[float, Field(ge=0, le=100_000)] | None = None
    """Gross weight from the label (AI 330x), else net (AI 310x)."""
    max_temp_c: Annotated[float, Field(ge=-100, le=100)] | None = None
    """Highest temperature allowed (AI 4330/4331): decides chilled and frozen handling."""
    dangerous_goods: bool = False
    """AI 4321 set: the pallet carries dangerous goods."""
    symbology: str | None = None
    raw: Annotated[str, StringConstraints(max_length=512)]
    offline: OfflineDecision | None = None
    """Set when the edge answered the worker itself (central unreachable)."""

    @property
    def key(self) -> tuple[str, int]:
        """The idempotency key."""
        return (self.edge_id, self.seq)


class Assignment(_Message):
    """Central's answer to one scan, downlink on ``.../edge/{edge}/cmd``.

    ``display`` is what the scanner shows (at most 64 characters); ``reason`` is the longer
    human explanation a handheld or dashboard shows.
    """

    kind: Literal["assignment"] = "assignment"
    edge_id: Id
    seq: Seq
    device_id: Id
    sscc: Sscc
    outcome: Literal["assigned", "staged", "breakdown", "rejected"]
    """``assigned``: to ``trailer`` at ``door``; ``staged``: to staging ``area`` until a trailer fits;
    ``breakdown``: a mixed pallet to breakdown ``area``; ``rejected``: no place, ``reason`` says why."""
    door: str | None = None
    area: str | None = None
    trailer: str | None = None
    destination: str | None = None
    departure: AwareDatetime | None = None
    reason: str
    display: Annotated[str, StringConstraints(max_length=64)]
    decided_at: AwareDatetime
    correction: bool = False
    """The scan carried an offline decision and this answer differs from it: tell the worker again."""


class OfflineAnswerShown(_Message):
    """The offline answer a worker got after the scan had left without it, uplink on ``.../offline_answer``.

    The edge answers from its routing snapshot when central goes offline while it waits for central's
    answer; the scan already left, so central does not know the worker was told. Once central's answer
    came, the edge reports what the worker had been told, keyed ``(edge_id, seq)`` like every uplink;
    central reconciles it with its answer to the scan ``scan_seq`` once, as a kept or corrected offline
    answer.
    """

    kind: Literal["offline_answer"] = "offline_answer"
    edge_id: Id
    seq: Seq
    scan_seq: Seq
    """The scan answered offline."""
    device_id: Id
    sscc: Sscc
    offline: OfflineDecision

    @property
    def key(self) -> tuple[str, int]:
        """The idempotency key."""
        return (self.edge_id, self.seq)


class Feedback(_Message):
    """A direct instruction to one device (beep and/or text), downlink on ``.../cmd``."""

    kind: Literal["feedback"] = "feedback"
    device_id: Id
    beep: Literal["good", "error"] | None = None
    text: Annotated[str, StringConstraints(max_length=64)] | None = None


def _false(value: object) -> bool:
    return value is False


def _empty(value: object) -> bool:
    return isinstance(value, list) and not value


class DestinationMatch(BaseModel):
    """The ship-to values that mean one destination (see :mod:`xdock.protocol.routing`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Id
    postal_codes: list[PostalCodeMatch] = Field(default_factory=list, exclude_if=_empty)
    glns: list[Gln] = Field(default_factory=list, exclude_if=_empty)


Celsius = Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]
"""A temperature limit of a site's rules (°C), in the range of a label's maximum temperature."""


class Route(BaseModel):
    """One open outbound trailer an edge may send pallets to when it must decide alone.

    ``free_positions`` is this edge's share of the trailer's room, not the whole room: the shares of
    all edges listing the trailer never add up to more than its free positions.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    destination: Id
    trailer: Id
    door: Id
    departure: AwareDatetime | None = None
    reefer: bool = Field(default=False, exclude_if=_false)
    accepts_hazmat: bool = Field(default=False, exclude_if=_false)
    free_positions: Annotated[int, Field(ge=0)]


class RouteSnapshot(_Message):
    """Central's compact routing table for one edge, downlink on ``.../edge/{edge}/routes`` (retained).

    ``routes`` lists the trailers this edge holds a share of, by destination, the one to try first
    (nearest this edge's door) first; ``staging`` and ``chilled_staging`` take pallets no route fits.
    ``chilled_max_c`` is the site's rule the edge applies when it decides alone (the site file's
    ``rules.chilled_max_c``): a pallet whose label allows at most this temperature is chilled or frozen,
    so it goes to a reefer or to ``chilled_staging``. The edge keeps no copy of it: it always travels.

    On the wire a field at its default is left out (``reefer`` and ``accepts_hazmat`` when false,
    empty lists but ``applied_offline``, absent values); ``v`` and ``kind`` always travel. Decoding fills
    the defaults back in, and a payload that spells them out decodes the same.
    """

    kind: Literal["routes"] = "routes"
    edge_id: Id
    plan_version: PlanVersion
    made_at: AwareDatetime
    chilled_max_c: Celsius
    destinations: list[DestinationMatch] = Field(default_factory=list, exclude_if=_empty)
    routes: list[Route] = Field(default_factory=list, exclude_if=_empty)
    staging: Id | None = None
    chilled_staging: Id | None = None
    applied_offline: list[Seq] | None = None
    """The ``seq`` of every scan of this edge carrying an offline decision to a trailer still open that
    central had applied when it made this snapshot (sorted), so the edge knows which of its own offline
    decisions the shares already count; ``[]`` travels (none applied). Absent (``None``) in a snapshot of
    an older central: the edge then trusts the shares as they are."""


Downlink = Annotated[Assignment | Feedback, Field(discriminator="kind")]
_DOWNLINK: TypeAdapter[Assignment | Feedback] = TypeAdapter(Downlink)

M = TypeVar("M", bound=BaseModel)


def encode(message: BaseModel) -> bytes:
    """The wire form of any message."""
    return message.model_dump_json(exclude_none=True).encode()


def _clip(text: str) -> str:
    """``text`` made safe for one log line: control characters escaped, cut to a bounded length."""
    shown = text if text.isprintable() else ascii(text)[1:-1]
    return shown if len(shown) <= _MAX_TEXT else shown[: _MAX_TEXT - 1] + "…"


def _error(kind: str, exc: ValidationError) -> MessageError:
    errors = exc.errors(include_url=False)
    problems = []
    for err in errors[:_MAX_PROBLEMS]:
        where = ".".join(str(part) for part in err["loc"]) or "payload"
        problems.append(f"field '{_clip(where)}': {_clip(err['msg'])}")
    if len(errors) > _MAX_PROBLEMS:
        problems.append(f"and {len(errors) - _MAX_PROBLEMS} more")
    # ``v`` of the message itself (``feedback.v`` in a downlink); an extra ``v`` deeper down is no version.
    wrong_version = any(err["loc"][-1:] == ("v",) and err["type"] != "extra_forbidden" for err in errors)
    reason: MessageErrorReason = "bad_payload"
    if wrong_version:
        reason = "wrong_version"
    elif any(err["type"] == BAD_IDENTIFIER for err in errors):
        reason = "bad_identifier"
    return MessageError(f"Invalid {kind}: " + "; ".join(problems), reason=reason)


def _oversized(kind: str, payload: bytes) -> MessageError:
    return MessageError(f"Invalid {kind}: payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}", reason="oversized")


def decode(model: type[M], payload: bytes) -> M:
    """Decode ``payload`` as ``model``; raise :class:`MessageError` naming the bad field."""
    if len(payload) > MAX_PAYLOAD:
        raise _oversized(model.__name__, payload)
    try:
        return model.model_validate_json(payload, strict=True)
    except ValidationError as exc:
        raise _error(model.__name__, exc) from exc


def decode_downlink(payload: bytes) -> Assignment | Feedback:
    """Decode a command-topic payload (an :class:`Assignment` or a :class:`Feedback`)."""
    if len(payload) > MAX_PAYLOAD:
        raise _oversized("downlink", payload)
    try:
        return _DOWNLINK.validate_json(payload, strict=True)
    except ValidationError as exc:
        raise _error("downlink", exc) from exc


