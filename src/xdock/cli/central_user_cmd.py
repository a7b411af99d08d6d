"""``xdock central user``: API users and their tokens, managed on central's store.

    xdock central user add NAME --role worker|supervisor|admin --db xdock-central.db
    xdock central user token NAME --db ...     issue a token (printed once, stored as its SHA-256)
    xdock central user revoke NAME --db ...    revoke every token of NAME
    xdock central user remove NAME --db ...    remove NAME and its tokens
    xdock central user list --db ...

``add`` and ``token`` take ``--expires-in HOURS`` for a token with a lifetime. Adding the first
user turns access control on for a central using that store (see :mod:`xdock.central.api.auth`); a
running central closes the live streams of revoked tokens and removed users within a second.
"""

from __future__ import annotations

import argparse
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from xdock.central.api.auth import ROLES, AuthError, UserAdmin
from xdock.central.store.database import Store, StoreError
from xdock.cli._common import fail, number
from xdock.cli._store_option import add_store_options, db_password_from

__all__ = ["register_user"]

_BY = "cli"
"""Who the event log names for changes made on the command line."""


def register_user(actions: Any) -> None:
    """Add ``user`` under ``xdock central``."""
    user: argparse.ArgumentParser = actions.add_parser(
        "user", help="API users and tokens", description="Manage the users of central's API and their tokens."
    )
    verbs = user.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = verbs.add_parser("add", help="add a user (or change its role) and print a first token")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--no-token", action="store_true", help="do not issue a token now")
    token = verbs.add_parser("token", help="issue a new token for a user; printed once")
    token.add_argument("name")
    revoke = verbs.add_parser("revoke", help="revoke every token of a user")
    revoke.add_argument("name")
    remove = verbs.add_parser("remove", help="remove a user and its tokens")
    remove.add_argument("name")
    listing = verbs.add_parser("list", help="list users and roles")
    for verb in (add, token):
        verb.add_argument("--expires-in", dest="expires_in", type=_hours, default=None, metavar="HOURS",
                          help="the token is accepted for HOURS (default: until revoked)")
    for verb in (add, token, revoke, remove, listing):
        add_store_options(verb, dest="user_db")
        verb.set_defaults(run=run_user)


def _hours(text: str) -> timedelta:
    hours = number(text)
    if not math.isfinite(hours) or hours <= 0:
        raise argparse.ArgumentTypeError(f"expected a number of hours > 0, got {text!r}")
    return timedelta(hours=hours)


def run_user(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    try:
        store = Store(args.user_db, password=db_password_from(args.user_db, args.db_password_file))
    except (StoreError, ValueError) as exc:
        return fail(str(exc))
    try:
        users = UserAdmin(store)
        action = args.user_action
        if action == "list":
            for row in users.users():
                print(f"{row.name}\t{row.role}\t{row.created_at.isoformat()}")
        elif action == "add":
            row = users.add(args.name, args.role, now, by=_BY)
            print(f"user {row.name}: {row.role}", flush=True)
            if not args.no_token:
                print(users.issue(args.name, now, by=_BY, valid_for=args.expires_in))
        elif action == "token":
            print(users.issue(args.name, now, by=_BY, valid_for=args.expires_in))
        elif action == "remove":
            print(f"user {args.name}: removed, {users.remove(args.name, now, by=_BY)} token(s) revoked")
        else:
            print(f"user {args.name}: {users.revoke(args.name, now, by=_BY)} token(s) revoked")
    except (AuthError, StoreError) as exc:
        return fail(str(exc))
    finally:
        store.close()
    return 0
