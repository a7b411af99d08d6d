"""``xdock broker-config``: write the Mosquitto config of one site (conf, ACL, password file, credentials).

    xdock broker-config --site SITE --edge ID [--edge ID ...] [--sensor-node ID ...] [--port N] --out DIR

Every edge and sensor node logs in under its own id, central as ``central``; the ACL lets each use
only its own topics (see ``docs/broker-config.md``). Passwords go to ``DIR/credentials.json`` (mode
0600), never to the terminal. Run again with one more ``--edge`` and the others keep their passwords
(and each file its owner and group, so a running broker still reads them after a reload).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from xdock.broker_config import BrokerSettings, BrokerUsers, write_broker_config
from xdock.cli._common import fail

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
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        users = BrokerUsers.parse(args.site, args.edge, args.sensor_node)
        settings = BrokerSettings(args.port, args.bind, args.persistence_dir.absolute(), args.run_as)
        written = write_broker_config(args.out, users, settings, new_passwords=args.new_passwords)
    except ValueError as exc:  # UsersError, BrokerConfigError, or a bad BrokerSettings field
        return fail(str(exc))
    except OSError as exc:
        return fail(f"cannot write to {args.out}: {exc}")
    out = args.out.resolve()
    print(f"xdock broker-config: site {users.site}, {len(users.names())} users in {out}", flush=True)
    for title, names in (("new password", written.fresh), ("password kept", written.kept),
                         ("removed", written.removed)):
        if names:
            print(f"  {title}: {', '.join(names)}")
    print(f"  start the broker with: mosquitto -c {out / 'mosquitto.conf'}")
    return 0
