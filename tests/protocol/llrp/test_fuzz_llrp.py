"""Fuzzing the LLRP decoder: any bytes in any chunks give messages or our own errors, and chunking changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from llrp_strategies import messages

from xdock.protocol import llrp


def run(chunks: list[bytes]) -> tuple[list[llrp.LlrpMessage | str], str | None]:
    """Feed ``chunks``; the events (errors as text) and the stream error, if it broke."""
    decoder = llrp.LlrpDecoder(max_message=4096)
    events: list[llrp.LlrpMessage | str] = []
    for chunk in chunks:
        if decoder.broken is not None:
            with pytest.raises(llrp.LlrpFrameError) as caught:
                decoder.feed(chunk)
            assert caught.value is decoder.broken
            continue
        for event in decoder.feed(chunk):
            if isinstance(event, llrp.LlrpFrameError):
                assert event is decoder.broken
            else:
                events.append(str(event) if isinstance(event, llrp.LlrpMessageError) else event)
    return events, None if decoder.broken is None else str(decoder.broken)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


# Valid frames with a few bytes changed, so the fuzz reaches deep into parameters, and plain noise.
frames = st.lists(messages, min_size=1, max_size=3).map(lambda ms: b"".join(llrp.encode_message(m) for m in ms))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(frames))
    for _ in range(draw(st.integers(0, 3))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(0, len(data)))])


wire = st.binary(max_size=300) | mutated()


@given(data=wire, cuts=st.lists(st.integers(0, 400), max_size=8))
def test_any_bytes_any_chunking_only_llrp_errors(data: bytes, cuts: list[int]) -> None:
    whole = run([data])
    assert run(split(data, cuts)) == whole
    assert run([bytes([b]) for b in data]) == whole


@given(sequence=st.lists(messages, max_size=4), cuts=st.lists(st.integers(0, 2000), max_size=6))
def test_valid_streams_decode_whole_in_any_chunks(sequence: list[llrp.LlrpMessage], cuts: list[int]) -> None:
    data = b"".join(llrp.encode_message(m) for m in sequence)
    assert run(split(data, cuts)) == (sequence, None)
