"""aiomqtt's private attributes are read in one module only, behind named functions."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import aiomqtt

import xdock
from xdock.transport.aiomqtt_private import ack, connection_end_future, is_disconnected, manual_acks, paho, received

SRC = Path(xdock.__file__).parent
ALLOWED = {SRC / "transport" / "aiomqtt_private.py", SRC / "transport" / "acked.py"}
"""The module of the named functions, and the one subclass of :class:`aiomqtt.Client`."""


def aiomqtt_private_names() -> set[str]:
    """The underscore attributes of an :class:`aiomqtt.Client` and of its message iterator (dunders aside)."""

    async def build() -> set[str]:
        client = aiomqtt.Client("127.0.0.1", 1)
        names = {*vars(client), *dir(aiomqtt.Client), *vars(client.messages)}
        return {name for name in names if name.startswith("_") and not name.startswith("__")}

    return asyncio.run(build())


def private_reads(path: Path, private: set[str], root: Path = SRC.parent) -> list[str]:
    """``file:line: expression`` of each aiomqtt-private name read off anything but ``self``/``cls``,
    and of every ``_disconnected`` (aiomqtt's end-of-connection future, whatever it is read off)."""
    found: list[tuple[int, int, str]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.attr not in private:
            continue
        own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        if node.attr == "_disconnected" or not own:
            found.append((node.lineno, node.col_offset, ast.unparse(node)))
    return [f"{path.relative_to(root)}:{line}: {code}" for line, _col, code in sorted(found)]


def test_no_private_aiomqtt_attribute_is_read_outside_its_transport_module() -> None:
    private = aiomqtt_private_names()
    assert {"_client", "_disconnected", "_queue"} <= private
    found = [hit for path in sorted(SRC.rglob("*.py")) if path not in ALLOWED for hit in private_reads(path, private)]
    assert found == [], "aiomqtt internals read outside xdock.transport.aiomqtt_private:\n" + "\n".join(found)


def test_the_check_finds_the_reads_it_is_for(tmp_path: Path) -> None:
    sample = tmp_path / "xdock" / "edge" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text(
        "def f(client, self):\n"
        "    client._client.manual_ack_set(True)\n"
        "    self._client.publish('t', b'')\n"
        "    client._disconnected.done()\n"
        "    self._disconnected = None\n",
        encoding="utf-8",
    )
    assert private_reads(sample, aiomqtt_private_names(), tmp_path) == [
        "xdock/edge/sample.py:2: client._client",
        "xdock/edge/sample.py:4: client._disconnected",
        "xdock/edge/sample.py:5: self._disconnected",
    ]


async def test_ack_sends_a_puback_only_once_manual_acks_are_on() -> None:
    client = aiomqtt.Client("127.0.0.1", 1)  # never connected: paho queues what it would send
    message = aiomqtt.Message("t", b"", qos=1, retain=False, mid=7, properties=None)
    ack(client, message)
    assert list(paho(client)._out_packet) == []  # paho acknowledged on receipt already: nothing more to send
    manual_acks(client)
    ack(client, message)
    assert [packet["packet"] for packet in paho(client)._out_packet] == [b"\x40\x02\x00\x07"]  # PUBACK, mid 7


async def test_the_end_of_the_connection_and_the_received_queue() -> None:
    client = aiomqtt.Client("127.0.0.1", 1)
    assert is_disconnected(client) is False
    connection_end_future(client).set_exception(aiomqtt.MqttError("gone"))
    assert is_disconnected(client) is True
    assert connection_end_future(client).exception() is not None
    message = aiomqtt.Message("t", b"1", qos=1, retain=False, mid=1, properties=None)
    received(client).put_nowait(message)
    assert len(client.messages) == 1
