"""``write_broker_config``: the four files, their modes, and what a second run keeps."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from xdock.broker_config import (
    BrokerConfigError,
    BrokerSettings,
    BrokerUsers,
    Written,
    read_credentials,
    write_broker_config,
)
from xdock.protocol.messages import MAX_PAYLOAD

SETTINGS = BrokerSettings(port=18830, persistence_dir=Path("/var/lib/xdock-broker"), run_as="mqtt")


def users(*edges: str, nodes: tuple[str, ...] = ()) -> BrokerUsers:
    return BrokerUsers.parse("s1", list(edges), list(nodes))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_the_four_files_with_secrets_readable_by_the_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "broker"
    written = write_broker_config(out, users("e1", "e2", nodes=("n1",)), SETTINGS)
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


def test_the_conf_refuses_anonymous_clients_and_payloads_over_centrals_limit(tmp_path: Path) -> None:
    write_broker_config(tmp_path, users("e1"), SETTINGS)
    conf = (tmp_path / "mosquitto.conf").read_text().splitlines()
    settings = dict(line.split(" ", 1) for line in conf if line and not line.startswith("#"))
    assert settings == {
        "per_listener_settings": "false",
        "allow_anonymous": "false",
        "password_file": f"{tmp_path.resolve()}/passwd",
        "acl_file": f"{tmp_path.resolve()}/acl",
        "listener": "18830 127.0.0.1",
        "user": "mqtt",
        "message_size_limit": str(MAX_PAYLOAD),
        "persistence": "true",
        "persistence_location": "/var/lib/xdock-broker/",
        "max_queued_messages": "100000",
        "set_tcp_nodelay": "true",
        "log_dest": "stderr",
    }


def test_a_second_run_with_one_more_edge_keeps_every_earlier_password(tmp_path: Path) -> None:
    write_broker_config(tmp_path, users("e1", "e2"), SETTINGS)
    before = read_credentials(tmp_path / "credentials.json")
    written = write_broker_config(tmp_path, users("e1", "e2", "e3"), SETTINGS)
    after = read_credentials(tmp_path / "credentials.json")
    assert written == Written(fresh=("e3",), kept=("central", "e1", "e2"), removed=())
    assert {user: after[user] for user in before} == before
    assert after["e3"] not in before.values()
    assert "user e3" in (tmp_path / "acl").read_text()


def test_an_edge_left_out_loses_its_log_in(tmp_path: Path) -> None:
    write_broker_config(tmp_path, users("e1", "e2"), SETTINGS)
    written = write_broker_config(tmp_path, users("e1"), SETTINGS)
    assert written == Written(fresh=(), kept=("central", "e1"), removed=("e2",))
    assert "e2" not in read_credentials(tmp_path / "credentials.json")
    # by user name: a hash's random base64 may well contain "e2"
    assert [line.split(":", 1)[0] for line in (tmp_path / "passwd").read_text().splitlines()] == ["central", "e1"]
    assert "user e2" not in (tmp_path / "acl").read_text()
    assert "/edge/e2/" not in (tmp_path / "acl").read_text()


def test_new_passwords_rekeys_everyone(tmp_path: Path) -> None:
    write_broker_config(tmp_path, users("e1"), SETTINGS)
    before = read_credentials(tmp_path / "credentials.json")
    written = write_broker_config(tmp_path, users("e1"), SETTINGS, new_passwords=True)
    after = read_credentials(tmp_path / "credentials.json")
    assert written == Written(fresh=("central", "e1"), kept=(), removed=())
    assert set(after.values()).isdisjoint(before.values())
    assert mode(tmp_path / "credentials.json") == 0o600


def test_a_folder_holding_anything_else_is_refused_untouched(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "acl").write_text("hand-written")
    with pytest.raises(BrokerConfigError) as refused:
        write_broker_config(tmp_path, users("e1"), SETTINGS)
    assert str(refused.value) == (
        f"Invalid --out {tmp_path.resolve()}: holds notes.txt; expected an empty folder or one written by "
        "xdock broker-config"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acl", "notes.txt"]
    assert (tmp_path / "acl").read_text() == "hand-written"


def test_a_file_as_out_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    with pytest.raises(BrokerConfigError, match="not a folder"):
        write_broker_config(tmp_path / "f", users("e1"), SETTINGS)


@pytest.mark.parametrize(("content", "problem"), [
    ("{not json", "Cannot read"),
    ('{"e1": 3}', "expected a JSON object of user name to password"),
    ('["e1"]', "expected a JSON object of user name to password"),
])
def test_malformed_earlier_credentials_are_refused_naming_the_file(tmp_path: Path, content: str,
                                                                    problem: str) -> None:
    (tmp_path / "credentials.json").write_text(content)
    with pytest.raises(BrokerConfigError) as refused:
        write_broker_config(tmp_path, users("e1"), SETTINGS)
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
