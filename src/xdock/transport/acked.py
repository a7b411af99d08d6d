"""QoS 1 publishes that tell whether the broker accepted them: MQTT 5 PUBACK reason codes.

On MQTT 5 a broker may answer a publish with a failure reason code (0x80 and above): 0x87 when its
ACL does not let the client publish on the topic, 0x97 when a quota is exceeded... The message
was not passed on. aiomqtt's ``publish`` returns all the same; :meth:`AckedClient.deliver` waits
for the PUBACK and raises :class:`PublishRefusedError` with the code. On MQTT 3.1.1 a PUBACK has no
reason code and every acknowledged publish counts as accepted (a 3.1.1 broker drops what its ACL
refuses silently).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import aiomqtt
from paho.mqtt.client import MQTT_ERR_SUCCESS
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

__all__ = ["REFUSALS", "AckedClient", "PublishRefusedError", "refusal_name"]

REFUSALS: dict[int, tuple[str, str]] = {
    0x80: ("unspecified_error", "unspecified error"),
    0x83: ("implementation_error", "implementation specific error"),
    0x87: ("not_authorised", "not authorised"),
    0x90: ("topic_name_invalid", "topic name invalid"),
    0x91: ("packet_id_in_use", "packet identifier in use"),
    0x97: ("quota_exceeded", "quota exceeded"),
    0x99: ("payload_format_invalid", "payload format invalid"),
}
"""The PUBACK failure reason codes of MQTT 5 (section 3.4.2.1): counter name and text for each."""


def refusal_name(code: int) -> tuple[str, str]:
    """The counter name and text of PUBACK reason code ``code`` (``reason_0xNN`` for one MQTT 5 does not list)."""
    return REFUSALS.get(code, (f"reason_0x{code:02x}", f"reason code 0x{code:02X}"))


class PublishRefusedError(aiomqtt.MqttError):
    """The broker acknowledged a publish with a failure reason code: it did not take the message."""

    def __init__(self, topic: str, code: int) -> None:
        self.topic = topic
        self.code = code
        self.name, self.text = refusal_name(code)
        code_text = "" if code not in REFUSALS else f" (reason code 0x{code:02X})"
        super().__init__(f"broker refused the publish on {topic!r}: {self.text}{code_text}")


class AckedClient(aiomqtt.Client):
    """An aiomqtt client whose :meth:`deliver` reports the broker's PUBACK reason code."""

    @functools.cached_property
    def _acks(self) -> dict[int, asyncio.Future[int]]:
        """The PUBACK each :meth:`deliver` waits for, by message id."""
        return {}

    async def deliver(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        """Publish at QoS 1 and wait for the PUBACK (up to the client's timeout).

        Raises :class:`PublishRefusedError` when the broker refuses it, :class:`aiomqtt.MqttError` when it cannot
        be sent or the PUBACK does not come in time.
        """
        info = self._client.publish(topic, payload, 1, retain)
        if info.rc != MQTT_ERR_SUCCESS:
            raise aiomqtt.MqttCodeError(info.rc, "Could not publish message")
        ack: asyncio.Future[int] = self._loop.create_future()
        self._acks[info.mid] = ack
        try:
            code = await self._wait_for(ack, timeout=None)
        finally:
            self._acks.pop(info.mid, None)
        if code >= 0x80:
            raise PublishRefusedError(topic, code)

    def _on_publish(
        self, client: Any, userdata: Any, mid: int, reason_code: ReasonCode,
        properties: Properties,
    ) -> None:
        ack = self._acks.pop(mid, None)
        if ack is not None and not ack.done():
            ack.set_result(reason_code.value)
        super()._on_publish(client, userdata, mid, reason_code, properties)
