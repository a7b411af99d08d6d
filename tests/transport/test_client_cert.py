"""A client certificate's CN read as the broker reads it, and its files checked as the TLS client loads them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from xdock.broker_config.certs import issue_client, new_ca
from xdock.transport.client_cert import check_client_cert, common_name

NOW = datetime.now(UTC)


def self_signed(subject: x509.Name, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None) -> bytes:
    key = key or ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(1).not_valid_before(NOW).not_valid_after(NOW + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_the_cn_of_a_certificate_made_by_broker_config() -> None:
    ca = new_ca("s1", NOW, NOW + timedelta(days=1))
    assert common_name(issue_client(ca, "edge-D1", NOW, NOW + timedelta(days=1)).cert_pem()) == "edge-D1"


def test_the_first_cn_among_other_attributes_and_none_without_one() -> None:
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Dock"),
        x509.NameAttribute(NameOID.COMMON_NAME, "edge-D1"), x509.NameAttribute(NameOID.COMMON_NAME, "second"),
    ])
    assert common_name(self_signed(subject)) == "edge-D1"
    assert common_name(self_signed(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Dock")]))) is None


def test_the_cn_of_an_rsa_certificate_in_a_chain_file_is_the_first_certificates() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    first = self_signed(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "central")]), rsa_key)
    second = self_signed(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "issuer")]))
    assert common_name(b"leading text\n" + first + second) == "central"


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=16))
def test_any_utf8_cn_reads_back(cn: str) -> None:
    assert common_name(self_signed(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))) == cn


@pytest.mark.parametrize(("pem", "problem"), [
    (b"no certificate here", "no certificate in it"),
    (b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", "truncated at byte 2"),
    (b"-----BEGIN CERTIFICATE-----\nMIIBCg==\n-----END CERTIFICATE-----\n", "element at byte 0 runs past the end"),
])
def test_malformed_pem_is_refused(pem: bytes, problem: str) -> None:
    with pytest.raises(ValueError, match=r".") as refused:
        common_name(pem)
    assert str(refused.value) == problem


@given(st.binary(max_size=300))
def test_any_bytes_give_a_name_none_or_a_value_error(junk: bytes) -> None:
    pem = b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(junk) + b"-----END CERTIFICATE-----\n"
    try:
        name = common_name(pem)
    except ValueError:
        return
    assert name is None or isinstance(name, str)


@pytest.fixture
def edge_files(tmp_path: Path) -> tuple[Path, Path]:
    ca = new_ca("s1", NOW, NOW + timedelta(days=1))
    issued = issue_client(ca, "edge-D1", NOW, NOW + timedelta(days=1))
    cert, key = tmp_path / "edge-D1.pem", tmp_path / "edge-D1.key"
    cert.write_bytes(issued.cert_pem())
    key.write_bytes(issued.key_pem())
    return cert, key


def test_a_certificate_and_its_key_give_the_cn(edge_files: tuple[Path, Path]) -> None:
    assert check_client_cert(*edge_files) == "edge-D1"


def test_missing_or_wrong_files_are_refused_naming_the_option(edge_files: tuple[Path, Path], tmp_path: Path) -> None:
    cert, key = edge_files
    missing = tmp_path / "missing"
    cases = {
        (missing, key): f"--broker-cert {missing}: cannot be read (No such file or directory)",
        (key, key): f"--broker-cert {key}: not a PEM certificate (no certificate in it)",
        (cert, missing): f"--broker-key {missing}: cannot be read (No such file or directory)",
        (cert, cert): f"--broker-key {cert}: not a PEM private key without pass phrase",
    }
    other = tmp_path / "other.key"
    other.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cases[cert, other] = f"--broker-key {other}: not the private key of --broker-cert {cert}"
    locked = tmp_path / "locked.key"
    locked.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass phrase")))
    cases[cert, locked] = f"--broker-key {locked}: not a PEM private key without pass phrase"
    found = {}
    for files in cases:
        with pytest.raises(ValueError, match=r"^--broker-") as refused:
            check_client_cert(*files)
        found[files] = str(refused.value)
    assert found == cases
