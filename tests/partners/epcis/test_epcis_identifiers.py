"""SSCCs as Digital Link and EPC URNs, and the site's SGLNs, GIAIs and transaction URIs (GS1 TDS)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from epcis_samples import P1, SITE, ssccs
from hypothesis import given
from hypothesis import strategies as st

from xdock.partners.epcis import EpcisError, SiteIdentity, sscc_uri, sscc_urn
from xdock.partners.epcis.epc_uris import sscc_from_urn, tds_component


def test_an_sscc_as_digital_link_and_as_urn() -> None:
    assert sscc_uri(P1) == "https://id.gs1.org/00/106141412345678908"
    # GS1's own example: extension digit 1, company prefix 0614141, serial reference 1 + 234567890
    assert sscc_urn(P1, 7) == "urn:epc:id:sscc:0614141.1234567890"
    assert sscc_urn(P1, 6) == "urn:epc:id:sscc:061414.11234567890"
    assert sscc_urn(P1, 12) == "urn:epc:id:sscc:061414123456.17890"


@given(ssccs, st.integers(6, 12))
def test_an_sscc_urn_reads_back_as_its_sscc(sscc: str, prefix_length: int) -> None:
    assert sscc_from_urn(sscc_urn(sscc, prefix_length)) == sscc


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sscc_uri("106141412345678907"),
         "Invalid SSCC check digit for '106141412345678907': expected 8, got 7"),
        (lambda: sscc_uri("10614141"), "Invalid SSCC '10614141': expected 18 digits"),
        (lambda: sscc_urn(P1, 13), "Invalid company prefix length 13: expected 6 to 12"),
        (lambda: sscc_from_urn("urn:epc:id:sscc:0614141.123"),
         "Invalid SSCC URN 'urn:epc:id:sscc:0614141.123': expected a 6-12 digit company prefix and a serial"
         " reference, 17 digits together, got 7 and 3"),
        (lambda: sscc_from_urn("urn:epc:id:sgtin:0614141.1.2"),
         "Invalid SSCC URN 'urn:epc:id:sgtin:0614141.1.2': expected urn:epc:id:sscc:<company prefix>.<serial"
         " reference>"),
    ],
)
def test_bad_sscc_input_is_refused_naming_it(call: object, message: str) -> None:
    with pytest.raises(EpcisError) as raised:
        call()  # type: ignore[operator]
    assert str(raised.value) == message


def test_the_site_and_its_doors_as_sglns() -> None:
    assert SITE.company_prefix == "0614141"
    assert SITE.location_reference == "00001"
    assert SITE.sgln() == "urn:epc:id:sgln:0614141.00001.0"
    assert SITE.sgln("D-12") == "urn:epc:id:sgln:0614141.00001.D-12"
    assert SiteIdentity("0614141000012", 12).sgln("D_1") == "urn:epc:id:sgln:061414100001..D_1"
    assert SiteIdentity("0614141000012", 6).sgln("A.1") == "urn:epc:id:sgln:061414.100001.A.1"


def test_characters_a_urn_cannot_carry_are_percent_escaped() -> None:
    """TDS escapes seven characters of GS1's set 82; the other punctuation of the set is written as is."""
    assert SITE.sgln('a"%&/<>?b') == "urn:epc:id:sgln:0614141.00001.a%22%25%26%2F%3C%3E%3Fb"
    assert SITE.sgln("!'()*+,-.:;=_") == "urn:epc:id:sgln:0614141.00001.!'()*+,-.:;=_"
    assert SITE.trailer_epc("TR/7") == "urn:epc:id:giai:0614141.TR%2F7"


@pytest.mark.parametrize(
    ("extension", "message"),
    [
        ("door 1", "Invalid SGLN extension 'door 1': character ' ' is not allowed: expected A-Z a-z 0-9"
                   " ! \" % & ' ( ) * + , - . / : ; < = > ? _ (GS1 AI encodable character set 82)"),
        ("quai-é", "Invalid SGLN extension 'quai-é': character 'é' is not allowed: expected A-Z a-z 0-9"
                   " ! \" % & ' ( ) * + , - . / : ; < = > ? _ (GS1 AI encodable character set 82)"),
        ("", "Invalid SGLN extension '': expected 1 to 20 characters, got 0"),
        ("D" * 21, f"Invalid SGLN extension {'D' * 21!r}: expected 1 to 20 characters, got 21"),
        ("0", "Invalid SGLN extension '0': expected a door or area id other than 0, which TDS reserves for the GLN"
              " without extension"),
    ],
)
def test_a_door_id_an_sgln_cannot_carry_is_refused_naming_the_character(extension: str, message: str) -> None:
    with pytest.raises(EpcisError) as raised:
        SITE.sgln(extension)
    assert str(raised.value) == message


def test_trailers_and_sensors_as_the_sites_giais() -> None:
    assert SITE.trailer_epc("TR-7") == "urn:epc:id:giai:0614141.TR-7"
    assert SITE.sensor_epc("T1") == "urn:epc:id:giai:0614141.T1"
    assert SITE.trailer_epc("T" * 23) == f"urn:epc:id:giai:0614141.{'T' * 23}"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: SITE.trailer_epc("T" * 24),
         f"Invalid trailer id {'T' * 24!r}: expected 1 to 23 characters, got 24"),
        (lambda: SITE.trailer_epc("TR 7"),
         "Invalid trailer id 'TR 7': character ' ' is not allowed: expected A-Z a-z 0-9 ! \" % & ' ( ) * + , - . /"
         " : ; < = > ? _ (GS1 AI encodable character set 82)"),
        (lambda: SITE.sensor_epc("T\n"),
         "Invalid sensor id 'T\\n': character '\\n' is not allowed: expected A-Z a-z 0-9 ! \" % & ' ( ) * + , - . /"
         " : ; < = > ? _ (GS1 AI encodable character set 82)"),
    ],
)
def test_an_asset_id_a_giai_cannot_carry_is_refused(call: object, message: str) -> None:
    with pytest.raises(EpcisError) as raised:
        call()  # type: ignore[operator]
    assert str(raised.value) == message


def test_a_truck_or_shipment_id_as_a_business_transaction_of_the_site() -> None:
    assert SITE.transaction_uri("ASN-2024/17") == "urn:epcglobal:cbv:bt:0614141000012:ASN-2024%2F17"


@pytest.mark.parametrize(
    ("gln", "prefix_length", "message"),
    [
        ("0614141000013", 7, "site_gln: Invalid GLN check digit for '0614141000013': expected 2, got 3"),
        ("061414100001", 7, "site_gln: Invalid GLN '061414100001': expected 13 digits"),
        ("0614141000012", 5, "company_prefix_length: Invalid company prefix length 5: expected 6 to 12"),
        ("0614141000012", True, "company_prefix_length: Invalid company prefix length True: expected 6 to 12"),
    ],
)
def test_a_bad_site_identity_is_refused(gln: str, prefix_length: int, message: str) -> None:
    with pytest.raises(EpcisError) as raised:
        SiteIdentity(gln, prefix_length)
    assert str(raised.value) == message


@given(st.text(min_size=1, max_size=20))
def test_an_escaped_component_holds_only_urn_safe_characters(text: str) -> None:
    try:
        escaped = tds_component("x", text, max_length=20)
    except EpcisError:
        return
    assert set(escaped) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!'()*+,-.:;=_%")
    assert unquote(escaped) == text
