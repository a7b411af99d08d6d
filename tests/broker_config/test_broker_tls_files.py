"""``write_broker_config`` with TLS: the site CA, the broker's and each user's certificate, the TLS listener."""

from __future__ import annotations

import ipaddress
import os
import pwd
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from support.broker_files import ME, mode, settings_in, users
from xdock.broker_config import BrokerConfigError, BrokerSettings, TlsSettings, write_broker_config
from xdock.broker_config.certs import Issued, issue_client, issue_server, load_issued, new_ca, subject_cn


@pytest.fixture
def settings(tmp_path_factory: pytest.TempPathFactory) -> BrokerSettings:
    return settings_in(tmp_path_factory.mktemp("state"))


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def files(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` (relative path) with its mode."""
    return {str(p.relative_to(folder)): mode(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_tls_writes_the_ca_the_brokers_certificate_and_one_per_user_keys_readable_by_the_owner_only(
    tmp_path: Path, settings: BrokerSettings
) -> None:
    written = write_broker_config(tmp_path, users("e1", nodes=("n1",)), settings, tls=TlsSettings(port=18883))
    assert (written.fresh_certificates, written.kept_certificates) == (("central", "e1", "n1"), ())
    assert files(tmp_path / "tls") == {
        "broker.key": 0o600, "broker.pem": 0o644, "ca.key": 0o600, "ca.pem": 0o644,
        "clients/central.key": 0o600, "clients/central.pem": 0o644, "clients/e1.key": 0o600,
        "clients/e1.pem": 0o644, "clients/n1.key": 0o600, "clients/n1.pem": 0o644,
    }
    ca = cert(tmp_path / "tls" / "ca.pem")
    assert (subject_cn(ca), ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca) == (
        "xdock site s1 CA", True)
    for user in ("central", "e1", "n1"):
        client = cert(tmp_path / "tls" / "clients" / f"{user}.pem")
        client.verify_directly_issued_by(ca)
        usage = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert (subject_cn(client), list(usage)) == (user, [ExtendedKeyUsageOID.CLIENT_AUTH])
        load_issued(tmp_path / "tls" / "clients" / f"{user}.pem", tmp_path / "tls" / "clients" / f"{user}.key",
                    what=user)  # the key is the certificate's
    server = cert(tmp_path / "tls" / "broker.pem")
    server.verify_directly_issued_by(ca)
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert (names.get_values_for_type(x509.IPAddress), names.get_values_for_type(x509.DNSName)) == (
        [ipaddress.ip_address("127.0.0.1")], ["localhost"])


def test_validity_is_the_days_asked_for(tmp_path: Path, settings: BrokerSettings) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    write_broker_config(tmp_path, users("e1"), settings, tls=TlsSettings(days=30, ca_days=400))
    after = datetime.now(UTC)
    for name, days in (("ca.pem", 400), ("broker.pem", 30), ("clients/e1.pem", 30)):
        issued = cert(tmp_path / "tls" / name)
        assert issued.not_valid_after_utc - issued.not_valid_before_utc == timedelta(days=days, minutes=5), name
        assert before - timedelta(minutes=5) <= issued.not_valid_before_utc <= after - timedelta(minutes=5), name


def test_the_conf_has_a_tls_listener_requiring_a_certificate_whose_cn_is_the_user(
    tmp_path: Path, settings: BrokerSettings
) -> None:
    write_broker_config(tmp_path, users("e1"), settings, tls=TlsSettings(port=18883, bind="0.0.0.0"))
    conf = (tmp_path / "mosquitto.conf").read_text()
    tls = tmp_path.resolve() / "tls"
    assert (
        "listener 18830 127.0.0.1\n"
        f"user {ME}\n"
        "\n"
        "# TLS: every client shows a certificate of the site's CA; its common name is its user name.\n"
        "listener 18883 0.0.0.0\n"
        f"cafile {tls}/ca.pem\n"
        f"certfile {tls}/broker.pem\n"
        f"keyfile {tls}/broker.key\n"
        "tls_version tlsv1.2\n"
        "require_certificate true\n"
        "use_identity_as_username true\n"
        "\n"
    ) in conf


def test_a_second_run_keeps_the_ca_and_each_certificate_and_makes_one_for_a_new_edge(
    tmp_path: Path, settings: BrokerSettings
) -> None:
    write_broker_config(tmp_path, users("e1", "e2"), settings, tls=TlsSettings())
    tls = tmp_path / "tls"
    kept = {name: (tls / name).read_bytes() for name in ("ca.pem", "ca.key", "clients/e1.pem", "clients/e1.key")}
    written = write_broker_config(tmp_path, users("e1", "e3"), settings, tls=TlsSettings(hosts=("broker.dock",)))
    assert (written.fresh_certificates, written.kept_certificates) == (("e3",), ("central", "e1"))
    assert {name: (tls / name).read_bytes() for name in kept} == kept
    assert sorted(p.name for p in (tls / "clients").iterdir()) == [
        "central.key", "central.pem", "e1.key", "e1.pem", "e3.key", "e3.pem"]
    names = cert(tls / "broker.pem").extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["broker.dock"]  # the broker's made anew, for the hosts given


def test_an_expired_or_foreign_certificate_of_an_earlier_run_is_replaced(tmp_path: Path,
                                                                          settings: BrokerSettings) -> None:
    write_broker_config(tmp_path, users("e1", "e2"), settings, tls=TlsSettings())
    clients = tmp_path / "tls" / "clients"
    now = datetime.now(UTC)
    ca = load_issued(tmp_path / "tls" / "ca.pem", tmp_path / "tls" / "ca.key", what="CA")
    expired = issue_client(ca, "e1", now - timedelta(days=9), now - timedelta(days=1))
    foreign = issue_client(new_ca("s1", now, now + timedelta(days=1)), "e2", now, now + timedelta(days=1))
    for user, issued in (("e1", expired), ("e2", foreign)):
        (clients / f"{user}.pem").write_bytes(issued.cert_pem())
        (clients / f"{user}.key").write_bytes(issued.key_pem())
    written = write_broker_config(tmp_path, users("e1", "e2"), settings, tls=TlsSettings())
    assert (written.fresh_certificates, written.kept_certificates) == (("e1", "e2"), ("central",))
    for user in ("e1", "e2"):
        cert(clients / f"{user}.pem").verify_directly_issued_by(ca.cert)
        assert cert(clients / f"{user}.pem").not_valid_after_utc > now


def write_pem(folder: Path, name: str, issued: Issued) -> tuple[Path, Path]:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.pem").write_bytes(issued.cert_pem())
    (folder / f"{name}.key").write_bytes(issued.key_pem())
    return folder / f"{name}.pem", folder / f"{name}.key"


def test_a_given_ca_signs_every_certificate_and_its_key_stays_where_it_is(tmp_path: Path,
                                                                          settings: BrokerSettings) -> None:
    now = datetime.now(UTC)
    it_ca = new_ca("it department", now, now + timedelta(days=10))
    given = write_pem(tmp_path / "pki", "site-ca", it_ca)
    out = tmp_path / "broker"
    write_broker_config(out, users("e1"), settings, tls=TlsSettings(ca=given))
    assert sorted(p.name for p in (out / "tls").iterdir()) == ["broker.key", "broker.pem", "ca.pem", "clients"]
    assert (out / "tls" / "ca.pem").read_bytes() == it_ca.cert_pem()
    for name in ("broker.pem", "clients/e1.pem", "clients/central.pem"):
        cert(out / "tls" / name).verify_directly_issued_by(it_ca.cert)


def test_a_given_broker_certificate_is_used_as_given(tmp_path: Path, settings: BrokerSettings) -> None:
    now = datetime.now(UTC)
    ca = new_ca("it department", now, now + timedelta(days=10))
    given = write_pem(tmp_path / "pki", "broker", issue_server(ca, ("broker.dock",), now, now + timedelta(days=9)))
    out = tmp_path / "broker"
    write_broker_config(out, users("e1"), settings, tls=TlsSettings(server=given))
    conf = (out / "mosquitto.conf").read_text()
    assert f"certfile {given[0]}\nkeyfile {given[1]}\n" in conf
    assert not (out / "tls" / "broker.pem").exists()


def test_a_given_key_that_is_not_the_certificates_is_refused_naming_the_option(tmp_path: Path,
                                                                               settings: BrokerSettings) -> None:
    now = datetime.now(UTC)
    one, other = (new_ca(name, now, now + timedelta(days=1)) for name in ("one", "other"))
    cert_file, _ = write_pem(tmp_path / "pki", "one", one)
    _, key_file = write_pem(tmp_path / "pki", "other", other)
    with pytest.raises(ValueError, match=r"^Invalid ") as refused:
        write_broker_config(tmp_path / "out", users("e1"), settings, tls=TlsSettings(ca=(cert_file, key_file)))
    assert str(refused.value) == f"Invalid --tls-ca-cert key {key_file}: expected the private key of {cert_file}"


def test_a_folder_with_tls_files_is_refused_without_tls(tmp_path: Path, settings: BrokerSettings) -> None:
    write_broker_config(tmp_path, users("e1"), settings, tls=TlsSettings())
    conf = (tmp_path / "mosquitto.conf").read_text()
    with pytest.raises(BrokerConfigError) as refused:
        write_broker_config(tmp_path, users("e1", "e2"), settings)
    assert str(refused.value) == (
        f"Invalid --out {tmp_path.resolve()}: holds the TLS files of an earlier run with --tls; give --tls again "
        f"(or remove {tmp_path.resolve()}/tls to drop the TLS listener)"
    )
    assert (tmp_path / "mosquitto.conf").read_text() == conf


def test_the_tls_port_must_differ_from_the_plain_one(tmp_path: Path, settings: BrokerSettings) -> None:
    with pytest.raises(BrokerConfigError) as refused:
        write_broker_config(tmp_path, users("e1"), settings, tls=TlsSettings(port=settings.port))
    assert str(refused.value) == "Invalid --tls-port 18830: the plain listener (--port) already uses it"


@pytest.mark.parametrize(("settings", "message"), [
    ({"port": 70000}, "Invalid --tls-port 70000: expected 1-65535"),
    ({"bind": ""}, "Invalid --tls-bind '': expected an address without spaces"),
    ({"hosts": ()}, "Invalid --tls-host: expected at least one host name or IP address"),
    ({"hosts": ("broker dock",)}, "Invalid --tls-host 'broker dock': expected a host name or an IP address"),
    ({"hosts": ("-broker",)}, "Invalid --tls-host '-broker': expected a host name or an IP address"),
    ({"days": 0}, "Invalid --tls-days 0: expected 1-36500 days"),
    ({"ca_days": -1}, "Invalid --tls-ca-days -1: expected 1-36500 days"),
])
def test_bad_tls_settings_are_refused_naming_the_option(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=r"^Invalid ") as refused:
        TlsSettings(**settings)  # type: ignore[arg-type]
    assert str(refused.value) == message


def test_ipv6_and_dns_hosts_are_taken() -> None:
    assert TlsSettings(hosts=("::1", "broker.dock", "10.0.4.1")).hosts == ("::1", "broker.dock", "10.0.4.1")


@pytest.mark.skipif(os.geteuid() != 0, reason="handing files to another user needs root")
def test_as_root_the_brokers_key_belongs_to_the_run_as_user(tmp_path: Path) -> None:
    nobody = pwd.getpwnam("nobody")
    write_broker_config(tmp_path / "broker", users("e1"),
                        BrokerSettings(persistence_dir=tmp_path / "state", run_as="nobody"), tls=TlsSettings())
    tls = tmp_path / "broker" / "tls"
    assert [(p.stat().st_uid, p.stat().st_gid) for p in (tls / "broker.key", tls / "ca.key")] == [
        (nobody.pw_uid, nobody.pw_gid), (0, 0)]
