"""Fuzzing every MQTT payload decoder: only MessageError escapes, with a reason and a bounded text naming the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from xdock.protocol.messages import (
    MAX_PAYLOAD,
    Assignment,
    CentralStatus,
    DestinationMatch,
    DeviceStatus,
    EdgeStatus,
    Feedback,
    MessageError,
    OfflineDecision,
    Route,
    RouteSnapshot,
    ScanEvent,
    ShipToModel,
    decode,
    decode_downlink,
    encode,
)

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SSCC = "376130321109103420"
MAX_ERROR_TEXT = 1200
"""No error text grows past this, whatever the payload: 5 problems of at most ~240 characters."""

SAMPLES: list[BaseModel] = [
    ScanEvent(
        edge_id="e1", seq=7, device_id="s1", door="D1", scanned_at=AT, sscc=SSCC,
        ship_to=ShipToModel(kind="postal", value="69001", country="250"), expiry=AT.date(), weight_kg=412.5,
        max_temp_c=4.0, dangerous_goods=True, symbology="]C1", raw="00" + SSCC,
        offline=OfflineDecision(plan_version=3, outcome="assigned", door="D12", trailer="T1", decided_at=AT),
    ),
    Assignment(
        edge_id="e1", seq=7, device_id="s1", sscc=SSCC, outcome="assigned", door="D12", trailer="T1",
        destination="LYON", departure=AT, reason="r", display="→ D12", decided_at=AT,
    ),
    Feedback(device_id="s1", beep="error", text="see supervisor"),
    EdgeStatus(edge_id="e1", online=True, door="D1", at=AT, version="1.0", heartbeat_s=5.0, backlog=3),
    DeviceStatus(edge_id="e1", device_id="r1", device_kind="rfid_reader", online=True, at=AT, heartbeat_s=5,
                 counters={"reads": 812, "bad_frames": 0}),
    CentralStatus(online=True, at=AT, plan_version=4),
    RouteSnapshot(
        edge_id="e1", plan_version=4, made_at=AT, chilled_max_c=8.0,
        destinations=[DestinationMatch(id="LYON", postal_codes=["69"], glns=["3761303211001"])],
        routes=[Route(destination="LYON", trailer="T1", door="D12", departure=AT, free_positions=12)],
        staging="S1",
    ),
]
MODELS: list[type[BaseModel]] = [type(m) for m in SAMPLES]

Decoder = Callable[[bytes], object]


def decoders() -> list[tuple[str, Decoder]]:
    named: list[tuple[str, Decoder]] = [(m.__name__, lambda p, m=m: decode(m, p)) for m in MODELS]
    return [*named, ("downlink", decode_downlink)]


DECODERS = decoders()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def outcome(decoder: Decoder, payload: bytes) -> object:
    """Decode, or return the MessageError; any other exception fails the test."""
    try:
        return decoder(payload)
    except MessageError as exc:
        error = exc
    assert error.reason in ("oversized", "wrong_version", "bad_identifier", "bad_payload")
    assert str(error).startswith("Invalid ")
    assert len(str(error)) <= MAX_ERROR_TEXT
    return error


def wire(sample: BaseModel) -> dict[str, object]:
    loaded = json.loads(encode(sample))
    assert isinstance(loaded, dict)
    return loaded


# -- hand-picked cases: exact texts and reasons ------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message", "reason"),
    [
        ({"seq": 2**63},
         "Invalid ScanEvent: field 'seq': Input should be less than or equal to 9223372036854775807", "bad_payload"),
        ({"seq": "7"}, "Invalid ScanEvent: field 'seq': Input should be a valid integer", "bad_payload"),
        ({"seq": 7.0}, "Invalid ScanEvent: field 'seq': Input should be a valid integer", "bad_payload"),
        ({"v": True}, "Invalid ScanEvent: field 'v': Input should be 1", "wrong_version"),
        ({"v": 1.0}, "Invalid ScanEvent: field 'v': Input should be 1", "wrong_version"),
        ({"v": 2, "new_field": 1},
         "Invalid ScanEvent: field 'v': Input should be 1; field 'new_field': Extra inputs are not permitted",
         "wrong_version"),
        ({"dangerous_goods": "true"}, "Invalid ScanEvent: field 'dangerous_goods': Input should be a valid boolean",
         "bad_payload"),
        ({"scanned_at": 1_700_000_000}, "Invalid ScanEvent: field 'scanned_at': Input should be a valid datetime",
         "bad_payload"),
        ({"ship_to": {"kind": "postal", "value": "69001", "v": 2}},
         "Invalid ScanEvent: field 'ship_to.v': Extra inputs are not permitted", "bad_payload"),
        ({"r\x00aw": "x"}, "Invalid ScanEvent: field 'r\\x00aw': Extra inputs are not permitted", "bad_payload"),
        ({"k" * 500: 1}, f"Invalid ScanEvent: field '{'k' * 119}…': Extra inputs are not permitted", "bad_payload"),
        ({f"x{i}": i for i in range(1000)},
         "Invalid ScanEvent: " + "; ".join(f"field 'x{i}': Extra inputs are not permitted" for i in range(5))
         + "; and 995 more", "bad_payload"),
    ],
)
def test_bad_scan_fields_exact_text_and_reason(fields: dict[str, object], message: str, reason: str) -> None:
    payload = json.dumps({**wire(SAMPLES[0]), **fields}).encode()
    with pytest.raises(MessageError) as err:
        decode(ScanEvent, payload)
    assert (str(err.value), err.value.reason) == (message, reason)


@pytest.mark.parametrize(
    ("payload", "message", "reason"),
    [
        (b"\xff\x00", "Invalid downlink: field 'payload': Invalid JSON: expected value at line 1 column 1",
         "bad_payload"),
        (b"[1]", "Invalid downlink: field 'payload': Input should be an object", "bad_payload"),
        (b'{"kind": "feedback", "device_id": "s1", "v": 2}', "Invalid downlink: field 'feedback.v': Input should be 1",
         "wrong_version"),
        (b'{"kind": "feedback", "device_id": "s1", "beep": "lou',
         "Invalid downlink: field 'payload': Invalid JSON: EOF while parsing a string at line 1 column 52",
         "bad_payload"),
        (b" " * (MAX_PAYLOAD + 1), f"Invalid downlink: payload of {MAX_PAYLOAD + 1} bytes exceeds {MAX_PAYLOAD}",
         "oversized"),
    ],
)
def test_bad_downlinks_exact_text_and_reason(payload: bytes, message: str, reason: str) -> None:
    with pytest.raises(MessageError) as err:
        decode_downlink(payload)
    assert (str(err.value), err.value.reason) == (message, reason)


def test_a_long_discriminator_tag_is_clipped_in_the_error() -> None:
    with pytest.raises(MessageError) as err:
        decode_downlink(json.dumps({"kind": "x" * 50_000}).encode())
    assert len(str(err.value)) < 200
    assert str(err.value).startswith("Invalid downlink: field 'payload': Input tag 'xxxx")
    assert str(err.value).endswith("…")


def test_invalid_utf8_inside_a_json_string_names_the_position() -> None:
    payload = encode(SAMPLES[0]).replace(b'"raw":"00', b'"raw":"\xc3(00')
    column = payload.index(b"\xc3") + 1
    with pytest.raises(MessageError) as err:
        decode(ScanEvent, payload)
    assert str(err.value) == (
        f"Invalid ScanEvent: field 'payload': Invalid JSON: invalid unicode code point at line 1 column {column}"
    )


# -- properties over every decoder --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "decoder"), DECODERS, ids=[n for n, _ in DECODERS])
@given(payload=st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_message_error(name: str, decoder: Decoder, payload: bytes) -> None:
    assert isinstance(outcome(decoder, payload), MessageError)


@pytest.mark.parametrize("sample", SAMPLES, ids=[m.__name__ for m in MODELS])
@given(data=st.data())
def test_truncated_valid_json_is_refused_as_bad_payload(sample: BaseModel, data: st.DataObject) -> None:
    payload = encode(sample)
    cut = data.draw(st.integers(0, len(payload) - 1))
    error = outcome(lambda p: decode(type(sample), p), payload[:cut])
    assert isinstance(error, MessageError)
    assert error.reason == "bad_payload"
    assert str(error).startswith(f"Invalid {type(sample).__name__}: field 'payload': ")


@pytest.mark.parametrize("sample", SAMPLES, ids=[m.__name__ for m in MODELS])
@given(version=json_values.filter(lambda v: not (type(v) is int and v == 1)))
def test_any_other_version_is_refused_as_wrong_version(sample: BaseModel, version: object) -> None:
    payload = json.dumps({**wire(sample), "v": version}).encode()
    error = outcome(lambda p: decode(type(sample), p), payload)
    assert isinstance(error, MessageError)
    assert error.reason == "wrong_version"
    assert str(error).startswith(f"Invalid {type(sample).__name__}: field 'v': ")


@pytest.mark.parametrize("sample", SAMPLES, ids=[m.__name__ for m in MODELS])
@given(data=st.data(), value=json_values)
def test_a_field_of_any_value_decodes_consistently_or_names_the_field(
    sample: BaseModel, data: st.DataObject, value: object
) -> None:
    fields = wire(sample)
    name = data.draw(st.sampled_from(sorted(fields)))
    payload = json.dumps({**fields, name: value}).encode()
    result = outcome(lambda p: decode(type(sample), p), payload)
    if isinstance(result, MessageError):
        assert f"field '{name}" in str(result)
    else:
        assert isinstance(result, BaseModel)
        assert decode(type(sample), encode(result)) == result


@pytest.mark.parametrize("sample", SAMPLES, ids=[m.__name__ for m in MODELS])
@given(name=st.text(min_size=1, max_size=30), value=json_values)
def test_an_extra_field_is_refused_naming_it(sample: BaseModel, name: str, value: object) -> None:
    fields = wire(sample)
    if name in fields:
        return
    error = outcome(lambda p: decode(type(sample), p), json.dumps({**fields, name: value}).encode())
    assert isinstance(error, MessageError)
    assert "Extra inputs are not permitted" in str(error)


@pytest.mark.parametrize(("name", "decoder"), DECODERS, ids=[n for n, _ in DECODERS])
@given(extra=st.integers(1, 4096), filler=st.sampled_from([b" ", b"{", b"\xff", b"0"]))
def test_oversized_payloads_are_refused_before_parsing(name: str, decoder: Decoder, extra: int, filler: bytes) -> None:
    error = outcome(decoder, filler * (MAX_PAYLOAD + extra))
    assert isinstance(error, MessageError)
    assert error.reason == "oversized"
    assert str(error) == f"Invalid {name}: payload of {MAX_PAYLOAD + extra} bytes exceeds {MAX_PAYLOAD}"


@pytest.mark.parametrize("sample", SAMPLES, ids=[m.__name__ for m in MODELS])
def test_every_sample_round_trips(sample: BaseModel) -> None:
    assert decode(type(sample), encode(sample)) == sample
    if isinstance(sample, Assignment | Feedback):
        assert decode_downlink(encode(sample)) == sample
