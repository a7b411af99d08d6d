"""The machine's RabbitMQ with its MQTT plugin listening on a free loopback port, for one test module.

RabbitMQ's MQTT listener defaults to 1883, which the machine's Mosquitto holds: the plugin's application
is loaded and its ``tcp_listeners`` set to ``127.0.0.1:PORT`` before the plugin is enabled, and the plugin
is disabled again afterwards (it was off before: this machine kind starts RabbitMQ without it).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

from xdock.protocol.broker_url import BrokerUrl
from xdock.testing.servers import free_port

__all__ = ["rabbitmq_mqtt"]

_TIMEOUT_S = 120.0


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    return done.stdout


def _disable() -> None:
    """Disable the plugin. RabbitMQ 3.10 may report an error purging the plugin's code after it stopped it
    (``badmatch`` on a ``.beam`` file, exit 70): the plugin is off all the same, which :func:`_enabled` checks."""
    done = subprocess.run(["rabbitmq-plugins", "disable", "rabbitmq_mqtt"], capture_output=True, text=True,
                          timeout=_TIMEOUT_S, check=False)
    if _enabled():
        raise RuntimeError(f"rabbitmq-plugins disable rabbitmq_mqtt failed ({done.returncode}): "
                           f"{done.stderr.strip() or done.stdout}")


def _enabled() -> bool:
    """The MQTT plugin is among the explicitly enabled plugins."""
    return "rabbitmq_mqtt" in _run("rabbitmq-plugins", "list", "-e", "-m").split()


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


@contextlib.contextmanager
def rabbitmq_mqtt() -> Iterator[BrokerUrl]:
    """The URL of RabbitMQ's MQTT listener (MQTT 3.1.1, anonymous clients as its default user)."""
    if shutil.which("rabbitmq-plugins") is None or shutil.which("rabbitmqctl") is None:
        raise RuntimeError("RabbitMQ is not installed on this machine (rabbitmq-plugins, rabbitmqctl)")
    port = free_port()
    _disable()  # a listener from an earlier run goes with it
    _run("rabbitmqctl", "eval", "application:load(rabbitmq_mqtt), "
         f'application:set_env(rabbitmq_mqtt, tcp_listeners, [{{"127.0.0.1", {port}}}]).')
    _run("rabbitmq-plugins", "enable", "rabbitmq_mqtt")
    try:
        deadline = time.monotonic() + _TIMEOUT_S
        while not _listening(port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"RabbitMQ's MQTT plugin is not listening on 127.0.0.1:{port}")
            time.sleep(0.2)
        yield BrokerUrl("127.0.0.1", port)
    finally:
        _disable()
        deadline = time.monotonic() + _TIMEOUT_S
        while _listening(port):  # nothing of the test is left listening
            if time.monotonic() > deadline:
                raise RuntimeError(f"RabbitMQ's MQTT plugin still listens on 127.0.0.1:{port}")
            time.sleep(0.2)
