"""Helpers shared by the subcommands: argument types, the broker link's options and running a coroutine until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import os
import signal
import sys
from collections.abc import Coroutine
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock, ScaledClock, SystemClock
from xdock.transport.broker import BrokerLink, BrokerTlsError, MqttVersion, check_ca_file
from xdock.transport.client_cert import check_client_cert

__all__ = [
    "add_broker_link_options",
    "add_broker_password_option",
    "add_client_cert_options",
    "add_clock_options",
    "add_mqtt_version_option",
    "broker_arg",
    "broker_from",
    "broker_link_from",
    "broker_with_password",
    "clock_from",
    "fail",
    "number",
    "run_until_stopped",
]


def add_broker_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker-password-file", type=Path,
                        help="file holding the broker password (else $XDOCK_BROKER_PASSWORD; never in the URL on "
                             "a shared machine)")


def add_broker_link_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker-ca", type=Path, metavar="FILE",
                        help="PEM file of the CA certificates an mqtts:// broker's certificate must chain to "
                             "(default: the system's CAs)")
    add_client_cert_options(parser)
    add_mqtt_version_option(parser)


def add_client_cert_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker-cert", type=Path, metavar="FILE",
                        help="PEM file of this client's certificate, for an mqtts:// broker that requires one; the "
                             "broker logs the client in as its CN (with --broker-key)")
    parser.add_argument("--broker-key", type=Path, metavar="FILE",
                        help="PEM file of the private key of --broker-cert (no pass phrase)")


def add_mqtt_version_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mqtt-version", type=MqttVersion, choices=list(MqttVersion), default=BrokerLink.version,
                        help="MQTT protocol version to speak (default: %(default)s)")


def broker_link_from(args: argparse.Namespace) -> BrokerLink:
    """The link settings from ``--broker-ca``, ``--broker-cert``, ``--broker-key`` and ``--mqtt-version``
    (``ValueError`` naming a file that does not load, or that a plain ``mqtt://`` broker would not use)."""
    _check_client_cert(args)
    if args.broker_ca is not None:
        if not args.broker.tls:
            raise ValueError(f"--broker-ca {args.broker_ca}: the broker {args.broker} is not TLS; write mqtts://")
        try:
            check_ca_file(args.broker_ca)
        except ValueError as exc:
            raise ValueError(f"--broker-ca {exc}") from exc
    return BrokerLink(version=args.mqtt_version, ca_file=args.broker_ca, cert_file=args.broker_cert,
                      key_file=args.broker_key)


def _check_client_cert(args: argparse.Namespace) -> str | None:
    """The CN of ``--broker-cert`` (the user the broker logs the client in as), None without it; ``ValueError``
    naming the option given alone, with a plain ``mqtt://`` broker, or whose file does not load."""
    cert, key = args.broker_cert, args.broker_key
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        given, missing = ("--broker-cert", "--broker-key") if key is None else ("--broker-key", "--broker-cert")
        raise ValueError(f"{given} {cert or key}: give {missing} too")
    if not args.broker.tls:
        raise ValueError(f"--broker-cert {cert}: the broker {args.broker} is not TLS; write mqtts://")
    cn = check_client_cert(cert, key)
    if cn is None:
        raise ValueError(f"--broker-cert {cert}: no common name (CN) in it; the broker logs a client in as its CN")
    return cn


def broker_from(args: argparse.Namespace) -> BrokerUrl:
    """The ``--broker`` URL to log in with: with ``--broker-cert``, the certificate's CN as the user; the password
    of :func:`broker_with_password` in either case (``ValueError`` naming the option when the URL names a user
    other than the CN, or a password file cannot be read).

    A broker listener that takes client certificates logs the client in as the CN, whatever user it sends, and
    ignores any password (so a service that always passes its password file, as the systemd units do, may show a
    certificate too). A different user in the URL would only mislead whoever reads the logs: it is refused.
    """
    cn = _check_client_cert(args)
    broker: BrokerUrl = args.broker
    if cn is not None:
        if broker.username is not None and broker.username != cn:
            raise ValueError(f"--broker-cert {args.broker_cert}: its CN is {cn!r}, not the user {broker.username!r} "
                             f"of --broker {broker}; the broker logs this client in as {cn!r}")
        broker = replace(broker, username=cn)
    return broker_with_password(broker, args.broker_password_file)


def broker_with_password(broker: BrokerUrl, password_file: Path | None) -> BrokerUrl:
    """The broker URL with the password from ``password_file`` or ``$XDOCK_BROKER_PASSWORD``, if given.

    ``ValueError`` naming ``--broker-password-file`` when the file cannot be read, or when the ``--broker``
    URL names no user (the password would go unused: the client would log in anonymously).
    """
    if password_file is not None:
        if broker.username is None:
            raise ValueError(
                f"--broker-password-file {password_file}: the --broker URL {broker} names no user to log in as; "
                "write mqtt://USER@host:port"
            )
        try:
            password = password_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError as exc:
            raise ValueError(f"--broker-password-file {password_file}: no such file") from exc
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ValueError(f"--broker-password-file {password_file}: cannot be read ({reason})") from exc
        return replace(broker, password=password)
    from_env = os.environ.get("XDOCK_BROKER_PASSWORD")
    return replace(broker, password=from_env) if from_env else broker


def add_clock_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("simulated time (for simulators and tests)")
    group.add_argument("--sim-start", type=_instant, metavar="ISO8601",
                       help="start the clock at this instant (with offset), e.g. 2026-11-23T06:00:00+01:00")
    group.add_argument("--sim-speed", type=float, default=1.0,
                       help="with --sim-start: time runs this many times faster (default: %(default)s)")


def _instant(value: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid instant {value!r}: expected ISO 8601") from exc
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(f"invalid instant {value!r}: give a UTC offset, e.g. +01:00")
    return instant


def clock_from(args: argparse.Namespace) -> Clock:
    """The wall clock, or a scaled clock when ``--sim-start`` is given."""
    if args.sim_start is None:
        return SystemClock()
    if args.sim_speed <= 0:
        raise ValueError(f"--sim-speed must be positive, got {args.sim_speed}")
    return ScaledClock(args.sim_start, args.sim_speed)


def number(text: str) -> float:
    """``text`` as a float, NaN when it is not a number: one finiteness check then refuses both."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def broker_arg(value: str) -> BrokerUrl:
    """A ``--broker`` URL; one with a password in it is refused (a command line is visible to every user)."""
    try:
        broker = BrokerUrl.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if broker.password is not None:
        raise argparse.ArgumentTypeError(
            f"Invalid broker URL {broker}: no password in the URL (every user of the machine can read a command "
            "line); give it with --broker-password-file or $XDOCK_BROKER_PASSWORD"
        )
    return broker


def fail(message: str, *, code: int = 2) -> int:
    """Report an error the operator can act on, and the exit code for it (2: a start-up error)."""
    print(f"xdock: error: {message}", file=sys.stderr)
    return code


def settle_start_up() -> None:
    """Set what start-up built aside from the cycle collector: once a long-running process is up.

    A full collection walks every tracked object, and a central or an edge is mostly what its imports and
    start-up made (modules, classes, the web stack, the site): walked each time, they made each full
    collection stop the process for about 100 ms on a 2-core machine, every few seconds under load (the
    slowest answers of ``bench/scan_latency.py`` came in those stops). Collected once, then frozen
    (:func:`gc.freeze`), they are never walked again; what the process makes from then on is collected as
    before.
    """
    gc.collect()
    gc.freeze()


def run_until_stopped(main: Coroutine[Any, Any, None]) -> int:
    """Run ``main`` until it returns or SIGINT/SIGTERM arrives; then cancel it cleanly.

    A broker whose TLS certificate is refused ends the run with one error line (exit code 2): the
    configuration must change, retrying would not help.
    """

    async def runner() -> None:
        task = asyncio.ensure_future(main)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    refused: BaseException | None = None
    try:
        asyncio.run(runner())
    except* BrokerTlsError as group:
        refused = group
        while isinstance(refused, BaseExceptionGroup):
            refused = refused.exceptions[0]
    return 0 if refused is None else fail(str(refused))
