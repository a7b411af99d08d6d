"""LLRP frames: exact bytes from the 1.0.1 layout for the portal's key messages, and round trips for all."""

from __future__ import annotations

from hypothesis import given
from llrp_strategies import messages

from xdock.protocol import llrp

EPC = bytes.fromhex("3155D0A9A0B96CB986000000")
STAMP = 1_764_400_000_123_456  # microseconds since the epoch

# version 1, type 63 | length 32 | id 0 | ReaderEventNotificationData(246, 22)
#   UTCTimestamp(128, 12) u64 | ConnectionAttemptEvent(256, 6) status 0
CONNECTED = (
    bytes.fromhex("043F000000200000000000F600160080000C") + STAMP.to_bytes(8, "big") + bytes.fromhex("010000060000")
)
# version 1, type 61 | length 41 | id 7 | TagReportData(240, 31):
#   EPC-96 TV 0x8D + 12 bytes | AntennaID TV 0x81 u16 2 | PeakRSSI TV 0x86 s8 -55 | FirstSeenTimestampUTC TV 0x82 u64
REPORT = (
    bytes.fromhex("043D000000290000000700F0001F8D") + EPC + bytes.fromhex("81000286C982") + STAMP.to_bytes(8, "big")
)


def decode_all(data: bytes) -> list[llrp.LlrpMessage | llrp.LlrpMessageError]:
    return llrp.LlrpDecoder().feed(data)


def test_connection_attempt_event_bytes() -> None:
    message = llrp.ReaderEventNotification(0, STAMP, connection_attempt=0)
    assert llrp.encode_message(message) == CONNECTED
    assert decode_all(CONNECTED) == [message]


def test_ro_access_report_bytes() -> None:
    tag = llrp.TagReport(EPC, antenna_id=2, peak_rssi=-55, first_seen_utc_us=STAMP)
    message = llrp.ROAccessReport(7, (tag,))
    assert llrp.encode_message(message) == REPORT
    assert decode_all(REPORT) == [message]


def test_rospec_command_and_response_bytes() -> None:
    assert llrp.encode_message(llrp.StartROSpec(9, 1)) == bytes.fromhex("04160000000E0000000900000001")
    response = llrp.StartROSpecResponse(9, llrp.LlrpStatus())
    # type 32 | length 18 | LLRPStatus(287, 8): code 0, empty description
    assert llrp.encode_message(response) == bytes.fromhex("04200000001200000009011F000800000000")
    assert llrp.encode_message(llrp.KeepaliveAck(3)) == bytes.fromhex("04480000000A00000003")


def test_add_rospec_bytes() -> None:
    rospec = llrp.ROSpec(
        1,
        start_trigger=1,
        ai_specs=(llrp.AISpec(antenna_ids=(1, 2)),),
        report=llrp.ROReportSpec(trigger=2, n=1),
    )
    frame = llrp.encode_message(llrp.AddROSpec(5, rospec))
    body = (
        "00000001"
        "00"
        "00"  # ROSpecID 1, priority 0, disabled
        "00B20012"
        "00B30005"
        "01"
        "00B60009"
        "00"
        "00000000"  # boundary: immediate start, null stop
        "00B7001A"
        "0002"
        "0001"
        "0002"  # AISpec antennas 1, 2
        "00B80009"
        "00"
        "00000000"  # AISpecStopTrigger null
        "00BA0007"
        "0001"
        "01"  # InventoryParameterSpec 1, EPC C1G2
        "00ED000D"
        "02"
        "0001"
        "00EE0006"
        "1600"  # ROReportSpec, selector: antenna, RSSI, first seen
    )
    rospec_tlv = bytes.fromhex("00B1" + f"{4 + len(bytes.fromhex(body)):04X}" + body)
    assert frame == bytes.fromhex(f"0414{10 + len(rospec_tlv):08X}00000005") + rospec_tlv
    assert decode_all(frame) == [llrp.AddROSpec(5, rospec)]


@given(message=messages)
def test_every_message_round_trips(message: llrp.LlrpMessage) -> None:
    frame = llrp.encode_message(message)
    assert int.from_bytes(frame[2:6], "big") == len(frame)
    assert decode_all(frame) == [message]
