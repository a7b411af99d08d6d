"""The LLRP reader mock with sllurp as the client: an LLRP implementation nobody here wrote.

sllurp (GPL-3) is a test-only dependency; nothing under src/ imports it. Its client runs in its
own thread (a blocking socket and a select loop); the mock runs on the test's event loop, on a
ManualClock, so the tag script plays out in 0.1 s rounds from the moment the ROSpec is enabled and
every timestamp is exact.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sllurp.llrp import C1G2Read, LLRPReaderClient, LLRPReaderConfig, LLRPReaderState

from support.waiting import eventually
from xdock.firmware_mocks.llrp_reader import LlrpReaderMock
from xdock.firmware_mocks.llrp_tags import TagPass, TagPopulation
from xdock.protocol import llrp
from xdock.protocol.clock import ManualClock
from xdock.protocol.epc import Sscc96
from xdock.protocol.llrp.messages import MESSAGE_NAMES

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
START_US = int(START.timestamp()) * 1_000_000
PALLET = Sscc96.from_sscc("376130321109103420", company_prefix_length=7).encode()
NEIGHBOUR = Sscc96.from_sscc("376130321109103437", company_prefix_length=7).encode()
PALLET_HEX = b"3155d0a9a0b96cb986000000"
CONTENT = {
    "EnableROSpecID": True,
    "EnableAntennaID": True,
    "EnableChannelIndex": False,
    "EnablePeakRSSI": True,
    "EnableFirstSeenTimestamp": True,
    "EnableLastSeenTimestamp": False,
    "EnableTagSeenCount": True,
}
CONNECT_FLOW = [
    "GET_READER_CAPABILITIES",
    "GET_READER_CONFIG",
    "ENABLE_EVENTS_AND_REPORTS",
    "SET_READER_CONFIG",
    "DELETE_ACCESSSPEC",
    "DELETE_ROSPEC",
    "ADD_ROSPEC",
    "ENABLE_ROSPEC",
]
SLLURP_THREAD = "sllurp-reader"


@pytest.fixture
async def portal() -> AsyncIterator[LlrpReaderMock]:
    """The mock on a free 127.0.0.1 port: a pallet through antennas 1 then 2, a neighbour on antenna 3."""
    tags = TagPopulation(
        [
            TagPass(PALLET, antenna_id=1, start_s=0.0, end_s=0.25, peak_rssi=-50, falloff_db_per_s=40),
            TagPass(PALLET, antenna_id=2, start_s=0.2, end_s=0.45, peak_rssi=-50, falloff_db_per_s=40),
            TagPass(NEIGHBOUR, antenna_id=3, start_s=0.0, end_s=0.3, peak_rssi=-75),
        ]
    )
    async with LlrpReaderMock(tags, clock=ManualClock(START)) as mock:
        yield mock
    others = asyncio.all_tasks() - {asyncio.current_task()}
    assert not others, f"tasks left behind: {others}"


class Sllurp:
    """One sllurp client and what its callbacks saw (they run on sllurp's own thread)."""

    def __init__(self, port: int) -> None:
        config = LLRPReaderConfig(
            {
                "antennas": [1, 2],
                "mode_identifier": 1,
                "tag_content_selector": CONTENT,
                "event_selector": {"AntennaEvent": True},
                "reconnect": False,
            }
        )
        self.client = LLRPReaderClient("127.0.0.1", port, config, timeout=5.0)
        self.reports: list[list[dict[str, Any]]] = []
        self.errors: list[dict[str, Any]] = []
        self.closes: list[dict[str, Any]] = []
        self.disconnected = threading.Event()
        self.client.add_tag_report_callback(lambda _, tags: self.reports.append(tags))
        self.client.add_message_callback("ERROR_MESSAGE", self._keep(self.errors, "ERROR_MESSAGE"))
        self.client.add_message_callback(
            "CLOSE_CONNECTION_RESPONSE", self._keep(self.closes, "CLOSE_CONNECTION_RESPONSE")
        )
        self.client.add_disconnected_callback(lambda _: self.disconnected.set())

    @staticmethod
    def _keep(into: list[dict[str, Any]], name: str) -> Callable[[Any, Any], None]:
        return lambda _, message: into.append(message.msgdict[name])

    @property
    def state(self) -> int:
        return int(self.client.llrp.state)


@pytest.fixture
def sllurp_threads_end() -> Iterator[list[Sllurp]]:
    """Sllurp clients made by a test; at the end their sockets are closed and no sllurp thread is left."""
    made: list[Sllurp] = []
    yield made
    for each in made:
        each.client.hard_disconnect()
        each.client.join(5.0)
    left = [t.name for t in threading.enumerate() if t.name.startswith(SLLURP_THREAD)]
    assert left == [], f"sllurp threads left behind: {left}"


async def inventorying(portal: LlrpReaderMock, made: list[Sllurp]) -> Sllurp:
    """A sllurp client connected to ``portal`` that has gone through its whole set-up and is inventorying."""
    reader = Sllurp(portal.port)
    made.append(reader)
    reader.client.connect()
    await eventually(lambda: reader.state == LLRPReaderState.STATE_INVENTORYING, what="sllurp inventorying")
    return reader


def tag(antenna: int, rssi: int, tick: int) -> dict[str, Any]:
    """A TagReportData as sllurp decodes it: EPC as hex bytes, timestamps in microseconds."""
    return {
        "EPC-96": PALLET_HEX,
        "EPC": PALLET_HEX,
        "ROSpecID": 1,
        "AntennaID": antenna,
        "PeakRSSI": rssi,
        "FirstSeenTimestampUTC": START_US + tick * 100_000,
        "TagSeenCount": 1,
    }


async def test_sllurp_connects_configures_reads_the_pallet_and_disconnects(
    portal: LlrpReaderMock, sllurp_threads_end: list[Sllurp]
) -> None:
    reader = await inventorying(portal, sllurp_threads_end)
    # One report per 0.1 s round while the pallet is in view; the neighbour on antenna 3 is outside the ROSpec.
    expected = [
        [tag(1, -55, 0)],
        [tag(1, -51, 1)],
        [tag(1, -53, 2), tag(2, -55, 2)],
        [tag(2, -51, 3)],
        [tag(2, -53, 4)],
    ]
    await eventually(lambda: len(reader.reports) == len(expected), what="five tag reports at sllurp")
    assert reader.reports == expected
    assert bytes.fromhex(PALLET_HEX.decode()) == PALLET  # sllurp's hex is the scripted EPC-96
    assert portal.reports_sent == 5

    # sllurp read the capabilities: 10 to 30 dBm in 1 dB steps, full power on both antennas, RF mode 1.
    assert reader.client.llrp.tx_power_table == [0, *[float(dbm) for dbm in range(10, 31)]]
    assert reader.client.config.tx_power == {1: 21, 2: 21}
    assert reader.client.llrp.reader_mode["ModeIdentifier"] == 1
    # ... and the mock kept what sllurp set.
    assert portal.settings.keepalive == llrp.KeepaliveSpec(1, 60_000)
    assert portal.settings.events == {event: event == 8 for event in range(9)}
    assert portal.settings.state_value == 1

    reader.client.disconnect()  # sllurp deletes its AccessSpecs and ROSpecs, then closes the socket
    await eventually(reader.disconnected.is_set, what="sllurp disconnected")
    await eventually(lambda: not portal.connected and not reader.client.is_alive(), what="connection closed")
    assert [MESSAGE_NAMES[m.TYPE] for m in portal.received] == [*CONNECT_FLOW, "DELETE_ACCESSSPEC", "DELETE_ROSPEC"]
    assert portal.settings.handled == Counter(
        {
            "GET_READER_CAPABILITIES": 1,
            "GET_READER_CONFIG": 1,
            "ENABLE_EVENTS_AND_REPORTS": 1,
            "SET_READER_CONFIG": 1,
            "DELETE_ACCESSSPEC": 2,
        }
    )
    assert portal.rospecs.rospecs == {}
    assert (portal.connections, portal.rejected, reader.errors) == (1, [], [])


async def test_sllurp_close_connection_is_answered_and_the_mock_closes(
    portal: LlrpReaderMock, sllurp_threads_end: list[Sllurp]
) -> None:
    reader = await inventorying(portal, sllurp_threads_end)
    await eventually(lambda: len(reader.reports) == 5, what="five tag reports at sllurp")
    reader.client.llrp.sendMessage({"CLOSE_CONNECTION": {}})
    await eventually(reader.disconnected.is_set, what="sllurp saw the mock close")
    assert reader.closes == [
        {"LLRPStatus": {"StatusCode": "Success", "ErrorDescription": b""}, "Ver": 1, "Type": 4, "ID": 9}
    ]
    await eventually(lambda: not portal.connected and not reader.client.is_alive(), what="connection closed")
    assert [MESSAGE_NAMES[m.TYPE] for m in portal.received] == [*CONNECT_FLOW, "CLOSE_CONNECTION"]


async def test_messages_the_mock_does_not_take_are_refused_and_the_session_goes_on(
    portal: LlrpReaderMock, sllurp_threads_end: list[Sllurp]
) -> None:
    reader = await inventorying(portal, sllurp_threads_end)
    await eventually(lambda: len(reader.reports) == 5, what="five tag reports at sllurp")
    reader.client.start_access_spec(C1G2Read(OpSpecID=1, MB=2, WordCount=2))  # ADD_ACCESSSPEC: not taken
    reader.client.llrp.sendMessage({"GET_READER_CAPABILITIES": {"RequestedData": 0, "Ver": 2}})  # LLRP 1.1 frame
    await eventually(lambda: len(reader.errors) == 2, what="two ERROR_MESSAGEs at sllurp")
    codes = [(e["ID"], e["Ver"], e["LLRPStatus"]["StatusCode"]) for e in reader.errors]
    assert codes == [(9, 1, "UnsupportedMessage"), (10, 1, "UnsupportedVersion")]
    assert [str(e) for e in portal.rejected] == [
        # sllurp's set-up frames take 329 bytes, its ADD_ACCESSSPEC 72
        "Invalid LLRP at byte 329: Message Type: type 40 is not a message this reader handles",
        "Invalid LLRP at byte 401: Version: version 2, expected 1",
    ]
    assert [e["LLRPStatus"]["ErrorDescription"].decode() for e in reader.errors] == [str(e) for e in portal.rejected]

    # The session carries on: a second pallet pass is reported, and sllurp's disconnect goes through.
    portal.tags.add(TagPass(PALLET, antenna_id=1, start_s=0.5, end_s=0.5, peak_rssi=-40))
    portal.wake()
    await eventually(lambda: len(reader.reports) == 6, what="a sixth tag report")
    assert reader.reports[5] == [tag(1, -40, 5)]
    reader.client.disconnect()
    await eventually(lambda: not portal.connected and not reader.client.is_alive(), what="connection closed")
    assert [MESSAGE_NAMES.get(m.TYPE) for m in portal.received][-2:] == ["DELETE_ACCESSSPEC", "DELETE_ROSPEC"]
