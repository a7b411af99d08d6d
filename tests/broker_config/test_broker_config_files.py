"""``write_broker_config``: the four files, their modes, and what a second run keeps."""

from __future__ import annotations

import json
import os
import pwd
import stat
from pathlib import Path

import pytest

from support.broker_files import ME, mode, settings_in, users
from xdock.broker_config import (
    BrokerConfigError,
    BrokerSettings,
    Written,
    read_credentials,
    write_broker_config,
)
from xdock.protocol.messages import MAX_PAYLOAD


@pytest.fixture
def settings(tmp_path_factory: pytest.TempPathFactory) -> BrokerSettings:
    return settings_in(tmp_path_factory.mktemp("state"))


def test_writes_the_four_files_with_secrets_readable_by_the_owner_only(tmp_path: Path,
                                                                       settings: BrokerSettings) -> None:
    out = tmp_path / "broker"
    written = write_broker_config(out, users("e1", "e2", nodes=("n1",)), settings)
    assert written == Written(fresh=("central", "e1", "e2", "n1"), kept=(), removed=())
    assert sorted(p.name for p in out.iterdir()) == ["acl", "credentials.json", "mosquitto.conf", "passwd"]
    assert (mode(out / "credentials.json"), mode(out / "passwd")) == (0o600, 0o600)
    assert (mode(out / "acl"), mode(out / "mosquitto.conf")) == (0o644, 0o644)
    credentials = json.loads((out / "credentials.json").read_text())
    assert list(credentials) == ["central", "e1", "e2", "n1"]
    assert len(set(credentials.values())) == 4
    passwd = (out / "passwd").read_text()
    assert [line.split(":")[0] for line in passwd.splitlines()] == ["central", "e1", "e2", "n1"]
    assert not any(password in passwd for password in credentials.values())


def test_the_conf_refuses_anonymous_clients_and_payloads_over_centrals_limit(tmp_path: Path,
                                                                             settings: BrokerSettings) -> None:
    write_broker_config(tmp_path, users("e1"), settings)
    conf = (tmp_path / "mosquitto.conf").read_text().splitlines()
    lines = dict(line.split(" ", 1) for line in conf if line and not line.startswith("#"))
    assert lines == {
        "per_listener_settings": "false",
        "allow_anonymous": "false",
        "password_file": f"{tmp_path.resolve()}/passwd",
        "acl_file": f"{tmp_path.resolve()}/acl",
        "listener": "18830 127.0.0.1",
        "user": ME,
        "message_size_limit": str(MAX_PAYLOAD),
        "persistence": "true",
        "persistence_location": str(settings.persistence_dir),
        "max_queued_messages": "100000",
        "set_tcp_nodelay": "true",
        "log_dest": "stderr",
    }


def test_a_second_run_with_one_more_edge_keeps_every_earlier_password(tmp_path: Path,
                                                                      settings: BrokerSettings) -> None:
    write_broker_config(tmp_path, users("e1", "e2"), settings)
    before = read_credentials(tmp_path / "credentials.json")
    written = write_broker_config(tmp_path, users("e1", "e2", "e3"), settings)
    after = read_credentials(tmp_path / "credentials.json")
    assert written == Written(fresh=("e3",), kept=("central", "e1", "e2"), removed=())
    assert {user: after[user] for user in before} == before
    assert after["e3"] not in before.values()
    assert "user e3" in (tmp_path / "acl").read_text()


def test_an_edge_left_out_loses_its_log_in(tmp_path: Path, settings: BrokerSettings) -> None:
    write_broker_config(tmp_path, users("e1", "e2"), settings)
    written = write_broker_config(tmp_path, users("e1"), settings)
    assert written == Written(fresh=(), kept=("central", "e1"), removed=("e2",))
    assert "e2" not in read_credentials(tmp_path / "credentials.json")
    # by user name: a hash's random base64 may well contain "e2"
    assert [line.split(":", 1)[0] for line in (tmp_path / "passwd").read_text().splitlines()] == ["central", "e1"]
    assert "user e2" not in (tmp_path / "acl").read_text()
    assert "/edge/e2/" not in (tmp_path / "acl").read_text()


def test_new_passwords_rekeys_everyone(tmp_path: Path, settings: BrokerSettings) -> None:
    write_broker_config(tmp_path, users("e1"), settings)
    before = read_credentials(tmp_path / "credentials.json")
    written = write_broker_config(tmp_path, users("e1"), settings, new_passwords=True)
    after = read_credentials(tmp_path / "credentials.json")
    assert written == Written(fresh=("central", "e1"), kept=(), removed=())
    assert set(after.values()).isdisjoint(before.values())
    assert mode(tmp_path / "credentials.json") == 0o600


def owner(path: Path) -> tuple[int, int, int]:
    """uid, gid and mode."""
    info = path.stat()
    return info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)


as_root = pytest.mark.skipif(os.geteuid() != 0, reason="handing files to another user needs root")


@as_root
def test_a_rewrite_keeps_each_files_owner_and_group_and_its_mode(tmp_path: Path, settings: BrokerSettings) -> None:
    write_broker_config(tmp_path, users("e1"), settings)
    for name, ids in {"passwd": (4001, 4002), "acl": (4001, 4002), "credentials.json": (4003, 4004)}.items():
        os.chown(tmp_path / name, *ids)  # as an operator hands them over
    write_broker_config(tmp_path, users("e1", "e2"), settings)
    assert "e2" in read_credentials(tmp_path / "credentials.json")
    assert {name: owner(tmp_path / name) for name in ("passwd", "acl", "credentials.json", "mosquitto.conf")} == {
        "passwd": (4001, 4002, 0o600), "acl": (4001, 4002, 0o644), "credentials.json": (4003, 4004, 0o600),
        "mosquitto.conf": (0, 0, 0o644),
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acl", "credentials.json", "mosquitto.conf", "passwd"]


@as_root
def test_as_root_new_files_mosquitto_reads_and_the_persistence_folder_belong_to_the_run_as_user(
    tmp_path: Path,
) -> None:
    nobody = pwd.getpwnam("nobody")
    ids = nobody.pw_uid, nobody.pw_gid
    state = tmp_path / "var" / "mosquitto"
    write_broker_config(tmp_path / "broker", users("e1"), BrokerSettings(persistence_dir=state, run_as="nobody"))
    assert {name: owner(tmp_path / "broker" / name) for name in ("passwd", "acl", "credentials.json",
                                                                 "mosquitto.conf")} == {
        "passwd": (*ids, 0o600), "acl": (*ids, 0o644), "credentials.json": (0, 0, 0o600),
        "mosquitto.conf": (0, 0, 0o644),
    }
    assert owner(state) == (*ids, 0o700)


@as_root
def test_as_root_an_unknown_run_as_user_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(BrokerConfigError) as refused:
        write_broker_config(tmp_path, users("e1"), BrokerSettings(persistence_dir=tmp_path / "s", run_as="no-such-u"))
    assert str(refused.value) == "Invalid --run-as no-such-u: no such user on this machine"
    assert list(tmp_path.iterdir()) == []


def test_a_missing_persistence_folder_is_made_for_the_owner_only_and_an_existing_one_left_as_is(
    tmp_path: Path, settings: BrokerSettings
) -> None:
    write_broker_config(tmp_path, users("e1"), settings)
    assert (settings.persistence_dir.is_dir(), mode(settings.persistence_dir)) == (True, 0o700)
    settings.persistence_dir.chmod(0o750)
    write_broker_config(tmp_path, users("e1"), settings)
    assert mode(settings.persistence_dir) == 0o750


def test_a_folder_holding_anything_else_is_refused_untouched(tmp_path: Path, settings: BrokerSettings) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "acl").write_text("hand-written")
    with pytest.raises(BrokerConfigError) as refused:
        write_broker_config(tmp_path, users("e1"), settings)
    assert str(refused.value) == (
        f"Invalid --out {tmp_path.resolve()}: holds notes.txt; expected an empty folder or one written by "
        "xdock broker-config"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acl", "notes.txt"]
    assert (tmp_path / "acl").read_text() == "hand-written"


def test_a_file_as_out_is_refused(tmp_path: Path, settings: BrokerSettings) -> None:
    (tmp_path / "f").write_text("")
    with pytest.raises(BrokerConfigError, match="not a folder"):
        write_broker_config(tmp_path / "f", users("e1"), settings)


@pytest.mark.parametrize(("content", "problem"), [
    ("{not json", "Cannot read"),
    ('{"e1": 3}', "expected a JSON object of user name to password"),
    ('["e1"]', "expected a JSON object of user name to password"),
])
def test_malformed_earlier_credentials_are_refused_naming_the_file(tmp_path: Path, content: str,
                                                                    problem: str, settings: BrokerSettings) -> None:
    (tmp_path / "credentials.json").write_text(content)
    with pytest.raises(BrokerConfigError) as refused:
        write_broker_config(tmp_path, users("e1"), settings)
    assert str(tmp_path / "credentials.json") in str(refused.value)
    assert problem in str(refused.value)
    assert (tmp_path / "credentials.json").read_text() == content


@pytest.mark.parametrize(("settings", "message"), [
    ({"port": 0}, "Invalid port 0: expected 1-65535"),
    ({"bind": "0.0.0.0 1"}, "Invalid bind '0.0.0.0 1': expected a value without spaces"),
    ({"run_as": ""}, "Invalid run_as '': expected a value without spaces"),
])
def test_bad_settings_are_refused_by_name(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=r"^Invalid ") as refused:
        BrokerSettings(**settings)  # type: ignore[arg-type]
    assert str(refused.value) == message
