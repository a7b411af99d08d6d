"""Sans-I/O LLRP stream decoder: bytes in, messages (or refusals) out.

``feed(data)`` returns the messages completed by ``data``, in order; an empty list means "need
more". A frame that is well delimited but refused (unknown message type, malformed parameter)
comes back as an :class:`LlrpMessageError` in that list, is counted in ``rejected``, and the
stream carries on at the next frame: the length field still told us where it ends.

A header that cannot be trusted (reserved bits set, a version other than 1, a length below 10
or above ``max_message``) means frame boundaries are lost: there is no marker in LLRP to find
the next frame. The stream is declared broken, not resynchronised: ``feed`` returns the
messages before that header followed by the :class:`LlrpFrameError`, ``broken`` holds it, every
further ``feed`` raises it, and the caller closes the connection.

A reader may instead take another protocol version's frame as well delimited (``refuse_other_versions``):
its header is laid out alike in every LLRP version, so when its reserved bits and length are sound the
frame comes back as an :class:`LlrpMessageError` on field ``Version`` and the stream carries on, so the
reader can answer M_UnsupportedVersion as LLRP 1.0.1 asks.
"""

from __future__ import annotations

import struct
from typing import Final

from xdock.protocol.llrp.codec import HEADER_SIZE, LLRP_VERSION, decode_body
from xdock.protocol.llrp.errors import LlrpError, LlrpFrameError, LlrpMessageError
from xdock.protocol.llrp.messages import MESSAGE_NAMES, LlrpMessage
from xdock.protocol.llrp.wire import BodyReader

__all__ = ["DEFAULT_MAX_MESSAGE", "LlrpDecoder"]

DEFAULT_MAX_MESSAGE: Final = 1 << 20


class LlrpDecoder:
    """Turns a byte stream from one LLRP connection into messages."""

    def __init__(self, *, max_message: int = DEFAULT_MAX_MESSAGE, refuse_other_versions: bool = False) -> None:
        self._buffer = bytearray()
        self._offset = 0  # stream offset of _buffer[0]
        self._max = max_message
        self._refuse_other_versions = refuse_other_versions
        self.rejected = 0
        """Frames refused so far."""
        self.decoded = 0
        """Messages decoded so far."""
        self.broken: LlrpFrameError | None = None
        """The header error that broke the stream, if any."""

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for the rest of a frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[LlrpMessage | LlrpMessageError | LlrpFrameError]:
        """Add ``data``; return the messages and refused frames it completes, then the break if one came."""
        if self.broken is not None:
            raise self.broken
        self._buffer += data
        out: list[LlrpMessage | LlrpMessageError | LlrpFrameError] = []
        while len(self._buffer) >= HEADER_SIZE:
            first, length, message_id = struct.unpack_from(">HII", self._buffer)
            version = (first >> 10) & 0b111
            delimited = self._refuse_other_versions and not first >> 13 and HEADER_SIZE <= length <= self._max
            self.broken = None if delimited else self._check_header(first, length)
            if self.broken is not None:
                self._buffer.clear()
                out.append(self.broken)
                break
            if len(self._buffer) < length:
                break
            if version != LLRP_VERSION:
                self.rejected += 1
                out.append(
                    LlrpMessageError(
                        f"version {version}, expected {LLRP_VERSION}",
                        offset=self._offset,
                        field="Version",
                        message_type=first & 0x3FF,
                        message_id=message_id,
                    )
                )
            else:
                out.append(self._decode(bytes(self._buffer[:length]), first & 0x3FF, message_id))
            del self._buffer[:length]
            self._offset += length
        return out

    def _check_header(self, first: int, length: int) -> LlrpFrameError | None:
        problem: tuple[str, str] | None = None
        if first >> 13:
            problem = ("Rsvd", f"reserved bits are {first >> 13}, expected 0")
        elif (first >> 10) & 0b111 != LLRP_VERSION:
            problem = ("Version", f"version {(first >> 10) & 0b111}, expected {LLRP_VERSION}")
        elif not HEADER_SIZE <= length <= self._max:
            problem = ("Message Length", f"length {length}, expected {HEADER_SIZE} to {self._max}")
        return None if problem is None else LlrpFrameError(problem[1], offset=self._offset, field=problem[0])

    def _decode(self, frame: bytes, message_type: int, message_id: int) -> LlrpMessage | LlrpMessageError:
        name = MESSAGE_NAMES.get(message_type, f"message type {message_type}")
        reader = BodyReader(frame, HEADER_SIZE, len(frame), base=self._offset, context=name)
        try:
            message = decode_body(message_type, message_id, reader)
            if message is not None and reader.remaining:
                raise reader.error("end", f"{reader.remaining} unexpected bytes")
        except LlrpError as error:
            self.rejected += 1
            return LlrpMessageError(
                error.detail, offset=error.offset, field=error.field, message_type=message_type, message_id=message_id
            )
        if message is None:
            self.rejected += 1
            return LlrpMessageError(
                f"type {message_type} is not a message this reader handles",
                offset=self._offset,
                field="Message Type",
                message_type=message_type,
                message_id=message_id,
            )
        self.decoded += 1
        return message
