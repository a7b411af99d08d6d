"""LLRP 1.0.1 (EPCglobal Low Level Reader Protocol), sans-I/O: the messages an RFID portal and its client exchange.

``encode_message(msg)`` gives a frame's bytes; :class:`LlrpDecoder` turns a byte stream into
messages. Only the messages a portal needs are typed (see :mod:`.messages` and
:mod:`.config_messages`); other parameters ride along raw. Pure code: no sockets here.
"""

from xdock.protocol.llrp.codec import encode_message
from xdock.protocol.llrp.config_messages import (
    DeleteAccessSpec,
    DeleteAccessSpecResponse,
    DisableROSpec,
    DisableROSpecResponse,
    EnableEventsAndReports,
    GetReaderConfig,
    GetReaderConfigResponse,
    KeepaliveSpec,
    ReaderEventNotificationSpec,
    SetReaderConfig,
    SetReaderConfigResponse,
)
from xdock.protocol.llrp.decoder import LlrpDecoder
from xdock.protocol.llrp.errors import LlrpError, LlrpFrameError, LlrpMessageError
from xdock.protocol.llrp.messages import (
    AddROSpec,
    AddROSpecResponse,
    CloseConnection,
    CloseConnectionResponse,
    DeleteROSpec,
    DeleteROSpecResponse,
    EnableROSpec,
    EnableROSpecResponse,
    ErrorMessage,
    GetReaderCapabilities,
    GetReaderCapabilitiesResponse,
    Keepalive,
    KeepaliveAck,
    LlrpMessage,
    ReaderEventNotification,
    ROAccessReport,
    StartROSpec,
    StartROSpecResponse,
    StopROSpec,
    StopROSpecResponse,
)
from xdock.protocol.llrp.parameters import GeneralDeviceCapabilities, LlrpCapabilities, LlrpStatus, TagReport
from xdock.protocol.llrp.rospec import AISpec, InventoryParameterSpec, ROReportSpec, ROSpec
from xdock.protocol.llrp.wire import RawParameter, TvParameter

__all__ = [
    "LLRP_PORT",
    "AISpec",
    "AddROSpec",
    "AddROSpecResponse",
    "CloseConnection",
    "CloseConnectionResponse",
    "DeleteAccessSpec",
    "DeleteAccessSpecResponse",
    "DeleteROSpec",
    "DeleteROSpecResponse",
    "DisableROSpec",
    "DisableROSpecResponse",
    "EnableEventsAndReports",
    "EnableROSpec",
    "EnableROSpecResponse",
    "ErrorMessage",
    "GeneralDeviceCapabilities",
    "GetReaderCapabilities",
    "GetReaderCapabilitiesResponse",
    "GetReaderConfig",
    "GetReaderConfigResponse",
    "InventoryParameterSpec",
    "Keepalive",
    "KeepaliveAck",
    "KeepaliveSpec",
    "LlrpCapabilities",
    "LlrpDecoder",
    "LlrpError",
    "LlrpFrameError",
    "LlrpMessage",
    "LlrpMessageError",
    "LlrpStatus",
    "ROAccessReport",
    "ROReportSpec",
    "ROSpec",
    "RawParameter",
    "ReaderEventNotification",
    "ReaderEventNotificationSpec",
    "SetReaderConfig",
    "SetReaderConfigResponse",
    "StartROSpec",
    "StartROSpecResponse",
    "StopROSpec",
    "StopROSpecResponse",
    "TagReport",
    "TvParameter",
    "encode_message",
]

LLRP_PORT = 5084
"""The TCP port IANA assigns to LLRP: where a reader listens unless configured otherwise."""
