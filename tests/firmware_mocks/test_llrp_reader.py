"""The LLRP reader mock over a real TCP socket, with our own LLRP codec as the client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from support.waiting import eventually
from xdock.firmware_mocks.llrp_reader import LlrpReaderMock, ReaderConfig
from xdock.firmware_mocks.llrp_tags import TagPass, TagPopulation
from xdock.protocol import llrp
from xdock.protocol.clock import ManualClock, SystemClock
from xdock.protocol.epc import Sscc96
from xdock.protocol.llrp.rospec import SELECT_ANTENNA_ID, SELECT_FIRST_SEEN, SELECT_PEAK_RSSI

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
START_US = int(START.timestamp()) * 1_000_000
PALLET = Sscc96.from_sscc("376130321109103420", company_prefix_length=7).encode()
NEIGHBOUR = Sscc96.from_sscc("376130321109103437", company_prefix_length=7).encode()


class Client:
    """An LLRP client on a socket: send typed messages, receive typed messages with a deadline."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.decoder = llrp.LlrpDecoder()
        self.pending: list[llrp.LlrpMessage | llrp.LlrpError] = []

    async def send(self, message: llrp.LlrpMessage) -> None:
        await self.send_bytes(llrp.encode_message(message))

    async def send_bytes(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def receive(self, timeout: float = 5.0) -> llrp.LlrpMessage | llrp.LlrpError | None:
        """The next message, or None at end of stream."""
        async with asyncio.timeout(timeout):
            while not self.pending:
                data = await self.reader.read(65536)
                if not data:
                    return None
                self.pending += self.decoder.feed(data)
        return self.pending.pop(0)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


@pytest.fixture
async def no_task_leaks() -> AsyncIterator[None]:
    yield
    others = asyncio.all_tasks() - {asyncio.current_task()}
    assert not others, f"tasks left behind: {others}"


@pytest.fixture
async def portal(no_task_leaks: None) -> AsyncIterator[LlrpReaderMock]:
    tags = TagPopulation(
        [
            TagPass(PALLET, antenna_id=1, start_s=0.0, end_s=0.25, peak_rssi=-50, falloff_db_per_s=40),
            TagPass(PALLET, antenna_id=2, start_s=0.2, end_s=0.45, peak_rssi=-50, falloff_db_per_s=40),
            TagPass(NEIGHBOUR, antenna_id=3, start_s=0.0, end_s=60.0, peak_rssi=-75),
        ]
    )
    async with LlrpReaderMock(tags, clock=ManualClock(START)) as mock:
        yield mock


async def connect(mock: LlrpReaderMock) -> Client:
    reader, writer = await asyncio.open_connection("127.0.0.1", mock.port)
    return Client(reader, writer)


async def test_connect_notification_and_capabilities(portal: LlrpReaderMock) -> None:
    client = await connect(portal)
    assert await client.receive() == llrp.ReaderEventNotification(1, START_US, connection_attempt=0)
    await client.send(llrp.GetReaderCapabilities(11, 0))
    answer = await client.receive()
    assert isinstance(answer, llrp.GetReaderCapabilitiesResponse)
    assert answer.message_id == 11
    assert answer.status == llrp.LlrpStatus()
    assert answer.general is not None
    assert (answer.general.max_antennas, answer.general.firmware_version) == (4, "xdock-llrp-mock 1.0")
    assert answer.llrp is not None
    assert answer.llrp.max_rospecs == 8
    assert [p.type for p in answer.extra] == [143, 327]  # RegulatoryCapabilities, C1G2LLRPCapabilities
    await client.close()


async def test_rospec_lifecycle_reports_the_tags_on_its_antennas(portal: LlrpReaderMock) -> None:
    client = await connect(portal)
    await client.receive()
    rospec = llrp.ROSpec(
        7,
        ai_specs=(llrp.AISpec(antenna_ids=(1, 2)),),
        report=llrp.ROReportSpec(content=SELECT_ANTENNA_ID | SELECT_PEAK_RSSI | SELECT_FIRST_SEEN),
    )
    ok = llrp.LlrpStatus()
    await client.send(llrp.AddROSpec(20, rospec))
    assert await client.receive() == llrp.AddROSpecResponse(20, ok)
    await client.send(llrp.StartROSpec(21, 7))
    assert await client.receive() == llrp.StartROSpecResponse(
        21, llrp.LlrpStatus(101, "ROSpec 7 is disabled: cannot start it")
    )
    await client.send(llrp.EnableROSpec(22, 7))
    assert await client.receive() == llrp.EnableROSpecResponse(22, ok)
    await client.send(llrp.StartROSpec(23, 7))
    assert await client.receive() == llrp.StartROSpecResponse(23, ok)

    def seen(antenna: int, rssi: int, tick: int) -> llrp.TagReport:
        return llrp.TagReport(PALLET, antenna_id=antenna, peak_rssi=rssi, first_seen_utc_us=START_US + tick * 100_000)

    # One report per 0.1 s round while the pallet is in view; the neighbour on antenna 3 is not read.
    expected = [
        (seen(1, -55, 0),),
        (seen(1, -51, 1),),
        (seen(1, -53, 2), seen(2, -55, 2)),
        (seen(2, -51, 3),),
        (seen(2, -53, 4),),
    ]
    reports = [await client.receive() for _ in expected]
    assert [r.tags for r in reports if isinstance(r, llrp.ROAccessReport)] == expected
    assert portal.reports_sent == 5

    await client.send(llrp.StopROSpec(24, 7))
    assert await client.receive() == llrp.StopROSpecResponse(24, ok)
    await client.send(llrp.DeleteROSpec(25, 7))
    assert await client.receive() == llrp.DeleteROSpecResponse(25, ok)
    await client.send(llrp.DeleteROSpec(26, 7))
    assert await client.receive() == llrp.DeleteROSpecResponse(26, llrp.LlrpStatus(101, "ROSpec 7 is not defined"))
    await client.send(llrp.CloseConnection(27))
    assert await client.receive() == llrp.CloseConnectionResponse(27, ok)
    assert await client.receive() is None
    assert [type(m).__name__ for m in portal.received] == [
        "AddROSpec",
        "StartROSpec",
        "EnableROSpec",
        "StartROSpec",
        "StopROSpec",
        "DeleteROSpec",
        "DeleteROSpec",
        "CloseConnection",
    ]
    await client.close()


async def test_a_second_client_is_refused_while_one_is_connected(portal: LlrpReaderMock) -> None:
    first = await connect(portal)
    await first.receive()
    second = await connect(portal)
    notice = await second.receive()
    assert isinstance(notice, llrp.ReaderEventNotification)
    assert notice.connection_attempt == 2
    assert await second.receive() is None
    assert (portal.connections, portal.connected) == (1, True)
    await second.close()
    await first.close()


async def test_bad_frames_are_answered_and_counted_and_a_broken_stream_is_closed(portal: LlrpReaderMock) -> None:
    client = await connect(portal)
    await client.receive()
    await client.send_bytes(bytes.fromhex("042C0000000A00000031"))  # GET_ACCESSSPECS: not taken
    answer = await client.receive()
    assert isinstance(answer, llrp.ErrorMessage)
    assert (answer.message_id, answer.status.code) == (0x31, 109)
    assert answer.status.description == (
        "Invalid LLRP at byte 0: Message Type: type 44 is not a message this reader handles"
    )
    await client.send_bytes(bytes.fromhex("04160000000C000000320001"))  # START_ROSPEC, short ROSpecID
    answer = await client.receive()
    assert isinstance(answer, llrp.ErrorMessage)
    assert (answer.message_id, answer.status.code) == (0x32, 100)
    assert answer.status.description == "Invalid LLRP at byte 20: START_ROSPEC.ROSpecID: expected 4 bytes, found 2"
    await client.send(llrp.Keepalive(0x33))  # a reader's message, not a client's
    answer = await client.receive()
    assert isinstance(answer, llrp.ErrorMessage)
    assert answer.status == llrp.LlrpStatus(109, "Keepalive is not a message a reader takes")
    await client.send_bytes(bytes.fromhex("04160000000400000034"))  # length 4: boundaries lost
    assert await client.receive() is None
    assert [str(e) for e in portal.rejected] == [
        "Invalid LLRP at byte 0: Message Type: type 44 is not a message this reader handles",
        "Invalid LLRP at byte 20: START_ROSPEC.ROSpecID: expected 4 bytes, found 2",
        "Invalid LLRP at byte 32: Message Length: length 4, expected 10 to 1048576",
    ]
    await client.close()


async def test_keepalives_are_sent_and_acks_counted(no_task_leaks: None) -> None:
    async with LlrpReaderMock(clock=SystemClock(), config=ReaderConfig(keepalive_s=0.05)) as mock:
        client = await connect(mock)
        assert isinstance(await client.receive(), llrp.ReaderEventNotification)
        keepalive = await client.receive()
        assert isinstance(keepalive, llrp.Keepalive)
        await client.send(llrp.KeepaliveAck(keepalive.message_id))
        await eventually(lambda: mock.keepalive_acks == 1, what="keepalive ack counted")
        await client.close()


async def answer_skipping_keepalives(client: Client) -> llrp.LlrpMessage | llrp.LlrpError | None:
    """The next message that is not a KEEPALIVE."""
    while isinstance(message := await client.receive(), llrp.Keepalive):
        pass
    return message


async def test_a_client_that_turns_keepalives_off_gets_none_in_a_quiet_period(no_task_leaks: None) -> None:
    async with LlrpReaderMock(clock=SystemClock(), config=ReaderConfig(keepalive_s=0.05)) as mock:
        client = await connect(mock)
        assert isinstance(await client.receive(), llrp.ReaderEventNotification)
        assert isinstance(await client.receive(), llrp.Keepalive)  # the reader's own, until a client says
        await client.send(llrp.SetReaderConfig(7, keepalive=llrp.KeepaliveSpec(0, 0)))
        assert await answer_skipping_keepalives(client) == llrp.SetReaderConfigResponse(7, llrp.LlrpStatus())
        sent = mock.keepalives_sent
        # Eight of the reader's own periods, and nothing comes.
        with pytest.raises(TimeoutError):
            await client.receive(timeout=0.4)
        assert (mock.keepalives_sent, mock.settings.keepalive) == (sent, llrp.KeepaliveSpec(0, 0))
        await client.close()


async def test_a_clients_periodic_keepalive_spec_sets_the_period_and_outlives_the_connection(
    no_task_leaks: None,
) -> None:
    async with LlrpReaderMock(clock=SystemClock()) as mock:  # keepalives off, as a real reader's default
        client = await connect(mock)
        assert isinstance(await client.receive(), llrp.ReaderEventNotification)
        await client.send(llrp.SetReaderConfig(7, keepalive=llrp.KeepaliveSpec(1, 30)))
        assert await client.receive() == llrp.SetReaderConfigResponse(7, llrp.LlrpStatus())
        for _ in range(3):
            keepalive = await client.receive(timeout=2.0)
            assert isinstance(keepalive, llrp.Keepalive)
            await client.send(llrp.KeepaliveAck(keepalive.message_id))
        await eventually(lambda: mock.keepalive_acks == 3, what="three keepalive acks counted")
        await client.close()
        await eventually(lambda: not mock.connected, what="first client gone")
        # The setting belongs to the reader: the next client hears keepalives without asking.
        client = await connect(mock)
        assert isinstance(await client.receive(), llrp.ReaderEventNotification)
        assert isinstance(await client.receive(timeout=2.0), llrp.Keepalive)
        await client.close()


async def test_another_llrp_version_gets_unsupported_version_and_the_session_goes_on(portal: LlrpReaderMock) -> None:
    client = await connect(portal)
    await client.receive()
    await client.send_bytes(bytes.fromhex("082E0000000A00000040"))  # LLRP 1.1 GET_SUPPORTED_VERSION
    # Our decoder reads version 1 frames only: the answer comes in one, as a 1.0.1 reader's does.
    assert await client.receive() == llrp.ErrorMessage(
        0x40, llrp.LlrpStatus(110, "Invalid LLRP at byte 0: Version: version 2, expected 1")
    )
    await client.send(llrp.GetReaderCapabilities(0x41, 2))
    answer = await client.receive()
    assert isinstance(answer, llrp.GetReaderCapabilitiesResponse)
    assert (answer.message_id, answer.status, answer.general, answer.extra) == (0x41, llrp.LlrpStatus(), None, ())
    assert [str(e) for e in portal.rejected] == ["Invalid LLRP at byte 0: Version: version 2, expected 1"]
    await client.close()


async def test_a_disabled_rospec_must_be_enabled_again(portal: LlrpReaderMock) -> None:
    client = await connect(portal)
    await client.receive()
    ok = llrp.LlrpStatus()
    await client.send(llrp.AddROSpec(1, llrp.ROSpec(7, ai_specs=(llrp.AISpec(antenna_ids=(4,)),))))
    await client.send(llrp.EnableROSpec(2, 7))
    await client.send(llrp.DisableROSpec(3, 7))
    await client.send(llrp.StartROSpec(4, 7))
    assert [await client.receive() for _ in range(4)] == [
        llrp.AddROSpecResponse(1, ok),
        llrp.EnableROSpecResponse(2, ok),
        llrp.DisableROSpecResponse(3, ok),
        llrp.StartROSpecResponse(4, llrp.LlrpStatus(101, "ROSpec 7 is disabled: cannot start it")),
    ]
    await client.close()


async def test_a_script_can_start_with_the_first_client() -> None:
    clock = ManualClock(START)
    async with LlrpReaderMock(clock=clock, script_from_first_client=True) as mock:
        clock.advance(30)
        with pytest.raises(RuntimeError, match="has had no client yet"):
            mock.script_time()
        reader, writer = await asyncio.open_connection("127.0.0.1", mock.port)
        client = Client(reader, writer)
        assert isinstance(await client.receive(), llrp.ReaderEventNotification)
        clock.advance(2.5)
        assert mock.script_time() == 2.5
        await client.close()
