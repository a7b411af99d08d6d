"""Tag scripts for ``xdock mock llrp-reader``: a file of tag passes, or a built-in stream of pallets.

A script file holds one pass per line, ``#`` starts a comment::

    # START_S END_S ANTENNA TAG [RSSI_DBM]
    1.0  2.0  2  376130321000000019        # a pallet (SSCC) on the building-side antenna
    1.5  2.5  1  3074257BF7194E4000001A85 -55   # an EPC, 24 hex digits

Times are seconds after the reader starts; a TAG of 18 digits is an SSCC, written as its SSCC-96
EPC with a company prefix of ``prefix_digits`` digits. A bad line raises :class:`ScriptError`
naming the line and the field.
"""

from __future__ import annotations

from typing import Literal

from xdock.firmware_mocks.llrp_tags import TagPass
from xdock.protocol.epc import EpcError, Sscc96, epc_hex
from xdock.protocol.gs1 import sscc_with_check_digit

__all__ = ["ScriptError", "pallet_passes", "pallet_sscc", "parse_script", "tag_epc"]

_SSCC_DIGITS = 18


class ScriptError(ValueError):
    """A tag script line that cannot be used; the message names the line and the field."""


def tag_epc(tag: str, prefix_digits: int) -> bytes:
    """The EPC bytes of ``tag``: an 18-digit SSCC (as SSCC-96) or 24 hex digits."""
    if len(tag) == _SSCC_DIGITS and tag.isdigit():
        return Sscc96.from_sscc(tag, company_prefix_length=prefix_digits).encode()
    return bytes.fromhex(epc_hex(tag))


def _number(line: int, name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ScriptError(f"line {line}: {name} {text!r} is not a number") from None


def parse_script(text: str, prefix_digits: int) -> list[TagPass]:
    """The passes of a script file's ``text``."""
    passes = []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.partition("#")[0].split()
        if not fields:
            continue
        if len(fields) not in (4, 5):
            raise ScriptError(f"line {number}: expected START_S END_S ANTENNA TAG [RSSI_DBM], got {raw.strip()!r}")
        start, end = _number(number, "START_S", fields[0]), _number(number, "END_S", fields[1])
        if not fields[2].isdigit():
            raise ScriptError(f"line {number}: ANTENNA {fields[2]!r} is not a whole number")
        rssi = fields[4] if len(fields) == 5 else "-50"
        if not rssi.lstrip("-").isdigit() or not -128 <= int(rssi) <= 127:
            raise ScriptError(f"line {number}: RSSI_DBM {rssi!r} is not a whole number from -128 to 127")
        try:
            passes.append(TagPass(tag_epc(fields[3], prefix_digits), int(fields[2]), start, end, int(rssi)))
        except (EpcError, ValueError) as exc:
            raise ScriptError(f"line {number}: {exc}") from None
    return passes


def pallet_sscc(company_prefix: str, serial: int) -> str:
    """The ``serial``-th pallet's SSCC: extension digit 0, ``company_prefix``, serial, check digit."""
    width = 16 - len(company_prefix)
    return sscc_with_check_digit("0" + company_prefix + str(serial % 10**width).zfill(width))


def pallet_passes(
    company_prefix: str, pallets: int, *, first_s: float, every_s: float, direction: Literal["in", "out"],
    outside: int = 1, inside: int = 2,
) -> list[TagPass]:
    """``pallets`` pallets carried through a portal one after the other, each passing both antennas.

    Pallet ``i`` (serial ``i + 1``) reaches the first antenna at ``first_s + i * every_s``: the inside
    one going ``out``, the outside one coming ``in``; it is in each antenna's field for 1 s, the
    second antenna's field starting 0.5 s after the first's.
    """
    first_antenna, second_antenna = (inside, outside) if direction == "out" else (outside, inside)
    passes = []
    for i in range(pallets):
        epc = tag_epc(pallet_sscc(company_prefix, i + 1), len(company_prefix))
        start = first_s + i * every_s
        passes += [TagPass(epc, first_antenna, start, start + 1.0), TagPass(epc, second_antenna, start + 0.5,
                                                                             start + 1.5)]
    return passes
