"""SSCC-96 and SGTIN-96 EPCs: exact vectors from the TDS bit layout, refusals, round trips."""

from __future__ import annotations

import pytest
from biip.checksums import gs1_standard_check_digit
from hypothesis import given
from hypothesis import strategies as st

from xdock.protocol.epc import EpcError, Sgtin96, Sscc96, decode_epc, epc_hex
from xdock.protocol.gs1 import sscc_with_check_digit

# 0x31 | filter 2 | partition 5 | company prefix 7613032 (24 bits) | serial ref 3110910342 (34 bits) | 24 zero bits
SSCC_EPC = "3155D0A9A0B96CB986000000"
# 0x31 | filter 0 | partition 0 | company prefix 761303211091 (40 bits) | serial ref 30342 (18 bits) | 24 zero bits
SSCC_EPC_P0 = "3102C504D4714C7686000000"
# 0x30 | filter 3 | partition 5 | company prefix 3761303 (24 bits) | item ref 000001 (20 bits) | serial 123456789
SGTIN_EPC = "3074E5925C000040075BCD15"


def test_sscc96_decodes_to_the_pallet_sscc() -> None:
    epc = decode_epc(SSCC_EPC)
    assert epc == Sscc96(filter=2, company_prefix="7613032", serial_reference="3110910342")
    assert isinstance(epc, Sscc96)
    assert epc.sscc == "376130321109103420"
    assert epc.pure_identity_uri == "urn:epc:id:sscc:7613032.3110910342"


def test_sscc96_with_a_twelve_digit_company_prefix() -> None:
    epc = decode_epc(bytes.fromhex(SSCC_EPC_P0))
    assert epc == Sscc96(filter=0, company_prefix="761303211091", serial_reference="30342")
    assert isinstance(epc, Sscc96)
    assert epc.sscc == "376130321109103420"


def test_sscc96_encodes_from_the_sscc() -> None:
    epc = Sscc96.from_sscc("376130321109103420", company_prefix_length=7)
    assert epc.encode().hex().upper() == SSCC_EPC
    assert Sscc96.from_sscc("376130321109103420", company_prefix_length=12, filter=0).encode().hex().upper() == (
        SSCC_EPC_P0
    )


def test_sgtin96_decodes_and_encodes() -> None:
    epc = decode_epc(SGTIN_EPC.lower())
    assert epc == Sgtin96(filter=3, company_prefix="3761303", item_reference="000001", serial=123456789)
    assert isinstance(epc, Sgtin96)
    assert epc.gtin == "03761303000018"
    assert epc.pure_identity_uri == "urn:epc:id:sgtin:3761303.000001.123456789"
    assert Sgtin96.from_gtin("03761303000018", 123456789, company_prefix_length=7).encode().hex().upper() == SGTIN_EPC


@pytest.mark.parametrize(
    ("epc", "message"),
    [
        ("315C00000000000000000000", "Invalid SSCC-96 EPC '315C00000000000000000000': partition 7 is not defined"),
        ("307C00000000000000000000", "Invalid SGTIN-96 EPC '307C00000000000000000000': partition 7 is not defined"),
        (
            "E20000000000000000000000",
            "Invalid EPC 'E20000000000000000000000': header 0xE2 is not SSCC-96 (0x31) or SGTIN-96 (0x30)",
        ),
        (
            "3155D0A9A0B96CB986000001",
            "Invalid SSCC-96 EPC '3155D0A9A0B96CB986000001': reserved bits are 0x000001, expected 0",
        ),
        # partition 0, company prefix all ones: 2**40 - 1 has 13 digits
        (
            "3103FFFFFFFFFC0000000000",
            "Invalid SSCC-96 EPC '3103FFFFFFFFFC0000000000': company prefix 1099511627775 has more than 12 digits",
        ),
        # partition 0, serial reference all ones: 2**18 - 1 has 6 digits
        (
            "31000000000003FFFF000000",
            "Invalid SSCC-96 EPC '31000000000003FFFF000000': serial reference 262143 has more than 5 digits",
        ),
        (
            "3000000000000FF000000000",
            "Invalid SGTIN-96 EPC '3000000000000FF000000000': item reference 15 has more than 1 digits",
        ),
        ("31", "Invalid EPC '31': expected 24 hex digits (96 bits)"),
        (b"\x31\x00", "Invalid EPC '3100': expected 12 bytes, found 2"),
    ],
)
def test_bad_epcs_name_the_field(epc: str | bytes, message: str) -> None:
    with pytest.raises(EpcError) as caught:
        decode_epc(epc)
    assert str(caught.value) == message


def test_bad_fields_are_refused_when_encoding() -> None:
    with pytest.raises(EpcError, match=r"^Invalid SSCC check digit for '376130321109103421': expected 0, got 1$"):
        Sscc96.from_sscc("376130321109103421", company_prefix_length=7)
    with pytest.raises(EpcError, match=r"^Invalid company prefix length 5: expected 6 to 12 digits$"):
        Sscc96.from_sscc("376130321109103420", company_prefix_length=5)
    with pytest.raises(EpcError, match=r"^Invalid SSCC-96 filter 8: expected 0 to 7$"):
        Sscc96(filter=8, company_prefix="7613032", serial_reference="3110910342")
    with pytest.raises(EpcError, match=r"^Invalid SGTIN-96 serial 274877906944: expected 0 to 274877906943$"):
        Sgtin96(filter=3, company_prefix="3761303", item_reference="000001", serial=1 << 38)
    with pytest.raises(EpcError, match=r"^Invalid GTIN check digit for '03761303000019': expected 8, got 9$"):
        Sgtin96.from_gtin("03761303000019", 1, company_prefix_length=7)
    with pytest.raises(
        EpcError, match=r"^Invalid SSCC-96 reference '311': expected 10 digits with a 7-digit company prefix$"
    ):
        Sscc96(filter=2, company_prefix="7613032", serial_reference="311")


prefix_lengths = st.integers(min_value=6, max_value=12)
digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)


@given(body=digits17, cp_len=prefix_lengths, filter_value=st.integers(0, 7))
def test_sscc96_round_trips(body: str, cp_len: int, filter_value: int) -> None:
    sscc = sscc_with_check_digit(body)
    epc = Sscc96.from_sscc(sscc, company_prefix_length=cp_len, filter=filter_value)
    raw = epc.encode()
    assert len(raw) == 12
    assert decode_epc(raw) == epc
    assert decode_epc(raw.hex()) == epc
    assert epc.sscc == sscc


@given(
    body=st.text(alphabet="0123456789", min_size=13, max_size=13),
    cp_len=prefix_lengths,
    serial=st.integers(0, (1 << 38) - 1),
    filter_value=st.integers(0, 7),
)
def test_sgtin96_round_trips(body: str, cp_len: int, serial: int, filter_value: int) -> None:
    gtin = body + str(gs1_standard_check_digit(body))
    epc = Sgtin96.from_gtin(gtin, serial, company_prefix_length=cp_len, filter=filter_value)
    assert decode_epc(epc.encode()) == epc
    assert epc.gtin == gtin


@given(raw=st.binary(min_size=12, max_size=12))
def test_any_96_bits_decode_or_raise_epc_error(raw: bytes) -> None:
    if raw[0] not in {0x30, 0x31}:
        with pytest.raises(EpcError, match=r"^Invalid EPC '[0-9A-F]{24}': header 0x[0-9A-F]{2} is not SSCC-96"):
            decode_epc(raw)
        return
    epc: Sscc96 | Sgtin96 | EpcError
    try:
        epc = decode_epc(raw)
    except EpcError as error:
        epc = error
    if isinstance(epc, EpcError):
        assert str(epc).startswith(("Invalid SSCC-96 EPC ", "Invalid SGTIN-96 EPC "))
    else:
        assert epc.encode() == raw
        assert epc_hex(raw) == raw.hex().upper()
