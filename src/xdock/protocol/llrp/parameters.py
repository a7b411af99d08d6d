"""Typed LLRP parameters for status, reader events, capabilities and tag reports.

Each type has ``encode() -> bytes`` and a ``decode(reader)`` classmethod over a TLV body. Sub-
parameters we do not interpret are kept as :class:`RawParameter` in ``extra`` so they survive a
round trip.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

from xdock.protocol.llrp.wire import BodyReader, RawParameter, TvParameter, encode_tlv, encode_tv, utf8_field

__all__ = [
    "GeneralDeviceCapabilities",
    "LlrpCapabilities",
    "LlrpStatus",
    "TagReport",
]

UTC_TIMESTAMP: Final = 128
UPTIME: Final = 129
GENERAL_DEVICE_CAPABILITIES: Final = 137
LLRP_CAPABILITIES: Final = 142
TAG_REPORT_DATA: Final = 240
EPC_DATA: Final = 241
READER_EVENT_NOTIFICATION_DATA: Final = 246
CONNECTION_ATTEMPT_EVENT: Final = 256
CONNECTION_CLOSE_EVENT: Final = 257
LLRP_STATUS: Final = 287

TV_ANTENNA_ID: Final = 1
TV_FIRST_SEEN_UTC: Final = 2
TV_LAST_SEEN_UTC: Final = 4
TV_PEAK_RSSI: Final = 6
TV_TAG_SEEN_COUNT: Final = 8
TV_ROSPEC_ID: Final = 9
TV_EPC96: Final = 13

STATUS_SUCCESS: Final = 0


def _extra(items: tuple[RawParameter | TvParameter, ...]) -> bytes:
    return b"".join(item.encode() for item in items)


@dataclass(frozen=True)
class LlrpStatus:
    """LLRPStatus: a status code (0 = M_Success) and its description; FieldError/ParameterError in ``extra``."""

    code: int = STATUS_SUCCESS
    description: str = ""
    extra: tuple[RawParameter, ...] = ()

    def encode(self) -> bytes:
        """The parameter on the wire."""
        return encode_tlv(LLRP_STATUS, struct.pack(">H", self.code) + utf8_field(self.description) + _extra(self.extra))

    @classmethod
    def decode(cls, reader: BodyReader) -> LlrpStatus:
        """Read an LLRPStatus body."""
        code = reader.uint(2, "StatusCode")
        description = reader.utf8("ErrorDescription")
        return cls(code, description, raw_only(reader))


@dataclass(frozen=True)
class TagReport:
    """TagReportData: one tag seen, with what the ROReportSpec asked to report."""

    epc: bytes
    antenna_id: int | None = None
    peak_rssi: int | None = None
    """dBm, -128 to 127."""
    first_seen_utc_us: int | None = None
    """Microseconds since the Unix epoch."""
    last_seen_utc_us: int | None = None
    tag_seen_count: int | None = None
    rospec_id: int | None = None
    extra: tuple[RawParameter | TvParameter, ...] = ()

    def encode(self) -> bytes:
        """The parameter on the wire (a 96-bit EPC as the EPC-96 TV, any other as EPCData)."""
        if len(self.epc) == 12:
            body = encode_tv(TV_EPC96, self.epc)
        else:
            body = encode_tlv(EPC_DATA, struct.pack(">H", len(self.epc) * 8) + self.epc)
        for tv_type, value in (
            (TV_ROSPEC_ID, self.rospec_id),
            (TV_ANTENNA_ID, self.antenna_id),
            (TV_PEAK_RSSI, self.peak_rssi),
            (TV_FIRST_SEEN_UTC, self.first_seen_utc_us),
            (TV_LAST_SEEN_UTC, self.last_seen_utc_us),
            (TV_TAG_SEEN_COUNT, self.tag_seen_count),
        ):
            if value is not None:
                body += encode_tv(tv_type, value)
        return encode_tlv(TAG_REPORT_DATA, body + _extra(self.extra))

    @classmethod
    def decode(cls, reader: BodyReader) -> TagReport:
        """Read a TagReportData body."""
        epc: bytes | None = None
        values: dict[int, int] = {}
        extra: list[RawParameter | TvParameter] = []
        for at, param, body in reader.parameters():
            if isinstance(param, TvParameter) and param.type == TV_EPC96 and isinstance(param.value, bytes):
                epc = param.value
            elif isinstance(param, RawParameter) and param.type == EPC_DATA and body is not None:
                bits = body.uint(2, "EPCData.EPCLengthBits")
                epc = body.take((bits + 7) // 8, "EPCData.EPC")
            elif isinstance(param, TvParameter) and isinstance(param.value, int) and param.type in _TAG_FIELDS:
                if param.type in values:
                    raise reader.error(_TAG_FIELDS[param.type], "appears twice", at=at)
                values[param.type] = param.value
            else:
                extra.append(param)
        if epc is None:
            raise reader.error("EPCParameter", "missing")
        return cls(
            epc=epc,
            antenna_id=values.get(TV_ANTENNA_ID),
            peak_rssi=values.get(TV_PEAK_RSSI),
            first_seen_utc_us=values.get(TV_FIRST_SEEN_UTC),
            last_seen_utc_us=values.get(TV_LAST_SEEN_UTC),
            tag_seen_count=values.get(TV_TAG_SEEN_COUNT),
            rospec_id=values.get(TV_ROSPEC_ID),
            extra=tuple(extra),
        )


_TAG_FIELDS: Final = {
    TV_ANTENNA_ID: "AntennaID",
    TV_PEAK_RSSI: "PeakRSSI",
    TV_FIRST_SEEN_UTC: "FirstSeenTimestampUTC",
    TV_LAST_SEEN_UTC: "LastSeenTimestampUTC",
    TV_TAG_SEEN_COUNT: "TagSeenCount",
    TV_ROSPEC_ID: "ROSpecID",
}


@dataclass(frozen=True)
class GeneralDeviceCapabilities:
    """GeneralDeviceCapabilities; its sensitivity, GPIO and air-protocol sub-parameters stay in ``extra``."""

    max_antennas: int
    can_set_antenna_properties: bool
    has_utc_clock: bool
    manufacturer: int
    """IANA private enterprise number of the maker."""
    model: int
    firmware_version: str
    extra: tuple[RawParameter, ...] = ()

    def encode(self) -> bytes:
        """The parameter on the wire."""
        flags = (self.can_set_antenna_properties << 15) | (self.has_utc_clock << 14)
        body = struct.pack(">HHII", self.max_antennas, flags, self.manufacturer, self.model)
        return encode_tlv(GENERAL_DEVICE_CAPABILITIES, body + utf8_field(self.firmware_version) + _extra(self.extra))

    @classmethod
    def decode(cls, reader: BodyReader) -> GeneralDeviceCapabilities:
        """Read a GeneralDeviceCapabilities body."""
        max_antennas = reader.uint(2, "MaxNumberOfAntennaSupported")
        flags = reader.uint(2, "CanSetAntennaProperties")
        manufacturer = reader.uint(4, "DeviceManufacturerName")
        model = reader.uint(4, "ModelName")
        firmware = reader.utf8("ReaderFirmwareVersion")
        extra = raw_only(reader)
        return cls(max_antennas, bool(flags & 0x8000), bool(flags & 0x4000), manufacturer, model, firmware, extra)


@dataclass(frozen=True)
class LlrpCapabilities:
    """LLRPCapabilities: what the reader's LLRP implementation can hold."""

    flags: int
    """CanDoRFSurvey, CanReportBufferFillWarning, SupportsClientRequestOpSpec, CanDoTagInventoryStateAware-
    Singulation, SupportsEventAndReportHolding: bits 7 to 3 of this byte."""
    max_priority_levels: int
    client_request_op_spec_timeout: int
    max_rospecs: int
    max_specs_per_rospec: int
    max_inventory_parameter_specs_per_aispec: int
    max_access_specs: int
    max_op_specs_per_access_spec: int

    def encode(self) -> bytes:
        """The parameter on the wire."""
        body = struct.pack(
            ">BBHIIIII",
            self.flags,
            self.max_priority_levels,
            self.client_request_op_spec_timeout,
            self.max_rospecs,
            self.max_specs_per_rospec,
            self.max_inventory_parameter_specs_per_aispec,
            self.max_access_specs,
            self.max_op_specs_per_access_spec,
        )
        return encode_tlv(LLRP_CAPABILITIES, body)

    @classmethod
    def decode(cls, reader: BodyReader) -> LlrpCapabilities:
        """Read an LLRPCapabilities body."""
        fields = [
            reader.uint(size, name)
            for size, name in (
                (1, "Flags"),
                (1, "MaxNumPriorityLevelsSupported"),
                (2, "ClientRequestOpSpecTimeout"),
                (4, "MaxNumROSpecs"),
                (4, "MaxNumSpecsPerROSpec"),
                (4, "MaxNumInventoryParameterSpecsPerAISpec"),
                (4, "MaxNumAccessSpecs"),
                (4, "MaxNumOpSpecsPerAccessSpec"),
            )
        ]
        if reader.remaining:
            raise reader.error("end", f"{reader.remaining} unexpected bytes")
        return cls(*fields)


def leading_status(
    reader: BodyReader,
) -> tuple[LlrpStatus, list[tuple[int, RawParameter | TvParameter, BodyReader | None]]]:
    """A response's LLRPStatus, which must be its first parameter, and the parameters after it."""
    params = reader.parameters()
    if not params or params[0][1].type != LLRP_STATUS or params[0][2] is None:
        raise reader.error("LLRPStatus", "missing")
    return LlrpStatus.decode(params[0][2]), params[1:]


def raw_only(reader: BodyReader) -> tuple[RawParameter, ...]:
    """The remaining sub-parameters, which must all be TLV."""
    found: list[RawParameter] = []
    for at, param, _ in reader.parameters():
        if isinstance(param, TvParameter):
            raise reader.error("parameter", f"TV type {param.type} is not allowed here", at=at)
        found.append(param)
    return tuple(found)
