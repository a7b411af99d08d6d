"""The edge's LLRP driver against the reader mock on a real TCP socket, feeding the portal logic."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from support.waiting import eventually
from xdock.edge.devices.llrp_reader import LlrpReaderConfig, LlrpReaderDriver
from xdock.edge.portal import Passage, Portal, Suppressed
from xdock.edge.portal_config import PortalConfig
from xdock.edge.tag_reads import TagRead
from xdock.firmware_mocks.llrp_reader import LlrpReaderMock
from xdock.firmware_mocks.llrp_tags import TagPass, TagPopulation
from xdock.protocol import llrp
from xdock.protocol.clock import ManualClock, SystemClock
from xdock.protocol.epc import Sgtin96, Sscc96

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
YEAR_S = 365 * 86_400.0
PALLET_SSCC = "376130321109103420"
PALLET = Sscc96.from_sscc(PALLET_SSCC, company_prefix_length=7).encode()
NEIGHBOUR_SSCC = "376130321109103437"
NEIGHBOUR = Sscc96.from_sscc(NEIGHBOUR_SSCC, company_prefix_length=7).encode()
ITEM = Sgtin96.from_gtin("03761303211094", 42, company_prefix_length=7).encode()
PORTAL = PortalConfig(
    door="D12", outside_antennas=frozenset({1}), inside_antennas=frozenset({2}), neighbour_antennas=frozenset({3})
)


@pytest.fixture
async def no_task_leaks() -> AsyncIterator[None]:
    yield
    others = asyncio.all_tasks() - {asyncio.current_task()}
    assert not others, f"tasks left behind: {others}"


def passing(epc: bytes, first: int, second: int) -> list[TagPass]:
    """A tag carried past antenna ``first`` then antenna ``second`` (the mock test's portal pass)."""
    return [
        TagPass(epc, antenna_id=first, start_s=0.0, end_s=0.25, peak_rssi=-50, falloff_db_per_s=40),
        TagPass(epc, antenna_id=second, start_s=0.2, end_s=0.45, peak_rssi=-50, falloff_db_per_s=40),
    ]


async def test_a_pallet_passes_in_the_neighbour_is_suppressed_and_a_restarted_reader_is_read_again(
    no_task_leaks: None,
) -> None:
    reads: list[TagRead] = []
    tags = TagPopulation(
        [
            *passing(PALLET, 1, 2),
            TagPass(ITEM, antenna_id=1, start_s=0.0, end_s=0.25, peak_rssi=-50),
            TagPass(NEIGHBOUR, antenna_id=3, start_s=0.0, end_s=2.0, peak_rssi=-75),
        ]
    )
    mock = LlrpReaderMock(tags, clock=ManualClock(START))
    await mock.start()
    port = mock.port
    # The mock's stamps come from its script clock, months away from the edge's: trusted as they are here
    # (the tolerance is a year), so the passage keeps the script's times.
    config = LlrpReaderConfig("127.0.0.1", port, rospec_id=7, reconnect_initial_s=0.02, reconnect_max_s=0.1,
                              clock_tolerance_s=YEAR_S)
    driver = LlrpReaderDriver(config, clock=SystemClock(), on_reads=reads.extend)
    task = asyncio.create_task(driver.run())
    try:
        await eventually(
            lambda: mock.script_time() > 2.0 and driver.stats.reports == mock.reports_sent, what="script read"
        )
        assert [type(m).__name__ for m in mock.received] == ["DeleteROSpec", "AddROSpec", "EnableROSpec", "StartROSpec"]
        assert mock.received[1] == llrp.AddROSpec(2, config.rospec())
        portal = Portal(PORTAL)
        for read in reads:
            portal.observe(read)
        assert portal.flush() == [
            Passage(
                "D12",
                PALLET_SSCC,
                PALLET,
                "in",
                START,
                START + timedelta(seconds=0.4),
                reads=6,
                peak_rssi=-51,
            ),
            Suppressed("D12", NEIGHBOUR_SSCC, NEIGHBOUR, "neighbour_only", reads=21, peak_rssi=-75),
        ]
        assert (driver.stats.connections, driver.stats.tag_reads, driver.stats.non_sscc) == (1, 27, 3)
        assert driver.stats.bad_frames == 0

        first_reports = driver.stats.reports
        await mock.close()
        await eventually(lambda: not driver.running, what="connection loss seen")
        mock = LlrpReaderMock(TagPopulation(passing(PALLET, 2, 1)), clock=ManualClock(START), port=port)
        await mock.start()
        await eventually(lambda: driver.stats.connections == 2, what="reconnected")
        await eventually(
            lambda: mock.script_time() > 0.45 and driver.stats.reports == first_reports + mock.reports_sent,
            what="second script read",
        )
        portal = Portal(PORTAL)
        for read in reads[27:]:
            portal.observe(read)
        (back_out,) = portal.flush()
        assert isinstance(back_out, Passage)
        assert (back_out.sscc, back_out.direction) == (PALLET_SSCC, "out")
        assert driver.stats.failures >= 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await mock.close()


class ScriptedReader:
    """A hand-driven LLRP server: answers the configuration, then sends what the test scripts."""

    def __init__(self, set_config_status: llrp.LlrpStatus | None = None) -> None:
        self.set_config_status = set_config_status if set_config_status is not None else llrp.LlrpStatus()
        self.received: list[str] = []
        self.sessions = 0
        self.acks: list[int] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.tasks: set[asyncio.Task[None]] = set()

    @contextlib.asynccontextmanager
    async def listening(self) -> AsyncIterator[int]:
        """Serve on a free local port, yielded; on exit stop listening and end the sessions still open."""
        server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        try:
            yield server.sockets[0].getsockname()[1]
        finally:
            server.close()
            for session in list(self.tasks):
                session.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            await server.wait_closed()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        self.sessions += 1
        self.writers.append(writer)
        decoder = llrp.LlrpDecoder()
        ok = llrp.LlrpStatus()
        writer.write(llrp.encode_message(llrp.ReaderEventNotification(1, 0, connection_attempt=0)))
        writer.write(bytes.fromhex("04020000000B0000003100"))  # a GET_READER_CONFIG: no message a reader sends
        answers: dict[type[llrp.LlrpMessage], Callable[[int, llrp.LlrpStatus], llrp.LlrpMessage]] = {
            llrp.DeleteROSpec: llrp.DeleteROSpecResponse,
            llrp.AddROSpec: llrp.AddROSpecResponse,
            llrp.EnableROSpec: llrp.EnableROSpecResponse,
            llrp.StartROSpec: llrp.StartROSpecResponse,
        }
        try:
            while data := await reader.read(65536):
                for message in decoder.feed(data):
                    self.received.append(type(message).__name__)
                    if isinstance(message, llrp.SetReaderConfig):
                        answer = llrp.SetReaderConfigResponse(message.message_id, self.set_config_status)
                        writer.write(llrp.encode_message(answer))
                    elif isinstance(message, llrp.KeepaliveAck):
                        self.acks.append(message.message_id)
                    elif isinstance(message, llrp.StartROSpec):
                        writer.write(llrp.encode_message(llrp.StartROSpecResponse(message.message_id, ok)))
                        writer.write(llrp.encode_message(llrp.Keepalive(50)))
                        tag = llrp.TagReport(PALLET, antenna_id=1, peak_rssi=-50, first_seen_utc_us=1)
                        writer.write(llrp.encode_message(llrp.ROAccessReport(51, (tag,))))
                    elif isinstance(message, llrp.LlrpMessage):
                        writer.write(llrp.encode_message(answers[type(message)](message.message_id, ok)))
                await writer.drain()
        finally:
            writer.close()
            self.tasks.discard(task)


async def test_keepalives_are_acked_and_bad_frames_counted_and_a_broken_stream_reconnects(
    no_task_leaks: None,
) -> None:
    scripted = ScriptedReader()
    async with scripted.listening() as port:
        reads: list[TagRead] = []
        statuses: list[bool] = []
        config = LlrpReaderConfig("127.0.0.1", port, reconnect_initial_s=0.02, reconnect_max_s=0.1)
        driver = LlrpReaderDriver(config, clock=SystemClock(), on_reads=reads.extend, on_status=statuses.append)
        task = asyncio.create_task(driver.run())
        try:
            await eventually(lambda: scripted.acks == [50], what="keepalive acked")
            await eventually(lambda: len(reads) == 1, what="tag read")
            assert (driver.stats.keepalives, driver.stats.bad_frames, driver.stats.connections) == (1, 1, 1)
            assert reads[0].sscc == PALLET_SSCC
            scripted.writers[0].write(bytes.fromhex("04160000000400000034"))  # length 4: boundaries lost
            await eventually(lambda: driver.stats.connections == 2, what="reconnected after a broken stream")
            assert (driver.stats.bad_frames, driver.stats.failures, scripted.sessions) == (3, 1, 2)
            assert statuses == [True, False, True]
            # The scripted reader stamps its read 1 µs after the epoch: moved onto the edge's clock, and counted.
            await eventually(lambda: len(reads) == 2, what="the second session's tag read")
            assert (driver.stats.clock_rebased, reads[0].seen_at_us > 1) == (2, True)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def test_a_reader_gone_silent_is_reconnected(no_task_leaks: None) -> None:
    scripted = ScriptedReader()
    async with scripted.listening() as port:
        config = LlrpReaderConfig("127.0.0.1", port, silence_timeout_s=0.2, reconnect_initial_s=0.02)
        driver = LlrpReaderDriver(config, clock=SystemClock(), on_reads=lambda reads: None)
        task = asyncio.create_task(driver.run())
        try:
            # After its keepalive and one report the scripted reader says nothing more.
            await eventually(lambda: driver.stats.connections == 2, what="reconnected after silence")
            assert (driver.stats.failures, driver.stats.keepalives, scripted.sessions) == (1, 2, 2)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def test_a_quiet_reader_asked_for_keepalives_keeps_the_session_up_across_silence_periods(
    no_task_leaks: None,
) -> None:
    # No tags and the reader's own keepalives off (a real reader's default): only the keepalives the
    # edge asks for (every 0.6 s / 3 = 200 ms) cross the link.
    mock = LlrpReaderMock(clock=SystemClock())
    await mock.start()
    config = LlrpReaderConfig("127.0.0.1", mock.port, silence_timeout_s=0.6, reconnect_initial_s=0.02)
    driver = LlrpReaderDriver(config, clock=SystemClock(), on_reads=lambda reads: None)
    task = asyncio.create_task(driver.run())
    try:
        # Ten keepalives: two seconds, more than three silence periods.
        await eventually(lambda: mock.keepalive_acks >= 10, 15, "ten keepalives acked")
        assert mock.received[0] == llrp.SetReaderConfig(1, keepalive=llrp.KeepaliveSpec(1, 200))
        assert [type(m).__name__ for m in mock.received[:5]] == [
            "SetReaderConfig", "DeleteROSpec", "AddROSpec", "EnableROSpec", "StartROSpec"
        ]
        assert mock.settings.keepalive == llrp.KeepaliveSpec(1, 200)
        assert (driver.stats.connections, driver.stats.failures, mock.connections) == (1, 0, 1)
        assert (driver.stats.keepalive_configs, driver.stats.reports, driver.last_error) == (1, 0, None)
        assert driver.stats.keepalives >= 10
        assert driver.running
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await mock.close()


async def test_a_reader_refusing_the_keepalive_config_is_reported_and_retried(
    no_task_leaks: None, caplog: pytest.LogCaptureFixture
) -> None:
    scripted = ScriptedReader(set_config_status=llrp.LlrpStatus(101, "KeepaliveSpec: periodic trigger not supported"))
    async with scripted.listening() as port:
        config = LlrpReaderConfig("127.0.0.1", port, silence_timeout_s=0.3, reconnect_initial_s=0.02,
                                  reconnect_max_s=0.05)
        statuses: list[bool] = []
        driver = LlrpReaderDriver(config, clock=SystemClock(), on_reads=lambda reads: None, on_status=statuses.append)
        task = asyncio.create_task(driver.run())
        try:
            await eventually(lambda: driver.stats.failures >= 3, what="three refused sessions")
            error = (f"LLRP reader 127.0.0.1:{port} refused SET_READER_CONFIG: "
                     "status 101 'KeepaliveSpec: periodic trigger not supported'")
            assert driver.last_error == error
            assert error in [record.getMessage() for record in caplog.records]
            assert scripted.sessions >= 3
            # Nothing past the refused step: no ROSpec is added, the reader never counts as up.
            assert set(scripted.received) == {"SetReaderConfig"}
            assert (driver.stats.connections, driver.stats.keepalive_configs, statuses) == (0, 0, [])
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


class RecordingClock:
    """A clock whose sleeps are recorded and return at once (after yielding to the loop)."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return START

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0.001)


async def test_back_off_doubles_up_to_its_ceiling_while_the_reader_is_unreachable(no_task_leaks: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    clock = RecordingClock()
    config = LlrpReaderConfig("127.0.0.1", port, reconnect_initial_s=0.5, reconnect_max_s=3.0)
    driver = LlrpReaderDriver(config, clock=clock, on_reads=lambda reads: None)
    task = asyncio.create_task(driver.run())
    try:
        await eventually(lambda: len(clock.sleeps) >= 6, what="six back-offs")
        assert clock.sleeps[:6] == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]
        assert (driver.stats.connections, driver.running) == (0, False)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"host": ""}, "LlrpReaderConfig.host: expected an address, got an empty string"),
        ({"port": 70000}, "LlrpReaderConfig.port: expected 1 to 65535, got 70000"),
        ({"rospec_id": 0}, "LlrpReaderConfig.rospec_id: expected 1 to 4294967295, got 0"),
        ({"antennas": ()}, "LlrpReaderConfig.antennas: expected ids 0 to 65535, got ()"),
        ({"response_timeout_s": 0}, "LlrpReaderConfig.response_timeout_s: expected more than 0 s, got 0"),
        ({"silence_timeout_s": -1.0},
         "LlrpReaderConfig.silence_timeout_s: expected a finite number of seconds > 0, got -1.0"),
        ({"silence_timeout_s": float("inf")},
         "LlrpReaderConfig.silence_timeout_s: expected a finite number of seconds > 0, got inf"),
        ({"clock_tolerance_s": -0.5},
         "LlrpReaderConfig.clock_tolerance_s: expected a finite number of seconds >= 0, got -0.5"),
        ({"clock_tolerance_s": float("nan")},
         "LlrpReaderConfig.clock_tolerance_s: expected a finite number of seconds >= 0, got nan"),
        (
            {"reconnect_initial_s": 5.0, "reconnect_max_s": 1.0},
            "LlrpReaderConfig.reconnect_max_s: expected at least reconnect_initial_s 5.0, got 1.0",
        ),
    ],
)
def test_bad_reader_config_is_refused_naming_the_field(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"host": "127.0.0.1", **changes}
    with pytest.raises(ValueError, match=r"^LlrpReaderConfig\.") as error:
        LlrpReaderConfig(**fields)  # type: ignore[arg-type]
    assert str(error.value) == message
