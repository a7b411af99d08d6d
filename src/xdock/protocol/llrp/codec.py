"""Message bodies to bytes and back, and the 10-byte frame header.

Header: 3 reserved bits (0), 3-bit version (1 for LLRP 1.0.1), 10-bit message type, 32-bit
length (header included), 32-bit message id.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Final

from xdock.protocol.llrp import config_messages as c
from xdock.protocol.llrp import messages as m
from xdock.protocol.llrp.message_base import _ROSpecCommand, _StatusResponse
from xdock.protocol.llrp.parameters import (
    CONNECTION_ATTEMPT_EVENT,
    CONNECTION_CLOSE_EVENT,
    GENERAL_DEVICE_CAPABILITIES,
    LLRP_CAPABILITIES,
    LLRP_STATUS,
    READER_EVENT_NOTIFICATION_DATA,
    TAG_REPORT_DATA,
    UPTIME,
    UTC_TIMESTAMP,
    GeneralDeviceCapabilities,
    LlrpCapabilities,
    LlrpStatus,
    TagReport,
    leading_status,
)
from xdock.protocol.llrp.rospec import ROSPEC, ROSpec
from xdock.protocol.llrp.wire import BodyReader, RawParameter, TvParameter, encode_tlv

__all__ = ["HEADER_SIZE", "LLRP_VERSION", "decode_body", "encode_message"]

HEADER_SIZE: Final = 10
LLRP_VERSION: Final = 1


def encode_message(message: m.LlrpMessage) -> bytes:
    """The whole frame for ``message``: header and body."""
    body = _encode_body(message)
    if not 0 <= message.message_id <= 0xFFFFFFFF:
        raise ValueError(f"LLRP message_id {message.message_id}: expected 0 to 4294967295")
    return struct.pack(">HII", (LLRP_VERSION << 10) | message.TYPE, HEADER_SIZE + len(body), message.message_id) + body


def _raw(items: tuple[RawParameter | TvParameter, ...]) -> bytes:
    return b"".join(item.encode() for item in items)


def _encode_body(message: m.LlrpMessage) -> bytes:  # noqa: PLR0911 - one arm per message shape
    match message:
        case m.ReaderEventNotification():
            stamp_type = UPTIME if message.uptime else UTC_TIMESTAMP
            data = encode_tlv(stamp_type, struct.pack(">Q", message.timestamp_us))
            if message.connection_attempt is not None:
                data += encode_tlv(CONNECTION_ATTEMPT_EVENT, struct.pack(">H", message.connection_attempt))
            if message.connection_close:
                data += encode_tlv(CONNECTION_CLOSE_EVENT, b"")
            return encode_tlv(READER_EVENT_NOTIFICATION_DATA, data + _raw(message.extra))
        case m.GetReaderCapabilities():
            return bytes([message.requested_data]) + _raw(message.extra)
        case m.GetReaderCapabilitiesResponse():
            body = message.status.encode()
            body += message.general.encode() if message.general is not None else b""
            body += message.llrp.encode() if message.llrp is not None else b""
            return body + _raw(message.extra)
        case m.AddROSpec():
            return message.rospec.encode()
        case m.DeleteROSpec() | m.StartROSpec() | m.StopROSpec() | m.EnableROSpec() | c.DisableROSpec():
            return struct.pack(">I", message.rospec_id)
        case c.GetReaderConfig() | c.GetReaderConfigResponse() | c.SetReaderConfig() | c.DeleteAccessSpec():
            return c.encode_config_body(message)
        case (
            m.AddROSpecResponse()
            | m.DeleteROSpecResponse()
            | m.StartROSpecResponse()
            | m.StopROSpecResponse()
            | m.EnableROSpecResponse()
            | m.CloseConnectionResponse()
            | m.ErrorMessage()
            | c.SetReaderConfigResponse()
            | c.DeleteAccessSpecResponse()
            | c.DisableROSpecResponse()
        ):
            return message.status.encode()
        case m.ROAccessReport():
            return b"".join(tag.encode() for tag in message.tags) + _raw(message.extra)
        case m.Keepalive() | m.KeepaliveAck() | m.CloseConnection() | c.EnableEventsAndReports():
            return b""


def _status_only(cls: type[_StatusResponse]) -> Callable[[BodyReader, int], m.LlrpMessage]:
    def decode(reader: BodyReader, message_id: int) -> m.LlrpMessage:
        status = _one_status(reader)
        return cls(message_id, status)  # type: ignore[return-value]

    return decode


def _one_status(reader: BodyReader) -> LlrpStatus:
    found: LlrpStatus | None = None
    for at, param, body in reader.parameters():
        if param.type != LLRP_STATUS or body is None or found is not None:
            raise reader.error("parameter", f"unexpected parameter type {param.type}", at=at)
        found = LlrpStatus.decode(body)
    if found is None:
        raise reader.error("LLRPStatus", "missing")
    return found


def _rospec_command(cls: type[_ROSpecCommand]) -> Callable[[BodyReader, int], m.LlrpMessage]:
    def decode(reader: BodyReader, message_id: int) -> m.LlrpMessage:
        rospec_id = reader.uint(4, "ROSpecID")
        if reader.remaining:
            raise reader.error("end", f"{reader.remaining} unexpected bytes")
        return cls(message_id, rospec_id)  # type: ignore[return-value]

    return decode


_Empty = m.Keepalive | m.KeepaliveAck | m.CloseConnection | c.EnableEventsAndReports


def _empty(cls: type[_Empty]) -> Callable[[BodyReader, int], m.LlrpMessage]:
    def decode(reader: BodyReader, message_id: int) -> m.LlrpMessage:
        if reader.remaining:
            raise reader.error("end", f"{reader.remaining} unexpected bytes")
        return cls(message_id)

    return decode


def _reader_event(reader: BodyReader, message_id: int) -> m.LlrpMessage:
    params = reader.parameters()
    if len(params) != 1 or params[0][1].type != READER_EVENT_NOTIFICATION_DATA or params[0][2] is None:
        raise reader.error("ReaderEventNotificationData", "expected exactly one parameter")
    data = params[0][2]
    stamp: tuple[int, bool] | None = None
    attempt: int | None = None
    close = False
    extra: list[RawParameter] = []
    for at, param, body in data.parameters():
        if isinstance(param, TvParameter) or body is None:
            raise data.error("parameter", f"TV type {param.type} is not allowed here", at=at)
        if param.type in {UTC_TIMESTAMP, UPTIME} and stamp is None:
            stamp = (body.uint(8, "Microseconds"), param.type == UPTIME)
        elif param.type == CONNECTION_ATTEMPT_EVENT and attempt is None:
            attempt = body.uint(2, "Status")
        elif param.type == CONNECTION_CLOSE_EVENT and not close:
            close = True
        else:
            extra.append(param)
    if stamp is None:
        raise data.error("UTCTimestamp", "missing")
    return m.ReaderEventNotification(message_id, stamp[0], stamp[1], attempt, close, tuple(extra))


def _capabilities_request(reader: BodyReader, message_id: int) -> m.LlrpMessage:
    requested = reader.uint(1, "RequestedData")
    extra = tuple(p for _, p, _ in reader.parameters() if isinstance(p, RawParameter))
    return m.GetReaderCapabilities(message_id, requested, extra)


def _capabilities_response(reader: BodyReader, message_id: int) -> m.LlrpMessage:
    status, params = leading_status(reader)
    general: GeneralDeviceCapabilities | None = None
    llrp: LlrpCapabilities | None = None
    extra: list[RawParameter] = []
    for at, param, body in params:
        if isinstance(param, TvParameter) or body is None:
            raise reader.error("parameter", f"TV type {param.type} is not allowed here", at=at)
        if param.type == GENERAL_DEVICE_CAPABILITIES and general is None:
            general = GeneralDeviceCapabilities.decode(body)
        elif param.type == LLRP_CAPABILITIES and llrp is None:
            llrp = LlrpCapabilities.decode(body)
        else:
            extra.append(param)
    return m.GetReaderCapabilitiesResponse(message_id, status, general, llrp, tuple(extra))


def _add_rospec(reader: BodyReader, message_id: int) -> m.LlrpMessage:
    params = reader.parameters()
    if len(params) != 1 or params[0][1].type != ROSPEC or params[0][2] is None:
        raise reader.error("ROSpec", "expected exactly one")
    return m.AddROSpec(message_id, ROSpec.decode(params[0][2]))


def _report(reader: BodyReader, message_id: int) -> m.LlrpMessage:
    tags: list[TagReport] = []
    extra: list[RawParameter | TvParameter] = []
    for _, param, body in reader.parameters():
        if param.type == TAG_REPORT_DATA and body is not None:
            tags.append(TagReport.decode(body))
        else:
            extra.append(param)
    return m.ROAccessReport(message_id, tuple(tags), tuple(extra))


_DECODERS: Final[dict[int, Callable[[BodyReader, int], m.LlrpMessage]]] = {
    m.ReaderEventNotification.TYPE: _reader_event,
    m.GetReaderCapabilities.TYPE: _capabilities_request,
    m.GetReaderCapabilitiesResponse.TYPE: _capabilities_response,
    m.AddROSpec.TYPE: _add_rospec,
    m.DeleteROSpec.TYPE: _rospec_command(m.DeleteROSpec),
    m.StartROSpec.TYPE: _rospec_command(m.StartROSpec),
    m.StopROSpec.TYPE: _rospec_command(m.StopROSpec),
    m.EnableROSpec.TYPE: _rospec_command(m.EnableROSpec),
    m.AddROSpecResponse.TYPE: _status_only(m.AddROSpecResponse),
    m.DeleteROSpecResponse.TYPE: _status_only(m.DeleteROSpecResponse),
    m.StartROSpecResponse.TYPE: _status_only(m.StartROSpecResponse),
    m.StopROSpecResponse.TYPE: _status_only(m.StopROSpecResponse),
    m.EnableROSpecResponse.TYPE: _status_only(m.EnableROSpecResponse),
    m.CloseConnectionResponse.TYPE: _status_only(m.CloseConnectionResponse),
    m.ErrorMessage.TYPE: _status_only(m.ErrorMessage),
    m.ROAccessReport.TYPE: _report,
    m.Keepalive.TYPE: _empty(m.Keepalive),
    m.KeepaliveAck.TYPE: _empty(m.KeepaliveAck),
    m.CloseConnection.TYPE: _empty(m.CloseConnection),
    c.GetReaderConfig.TYPE: c.decode_get_reader_config,
    c.GetReaderConfigResponse.TYPE: c.decode_get_reader_config_response,
    c.SetReaderConfig.TYPE: c.decode_set_reader_config,
    c.SetReaderConfigResponse.TYPE: _status_only(c.SetReaderConfigResponse),
    c.EnableEventsAndReports.TYPE: _empty(c.EnableEventsAndReports),
    c.DeleteAccessSpec.TYPE: c.decode_delete_access_spec,
    c.DeleteAccessSpecResponse.TYPE: _status_only(c.DeleteAccessSpecResponse),
    c.DisableROSpec.TYPE: _rospec_command(c.DisableROSpec),
    c.DisableROSpecResponse.TYPE: _status_only(c.DisableROSpecResponse),
}


def decode_body(message_type: int, message_id: int, reader: BodyReader) -> m.LlrpMessage | None:
    """The message in ``reader``'s bytes, or None for a message type this codec does not read."""
    decoder = _DECODERS.get(message_type)
    return None if decoder is None else decoder(reader, message_id)
