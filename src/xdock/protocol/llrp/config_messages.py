"""LLRP 1.0.1 reader configuration: GET/SET_READER_CONFIG and the housekeeping a client does around its ROSpecs.

Client → reader: GET_READER_CONFIG (2), SET_READER_CONFIG (3), ENABLE_EVENTS_AND_REPORTS (64, no
answer), DELETE_ACCESSSPEC (41), DISABLE_ROSPEC (25). Reader → client: GET_READER_CONFIG_RESPONSE
(12), SET_READER_CONFIG_RESPONSE (13), DELETE_ACCESSSPEC_RESPONSE (51), DISABLE_ROSPEC_RESPONSE (35).

Of the configuration parameters, the two a reader acts on are typed (:class:`KeepaliveSpec`,
:class:`ReaderEventNotificationSpec`); the others (Identification, AntennaProperties,
AntennaConfiguration, ROReportSpec, AccessReportSpec, GPIO, EventsAndReports, custom) ride along
raw. Encoding puts every parameter in the order the standard lists them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar, Final

from xdock.protocol.llrp.message_base import _Message, _ROSpecCommand, _StatusResponse
from xdock.protocol.llrp.parameters import LlrpStatus, leading_status, raw_only
from xdock.protocol.llrp.wire import BodyReader, RawParameter, TvParameter, encode_tlv

__all__ = [
    "DeleteAccessSpec",
    "DeleteAccessSpecResponse",
    "DisableROSpec",
    "DisableROSpecResponse",
    "EnableEventsAndReports",
    "GetReaderConfig",
    "GetReaderConfigResponse",
    "KeepaliveSpec",
    "ReaderEventNotificationSpec",
    "SetReaderConfig",
    "SetReaderConfigResponse",
]

KEEPALIVE_SPEC: Final = 220
READER_EVENT_NOTIFICATION_SPEC: Final = 244
EVENT_NOTIFICATION_STATE: Final = 245
# Parameter order in SET_READER_CONFIG and GET_READER_CONFIG_RESPONSE (LLRP 1.0.1, 16.1.16 and 16.1.15).
_SET_ORDER: Final = (244, 221, 222, 237, 239, 220, 219, 225, 226)
_GET_ORDER: Final = (218, 221, 222, 244, 237, 239, 217, 220, 225, 219, 226)


@dataclass(frozen=True)
class KeepaliveSpec:
    """KeepaliveSpec: trigger 0 (none) or 1 (periodic), and the period in milliseconds."""

    trigger: int = 0
    interval_ms: int = 0

    def encode(self) -> bytes:
        """The parameter on the wire."""
        return encode_tlv(KEEPALIVE_SPEC, struct.pack(">BI", self.trigger, self.interval_ms))

    @classmethod
    def decode(cls, reader: BodyReader) -> KeepaliveSpec:
        """Read a KeepaliveSpec body."""
        trigger = reader.uint(1, "KeepaliveTriggerType")
        interval = reader.uint(4, "TimeInterval")
        if reader.remaining:
            raise reader.error("end", f"{reader.remaining} unexpected bytes")
        return cls(trigger, interval)


@dataclass(frozen=True)
class ReaderEventNotificationSpec:
    """ReaderEventNotificationSpec: which reader events the client wants, as (EventType, on) pairs.

    Event types: 0 hopping, 1 GPI, 2 ROSpec, 3 report buffer fill warning, 4 reader exception,
    5 RF survey, 6 AISpec, 7 AISpec with singulation details, 8 antenna.
    """

    states: tuple[tuple[int, bool], ...] = ()

    def encode(self) -> bytes:
        """The parameter on the wire."""
        body = b"".join(
            encode_tlv(EVENT_NOTIFICATION_STATE, struct.pack(">HB", event, 0x80 if on else 0))
            for event, on in self.states
        )
        return encode_tlv(READER_EVENT_NOTIFICATION_SPEC, body)

    @classmethod
    def decode(cls, reader: BodyReader) -> ReaderEventNotificationSpec:
        """Read a ReaderEventNotificationSpec body."""
        states: list[tuple[int, bool]] = []
        for at, param, body in reader.parameters():
            if param.type != EVENT_NOTIFICATION_STATE or body is None:
                raise reader.error("parameter", f"unexpected parameter type {param.type}", at=at)
            event = body.uint(2, "EventType")
            flags = body.uint(1, "NotificationState")
            if body.remaining:
                raise body.error("end", f"{body.remaining} unexpected bytes")
            states.append((event, bool(flags & 0x80)))
        return cls(tuple(states))


@dataclass(frozen=True)
class GetReaderConfig(_Message):
    """GET_READER_CONFIG (2): RequestedData 0 all, 1 identification, 2 antenna properties, ... 11 events and
    reports; AntennaID, GPIPortNum and GPOPortNum narrow it (0 = all)."""

    TYPE: ClassVar[int] = 2
    requested_data: int = 0
    antenna_id: int = 0
    gpi_port: int = 0
    gpo_port: int = 0
    extra: tuple[RawParameter, ...] = ()


@dataclass(frozen=True)
class GetReaderConfigResponse(_Message):
    """GET_READER_CONFIG_RESPONSE (12)."""

    TYPE: ClassVar[int] = 12
    status: LlrpStatus
    event_spec: ReaderEventNotificationSpec | None = None
    keepalive: KeepaliveSpec | None = None
    extra: tuple[RawParameter, ...] = ()


@dataclass(frozen=True)
class SetReaderConfig(_Message):
    """SET_READER_CONFIG (3): optionally back to factory defaults first, then the parameters given."""

    TYPE: ClassVar[int] = 3
    reset_to_factory_defaults: bool = False
    event_spec: ReaderEventNotificationSpec | None = None
    keepalive: KeepaliveSpec | None = None
    extra: tuple[RawParameter, ...] = ()


@dataclass(frozen=True)
class SetReaderConfigResponse(_StatusResponse):
    """SET_READER_CONFIG_RESPONSE (13)."""

    TYPE: ClassVar[int] = 13


@dataclass(frozen=True)
class EnableEventsAndReports(_Message):
    """ENABLE_EVENTS_AND_REPORTS (64): deliver held events and reports; it has no response."""

    TYPE: ClassVar[int] = 64


@dataclass(frozen=True)
class DeleteAccessSpec(_Message):
    """DELETE_ACCESSSPEC (41); 0 means every AccessSpec."""

    TYPE: ClassVar[int] = 41
    access_spec_id: int


@dataclass(frozen=True)
class DeleteAccessSpecResponse(_StatusResponse):
    """DELETE_ACCESSSPEC_RESPONSE (51)."""

    TYPE: ClassVar[int] = 51


@dataclass(frozen=True)
class DisableROSpec(_ROSpecCommand):
    """DISABLE_ROSPEC (25)."""

    TYPE: ClassVar[int] = 25


@dataclass(frozen=True)
class DisableROSpecResponse(_StatusResponse):
    """DISABLE_ROSPEC_RESPONSE (35)."""

    TYPE: ClassVar[int] = 35


ConfigMessage = GetReaderConfig | GetReaderConfigResponse | SetReaderConfig | DeleteAccessSpec


def _in_order(order: tuple[int, ...], params: list[tuple[int, bytes]]) -> bytes:
    rank = {param_type: index for index, param_type in enumerate(order)}
    return b"".join(data for _, data in sorted(params, key=lambda p: rank.get(p[0], len(order))))


def _settings(
    event_spec: ReaderEventNotificationSpec | None, keepalive: KeepaliveSpec | None, extra: tuple[RawParameter, ...]
) -> list[tuple[int, bytes]]:
    params = [(p.type, p.encode()) for p in extra]
    if event_spec is not None:
        params.append((READER_EVENT_NOTIFICATION_SPEC, event_spec.encode()))
    if keepalive is not None:
        params.append((KEEPALIVE_SPEC, keepalive.encode()))
    return params


def encode_config_body(message: ConfigMessage) -> bytes:
    """The body of a GET/SET_READER_CONFIG(_RESPONSE) or DELETE_ACCESSSPEC message."""
    match message:
        case GetReaderConfig():
            fields = struct.pack(
                ">BHHH", message.requested_data, message.antenna_id, message.gpi_port, message.gpo_port
            )
            return fields + b"".join(p.encode() for p in message.extra)
        case GetReaderConfigResponse():
            params = _settings(message.event_spec, message.keepalive, message.extra)
            return message.status.encode() + _in_order(_GET_ORDER, params)
        case SetReaderConfig():
            params = _settings(message.event_spec, message.keepalive, message.extra)
            return bytes([0x80 if message.reset_to_factory_defaults else 0]) + _in_order(_SET_ORDER, params)
        case DeleteAccessSpec():
            return struct.pack(">I", message.access_spec_id)


def _read_settings(
    reader: BodyReader, params: list[tuple[int, RawParameter | TvParameter, BodyReader | None]]
) -> tuple[ReaderEventNotificationSpec | None, KeepaliveSpec | None, tuple[RawParameter, ...]]:
    event_spec: ReaderEventNotificationSpec | None = None
    keepalive: KeepaliveSpec | None = None
    extra: list[RawParameter] = []
    for at, param, body in params:
        if isinstance(param, TvParameter) or body is None:
            raise reader.error("parameter", f"TV type {param.type} is not allowed here", at=at)
        if param.type == READER_EVENT_NOTIFICATION_SPEC and event_spec is None:
            event_spec = ReaderEventNotificationSpec.decode(body)
        elif param.type == KEEPALIVE_SPEC and keepalive is None:
            keepalive = KeepaliveSpec.decode(body)
        elif param.type in {READER_EVENT_NOTIFICATION_SPEC, KEEPALIVE_SPEC}:
            raise reader.error(body.context.rsplit(".", 1)[-1], "appears twice", at=at)
        else:
            extra.append(param)
    return event_spec, keepalive, tuple(extra)


def decode_get_reader_config(reader: BodyReader, message_id: int) -> GetReaderConfig:
    """GET_READER_CONFIG from its body."""
    requested = reader.uint(1, "RequestedData")
    antenna = reader.uint(2, "AntennaID")
    gpi = reader.uint(2, "GPIPortNum")
    gpo = reader.uint(2, "GPOPortNum")
    return GetReaderConfig(message_id, requested, antenna, gpi, gpo, raw_only(reader))


def decode_get_reader_config_response(reader: BodyReader, message_id: int) -> GetReaderConfigResponse:
    """GET_READER_CONFIG_RESPONSE from its body."""
    status, params = leading_status(reader)
    event_spec, keepalive, extra = _read_settings(reader, params)
    return GetReaderConfigResponse(message_id, status, event_spec, keepalive, extra)


def decode_set_reader_config(reader: BodyReader, message_id: int) -> SetReaderConfig:
    """SET_READER_CONFIG from its body."""
    reset = bool(reader.uint(1, "ResetToFactoryDefault") & 0x80)
    event_spec, keepalive, extra = _read_settings(reader, reader.parameters())
    return SetReaderConfig(message_id, reset, event_spec, keepalive, extra)


def decode_delete_access_spec(reader: BodyReader, message_id: int) -> DeleteAccessSpec:
    """DELETE_ACCESSSPEC from its body."""
    access_spec_id = reader.uint(4, "AccessSpecID")
    if reader.remaining:
        raise reader.error("end", f"{reader.remaining} unexpected bytes")
    return DeleteAccessSpec(message_id, access_spec_id)
