"""RFID tag identities: SSCC-96 and SGTIN-96 EPCs, per the GS1 EPC Tag Data Standard.

An RFID portal reads a 96-bit EPC from each tag. A pallet tag holds an SSCC-96 (header 0x31),
a case or item tag an SGTIN-96 (header 0x30). Their bits, most significant first::

    SSCC-96   header 8 | filter 3 | partition 3 | company prefix + serial reference 58 | reserved 24
    SGTIN-96  header 8 | filter 3 | partition 3 | company prefix + item reference 44  | serial 38

The partition value (0-6) says how the middle field splits between the GS1 company prefix
(12 down to 6 digits) and the rest. The SSCC's serial reference begins with its extension
digit; the SGTIN's item reference begins with the GTIN's indicator digit. Check digits are not
on the tag: :attr:`Sscc96.sscc` and :attr:`Sgtin96.gtin` compute them.

:func:`decode_epc` takes the EPC as 12 bytes or 24 hex digits; every refusal is an
:class:`EpcError` naming the EPC and the bad field, e.g.
``Invalid SSCC-96 EPC '31FC...': partition 7 is not defined``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from biip.checksums import gs1_standard_check_digit

from xdock.protocol.gs1 import sscc_with_check_digit

__all__ = [
    "SGTIN96_HEADER",
    "SSCC96_HEADER",
    "EpcError",
    "Sgtin96",
    "Sscc96",
    "decode_epc",
    "epc_hex",
]

SSCC96_HEADER: Final = 0x31
SGTIN96_HEADER: Final = 0x30
_EPC_BITS: Final = 96
_HEX = re.compile(r"[0-9A-Fa-f]{24}")
_DIGITS = re.compile(r"[0-9]+")
_SERIAL_BITS: Final = 38

# partition -> (company prefix bits, company prefix digits, other field bits, other field digits)
_SSCC_PARTITIONS: Final[dict[int, tuple[int, int, int, int]]] = {
    0: (40, 12, 18, 5),
    1: (37, 11, 21, 6),
    2: (34, 10, 24, 7),
    3: (30, 9, 28, 8),
    4: (27, 8, 31, 9),
    5: (24, 7, 34, 10),
    6: (20, 6, 38, 11),
}
_SGTIN_PARTITIONS: Final[dict[int, tuple[int, int, int, int]]] = {
    0: (40, 12, 4, 1),
    1: (37, 11, 7, 2),
    2: (34, 10, 10, 3),
    3: (30, 9, 14, 4),
    4: (27, 8, 17, 5),
    5: (24, 7, 20, 6),
    6: (20, 6, 24, 7),
}
_PARTITION_BY_PREFIX_DIGITS: Final = {digits: p for p, (_, digits, _, _) in _SSCC_PARTITIONS.items()}


class EpcError(ValueError):
    """An EPC, or the fields for one, that is not a valid SSCC-96 or SGTIN-96."""


def epc_hex(epc: bytes | str) -> str:
    """The EPC as 24 upper-case hex digits; :class:`EpcError` if it is not 96 bits."""
    if isinstance(epc, bytes | bytearray):
        if len(epc) != _EPC_BITS // 8:
            raise EpcError(f"Invalid EPC {epc.hex().upper()!r}: expected 12 bytes, found {len(epc)}")
        return bytes(epc).hex().upper()
    text = epc.strip()
    if not _HEX.fullmatch(text):
        raise EpcError(f"Invalid EPC {epc!r}: expected 24 hex digits (96 bits)")
    return text.upper()


@dataclass(frozen=True)
class Sscc96:
    """An SSCC-96 EPC: the pallet's SSCC as a tag carries it."""

    filter: int
    """Filter value 0-7 (2 = full pallet in the TDS's suggested use); not part of the SSCC."""
    company_prefix: str
    """GS1 company prefix, 6 to 12 digits."""
    serial_reference: str
    """Extension digit followed by the serial reference; 17 digits with the company prefix."""

    def __post_init__(self) -> None:
        _check_fields("SSCC-96", self.filter, self.company_prefix, self.serial_reference, 17)

    @property
    def sscc(self) -> str:
        """The 18-digit SSCC: extension digit, company prefix, serial reference, check digit."""
        ref = self.serial_reference
        return sscc_with_check_digit(ref[0] + self.company_prefix + ref[1:])

    @property
    def pure_identity_uri(self) -> str:
        """``urn:epc:id:sscc:<company prefix>.<serial reference>``."""
        return f"urn:epc:id:sscc:{self.company_prefix}.{self.serial_reference}"

    @classmethod
    def from_sscc(cls, sscc: str, *, company_prefix_length: int, filter: int = 2) -> Sscc96:
        """The EPC for an 18-digit SSCC whose company prefix has ``company_prefix_length`` digits."""
        if len(sscc) != 18 or not _DIGITS.fullmatch(sscc):
            raise EpcError(f"Invalid SSCC {sscc!r}: expected 18 digits")
        expected = sscc_with_check_digit(sscc[:17])[-1]
        if sscc[17] != expected:
            raise EpcError(f"Invalid SSCC check digit for {sscc!r}: expected {expected}, got {sscc[17]}")
        if company_prefix_length not in _PARTITION_BY_PREFIX_DIGITS:
            raise EpcError(f"Invalid company prefix length {company_prefix_length}: expected 6 to 12 digits")
        cp = sscc[1 : 1 + company_prefix_length]
        return cls(filter=filter, company_prefix=cp, serial_reference=sscc[0] + sscc[1 + company_prefix_length : 17])

    def encode(self) -> bytes:
        """The 12 bytes of this EPC."""
        partition = _PARTITION_BY_PREFIX_DIGITS[len(self.company_prefix)]
        cp_bits, _, ref_bits, _ = _SSCC_PARTITIONS[partition]
        value = SSCC96_HEADER
        for field, bits in (
            (self.filter, 3),
            (partition, 3),
            (int(self.company_prefix), cp_bits),
            (int(self.serial_reference), ref_bits),
            (0, 24),
        ):
            value = (value << bits) | field
        return value.to_bytes(12, "big")


@dataclass(frozen=True)
class Sgtin96:
    """An SGTIN-96 EPC: a trade item's GTIN and its serial number."""

    filter: int
    """Filter value 0-7 (1 = point-of-sale item, 3 = case in the TDS's suggested use)."""
    company_prefix: str
    """GS1 company prefix, 6 to 12 digits."""
    item_reference: str
    """Indicator digit followed by the item reference; 13 digits with the company prefix."""
    serial: int
    """Serial number, 0 to 2**38 - 1."""

    def __post_init__(self) -> None:
        _check_fields("SGTIN-96", self.filter, self.company_prefix, self.item_reference, 13)
        if not 0 <= self.serial < 1 << _SERIAL_BITS:
            raise EpcError(f"Invalid SGTIN-96 serial {self.serial}: expected 0 to {(1 << _SERIAL_BITS) - 1}")

    @property
    def gtin(self) -> str:
        """The 14-digit GTIN: indicator digit, company prefix, item reference, check digit."""
        ref = self.item_reference
        body = ref[0] + self.company_prefix + ref[1:]
        return body + str(gs1_standard_check_digit(body))

    @property
    def pure_identity_uri(self) -> str:
        """``urn:epc:id:sgtin:<company prefix>.<item reference>.<serial>``."""
        return f"urn:epc:id:sgtin:{self.company_prefix}.{self.item_reference}.{self.serial}"

    @classmethod
    def from_gtin(cls, gtin: str, serial: int, *, company_prefix_length: int, filter: int = 3) -> Sgtin96:
        """The EPC for a 14-digit GTIN and serial, the company prefix having ``company_prefix_length`` digits."""
        if len(gtin) != 14 or not _DIGITS.fullmatch(gtin):
            raise EpcError(f"Invalid GTIN {gtin!r}: expected 14 digits")
        expected = str(gs1_standard_check_digit(gtin[:13]))
        if gtin[13] != expected:
            raise EpcError(f"Invalid GTIN check digit for {gtin!r}: expected {expected}, got {gtin[13]}")
        if company_prefix_length not in _PARTITION_BY_PREFIX_DIGITS:
            raise EpcError(f"Invalid company prefix length {company_prefix_length}: expected 6 to 12 digits")
        cp = gtin[1 : 1 + company_prefix_length]
        item = gtin[0] + gtin[1 + company_prefix_length : 13]
        return cls(filter=filter, company_prefix=cp, item_reference=item, serial=serial)

    def encode(self) -> bytes:
        """The 12 bytes of this EPC."""
        partition = _PARTITION_BY_PREFIX_DIGITS[len(self.company_prefix)]
        cp_bits, _, ref_bits, _ = _SGTIN_PARTITIONS[partition]
        value = SGTIN96_HEADER
        for field, bits in (
            (self.filter, 3),
            (partition, 3),
            (int(self.company_prefix), cp_bits),
            (int(self.item_reference), ref_bits),
            (self.serial, _SERIAL_BITS),
        ):
            value = (value << bits) | field
        return value.to_bytes(12, "big")


def decode_epc(epc: bytes | str) -> Sscc96 | Sgtin96:
    """Decode a 96-bit EPC (12 bytes or 24 hex digits) into an SSCC-96 or SGTIN-96."""
    text = epc_hex(epc)
    value = int(text, 16)
    header = value >> 88
    if header == SSCC96_HEADER:
        scheme, table, tail_bits = "SSCC-96", _SSCC_PARTITIONS, 24
    elif header == SGTIN96_HEADER:
        scheme, table, tail_bits = "SGTIN-96", _SGTIN_PARTITIONS, _SERIAL_BITS
    else:
        raise EpcError(f"Invalid EPC {text!r}: header 0x{header:02X} is not SSCC-96 (0x31) or SGTIN-96 (0x30)")
    filter_value = (value >> 85) & 0b111
    partition = (value >> 82) & 0b111
    if partition not in table:
        raise EpcError(f"Invalid {scheme} EPC {text!r}: partition {partition} is not defined")
    cp_bits, cp_digits, ref_bits, ref_digits = table[partition]
    cp = (value >> (82 - cp_bits)) & ((1 << cp_bits) - 1)
    ref = (value >> tail_bits) & ((1 << ref_bits) - 1)
    tail = value & ((1 << tail_bits) - 1)
    if cp >= 10**cp_digits:
        raise EpcError(f"Invalid {scheme} EPC {text!r}: company prefix {cp} has more than {cp_digits} digits")
    ref_name = "serial reference" if header == SSCC96_HEADER else "item reference"
    if ref >= 10**ref_digits:
        raise EpcError(f"Invalid {scheme} EPC {text!r}: {ref_name} {ref} has more than {ref_digits} digits")
    if header == SSCC96_HEADER:
        if tail:
            raise EpcError(f"Invalid SSCC-96 EPC {text!r}: reserved bits are 0x{tail:06X}, expected 0")
        return Sscc96(filter_value, f"{cp:0{cp_digits}d}", f"{ref:0{ref_digits}d}")
    return Sgtin96(filter_value, f"{cp:0{cp_digits}d}", f"{ref:0{ref_digits}d}", tail)


def _check_fields(scheme: str, filter_value: int, company_prefix: str, reference: str, total: int) -> None:
    if not 0 <= filter_value <= 7:
        raise EpcError(f"Invalid {scheme} filter {filter_value}: expected 0 to 7")
    if not _DIGITS.fullmatch(company_prefix) or len(company_prefix) not in _PARTITION_BY_PREFIX_DIGITS:
        raise EpcError(f"Invalid {scheme} company prefix {company_prefix!r}: expected 6 to 12 digits")
    expected = total - len(company_prefix)
    if not _DIGITS.fullmatch(reference) or len(reference) != expected:
        raise EpcError(
            f"Invalid {scheme} reference {reference!r}: expected {expected} digits"
            f" with a {len(company_prefix)}-digit company prefix"
        )
