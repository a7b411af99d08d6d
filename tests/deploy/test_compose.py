"""``deploy/compose.yaml``, checked without a Docker daemon (these machines have none; nothing here starts it).

The file is validated against the Compose Specification's JSON Schema, kept in ``compose_spec/`` beside this
test (copied unchanged, with its licence) so that a clean clone checks it offline. Then what the schema cannot
know: every file the file mounts or builds from is in the repository, or is one of ``HOST_FILES``, the files an
operator makes on the host first (each named in docs/deploying.md with the command that makes it); every
published port is published once; both centrals run a command ``xdock central`` takes, differing only in
their MQTT client id; VictoriaMetrics scrapes central where central listens.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from xdock.broker_config import BrokerSettings
from xdock.broker_config.conf import render_conf
from xdock.cli import build_parser
from xdock.cli.unknown_options import unknown_option

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
SCHEMA = Path(__file__).parent / "compose_spec" / "compose-spec.json"
DEPLOYING_DOC = ROOT / "docs" / "deploying.md"

BROKER_CONFIG_COMMAND = (
    ".venv/bin/xdock broker-config --site lyon-nord --edge edge-D1 --edge edge-D12 --bind 0.0.0.0 --run-as root "
    "--out /etc/mosquitto/xdock"
)
"""How docs/deploying.md has the operator make the broker's config for the compose file's Mosquitto."""

HOST_FILES = {
    "/etc/mosquitto/xdock": "the broker's config, password file and ACL: BROKER_CONFIG_COMMAND",
    "/etc/xdock/site.yaml": "the site file (deploy/site.sample.yaml is an example)",
    "/etc/xdock/central.secret": "central's broker password, from broker-config's credentials.json",
    "/etc/xdock/postgres.secret": "PostgreSQL's password for user xdock",
    "/etc/xdock/grafana-admin.secret": "Grafana's admin password",
}
"""Absolute paths the compose file takes from the host: made by the operator, so absent from a test machine."""

COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]


def schema_errors(document: object) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema_rs.Draft7Validator(schema)
    return [f"{'/'.join(map(str, error.instance_path))}: {error.message}" for error in validator.iter_errors(document)]


def test_the_compose_file_is_valid_against_the_compose_specification() -> None:
    assert schema_errors(COMPOSE) == []


def test_the_schema_refuses_what_compose_would() -> None:
    """The check above has teeth: a misspelt service key and a port that is not one are refused."""
    broken = copy.deepcopy(COMPOSE)
    broken["services"]["central"]["restrat"] = broken["services"]["central"].pop("restart")
    broken["services"]["grafana"]["ports"] = {"3000": 3000}

    assert schema_errors(broken) == [
        "services/central: Additional properties are not allowed ('restrat' was unexpected)",
        "services/grafana/ports: {\"3000\":3000} is not of type \"array\"",
    ]


def mounted_sources() -> list[str]:
    """Every host path the file names: bind mounts (short syntax), secrets' files, build contexts and Dockerfiles."""
    sources: list[str] = []
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            assert isinstance(volume, str), f"long volume syntax is not read by this test: {volume}"
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                sources.append(source)
        build = service.get("build")
        if build is not None:
            sources.append(build["context"])
            sources.append(str(Path(build["context"]) / build["dockerfile"]))
    sources.extend(secret["file"] for secret in COMPOSE["secrets"].values())
    return sources


def test_every_file_it_mounts_is_in_the_repository_or_made_on_the_host_as_documented() -> None:
    sources = mounted_sources()
    from_host = {source for source in sources if source.startswith("/")}
    missing = [source for source in sources if not source.startswith("/") and not (DEPLOY / source).exists()]
    doc = DEPLOYING_DOC.read_text(encoding="utf-8")

    assert missing == []
    assert from_host == set(HOST_FILES)
    assert [path for path in HOST_FILES if path not in doc] == []


def published_ports() -> list[int]:
    ports: list[int] = []
    for service in SERVICES.values():
        for port in service.get("ports", []):
            assert isinstance(port, str), f"long port syntax is not read by this test: {port}"
            host, _, _container = port.rpartition(":")
            ports.append(int(host))
    return ports


def test_every_published_port_is_published_once() -> None:
    ports = published_ports()

    assert sorted(ports) == [1883, 3000, 8080, 8081, 8428]
    assert len(set(ports)) == len(ports)


def central_args(service: str) -> Any:
    argv = [str(word) for word in SERVICES[service]["command"]]
    parser = build_parser("central")
    assert unknown_option(parser, argv) is None
    return parser.parse_args(argv)


def test_both_centrals_share_the_store_and_the_mqtt_session_with_their_own_id() -> None:
    main, standby = central_args("central"), central_args("central-standby")
    differing = {key for key in vars(main) if getattr(main, key) != getattr(standby, key)}

    assert differing == {"central_id", "advertise_api"}
    assert (main.central_id, standby.central_id) == ("central-a", "central-b")
    assert (main.advertise_api, standby.advertise_api) == ("http://central:8080", "http://central-standby:8080")
    assert main.client_id is None  # the default, xdock-central-SITE: one session, whichever leads
    assert main.db == "postgresql://xdock@postgres:5432/xdock"
    assert main.db_password_file == Path("/run/secrets/postgres-password")
    assert main.broker_password_file == Path("/run/secrets/broker-password")
    for central in ("central", "central-standby"):
        assert SERVICES[central]["image"] == "xdock:0.1.0"
        assert SERVICES[central]["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert "profiles" not in SERVICES[central]
    assert SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres-password"


def test_victoriametrics_scrapes_each_central_on_its_api_port() -> None:
    scrape = yaml.safe_load((DEPLOY / "victoriametrics" / "scrape.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in scrape["scrape_configs"]}
    (central_targets,) = [group["targets"] for group in jobs["xdock-central"]["static_configs"]]

    assert central_targets == [f"{name}:{central_args(name).api_port}" for name in ("central", "central-standby")]
    assert jobs["xdock-central"]["metrics_path"] == "/metrics"


@pytest.mark.parametrize("service", ["mosquitto", "central", "central-standby", "postgres", "victoriametrics",
                                     "grafana"])
def test_every_service_is_there_and_restarts_unless_stopped(service: str) -> None:
    assert SERVICES[service]["restart"] == "unless-stopped"


def test_the_documented_broker_config_fits_the_mosquitto_container() -> None:
    """The conf ``BROKER_CONFIG_COMMAND`` writes names files inside the mounted folder, persists in the volume
    and listens, on every interface, on the port the service publishes."""
    argv = shlex.split(BROKER_CONFIG_COMMAND)
    args = build_parser("broker-config").parse_args(argv[1:])
    conf = render_conf(args.site, BrokerSettings(args.port, args.bind, args.persistence_dir, args.run_as), args.out)
    settings = dict(line.split(" ", 1) for line in conf.splitlines() if line and not line.startswith("#"))
    mosquitto = SERVICES["mosquitto"]
    mounts = dict(volume.split(":")[:2] for volume in mosquitto["volumes"])

    assert BROKER_CONFIG_COMMAND in DEPLOYING_DOC.read_text(encoding="utf-8")
    assert mosquitto["command"] == ["mosquitto", "-c", f"{args.out}/mosquitto.conf"]
    assert mounts[str(args.out)] == str(args.out)
    assert (settings["password_file"], settings["acl_file"]) == (f"{args.out}/passwd", f"{args.out}/acl")
    assert mounts["mosquitto-data"] == settings["persistence_location"]
    assert settings["listener"] == "1883 0.0.0.0"
    assert mosquitto["ports"] == ["1883:1883"]


def victoria_metrics() -> str:
    found = shutil.which("victoria-metrics")
    if found is None:
        pytest.fail("victoria-metrics not found: `./dev test` installs it (Debian package victoria-metrics)")
    return found


def test_victoriametrics_accepts_the_scrape_config() -> None:
    """The scrape config is checked by VictoriaMetrics itself (``-promscrape.config.dryRun``: unknown fields
    refused), with the binary ``./dev test`` installs for the telemetry tests."""
    result = subprocess.run(
        [victoria_metrics(), f"-promscrape.config={DEPLOY / 'victoriametrics' / 'scrape.yml'}",
         "-promscrape.config.dryRun", "-loggerLevel=ERROR"],
        capture_output=True, text=True, timeout=60, check=False,
    )

    assert (result.returncode, result.stderr) == (0, "")


def test_victoriametrics_takes_every_flag_the_compose_file_gives_it() -> None:
    result = subprocess.run([victoria_metrics(), "-help"], capture_output=True, text=True, timeout=60, check=False)
    flags = set(re.findall(r"^  -([A-Za-z0-9.]+)", result.stdout + result.stderr, flags=re.MULTILINE))
    given = [word.removeprefix("-").split("=")[0] for word in SERVICES["victoriametrics"]["command"]]

    assert [flag for flag in given if flag not in flags] == []
