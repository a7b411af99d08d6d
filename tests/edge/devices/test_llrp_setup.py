"""What the edge asks of an LLRP reader when it connects, and how it reads the answers (pure)."""

from __future__ import annotations

import itertools

import pytest

from xdock.edge.devices.llrp_setup import LlrpReaderConfig, ReaderSessionError, check_answer, setup_requests
from xdock.protocol import llrp


@pytest.mark.parametrize(
    ("silence_timeout_s", "spec"),
    [
        (None, None),
        (30.0, llrp.KeepaliveSpec(1, 10_000)),
        (0.6, llrp.KeepaliveSpec(1, 200)),
        (0.2, llrp.KeepaliveSpec(1, 66)),  # rounded down: never later than a third of the timeout
        (0.001, llrp.KeepaliveSpec(1, 1)),  # at least a millisecond
        (1e10, llrp.KeepaliveSpec(1, 0xFFFFFFFF)),  # the longest TimeInterval there is
    ],
)
def test_the_keepalive_period_is_a_third_of_the_silence_timeout(
    silence_timeout_s: float | None, spec: llrp.KeepaliveSpec | None
) -> None:
    assert LlrpReaderConfig("r", silence_timeout_s=silence_timeout_s).keepalive_spec() == spec


def test_the_keepalive_config_goes_first_and_only_with_a_silence_timeout() -> None:
    config = LlrpReaderConfig("r", rospec_id=7, silence_timeout_s=3.0)
    ids = itertools.count(1)
    assert setup_requests(config, lambda: next(ids)) == [
        (llrp.SetReaderConfig(1, keepalive=llrp.KeepaliveSpec(1, 1000)), "SET_READER_CONFIG"),
        (llrp.DeleteROSpec(2, 0), "DELETE_ROSPEC"),
        (llrp.AddROSpec(3, config.rospec()), "ADD_ROSPEC"),
        (llrp.EnableROSpec(4, 7), "ENABLE_ROSPEC"),
        (llrp.StartROSpec(5, 7), "START_ROSPEC"),
    ]
    ids = itertools.count(1)
    names = [name for _, name in setup_requests(LlrpReaderConfig("r"), lambda: next(ids))]
    assert names == ["DELETE_ROSPEC", "ADD_ROSPEC", "ENABLE_ROSPEC", "START_ROSPEC"]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            llrp.SetReaderConfigResponse(1, llrp.LlrpStatus(101, "KeepaliveSpec TimeInterval 0")),
            "LLRP reader 10.0.0.7:5084 refused SET_READER_CONFIG: status 101 'KeepaliveSpec TimeInterval 0'",
        ),
        (
            llrp.ErrorMessage(1, llrp.LlrpStatus(109, "SetReaderConfig is not a message a reader takes")),
            "LLRP reader 10.0.0.7:5084 refused SET_READER_CONFIG: "
            "ERROR_MESSAGE 109 'SetReaderConfig is not a message a reader takes'",
        ),
        (
            llrp.Keepalive(1),
            "LLRP reader 10.0.0.7:5084 answered SET_READER_CONFIG with Keepalive, which has no LLRPStatus",
        ),
    ],
)
def test_a_refusal_names_the_reader_the_request_and_the_status(answer: llrp.LlrpMessage, error: str) -> None:
    with pytest.raises(ReaderSessionError) as refused:
        check_answer(LlrpReaderConfig("10.0.0.7"), "SET_READER_CONFIG", answer)
    assert str(refused.value) == error

