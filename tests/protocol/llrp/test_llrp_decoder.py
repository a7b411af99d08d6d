"""The LLRP stream decoder: partial frames wait, refused frames are counted and skipped, bad headers break it."""

from __future__ import annotations

import pytest

from xdock.protocol import llrp

KEEPALIVE = llrp.encode_message(llrp.Keepalive(1))
START = llrp.encode_message(llrp.StartROSpec(2, 1))


def test_a_truncated_frame_waits_for_the_rest() -> None:
    decoder = llrp.LlrpDecoder()
    assert decoder.feed(START[:4]) == []
    assert decoder.feed(START[4:13]) == []
    assert decoder.buffered == 13
    assert decoder.feed(START[13:] + KEEPALIVE[:3]) == [llrp.StartROSpec(2, 1)]
    assert decoder.feed(KEEPALIVE[3:]) == [llrp.Keepalive(1)]
    assert (decoder.decoded, decoder.rejected, decoder.buffered) == (2, 0, 0)


def test_an_unknown_message_type_is_refused_and_the_stream_goes_on() -> None:
    decoder = llrp.LlrpDecoder()
    get_access_specs = bytes.fromhex("042C0000000A00000004")  # GET_ACCESSSPECS: not handled here
    events = decoder.feed(KEEPALIVE + get_access_specs + START)
    assert events[0] == llrp.Keepalive(1)
    assert events[2] == llrp.StartROSpec(2, 1)
    error = events[1]
    assert isinstance(error, llrp.LlrpMessageError)
    assert str(error) == "Invalid LLRP at byte 10: Message Type: type 44 is not a message this reader handles"
    assert (error.message_type, error.message_id) == (44, 4)
    assert (decoder.decoded, decoder.rejected) == (2, 1)


def test_a_malformed_parameter_names_its_byte_and_field() -> None:
    tag = llrp.TagReport(bytes(12), antenna_id=1, peak_rssi=-60)
    frame = bytearray(llrp.encode_message(llrp.ROAccessReport(8, (tag,))))
    # TagReportData header at 10, EPC-96 TV at 14 (13 bytes), AntennaID TV at 27, PeakRSSI TV at 30.
    frame[30] = 0x80 | 99  # TV type 99 does not exist
    decoder = llrp.LlrpDecoder()
    [keepalive, error] = decoder.feed(KEEPALIVE + bytes(frame))
    assert keepalive == llrp.Keepalive(1)
    assert isinstance(error, llrp.LlrpMessageError)
    assert str(error) == "Invalid LLRP at byte 40: RO_ACCESS_REPORT.TagReportData.parameter: TV type 99 is not defined"
    assert decoder.rejected == 1


def test_a_parameter_longer_than_its_message_is_refused() -> None:
    frame = bytearray(llrp.encode_message(llrp.StartROSpecResponse(3, llrp.LlrpStatus(101, "bad"))))
    frame[12:14] = (200).to_bytes(2, "big")  # LLRPStatus length
    [error] = llrp.LlrpDecoder().feed(bytes(frame))
    assert isinstance(error, llrp.LlrpMessageError)
    assert str(error) == (
        "Invalid LLRP at byte 10: START_ROSPEC_RESPONSE.parameter header:"
        " TLV 287 length 200 does not fit the 11 bytes left"
    )


def test_a_missing_field_is_refused() -> None:
    frame = bytes.fromhex("04160000000C000000090001")  # START_ROSPEC with a 2-byte ROSpecID
    [error] = llrp.LlrpDecoder().feed(frame)
    assert str(error) == "Invalid LLRP at byte 10: START_ROSPEC.ROSpecID: expected 4 bytes, found 2"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("04160000000400000009", "Invalid LLRP at byte 10: Message Length: length 4, expected 10 to 1048576"),
        ("04167FFFFFFF00000009", "Invalid LLRP at byte 10: Message Length: length 2147483647, expected 10 to 1048576"),
        ("08160000000E00000009", "Invalid LLRP at byte 10: Version: version 2, expected 1"),
        ("24160000000E00000009", "Invalid LLRP at byte 10: Rsvd: reserved bits are 1, expected 0"),
    ],
)
def test_a_bad_header_breaks_the_stream(header: str, message: str) -> None:
    decoder = llrp.LlrpDecoder()
    assert decoder.feed(KEEPALIVE[:4]) == []
    keepalive, error = decoder.feed(KEEPALIVE[4:] + bytes.fromhex(header) + KEEPALIVE)
    assert keepalive == llrp.Keepalive(1)
    assert isinstance(error, llrp.LlrpFrameError)
    assert str(error) == message
    assert decoder.broken is error
    with pytest.raises(llrp.LlrpFrameError) as caught:
        decoder.feed(KEEPALIVE)
    assert caught.value is error


def test_a_reader_refuses_another_version_frame_and_goes_on() -> None:
    decoder = llrp.LlrpDecoder(refuse_other_versions=True)
    get_supported_version = bytes.fromhex("082E0000000A00000005")  # LLRP 1.1 GET_SUPPORTED_VERSION
    keepalive, error, start = decoder.feed(KEEPALIVE + get_supported_version + START)
    assert (keepalive, start) == (llrp.Keepalive(1), llrp.StartROSpec(2, 1))
    assert isinstance(error, llrp.LlrpMessageError)
    assert str(error) == "Invalid LLRP at byte 10: Version: version 2, expected 1"
    assert (error.message_type, error.message_id) == (46, 5)
    assert (decoder.decoded, decoder.rejected, decoder.broken) == (2, 1, None)


def test_a_reader_still_breaks_on_another_version_with_a_bad_length() -> None:
    decoder = llrp.LlrpDecoder(refuse_other_versions=True)
    [error] = decoder.feed(bytes.fromhex("082E0000000400000005"))
    assert isinstance(error, llrp.LlrpFrameError)
    assert str(error) == "Invalid LLRP at byte 0: Version: version 2, expected 1"
