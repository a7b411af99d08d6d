from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xdock.protocol.modbus_probe import ProbeSample, ProbeValueError, decode_registers, encode_registers


def test_documented_examples() -> None:
    assert encode_registers(ProbeSample(temperature_c=-2.5, humidity_pct=61.2)) == [0xFFE7, 612]
    assert decode_registers([0xFFE7, 612]) == ProbeSample(temperature_c=-2.5, humidity_pct=61.2)
    assert decode_registers([0, 0]) == ProbeSample(temperature_c=0.0, humidity_pct=0.0)


@given(st.integers(-600, 1000), st.integers(0, 1000))
def test_round_trip_in_tenths(temperature: int, humidity: int) -> None:
    sample = ProbeSample(temperature / 10, humidity / 10)
    assert decode_registers(encode_registers(sample)) == sample


@pytest.mark.parametrize(
    ("sample", "text"),
    [
        (ProbeSample(100.1, 50.0), "Probe temperature 100.1 out of range: expected -60.0 to 100.0"),
        (ProbeSample(4.0, -0.5), "Probe humidity -0.5 out of range: expected 0.0 to 100.0"),
    ],
)
def test_encode_refuses_out_of_range(sample: ProbeSample, text: str) -> None:
    with pytest.raises(ProbeValueError, match=f"^{text}$"):
        encode_registers(sample)


@pytest.mark.parametrize(
    ("registers", "text"),
    [
        ([1], "Probe answer has 1 registers: expected 2"),
        ([0, 70000], "Probe register 1 holds 70000: expected 0 to 65535"),
        ([0x8000, 0], r"Probe registers \[32768, 0\]: Probe temperature -3276.8 out of range: expected -60.0 to 100.0"),
        ([40, 1001], r"Probe registers \[40, 1001\]: Probe humidity 100.1 out of range: expected 0.0 to 100.0"),
    ],
)
def test_decode_refuses_naming_the_register(registers: list[int], text: str) -> None:
    with pytest.raises(ProbeValueError, match=f"^{text}$"):
        decode_registers(registers)
