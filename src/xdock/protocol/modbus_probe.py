"""The register map of xdock's Modbus RTU temperature/humidity probe, shared by its mock and the edge poller.

The probe answers *Read Input Registers* (function 0x04) at its device id (1 by default),
19200 baud, 8N1:

=========  ================================  ==========================  =============
register   meaning                           encoding                    example
=========  ================================  ==========================  =============
0          air temperature                   int16 two's complement,     ``0xFFE7`` =
                                             tenths of a degree Celsius  -2.5 °C
1          relative humidity                 uint16, tenths of a %RH     ``612`` = 61.2
=========  ================================  ==========================  =============

Pure functions only: :func:`encode_registers` for the device side, :func:`decode_registers` for the
host side; a register outside its range raises :class:`ProbeValueError` naming the register.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "DEFAULT_DEVICE_ID",
    "REGISTER_COUNT",
    "REG_HUMIDITY",
    "REG_TEMPERATURE",
    "ProbeSample",
    "ProbeValueError",
    "decode_registers",
    "encode_registers",
]

DEFAULT_DEVICE_ID: Final = 1
REG_TEMPERATURE: Final = 0
REG_HUMIDITY: Final = 1
REGISTER_COUNT: Final = 2

_SCALE = 10
_TEMP_RANGE = (-60.0, 100.0)
_HUMIDITY_RANGE = (0.0, 100.0)


class ProbeValueError(ValueError):
    """A value the probe's registers cannot hold, or registers that do not decode to a valid sample."""


@dataclass(frozen=True)
class ProbeSample:
    """One read of the probe, in engineering units."""

    temperature_c: float
    humidity_pct: float


def _check(name: str, value: float, bounds: tuple[float, float]) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise ProbeValueError(f"Probe {name} {value} out of range: expected {low} to {high}")


def encode_registers(sample: ProbeSample) -> list[int]:
    """The two input registers (temperature, humidity) that hold ``sample``, rounded to tenths."""
    _check("temperature", sample.temperature_c, _TEMP_RANGE)
    _check("humidity", sample.humidity_pct, _HUMIDITY_RANGE)
    temperature = round(sample.temperature_c * _SCALE) & 0xFFFF
    humidity = round(sample.humidity_pct * _SCALE)
    return [temperature, humidity]


def decode_registers(registers: list[int]) -> ProbeSample:
    """The sample held by registers 0 and 1 as read from the probe."""
    if len(registers) != REGISTER_COUNT:
        raise ProbeValueError(f"Probe answer has {len(registers)} registers: expected {REGISTER_COUNT}")
    raw_temperature, raw_humidity = registers
    for number, raw in enumerate(registers):
        if not 0 <= raw <= 0xFFFF:
            raise ProbeValueError(f"Probe register {number} holds {raw}: expected 0 to 65535")
    signed = raw_temperature - 0x10000 if raw_temperature >= 0x8000 else raw_temperature
    sample = ProbeSample(temperature_c=signed / _SCALE, humidity_pct=raw_humidity / _SCALE)
    try:
        _check("temperature", sample.temperature_c, _TEMP_RANGE)
        _check("humidity", sample.humidity_pct, _HUMIDITY_RANGE)
    except ProbeValueError as exc:
        raise ProbeValueError(f"Probe registers {registers}: {exc}") from None
    return sample
