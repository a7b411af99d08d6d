"""Reader-configuration messages on the wire: exact bytes, the standard's parameter order, refusals."""

from __future__ import annotations

from xdock.protocol import llrp

ANTENNA_PROPERTIES = llrp.RawParameter(221, bytes.fromhex("8000010000"))  # connected, antenna 1, gain 0


def test_set_reader_config_bytes_follow_the_standard_order() -> None:
    message = llrp.SetReaderConfig(
        7,
        reset_to_factory_defaults=True,
        event_spec=llrp.ReaderEventNotificationSpec(((2, True), (8, False))),
        keepalive=llrp.KeepaliveSpec(1, 60_000),
        extra=(ANTENNA_PROPERTIES,),
    )
    body = (
        "80"  # ResetToFactoryDefault
        "00F40012"
        "00F5000700"
        "0280"
        "00F5000700"
        "0800"  # ReaderEventNotificationSpec: ROSpec on, antenna off
        "00DD0009"
        "8000010000"  # AntennaProperties before KeepaliveSpec, as the standard lists them
        "00DC0009"
        "01"
        "0000EA60"  # KeepaliveSpec periodic, 60000 ms
    )
    frame = llrp.encode_message(message)
    assert frame == bytes.fromhex(f"0403{10 + len(bytes.fromhex(body)):08X}00000007" + body)
    assert llrp.LlrpDecoder().feed(frame) == [message]


def test_get_reader_config_and_delete_accessspec_bytes() -> None:
    assert llrp.encode_message(llrp.GetReaderConfig(3)) == bytes.fromhex("0402000000110000000300000000000000")
    assert llrp.encode_message(llrp.DeleteAccessSpec(4, 0)) == bytes.fromhex("04290000000E0000000400000000")
    assert llrp.encode_message(llrp.EnableEventsAndReports(5)) == bytes.fromhex("04400000000A00000005")
    assert llrp.encode_message(llrp.DisableROSpec(6, 1)) == bytes.fromhex("04190000000E0000000600000001")


def test_a_doubled_keepalive_spec_is_refused_by_name() -> None:
    keepalive = llrp.KeepaliveSpec(1, 1000).encode()
    body = bytes([0]) + keepalive + keepalive
    frame = bytes.fromhex(f"0403{10 + len(body):08X}00000008") + body
    [error] = llrp.LlrpDecoder().feed(frame)
    assert isinstance(error, llrp.LlrpMessageError)
    assert str(error) == "Invalid LLRP at byte 20: SET_READER_CONFIG.KeepaliveSpec: appears twice"
