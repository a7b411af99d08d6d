"""Taking the messages an aiomqtt client already holds, oldest first, up to a limit, without waiting."""

from __future__ import annotations

import aiomqtt

from xdock.transport.waiting import take_waiting


def message(n: int) -> aiomqtt.Message:
    return aiomqtt.Message(f"t/{n}", b"%d" % n, qos=1, retain=False, mid=n, properties=None)


async def test_takes_what_waits_up_to_the_limit_in_order() -> None:
    client = aiomqtt.Client("127.0.0.1", 1)  # never connected: only its queue is used
    assert take_waiting(client, 10) == []
    for n in range(5):
        client._queue.put_nowait(message(n))
    assert [m.mid for m in take_waiting(client, 3)] == [0, 1, 2]
    assert [m.mid for m in take_waiting(client, 3)] == [3, 4]
    assert len(client.messages) == 0
