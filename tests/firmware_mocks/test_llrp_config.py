"""The LLRP reader mock's configuration answers, without a socket."""

from __future__ import annotations

from collections import Counter

import pytest

from xdock.firmware_mocks.llrp_config import ReaderSettings
from xdock.firmware_mocks.llrp_reader import ReaderConfig
from xdock.protocol import llrp

OK = llrp.LlrpStatus()


def test_reader_config_all_in_the_standard_order_for_two_antennas() -> None:
    settings = ReaderSettings(ReaderConfig(antennas=2, model=7))
    [answer] = settings.answer(llrp.GetReaderConfig(5)) or ()
    assert isinstance(answer, llrp.GetReaderConfigResponse)
    assert (answer.message_id, answer.status) == (5, OK)
    assert answer.event_spec == llrp.ReaderEventNotificationSpec(tuple((event, False) for event in range(9)))
    assert answer.keepalive == llrp.KeepaliveSpec(0, 0)
    assert (
        answer.extra
        == (
            llrp.RawParameter(218, bytes.fromhex("000008001625FFFE000007")),  # Identification: MAC, 8 bytes
            llrp.RawParameter(221, bytes.fromhex("8000010000")),  # AntennaProperties: connected, gain 0
            llrp.RawParameter(221, bytes.fromhex("8000020000")),
            llrp.RawParameter(237, llrp.ROReportSpec().encode()[4:]),
            llrp.RawParameter(239, b"\x00"),  # AccessReportSpec: with the RO report
            llrp.RawParameter(217, bytes(4)),  # LLRPConfigurationStateValue 0
            llrp.RawParameter(226, b"\x00"),  # EventsAndReports: no holding
        )
    )
    frame = llrp.encode_message(answer)
    order = [218, 221, 221, 244, 237, 239, 217, 220, 226]
    assert [int.from_bytes(frame[at : at + 2], "big") for at in _parameter_starts(frame)] == [287, *order]


def _parameter_starts(frame: bytes) -> list[int]:
    at, starts = 10, []
    while at < len(frame):
        starts.append(at)
        at += int.from_bytes(frame[at + 2 : at + 4], "big")
    return starts


def test_set_reader_config_is_kept_reported_back_and_reset_on_request() -> None:
    settings = ReaderSettings(ReaderConfig())
    events = llrp.ReaderEventNotificationSpec(((2, True), (8, True)))
    keepalive = llrp.KeepaliveSpec(1, 30_000)
    assert settings.answer(llrp.SetReaderConfig(1, event_spec=events, keepalive=keepalive)) == (
        llrp.SetReaderConfigResponse(1, OK),
    )
    [answer] = settings.answer(llrp.GetReaderConfig(2, requested_data=8)) or ()
    assert answer == llrp.GetReaderConfigResponse(2, OK, keepalive=keepalive)
    [answer] = settings.answer(llrp.GetReaderConfig(3, requested_data=5)) or ()
    assert isinstance(answer, llrp.GetReaderConfigResponse)
    assert answer.event_spec is not None
    assert [event for event, on in answer.event_spec.states if on] == [2, 8]
    settings.answer(llrp.SetReaderConfig(4, reset_to_factory_defaults=True))
    assert (settings.keepalive, settings.state_value) == (llrp.KeepaliveSpec(), 2)
    assert not any(settings.events.values())
    assert settings.handled == Counter({"SET_READER_CONFIG": 2, "GET_READER_CONFIG": 2})


def test_refusals_name_the_bad_field() -> None:
    settings = ReaderSettings(ReaderConfig(antennas=4))
    assert settings.answer(llrp.GetReaderConfig(1, requested_data=12)) == (
        llrp.GetReaderConfigResponse(1, llrp.LlrpStatus(101, "RequestedData 12 is not supported: expected 0 to 11")),
    )
    assert settings.answer(llrp.GetReaderConfig(2, requested_data=2, antenna_id=5)) == (
        llrp.GetReaderConfigResponse(2, llrp.LlrpStatus(101, "AntennaID 5: expected 0 to 4")),
    )
    assert settings.answer(llrp.DeleteAccessSpec(3, 0)) == (llrp.DeleteAccessSpecResponse(3, OK),)
    assert settings.answer(llrp.DeleteAccessSpec(4, 9)) == (
        llrp.DeleteAccessSpecResponse(4, llrp.LlrpStatus(101, "AccessSpec 9 is not defined")),
    )
    assert settings.answer(llrp.EnableEventsAndReports(5)) == ()
    assert settings.answer(llrp.StartROSpec(6, 1)) is None  # not a configuration message
    assert settings.handled == Counter({"GET_READER_CONFIG": 2, "DELETE_ACCESSSPEC": 2, "ENABLE_EVENTS_AND_REPORTS": 1})


def test_the_keepalive_period_follows_the_clients_spec_and_falls_back_to_the_readers_own() -> None:
    settings = ReaderSettings(ReaderConfig(keepalive_s=0.05))
    assert (settings.keepalive_period_s(), settings.keepalive) == (0.05, llrp.KeepaliveSpec(1, 50))
    assert settings.answer(llrp.SetReaderConfig(1, keepalive=llrp.KeepaliveSpec(1, 200))) == (
        llrp.SetReaderConfigResponse(1, OK),
    )
    assert settings.keepalive_period_s() == 0.2
    settings.answer(llrp.SetReaderConfig(2, event_spec=llrp.ReaderEventNotificationSpec(((2, True),))))
    assert settings.keepalive_period_s() == 0.2  # a SET without a KeepaliveSpec leaves it
    settings.answer(llrp.SetReaderConfig(3, keepalive=llrp.KeepaliveSpec(0, 0)))
    assert (settings.keepalive_period_s(), settings.keepalive) == (None, llrp.KeepaliveSpec(0, 0))
    settings.answer(llrp.SetReaderConfig(4, reset_to_factory_defaults=True))
    assert (settings.keepalive_period_s(), settings.keepalive) == (0.05, llrp.KeepaliveSpec(1, 50))
    assert ReaderSettings(ReaderConfig()).keepalive_period_s() is None


def test_a_bad_keepalive_spec_is_refused_naming_the_field_and_nothing_is_kept() -> None:
    settings = ReaderSettings(ReaderConfig())
    events = llrp.ReaderEventNotificationSpec(((2, True),))
    assert settings.answer(llrp.SetReaderConfig(1, event_spec=events, keepalive=llrp.KeepaliveSpec(2, 100))) == (
        llrp.SetReaderConfigResponse(
            1, llrp.LlrpStatus(101, "KeepaliveSpec KeepaliveTriggerType 2: expected 0 (null) or 1 (periodic)")
        ),
    )
    assert settings.answer(llrp.SetReaderConfig(2, keepalive=llrp.KeepaliveSpec(1, 0))) == (
        llrp.SetReaderConfigResponse(
            2, llrp.LlrpStatus(101, "KeepaliveSpec TimeInterval 0: expected more than 0 ms for a periodic trigger")
        ),
    )
    assert (settings.keepalive, settings.keepalive_set, settings.state_value) == (llrp.KeepaliveSpec(), False, 0)
    assert not any(settings.events.values())
    assert settings.handled == Counter({"SET_READER_CONFIG": 2})


@pytest.mark.parametrize("keepalive_s", [0.0, -1.0, float("nan")])
def test_a_reader_keepalive_period_must_be_positive(keepalive_s: float) -> None:
    with pytest.raises(ValueError, match=r"^ReaderConfig\.keepalive_s: ") as refused:
        ReaderConfig(keepalive_s=keepalive_s)
    assert str(refused.value) == f"ReaderConfig.keepalive_s: expected a finite number of seconds > 0, got {keepalive_s}"
