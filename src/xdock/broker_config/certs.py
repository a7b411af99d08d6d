"""A site's certificates, made with ``cryptography``: the site CA, the broker's certificate and one per broker user.

Every key is ECDSA P-256. The CA may only sign certificates (``BasicConstraints ca, path length 0``);
the broker's certificate is for TLS servers and names its host names and IP addresses as subject
alternative names (a client checks the host of its ``mqtts://`` URL against them); a user's is for
TLS clients and carries the user name as its common name (CN), which Mosquitto takes as the log-in
(``use_identity_as_username``), so the generated ACL applies to it unchanged.

A certificate is valid from ``not_before`` to ``not_after`` as given: the caller chooses (a test
makes an expired one by giving a window in the past).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Issued", "issue_client", "issue_server", "load_issued", "new_ca", "subject_cn"]


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    """ECDSA P-256 when made here; a given CA's or broker's key may be RSA too."""

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        """The key, unencrypted PKCS#8 PEM (Mosquitto and the clients read it without a pass phrase)."""
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def subject_cn(cert: x509.Certificate) -> str | None:
    """The certificate's (first) common name, as Mosquitto reads it for the log-in; None if it has none."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else None


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, key_cert_sign=cert_sign, crl_sign=cert_sign,
                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                         key_agreement=False, encipher_only=False, decipher_only=False)


def _builder(subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey, not_before: datetime,
             not_after: datetime) -> x509.CertificateBuilder:
    if not_after <= not_before:
        raise ValueError(f"Invalid validity {not_before.isoformat()} to {not_after.isoformat()}: expected the end "
                         "after the start")
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
    )


def new_ca(site: str, not_before: datetime, not_after: datetime) -> Issued:
    """A self-signed CA for ``site`` (CN ``xdock site <site> CA``) that signs the site's certificates only."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"xdock site {site} CA")
    cert = (
        _builder(name, name, key, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def _host_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _leaf(ca: Issued, cn: str, not_before: datetime, not_after: datetime,
          usage: x509.ObjectIdentifier, names: list[x509.GeneralName]) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        _builder(_name(cn), ca.cert.subject, key, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def issue_server(ca: Issued, hosts: tuple[str, ...], not_before: datetime, not_after: datetime) -> Issued:
    """The broker's certificate, signed by ``ca``, for ``hosts`` (IP addresses and DNS names; CN the first)."""
    if not hosts:
        raise ValueError("No host given: expected at least one host name or IP address for the broker")
    return _leaf(ca, hosts[0], not_before, not_after, ExtendedKeyUsageOID.SERVER_AUTH,
                 [_host_name(host) for host in hosts])


def issue_client(ca: Issued, user: str, not_before: datetime, not_after: datetime) -> Issued:
    """The certificate of broker user ``user`` (its CN), signed by ``ca``, for a TLS client."""
    return _leaf(ca, user, not_before, not_after, ExtendedKeyUsageOID.CLIENT_AUTH, [])


def load_issued(cert_file: Path, key_file: Path, *, what: str) -> Issued:
    """A certificate and its EC key from PEM files; ``ValueError`` naming ``what`` (the option) and the file."""
    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except (OSError, ValueError) as exc:
        raise ValueError(f"Invalid {what} certificate {cert_file}: {_reason(exc)}") from exc
    try:
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"Invalid {what} key {key_file}: {_reason(exc)}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) or key.public_key() != cert.public_key():
        raise ValueError(f"Invalid {what} key {key_file}: expected the private key of {cert_file}")
    return Issued(cert, key)


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
