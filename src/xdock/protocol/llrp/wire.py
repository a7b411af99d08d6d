"""LLRP's binary building blocks: big-endian fields, TLV and TV parameter headers.

A TLV parameter: 6 reserved bits, a 10-bit type (128-2047), a 16-bit length counting its own
4-byte header, then its fields and sub-parameters. A TV parameter: one byte, high bit set, a
7-bit type (1-127), then a value whose size the type fixes (:data:`TV_SIZES`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

from xdock.protocol.llrp.errors import LlrpError

__all__ = [
    "PARAMETER_NAMES",
    "TV_SIZES",
    "BodyReader",
    "RawParameter",
    "TvParameter",
    "encode_tlv",
    "encode_tv",
    "utf8_field",
]

TLV_HEADER: Final = 4
# TV parameter type -> value size in bytes (LLRP 1.0.1, section 16.2.7.3 and 15.2.1).
TV_SIZES: Final[dict[int, int]] = {
    1: 2,  # AntennaID
    2: 8,  # FirstSeenTimestampUTC
    3: 8,  # FirstSeenTimestampUptime
    4: 8,  # LastSeenTimestampUTC
    5: 8,  # LastSeenTimestampUptime
    6: 1,  # PeakRSSI (signed)
    7: 2,  # ChannelIndex
    8: 2,  # TagSeenCount
    9: 4,  # ROSpecID
    10: 2,  # InventoryParameterSpecID
    11: 2,  # C1G2-CRC
    12: 2,  # C1G2-PC
    13: 12,  # EPC-96
    14: 2,  # SpecIndex
    15: 2,  # ClientRequestOpSpecResult
    16: 4,  # AccessSpecID
    17: 2,  # OpSpecID
    18: 4,  # C1G2SingulationDetails
    19: 2,  # C1G2XPCW1
    20: 2,  # C1G2XPCW2
}
# Names of the TLV parameters this package reads, for error messages.
PARAMETER_NAMES: Final[dict[int, str]] = {
    128: "UTCTimestamp",
    129: "Uptime",
    137: "GeneralDeviceCapabilities",
    142: "LLRPCapabilities",
    177: "ROSpec",
    178: "ROBoundarySpec",
    179: "ROSpecStartTrigger",
    182: "ROSpecStopTrigger",
    183: "AISpec",
    184: "AISpecStopTrigger",
    186: "InventoryParameterSpec",
    220: "KeepaliveSpec",
    237: "ROReportSpec",
    238: "TagReportContentSelector",
    240: "TagReportData",
    241: "EPCData",
    244: "ReaderEventNotificationSpec",
    245: "EventNotificationState",
    246: "ReaderEventNotificationData",
    256: "ConnectionAttemptEvent",
    257: "ConnectionCloseEvent",
    287: "LLRPStatus",
}
_SIGNED_TV: Final = frozenset({6})
_EPC96_TV: Final = 13
_C1G2_SINGULATION_TV: Final = 18


@dataclass(frozen=True)
class RawParameter:
    """A TLV parameter kept as its type and body bytes (one we do not interpret)."""

    type: int
    body: bytes

    def encode(self) -> bytes:
        """The parameter on the wire."""
        return encode_tlv(self.type, self.body)


@dataclass(frozen=True)
class TvParameter:
    """A TV parameter: an integer value, or bytes for EPC-96 and C1G2SingulationDetails."""

    type: int
    value: int | bytes

    def encode(self) -> bytes:
        """The parameter on the wire."""
        return encode_tv(self.type, self.value)


def encode_tlv(param_type: int, body: bytes) -> bytes:
    """A TLV parameter of ``param_type`` around ``body``."""
    if not 128 <= param_type <= 1023:
        raise ValueError(f"TLV parameter type {param_type}: expected 128 to 1023")
    length = TLV_HEADER + len(body)
    if length > 0xFFFF:
        raise ValueError(f"TLV parameter {param_type} length {length}: expected at most 65535")
    return struct.pack(">HH", param_type, length) + body


def encode_tv(param_type: int, value: int | bytes) -> bytes:
    """A TV parameter of ``param_type`` holding ``value``."""
    size = TV_SIZES.get(param_type)
    if size is None:
        raise ValueError(f"TV parameter type {param_type}: not defined")
    if isinstance(value, bytes):
        if len(value) != size:
            raise ValueError(f"TV parameter {param_type} value: expected {size} bytes, got {len(value)}")
        return bytes([0x80 | param_type]) + value
    return bytes([0x80 | param_type]) + value.to_bytes(size, "big", signed=param_type in _SIGNED_TV)


def utf8_field(text: str) -> bytes:
    """An LLRP utf8v: 16-bit byte count, then the UTF-8 bytes."""
    data = text.encode()
    return struct.pack(">H", len(data)) + data


class BodyReader:
    """Reads fields from ``data[start:end]``; errors name the stream offset (``base`` + index) and field."""

    def __init__(self, data: bytes, start: int, end: int, *, base: int, context: str) -> None:
        self.data = data
        self.pos = start
        self.end = end
        self.base = base
        self.context = context

    def error(self, field: str, detail: str, *, at: int | None = None) -> LlrpError:
        """An :class:`LlrpError` for ``field`` of this parameter, at ``at`` (default: here)."""
        return LlrpError(detail, offset=self.base + (self.pos if at is None else at), field=f"{self.context}.{field}")

    def take(self, size: int, field: str) -> bytes:
        """The next ``size`` bytes."""
        if self.end - self.pos < size:
            raise self.error(field, f"expected {size} bytes, found {self.end - self.pos}")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def uint(self, size: int, field: str) -> int:
        """An unsigned big-endian integer of ``size`` bytes."""
        return int.from_bytes(self.take(size, field), "big")

    def utf8(self, field: str) -> str:
        """A utf8v field."""
        at = self.pos
        raw = self.take(self.uint(2, field), field)
        try:
            return raw.decode()
        except UnicodeDecodeError as error:
            raise self.error(field, f"invalid UTF-8 at byte {at + 2 + error.start}", at=at) from error

    @property
    def remaining(self) -> int:
        """Bytes left in this parameter."""
        return self.end - self.pos

    def parameters(self) -> list[tuple[int, RawParameter | TvParameter, BodyReader | None]]:
        """The remaining bytes as parameters: (offset, parameter, reader over a TLV's body or None for TV)."""
        found: list[tuple[int, RawParameter | TvParameter, BodyReader | None]] = []
        while self.pos < self.end:
            at = self.pos
            first = self.data[at]
            if first & 0x80:
                tv_type = first & 0x7F
                size = TV_SIZES.get(tv_type)
                if size is None:
                    raise self.error("parameter", f"TV type {tv_type} is not defined")
                self.pos += 1
                raw = self.take(size, f"TV{tv_type}")
                value: int | bytes
                if tv_type in {_EPC96_TV, _C1G2_SINGULATION_TV}:
                    value = raw
                else:
                    value = int.from_bytes(raw, "big", signed=tv_type in _SIGNED_TV)
                found.append((at, TvParameter(tv_type, value), None))
                continue
            header = self.take(TLV_HEADER, "parameter header")
            tlv_type, length = struct.unpack(">HH", header)
            if tlv_type >> 10:
                raise self.error("parameter header", f"reserved bits are {tlv_type >> 10}, expected 0", at=at)
            if tlv_type < 128:
                raise self.error("parameter header", f"TLV type {tlv_type} is below 128", at=at)
            if length < TLV_HEADER or at + length > self.end:
                raise self.error(
                    "parameter header",
                    f"TLV {tlv_type} length {length} does not fit the {self.end - at} bytes left",
                    at=at,
                )
            body_start = at + TLV_HEADER
            self.pos = at + length
            name = PARAMETER_NAMES.get(tlv_type, f"TLV{tlv_type}")
            reader = BodyReader(self.data, body_start, self.pos, base=self.base, context=f"{self.context}.{name}")
            found.append((at, RawParameter(tlv_type, self.data[body_start : self.pos]), reader))
        return found
