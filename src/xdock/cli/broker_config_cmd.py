"""``xdock broker-config``: write the Mosquitto config of one site (conf, ACL, password file, credentials).

    xdock broker-config --site SITE --edge ID [--edge ID ...] [--sensor-node ID ...] [--port N] [--tls ...] --out DIR

Every edge and sensor node logs in under its own id, central as ``central``; the ACL lets each use
only its own topics (see ``docs/broker-config.md``). Passwords go to ``DIR/credentials.json`` (mode
0600), never to the terminal. Run again with one more ``--edge`` and the others keep their passwords
(and each file its owner and group, so a running broker still reads them after a reload).
``--tls`` adds a TLS listener and the site's certificates (``xdock.broker_config.tls``).
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from typing import Any

from xdock.broker_config import BrokerSettings, BrokerUsers, TlsSettings, write_broker_config
from xdock.cli._common import fail
from xdock.cli.extras import EXTRA_MODULES

__all__ = ["register"]


def register(commands: Any) -> None:
    p: argparse.ArgumentParser = commands.add_parser(
        "broker-config", help="write the Mosquitto config (ACL, passwords) of one site",
        description="Write mosquitto.conf, acl, passwd and credentials.json for one site's broker into --out.",
    )
    p.add_argument("--site", required=True, metavar="SITE_ID",
                   help="the site id (the `site:` of the site file, not the file)")
    p.add_argument("--edge", action="append", required=True, metavar="ID", help="an edge id (repeat for each edge)")
    p.add_argument("--sensor-node", action="append", default=[], metavar="ID",
                   help="an MQTT sensor node id (repeat for each node)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="folder to write into (created; an earlier output there keeps its passwords)")
    p.add_argument("--port", type=int, default=BrokerSettings.port, help="listener port (default: %(default)s)")
    p.add_argument("--bind", default=BrokerSettings.bind,
                   help="listener address (default: %(default)s; 0.0.0.0 for every interface)")
    p.add_argument("--persistence-dir", type=Path, default=BrokerSettings.persistence_dir,
                   help="where Mosquitto keeps its sessions and queued messages; created (mode 0700) if missing "
                        "(default: %(default)s)")
    p.add_argument("--run-as", default=BrokerSettings.run_as,
                   help="user Mosquitto switches to when started as root; run as root, a new passwd and acl and "
                        "the persistence folder are made this user's (default: %(default)s)")
    p.add_argument("--new-passwords", action="store_true",
                   help="give every user a new password, even those of an earlier output in --out")
    _add_tls_options(p)
    p.set_defaults(run=run)


def _add_tls_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("TLS listener with client certificates (needs the tls extra)")
    g.add_argument("--tls", action="store_true",
                   help="also write a TLS listener that requires a certificate of the site CA (its CN is the user), "
                        "the CA, the broker's certificate and one per user into DIR/tls")
    g.add_argument("--tls-port", type=int, default=TlsSettings.port,
                   help="TLS listener port (default: %(default)s)")
    g.add_argument("--tls-bind", default=TlsSettings.bind,
                   help="TLS listener address (default: %(default)s; 0.0.0.0 for every interface)")
    g.add_argument("--tls-host", action="append", metavar="NAME",
                   help="a host name or IP address clients reach the broker by, in its certificate (repeat; "
                        f"default: {', '.join(TlsSettings.hosts)})")
    g.add_argument("--tls-days", type=int, default=TlsSettings.days,
                   help="validity of the broker's and the users' new certificates, in days (default: %(default)s)")
    g.add_argument("--tls-ca-days", type=int, default=TlsSettings.ca_days,
                   help="validity of a new site CA, in days (default: %(default)s)")
    g.add_argument("--tls-ca-cert", type=Path, metavar="FILE", help="an existing CA certificate (PEM) to sign with")
    g.add_argument("--tls-ca-key", type=Path, metavar="FILE", help="its private key (PEM, no pass phrase)")
    g.add_argument("--tls-server-cert", type=Path, metavar="FILE",
                   help="the broker's existing certificate (PEM), used as given instead of one made here")
    g.add_argument("--tls-server-key", type=Path, metavar="FILE", help="its private key (PEM, no pass phrase)")


def _tls_from(args: argparse.Namespace) -> TlsSettings | None:
    """The TLS settings, None without ``--tls``; ``ValueError`` naming the option given wrong or alone."""
    given = [f"--{name.replace('_', '-')}" for name in ("tls_host", "tls_ca_cert", "tls_ca_key", "tls_server_cert",
                                                         "tls_server_key") if getattr(args, name) is not None]
    if not args.tls:
        if given:
            raise ValueError(f"{given[0]}: only with --tls")
        return None
    absent = [name for name in EXTRA_MODULES["tls"] if importlib.util.find_spec(name) is None]
    if absent:
        raise ValueError(f"--tls: needs the tls extra: pip install 'xdock[tls]' (not installed: {', '.join(absent)})")
    pairs = {}
    for cert, key in (("tls_ca_cert", "tls_ca_key"), ("tls_server_cert", "tls_server_key")):
        files = getattr(args, cert), getattr(args, key)
        if (files[0] is None) != (files[1] is None):
            missing, present = (key, cert) if files[1] is None else (cert, key)
            raise ValueError(f"--{present.replace('_', '-')}: give --{missing.replace('_', '-')} too")
        pairs[cert] = None if files[0] is None else (files[0].absolute(), files[1].absolute())
    return TlsSettings(
        port=args.tls_port, bind=args.tls_bind, hosts=tuple(args.tls_host or TlsSettings.hosts), days=args.tls_days,
        ca_days=args.tls_ca_days, ca=pairs["tls_ca_cert"], server=pairs["tls_server_cert"],
    )


def run(args: argparse.Namespace) -> int:
    try:
        users = BrokerUsers.parse(args.site, args.edge, args.sensor_node)
        settings = BrokerSettings(args.port, args.bind, args.persistence_dir.absolute(), args.run_as)
        tls = _tls_from(args)
        written = write_broker_config(args.out, users, settings, new_passwords=args.new_passwords, tls=tls)
    except ValueError as exc:  # UsersError, BrokerConfigError, a bad BrokerSettings or TlsSettings field
        return fail(str(exc))
    except OSError as exc:
        return fail(f"cannot write to {args.out}: {exc}")
    out = args.out.resolve()
    print(f"xdock broker-config: site {users.site}, {len(users.names())} users in {out}", flush=True)
    for title, names in (("new password", written.fresh), ("password kept", written.kept),
                         ("removed", written.removed), ("new certificate", written.fresh_certificates),
                         ("certificate kept", written.kept_certificates)):
        if names:
            print(f"  {title}: {', '.join(names)}")
    if tls is not None:
        print(f"  TLS listener {tls.bind}:{tls.port}; each user's certificate and key in {out / 'tls' / 'clients'}, "
              f"the CA for --broker-ca in {out / 'tls' / 'ca.pem'}")
    print(f"  start the broker with: mosquitto -c {out / 'mosquitto.conf'}")
    return 0
