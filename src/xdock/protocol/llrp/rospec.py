"""The ROSpec a client adds to a reader: when to inventory, on which antennas, how to report.

::

    ROSpec(id, priority, state)
      ROBoundarySpec: ROSpecStartTrigger (null, immediate, periodic, GPI), ROSpecStopTrigger (null, duration ms)
      AISpec (one or more): antenna ids (0 = all), AISpecStopTrigger, InventoryParameterSpec (id, protocol)
      ROReportSpec (optional): trigger, N, TagReportContentSelector (which fields each TagReportData carries)

Sub-parameters not modelled here (periodic and GPI trigger values, antenna configuration, RF
survey specs, custom ones) are kept raw in ``extra`` fields.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Final

from xdock.protocol.llrp.wire import BodyReader, RawParameter, TvParameter, encode_tlv

__all__ = ["AISpec", "InventoryParameterSpec", "ROReportSpec", "ROSpec"]

ROSPEC: Final = 177
RO_BOUNDARY_SPEC: Final = 178
ROSPEC_START_TRIGGER: Final = 179
ROSPEC_STOP_TRIGGER: Final = 182
AISPEC: Final = 183
AISPEC_STOP_TRIGGER: Final = 184
INVENTORY_PARAMETER_SPEC: Final = 186
RO_REPORT_SPEC: Final = 237
TAG_REPORT_CONTENT_SELECTOR: Final = 238

START_NULL: Final = 0
START_IMMEDIATE: Final = 1
STOP_NULL: Final = 0
STOP_DURATION: Final = 1
PROTOCOL_EPC_C1G2: Final = 1
# TagReportContentSelector bits (the high 10 of its 16-bit field).
SELECT_ROSPEC_ID: Final = 0x8000
SELECT_ANTENNA_ID: Final = 0x1000
SELECT_PEAK_RSSI: Final = 0x0400
SELECT_FIRST_SEEN: Final = 0x0200
SELECT_LAST_SEEN: Final = 0x0100
SELECT_TAG_SEEN_COUNT: Final = 0x0080


def _raw(items: tuple[RawParameter, ...]) -> bytes:
    return b"".join(item.encode() for item in items)


def _children(reader: BodyReader) -> list[tuple[int, RawParameter, BodyReader]]:
    found: list[tuple[int, RawParameter, BodyReader]] = []
    for at, param, body in reader.parameters():
        if isinstance(param, TvParameter) or body is None:
            raise reader.error("parameter", f"TV type {param.type} is not allowed here", at=at)
        found.append((at, param, body))
    return found


def _trigger(reader: BodyReader, name: str, *, duration: bool) -> tuple[int, int, tuple[RawParameter, ...]]:
    kind = reader.uint(1, f"{name}Type")
    value = reader.uint(4, "DurationTriggerValue") if duration else 0
    return kind, value, tuple(param for _, param, _ in _children(reader))


@dataclass(frozen=True)
class InventoryParameterSpec:
    """InventoryParameterSpec: its id and air protocol (1 = EPCglobal Class 1 Gen 2)."""

    spec_id: int = 1
    protocol_id: int = PROTOCOL_EPC_C1G2
    extra: tuple[RawParameter, ...] = ()

    def encode(self) -> bytes:
        """The parameter on the wire."""
        return encode_tlv(
            INVENTORY_PARAMETER_SPEC, struct.pack(">HB", self.spec_id, self.protocol_id) + _raw(self.extra)
        )

    @classmethod
    def decode(cls, reader: BodyReader) -> InventoryParameterSpec:
        """Read an InventoryParameterSpec body."""
        spec_id = reader.uint(2, "InventoryParameterSpecID")
        protocol_id = reader.uint(1, "ProtocolID")
        return cls(spec_id, protocol_id, tuple(param for _, param, _ in _children(reader)))


@dataclass(frozen=True)
class AISpec:
    """AISpec: antennas to inventory (0 = all) and when to stop (trigger 0 = null, 1 = duration)."""

    antenna_ids: tuple[int, ...] = (0,)
    stop_trigger: int = STOP_NULL
    stop_duration_ms: int = 0
    inventory_specs: tuple[InventoryParameterSpec, ...] = (InventoryParameterSpec(),)
    stop_extra: tuple[RawParameter, ...] = ()
    extra: tuple[RawParameter, ...] = ()

    def encode(self) -> bytes:
        """The parameter on the wire."""
        body = struct.pack(f">H{len(self.antenna_ids)}H", len(self.antenna_ids), *self.antenna_ids)
        stop = struct.pack(">BI", self.stop_trigger, self.stop_duration_ms) + _raw(self.stop_extra)
        body += encode_tlv(AISPEC_STOP_TRIGGER, stop)
        body += b"".join(spec.encode() for spec in self.inventory_specs)
        return encode_tlv(AISPEC, body + _raw(self.extra))

    @classmethod
    def decode(cls, reader: BodyReader) -> AISpec:
        """Read an AISpec body."""
        count = reader.uint(2, "AntennaCount")
        antennas = tuple(reader.uint(2, "AntennaIDs") for _ in range(count))
        stop: tuple[int, int, tuple[RawParameter, ...]] | None = None
        specs: list[InventoryParameterSpec] = []
        extra: list[RawParameter] = []
        for at, param, body in _children(reader):
            if param.type == AISPEC_STOP_TRIGGER:
                if stop is not None:
                    raise reader.error("AISpecStopTrigger", "appears twice", at=at)
                stop = _trigger(body, "AISpecStopTrigger", duration=True)
            elif param.type == INVENTORY_PARAMETER_SPEC:
                specs.append(InventoryParameterSpec.decode(body))
            else:
                extra.append(param)
        if stop is None:
            raise reader.error("AISpecStopTrigger", "missing")
        return cls(antennas, stop[0], stop[1], tuple(specs), stop[2], tuple(extra))


@dataclass(frozen=True)
class ROReportSpec:
    """ROReportSpec: report trigger (0 none, 1 every N tags or end of AISpec, 2 ... or end of ROSpec) and N."""

    trigger: int = 1
    n: int = 1
    content: int = SELECT_ANTENNA_ID | SELECT_PEAK_RSSI | SELECT_FIRST_SEEN
    """TagReportContentSelector flags (the ``SELECT_*`` constants)."""
    content_extra: tuple[RawParameter, ...] = ()
    extra: tuple[RawParameter, ...] = ()

    def encode(self) -> bytes:
        """The parameter on the wire."""
        selector = encode_tlv(TAG_REPORT_CONTENT_SELECTOR, struct.pack(">H", self.content) + _raw(self.content_extra))
        return encode_tlv(RO_REPORT_SPEC, struct.pack(">BH", self.trigger, self.n) + selector + _raw(self.extra))

    @classmethod
    def decode(cls, reader: BodyReader) -> ROReportSpec:
        """Read an ROReportSpec body."""
        trigger = reader.uint(1, "ROReportTrigger")
        n = reader.uint(2, "N")
        selector: tuple[int, tuple[RawParameter, ...]] | None = None
        extra: list[RawParameter] = []
        for at, param, body in _children(reader):
            if param.type == TAG_REPORT_CONTENT_SELECTOR:
                if selector is not None:
                    raise reader.error("TagReportContentSelector", "appears twice", at=at)
                flags = body.uint(2, "Flags")
                selector = (flags, tuple(p for _, p, _ in _children(body)))
            else:
                extra.append(param)
        if selector is None:
            raise reader.error("TagReportContentSelector", "missing")
        return cls(trigger, n, selector[0], selector[1], tuple(extra))


@dataclass(frozen=True)
class ROSpec:
    """ROSpec: an inventory the reader runs between its start and stop triggers."""

    rospec_id: int
    priority: int = 0
    current_state: int = 0
    """0 disabled, 1 inactive, 2 active (a client adds it disabled)."""
    start_trigger: int = START_NULL
    stop_trigger: int = STOP_NULL
    stop_duration_ms: int = 0
    ai_specs: tuple[AISpec, ...] = field(default_factory=lambda: (AISpec(),))
    report: ROReportSpec | None = None
    start_extra: tuple[RawParameter, ...] = ()
    stop_extra: tuple[RawParameter, ...] = ()
    extra: tuple[RawParameter, ...] = ()

    def encode(self) -> bytes:
        """The parameter on the wire."""
        start = encode_tlv(ROSPEC_START_TRIGGER, bytes([self.start_trigger]) + _raw(self.start_extra))
        stop_body = struct.pack(">BI", self.stop_trigger, self.stop_duration_ms) + _raw(self.stop_extra)
        boundary = encode_tlv(RO_BOUNDARY_SPEC, start + encode_tlv(ROSPEC_STOP_TRIGGER, stop_body))
        body = struct.pack(">IBB", self.rospec_id, self.priority, self.current_state) + boundary
        body += b"".join(spec.encode() for spec in self.ai_specs)
        body += self.report.encode() if self.report is not None else b""
        return encode_tlv(ROSPEC, body + _raw(self.extra))

    @classmethod
    def decode(cls, reader: BodyReader) -> ROSpec:
        """Read an ROSpec body."""
        rospec_id = reader.uint(4, "ROSpecID")
        priority = reader.uint(1, "Priority")
        state = reader.uint(1, "CurrentState")
        boundary: tuple[tuple[int, int, tuple[RawParameter, ...]], tuple[int, int, tuple[RawParameter, ...]]] | None
        boundary = None
        specs: list[AISpec] = []
        report: ROReportSpec | None = None
        extra: list[RawParameter] = []
        for at, param, body in _children(reader):
            if param.type == RO_BOUNDARY_SPEC and boundary is None:
                boundary = _boundary(body)
            elif param.type == AISPEC:
                specs.append(AISpec.decode(body))
            elif param.type == RO_REPORT_SPEC and report is None:
                report = ROReportSpec.decode(body)
            elif param.type in {RO_BOUNDARY_SPEC, RO_REPORT_SPEC}:
                raise reader.error(body.context.rsplit(".", 1)[-1], "appears twice", at=at)
            else:
                extra.append(param)
        if boundary is None:
            raise reader.error("ROBoundarySpec", "missing")
        (start, _, start_extra), (stop, duration, stop_extra) = boundary
        return cls(
            rospec_id,
            priority,
            state,
            start,
            stop,
            duration,
            tuple(specs),
            report,
            start_extra,
            stop_extra,
            tuple(extra),
        )


def _boundary(
    reader: BodyReader,
) -> tuple[tuple[int, int, tuple[RawParameter, ...]], tuple[int, int, tuple[RawParameter, ...]]]:
    start: tuple[int, int, tuple[RawParameter, ...]] | None = None
    stop: tuple[int, int, tuple[RawParameter, ...]] | None = None
    for at, param, body in _children(reader):
        if param.type == ROSPEC_START_TRIGGER and start is None:
            start = _trigger(body, "ROSpecStartTrigger", duration=False)
        elif param.type == ROSPEC_STOP_TRIGGER and stop is None:
            stop = _trigger(body, "ROSpecStopTrigger", duration=True)
        else:
            raise reader.error("parameter", f"unexpected TLV {param.type}", at=at)
    if start is None:
        raise reader.error("ROSpecStartTrigger", "missing")
    if stop is None:
        raise reader.error("ROSpecStopTrigger", "missing")
    return start, stop
