"""``xdock central``.

Central's composition root (and the web stack, optimiser and telemetry client it pulls in) is
imported when the command runs, not when the ``xdock`` parser is built: an edge gateway never loads it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from xdock.central.api.listen_socket import ApiAddressError
from xdock.central.config import CentralConfig
from xdock.central.site_file.config import SiteConfigError, load_site
from xdock.central.store.connection import StoreUnreachableError, describe
from xdock.central.store.database import StoreError
from xdock.central.telemetry import TOKEN_ENV, TelemetryConfig, TelemetryConfigError
from xdock.cli._common import (
    add_broker_link_options,
    add_broker_password_option,
    add_clock_options,
    broker_arg,
    broker_from,
    broker_link_from,
    clock_from,
    fail,
    run_until_stopped,
    settle_start_up,
)
from xdock.cli._observability_options import add_log_format_option
from xdock.cli._store_option import add_store_options, db_password_from
from xdock.cli.central_user_cmd import register_user
from xdock.protocol.broker_url import BrokerUrl


def register(commands: Any) -> None:
    p: argparse.ArgumentParser = commands.add_parser(
        "central", help="run central for one site", description="Run central: scan ingest, site state, REST API."
    )
    p.add_argument("--site", type=Path, help="site file (YAML), e.g. deploy/site.sample.yaml (required to run)")
    p.add_argument("--broker", type=broker_arg, default=BrokerUrl("127.0.0.1"),
                   help="MQTT broker URL: mqtt://[USER@]HOST[:PORT], mqtts://... for TLS; the password comes from "
                        "--broker-password-file or $XDOCK_BROKER_PASSWORD (default: mqtt://127.0.0.1:1883)")
    add_store_options(p)
    p.add_argument("--api-host", default=CentralConfig.api_host, help="REST API interface (default: %(default)s)")
    p.add_argument("--api-port", type=int, default=CentralConfig.api_port,
                   help="REST API port, 0 for any free port (default: %(default)s)")
    p.add_argument("--no-api", action="store_true", help="do not serve the REST API")
    p.add_argument("--max-body-bytes", type=_byte_count, default=CentralConfig.max_body_bytes,
                   help="largest request body the API reads; larger ones get 413 unread (default: %(default)s)")
    p.add_argument("--client-id", help="MQTT client id of central's persistent session (default: xdock-central-SITE;"
                                       " the same on a leader and its standbys: the session is the site's)")
    lead = p.add_argument_group(
        "leader and standbys (a PostgreSQL --db shared by several centrals: one leads, the others stand by)"
    )
    lead.add_argument("--central-id", help="this central's name among them (default: the host's name)")
    lead.add_argument("--advertise-api", metavar="URL",
                      help="this central's API base address as clients reach it, told to them while it leads "
                           "(default: http://API-HOST:API-PORT, the host's name when --api-host is 0.0.0.0)")
    p.add_argument("--replan-interval", type=float, default=CentralConfig.replan_interval or 0,
                   help="seconds between background re-plans, 0 to turn them off (default: %(default)s)")
    p.add_argument("--replan-budget", type=float, default=CentralConfig.replan_budget,
                   help="seconds a re-plan may take in its worker process (default: %(default)s)")
    auth = p.add_mutually_exclusive_group()
    auth.add_argument("--auth", dest="auth", action="store_true", default=CentralConfig.auth,
                      help="require API tokens even before any user exists")
    auth.add_argument("--no-auth", dest="auth", action="store_false",
                      help="serve the API without tokens even when users exist (a closed test floor only)")
    tele = p.add_argument_group(
        "telemetry (InfluxDB v2 write API; recent points are also kept in memory, the only copy without a URL)"
    )
    tele.add_argument("--telemetry-url", help="InfluxDB base URL, e.g. http://127.0.0.1:8086")
    tele.add_argument("--telemetry-org", default="xdock", help="InfluxDB organisation (default: %(default)s)")
    tele.add_argument("--telemetry-bucket", default="xdock", help="InfluxDB bucket (default: %(default)s)")
    tele.add_argument("--telemetry-token-file", type=Path,
                      help=f"file holding the InfluxDB token (default: ${TOKEN_ENV})")
    partners = p.add_argument_group("partners", "despatch advices in, events out")
    partners.add_argument("--asn-dir", type=Path, metavar="DIR",
                          help="apply despatch advice files (DESADV, or JSON when named *.json) dropped into DIR,"
                               " moving each to DIR/done or DIR/refused (with a .error.txt)")
    partners.add_argument("--label-printer", metavar="HOST:PORT", type=_printer,
                          help="the breakdown station's networked ZPL label printer (port 9100 when not given)")
    partners.add_argument("--epcis-capture-url", metavar="URL",
                          help="push the site's EPCIS 2.0 events to this capture interface of an EPCIS repository"
                               " (needs gln and gs1_company_prefix_length in the site file)")
    add_broker_password_option(p)
    add_broker_link_options(p)
    add_clock_options(p)
    add_log_format_option(p)
    p.set_defaults(run=run)
    register_user(p.add_subparsers(dest="central_action", metavar="{user}"))


def _printer(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":") if ":" in text else (text, ":", "9100")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"invalid printer {text!r}: expected HOST or HOST:PORT (port 1-65535)")
    return host, int(port)


def _byte_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"invalid byte count {text!r}: expected a whole number, 1 or more")
    return count


def config_from(args: argparse.Namespace, site_path: Path) -> CentralConfig:
    """Central's configuration from its parsed options (``SiteConfigError``, ``TelemetryConfigError``,
    ``OSError`` or ``ValueError`` when they do not fit)."""
    site = load_site(site_path)
    broker = broker_from(args)
    link = broker_link_from(args)
    telemetry = None if args.telemetry_url is None else TelemetryConfig.load(
        url=args.telemetry_url, org=args.telemetry_org, bucket=args.telemetry_bucket,
        token_file=args.telemetry_token_file,
    )
    return CentralConfig(
        site=site, broker=broker, broker_link=link, db=args.db, auth=args.auth, api_host=args.api_host,
        api_port=None if args.no_api else args.api_port, client_id=args.client_id, central_id=args.central_id,
        db_password=db_password_from(args.db, args.db_password_file),
        advertise_api=args.advertise_api,
        replan_interval=args.replan_interval or None, replan_budget=args.replan_budget, telemetry=telemetry,
        max_body_bytes=args.max_body_bytes, asn_dir=args.asn_dir, epcis_capture_url=args.epcis_capture_url,
        label_printer=args.label_printer,
    )


LEADERSHIP_LOST = 75
"""Exit status of a leader that another central took over from (EX_TEMPFAIL: a restart stands by)."""


def run(args: argparse.Namespace) -> int:
    if args.site is None:
        return fail("the following arguments are required: --site")
    try:
        config = config_from(args, args.site)
    except (SiteConfigError, TelemetryConfigError, OSError, ValueError) as exc:
        return fail(str(exc))
    if args.replan_interval < 0 or args.replan_budget <= 0:
        return fail("--replan-interval must be 0 or more and --replan-budget positive")
    return _run(config, args)


def _run(config: CentralConfig, args: argparse.Namespace) -> int:
    from xdock.central.leading import CentralRun  # noqa: PLC0415  (heavy import only when used)

    site = config.site
    try:
        central = CentralRun(config, clock_from(args))
    except ApiAddressError as exc:
        return fail(f"{exc}; choose another with --api-port (0 for any free port) or --no-api")
    except ValueError as exc:
        return fail(str(exc))
    except StoreError as exc:  # a database server down for a while: exit 1 lets a restart try again
        return fail(str(exc), code=1 if isinstance(exc, StoreUnreachableError) else 2)
    api = "no API" if config.api_port is None else f"API http://{config.api_host}:{central.listening_port}/api/v1"
    role = "" if central.leadership is None else f", central id {central.central_id} (leader or standby)"
    print(f"xdock central: site {site.site}, broker {config.broker}, store {describe(config.db)}, {api}{role}",
          flush=True)
    status = run_until_stopped(central.run(started=settle_start_up))
    if central.lost is not None:
        return fail(f"{central.lost}; restart it to stand by", code=LEADERSHIP_LOST)
    if central.failed is not None:
        return fail(central.failed, code=1)
    return status
