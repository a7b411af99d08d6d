"""The identifier rules: each check's exact refusal text, and the pydantic types naming the field."""

from __future__ import annotations

import pytest
from biip import ParseError
from biip.gln import Gln as BiipGln
from biip.sscc import Sscc as BiipSscc
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.identifiers import (
    BAD_IDENTIFIER,
    Gln,
    Id,
    IdentifierError,
    PostalCode,
    Sscc,
    check_country_code,
    check_gln,
    check_gtin,
    check_id,
    check_postal_code,
    check_postal_code_match,
    check_sscc,
)
from xdock.protocol.topics import TopicError
from xdock.protocol.topics import check_id as check_topic_id


@pytest.mark.parametrize("value", ["376130321109103420", "000000000000000000", "037613032100000011"])
def test_valid_ssccs_pass(value: str) -> None:
    assert check_sscc(value) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("376130320510005997", "Invalid SSCC check digit for '376130320510005997': expected 6, got 7"),
        ("37613032051000599", "Invalid SSCC '37613032051000599': expected 18 digits"),
        ("3761303205100059960", "Invalid SSCC '3761303205100059960': expected 18 digits"),
        ("37613032051000599A", "Invalid SSCC '37613032051000599A': expected 18 digits"),
        ("３７６１３０３２０５１０００５９９６",
         "Invalid SSCC '３７６１３０３２０５１０００５９９６': expected 18 digits"),
        ("", "Invalid SSCC '': expected 18 digits"),
    ],
)
def test_bad_ssccs_are_refused(value: str, message: str) -> None:
    with pytest.raises(IdentifierError) as err:
        check_sscc(value)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (check_gln, "3761303211008", "Invalid GLN check digit for '3761303211008': expected 1, got 8"),
        (check_gln, "376130321100", "Invalid GLN '376130321100': expected 13 digits"),
        (check_gtin, "03761303210009", "Invalid GTIN check digit for '03761303210009': expected 4, got 9"),
        (check_gtin, "1234567", "Invalid GTIN '1234567': expected 8, 12, 13 or 14 digits"),
        (check_gtin, "12345678901", "Invalid GTIN '12345678901': expected 8, 12, 13 or 14 digits"),
        (check_postal_code, "69/001", "Invalid postal code '69/001': expected 1-20 letters, digits, spaces or -, "
         "a letter or digit first"),
        (check_postal_code, " 69001", "Invalid postal code ' 69001': expected 1-20 letters, digits, spaces or -, "
         "a letter or digit first"),
        (check_postal_code, "6" * 21, f"Invalid postal code '{'6' * 21}': expected 1-20 letters, digits, spaces "
         "or -, a letter or digit first"),
        (check_postal_code_match, "69**", "Invalid postal code '69**': expected 1-20 letters, digits, spaces or -, "
         "a letter or digit first, then * for a prefix"),
        (check_country_code, "FR", "Invalid country code 'FR': expected 3 digits (ISO 3166 numeric)"),
    ],
)
def test_other_keys_are_refused_with_their_text(check: object, value: str, message: str) -> None:
    assert callable(check)
    with pytest.raises(IdentifierError) as err:
        check(value)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (check_gln, "3761303211001"), (check_gtin, "03761303210004"), (check_gtin, "96385074"),
        (check_gtin, "036000291452"), (check_gtin, "4006381333931"), (check_postal_code, "69001"),
        (check_postal_code, "SW1A 1AA"), (check_postal_code, "1010-123"), (check_postal_code_match, "69*"),
        (check_postal_code_match, "75011"), (check_country_code, "250"),
    ],
)
def test_valid_keys_pass(check: object, value: str) -> None:
    assert callable(check)
    assert check(value) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("A/B", "Invalid truck id 'A/B': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        ("D\x0712", "Invalid truck id 'D\\x0712': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        ("T 1", "Invalid truck id 'T 1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        ("a+b", "Invalid truck id 'a+b': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        ("", "Invalid truck id '': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        ("x" * 100, f"Invalid truck id '{'x' * 72}'...: expected 1-64 characters of A-Z a-z 0-9 _ -"),
    ],
)
def test_bad_ids_are_refused_naming_what(value: str, message: str) -> None:
    with pytest.raises(IdentifierError) as err:
        check_id("truck id", value)
    assert str(err.value) == message


def test_topic_ids_follow_the_same_rule() -> None:
    with pytest.raises(TopicError) as err:
        check_topic_id("edge id", "e/1")
    assert str(err.value) == "Invalid edge id 'e/1': expected 1-64 characters of A-Z a-z 0-9 _ -"
    assert check_topic_id("edge id", "edge_D-1") == "edge_D-1"


class _Sample(BaseModel):
    id: Id
    sscc: Sscc
    gln: Gln | None = None
    postal: list[PostalCode] = []


def test_pydantic_types_name_the_field_with_the_check_text() -> None:
    with pytest.raises(ValidationError) as err:
        _Sample.model_validate({"id": "A/B", "sscc": "376130320510005997", "gln": "3761303211008",
                                "postal": ["69001", "69/001"]})
    assert [(e["loc"], e["type"], e["msg"]) for e in err.value.errors()] == [
        (("id",), BAD_IDENTIFIER, "Invalid id 'A/B': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        (("sscc",), BAD_IDENTIFIER, "Invalid SSCC check digit for '376130320510005997': expected 6, got 7"),
        (("gln",), BAD_IDENTIFIER, "Invalid GLN check digit for '3761303211008': expected 1, got 8"),
        (("postal", 1), BAD_IDENTIFIER, "Invalid postal code '69/001': expected 1-20 letters, digits, spaces or -, "
         "a letter or digit first"),
    ]


def test_braces_in_a_refused_value_are_shown_as_sent() -> None:
    with pytest.raises(ValidationError) as err:
        _Sample.model_validate({"id": "{problem}", "sscc": "376130321109103420"})
    assert err.value.errors()[0]["msg"] == "Invalid id '{problem}': expected 1-64 characters of A-Z a-z 0-9 _ -"


def test_json_schema_keeps_the_pattern() -> None:
    schema = _Sample.model_json_schema()["properties"]
    assert (schema["id"]["type"], schema["id"]["pattern"]) == ("string", "^[A-Za-z0-9_-]{1,64}$")
    assert (schema["sscc"]["type"], schema["sscc"]["pattern"]) == ("string", "^[0-9]{18}$")


@given(st.text("0123456789", min_size=17, max_size=17), st.integers(0, 9))
def test_sscc_check_agrees_with_biip(body: str, last: int) -> None:
    value = body + str(last)
    try:
        BiipSscc.parse(value)
    except ParseError:
        biip_ok = False
    else:
        biip_ok = True
    try:
        check_sscc(value)
    except IdentifierError:
        ours_ok = False
    else:
        ours_ok = True
    assert ours_ok == biip_ok == (value == sscc_with_check_digit(body))


@given(st.text("0123456789", min_size=13, max_size=13))
def test_gln_check_agrees_with_biip(value: str) -> None:
    try:
        BiipGln.parse(value)
    except ParseError:
        biip_ok = False
    else:
        biip_ok = True
    try:
        check_gln(value)
    except IdentifierError:
        ours_ok = False
    else:
        ours_ok = True
    assert ours_ok == biip_ok
