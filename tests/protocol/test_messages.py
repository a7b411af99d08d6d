from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.scans import scan
from xdock.protocol.messages import (
    Assignment,
    DeviceStatus,
    EdgeStatus,
    Feedback,
    MessageError,
    ScanEvent,
    decode,
    decode_downlink,
    encode,
)

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def scan_event() -> ScanEvent:
    """A full scan as the wire carries it: expiry and symbology set, the scanner's raw text."""
    return scan(7, sscc="376130321109103420", at=AT, expiry=date(2026, 12, 1), symbology="]C1",
                raw="00376130321109103421\x1d42069001")


def test_scan_event_round_trip_and_key() -> None:
    event = scan_event()
    assert decode(ScanEvent, encode(event)) == event
    assert event.key == ("e1", 7)
    wire = json.loads(encode(event))
    assert wire["v"] == 1
    assert wire["scanned_at"] == "2026-11-23T07:00:00Z"


def test_downlinks_are_told_apart() -> None:
    answer = Assignment(edge_id="e1", seq=7, device_id="s1", sscc="376130321109103420", outcome="assigned",
                        door="D12", trailer="T1", destination="LYON", departure=AT, reason="r",
                        display="→ D12  LYON  dep 16:40", decided_at=AT)
    feedback = Feedback(device_id="s1", beep="error", text="see supervisor")
    assert decode_downlink(encode(answer)) == answer
    assert decode_downlink(encode(feedback)) == feedback


def test_status_round_trips() -> None:
    edge = EdgeStatus(edge_id="e1", online=False)
    device = DeviceStatus(edge_id="e1", device_id="s1", device_kind="serial_scanner", online=True, at=AT)
    assert decode(EdgeStatus, encode(edge)) == edge
    assert decode(DeviceStatus, encode(device)) == device


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"v": 1',
         "Invalid ScanEvent: field 'payload': Invalid JSON: EOF while parsing an object at line 1 column 7"),
        (encode(scan_event()).replace(b'"seq":7', b'"seq":0'),
         "Invalid ScanEvent: field 'seq': Input should be greater than or equal to 1"),
        (encode(scan_event()).replace(b'"v":1', b'"v":2'), "Invalid ScanEvent: field 'v': Input should be 1"),
        (encode(scan_event()).replace(b'376130321109103420"', b'37613"'),
         "Invalid ScanEvent: field 'sscc': Invalid SSCC '37613': expected 18 digits"),
        (encode(scan_event()).replace(b'"door":"D1"', b'"door":"D1","colour":"red"'),
         "Invalid ScanEvent: field 'colour': Extra inputs are not permitted"),
        (encode(scan_event()).replace(b"07:00:00Z", b"07:00:00"),
         "Invalid ScanEvent: field 'scanned_at': Input should have timezone info"),
        (b"\xff\xfe", "Invalid ScanEvent: field 'payload': Invalid JSON: expected value at line 1 column 1"),
    ],
)
def test_bad_payloads_name_the_field(payload: bytes, message: str) -> None:
    with pytest.raises(MessageError) as err:
        decode(ScanEvent, payload)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b'"sscc":"376130321109103420"', b'"sscc":"376130320510005997"',
         "Invalid ScanEvent: field 'sscc': Invalid SSCC check digit for '376130320510005997': expected 6, got 7"),
        (b'"door":"D1"', b'"door":"D/1"',
         "Invalid ScanEvent: field 'door': Invalid id 'D/1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        (b'"device_id":"s1"', b'"device_id":"s\\u00071"',
         "Invalid ScanEvent: field 'device_id': Invalid id 's\\x071': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        (b'"ship_to":{"kind":"postal","value":"69001"}', b'"ship_to":{"kind":"gln","value":"3761303211008"}',
         "Invalid ScanEvent: field 'ship_to.value': Invalid GLN check digit for '3761303211008': expected 1, got 8"),
        (b'"ship_to":{"kind":"postal","value":"69001"}', b'"ship_to":{"kind":"postal","value":"69/001"}',
         "Invalid ScanEvent: field 'ship_to.value': Invalid postal code '69/001': expected 1-20 letters, digits, "
         "spaces or -, a letter or digit first"),
        (b'"ship_to":{"kind":"postal","value":"69001"}',
         b'"ship_to":{"kind":"postal","value":"69001","country":"FR"}',
         "Invalid ScanEvent: field 'ship_to.country': Invalid country code 'FR': expected 3 digits (ISO 3166 "
         "numeric)"),
    ],
)
def test_bad_identifiers_are_refused_naming_the_field(old: bytes, new: bytes, message: str) -> None:
    payload = encode(scan_event())
    assert old in payload
    with pytest.raises(MessageError) as err:
        decode(ScanEvent, payload.replace(old, new))
    assert (str(err.value), err.value.reason) == (message, "bad_identifier")


def test_a_gln_ship_to_has_no_country() -> None:
    payload = encode(scan_event()).replace(b'"kind":"postal","value":"69001"',
                                           b'"kind":"gln","value":"3761303211001","country":"250"')
    with pytest.raises(MessageError) as err:
        decode(ScanEvent, payload)
    assert (str(err.value), err.value.reason) == (
        "Invalid ScanEvent: field 'ship_to.country': a GLN ship-to has no country", "bad_payload")


def test_oversized_payload_is_refused_before_parsing() -> None:
    with pytest.raises(MessageError, match=r"^Invalid ScanEvent: payload of 70000 bytes exceeds 65536$"):
        decode(ScanEvent, b" " * 70000)
    with pytest.raises(MessageError, match=r"^Invalid downlink: payload of 70000 bytes exceeds 65536$"):
        decode_downlink(b" " * 70000)


def test_unknown_downlink_kind() -> None:
    with pytest.raises(MessageError, match=r"^Invalid downlink: field 'payload': Input tag 'reboot' found using "):
        decode_downlink(b'{"kind": "reboot"}')


@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_or_raise_message_error(payload: bytes) -> None:
    for decoder in (lambda p: decode(ScanEvent, p), decode_downlink):
        with contextlib.suppress(MessageError):
            decoder(payload)
