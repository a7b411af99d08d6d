"""The LLRP 1.0.1 messages a reader and its client exchange, as typed values.

Client → reader: GET_READER_CAPABILITIES, ADD/ENABLE/START/STOP/DELETE_ROSPEC, KEEPALIVE_ACK,
CLOSE_CONNECTION. Reader → client: READER_EVENT_NOTIFICATION, the ``*_RESPONSE`` messages
(each with an :class:`LlrpStatus`), RO_ACCESS_REPORT, KEEPALIVE. The reader-configuration
messages (GET/SET_READER_CONFIG, ENABLE_EVENTS_AND_REPORTS, DELETE_ACCESSSPEC, DISABLE_ROSPEC) live
in :mod:`.config_messages`; :data:`LlrpMessage` covers both.

Every message carries the ``message_id`` of its frame; a response echoes its request's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from xdock.protocol.llrp.config_messages import (
    DeleteAccessSpec,
    DeleteAccessSpecResponse,
    DisableROSpec,
    DisableROSpecResponse,
    EnableEventsAndReports,
    GetReaderConfig,
    GetReaderConfigResponse,
    SetReaderConfig,
    SetReaderConfigResponse,
)
from xdock.protocol.llrp.message_base import _Message, _ROSpecCommand, _StatusResponse
from xdock.protocol.llrp.parameters import GeneralDeviceCapabilities, LlrpCapabilities, LlrpStatus, TagReport
from xdock.protocol.llrp.rospec import ROSpec
from xdock.protocol.llrp.wire import RawParameter, TvParameter

__all__ = [
    "MESSAGE_NAMES",
    "AddROSpec",
    "AddROSpecResponse",
    "CloseConnection",
    "CloseConnectionResponse",
    "DeleteROSpec",
    "DeleteROSpecResponse",
    "EnableROSpec",
    "EnableROSpecResponse",
    "ErrorMessage",
    "GetReaderCapabilities",
    "GetReaderCapabilitiesResponse",
    "Keepalive",
    "KeepaliveAck",
    "LlrpMessage",
    "ROAccessReport",
    "ReaderEventNotification",
    "StartROSpec",
    "StartROSpecResponse",
    "StopROSpec",
    "StopROSpecResponse",
]


@dataclass(frozen=True)
class ReaderEventNotification(_Message):
    """READER_EVENT_NOTIFICATION (63): a timestamp and the events; here ConnectionAttempt/Close."""

    TYPE: ClassVar[int] = 63
    timestamp_us: int
    """Microseconds since the epoch (UTCTimestamp), or since boot when ``uptime``."""
    uptime: bool = False
    connection_attempt: int | None = None
    """ConnectionAttemptEvent status: 0 success, 1-4 the reasons a connection was refused."""
    connection_close: bool = False
    extra: tuple[RawParameter, ...] = ()


@dataclass(frozen=True)
class GetReaderCapabilities(_Message):
    """GET_READER_CAPABILITIES (1): 0 all, 1 general device, 2 LLRP, 3 regulatory, 4 air protocol."""

    TYPE: ClassVar[int] = 1
    requested_data: int = 0
    extra: tuple[RawParameter, ...] = ()


@dataclass(frozen=True)
class GetReaderCapabilitiesResponse(_Message):
    """GET_READER_CAPABILITIES_RESPONSE (11); regulatory and air-protocol capabilities stay raw."""

    TYPE: ClassVar[int] = 11
    status: LlrpStatus
    general: GeneralDeviceCapabilities | None = None
    llrp: LlrpCapabilities | None = None
    extra: tuple[RawParameter, ...] = ()


@dataclass(frozen=True)
class AddROSpec(_Message):
    """ADD_ROSPEC (20)."""

    TYPE: ClassVar[int] = 20
    rospec: ROSpec


@dataclass(frozen=True)
class DeleteROSpec(_ROSpecCommand):
    """DELETE_ROSPEC (21)."""

    TYPE: ClassVar[int] = 21


@dataclass(frozen=True)
class StartROSpec(_ROSpecCommand):
    """START_ROSPEC (22)."""

    TYPE: ClassVar[int] = 22


@dataclass(frozen=True)
class StopROSpec(_ROSpecCommand):
    """STOP_ROSPEC (23)."""

    TYPE: ClassVar[int] = 23


@dataclass(frozen=True)
class EnableROSpec(_ROSpecCommand):
    """ENABLE_ROSPEC (24)."""

    TYPE: ClassVar[int] = 24


@dataclass(frozen=True)
class AddROSpecResponse(_StatusResponse):
    """ADD_ROSPEC_RESPONSE (30)."""

    TYPE: ClassVar[int] = 30


@dataclass(frozen=True)
class DeleteROSpecResponse(_StatusResponse):
    """DELETE_ROSPEC_RESPONSE (31)."""

    TYPE: ClassVar[int] = 31


@dataclass(frozen=True)
class StartROSpecResponse(_StatusResponse):
    """START_ROSPEC_RESPONSE (32)."""

    TYPE: ClassVar[int] = 32


@dataclass(frozen=True)
class StopROSpecResponse(_StatusResponse):
    """STOP_ROSPEC_RESPONSE (33)."""

    TYPE: ClassVar[int] = 33


@dataclass(frozen=True)
class EnableROSpecResponse(_StatusResponse):
    """ENABLE_ROSPEC_RESPONSE (34)."""

    TYPE: ClassVar[int] = 34


@dataclass(frozen=True)
class CloseConnectionResponse(_StatusResponse):
    """CLOSE_CONNECTION_RESPONSE (4)."""

    TYPE: ClassVar[int] = 4


@dataclass(frozen=True)
class ErrorMessage(_StatusResponse):
    """ERROR_MESSAGE (100): the reader's answer to a message it cannot take (e.g. 109 M_UnsupportedMessage)."""

    TYPE: ClassVar[int] = 100


@dataclass(frozen=True)
class ROAccessReport(_Message):
    """RO_ACCESS_REPORT (61): the tags seen; RF survey and custom parameters stay raw."""

    TYPE: ClassVar[int] = 61
    tags: tuple[TagReport, ...] = ()
    extra: tuple[RawParameter | TvParameter, ...] = ()


@dataclass(frozen=True)
class Keepalive(_Message):
    """KEEPALIVE (62), from the reader."""

    TYPE: ClassVar[int] = 62


@dataclass(frozen=True)
class KeepaliveAck(_Message):
    """KEEPALIVE_ACK (72), from the client."""

    TYPE: ClassVar[int] = 72


@dataclass(frozen=True)
class CloseConnection(_Message):
    """CLOSE_CONNECTION (14)."""

    TYPE: ClassVar[int] = 14


LlrpMessage = (
    ReaderEventNotification
    | GetReaderCapabilities
    | GetReaderCapabilitiesResponse
    | AddROSpec
    | DeleteROSpec
    | StartROSpec
    | StopROSpec
    | EnableROSpec
    | AddROSpecResponse
    | DeleteROSpecResponse
    | StartROSpecResponse
    | StopROSpecResponse
    | EnableROSpecResponse
    | CloseConnectionResponse
    | ErrorMessage
    | ROAccessReport
    | Keepalive
    | KeepaliveAck
    | CloseConnection
    | GetReaderConfig
    | GetReaderConfigResponse
    | SetReaderConfig
    | SetReaderConfigResponse
    | EnableEventsAndReports
    | DeleteAccessSpec
    | DeleteAccessSpecResponse
    | DisableROSpec
    | DisableROSpecResponse
)

MESSAGE_NAMES: Final[dict[int, str]] = {
    1: "GET_READER_CAPABILITIES",
    2: "GET_READER_CONFIG",
    3: "SET_READER_CONFIG",
    4: "CLOSE_CONNECTION_RESPONSE",
    11: "GET_READER_CAPABILITIES_RESPONSE",
    12: "GET_READER_CONFIG_RESPONSE",
    13: "SET_READER_CONFIG_RESPONSE",
    14: "CLOSE_CONNECTION",
    20: "ADD_ROSPEC",
    21: "DELETE_ROSPEC",
    22: "START_ROSPEC",
    23: "STOP_ROSPEC",
    24: "ENABLE_ROSPEC",
    25: "DISABLE_ROSPEC",
    30: "ADD_ROSPEC_RESPONSE",
    31: "DELETE_ROSPEC_RESPONSE",
    32: "START_ROSPEC_RESPONSE",
    33: "STOP_ROSPEC_RESPONSE",
    34: "ENABLE_ROSPEC_RESPONSE",
    35: "DISABLE_ROSPEC_RESPONSE",
    41: "DELETE_ACCESSSPEC",
    46: "GET_SUPPORTED_VERSION",
    51: "DELETE_ACCESSSPEC_RESPONSE",
    61: "RO_ACCESS_REPORT",
    62: "KEEPALIVE",
    63: "READER_EVENT_NOTIFICATION",
    64: "ENABLE_EVENTS_AND_REPORTS",
    72: "KEEPALIVE_ACK",
    100: "ERROR_MESSAGE",
}
