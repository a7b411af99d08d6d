"""The label printer mock over a real TCP socket: labels from pieces, ~HS, offline, refusals, no task left."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from xdock.firmware_mocks.label_printer import LabelPrinter, host_status
from xdock.partners.labels import PalletLabel, pallet_label, parse_labels
from xdock.testing import free_port

FIRST = pallet_label(PalletLabel(sscc="376130321109103420", ship_to_name="Lyon Est", site_name="Paris-Nord",
                                 ship_to_gln="3761303211001", lines=(("03761303211001", 12),))).encode()
SECOND = pallet_label(PalletLabel(sscc="376130321109103437", ship_to_name="Lille ^ Nord", site_name="Paris-Nord",
                                  parent_sscc="376130321109103420", max_temp_c=4.0)).encode()
STATUS_IDLE = (b"\x02030,0,0,1218,000,0,0,0,000,0,0,0\x03\r\n"
               b"\x02001,0,0,0,1,2,6,0,00000000,1,000\x03\r\n"
               b"\x021234,0\x03\r\n")
STATUS_PARTIAL = STATUS_IDLE.replace(b"1218,000,0,0,0,", b"1218,000,0,0,1,")


class Client:
    """A host on a raw printer connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, printer: LabelPrinter) -> Client:
        return cls(*await asyncio.open_connection("127.0.0.1", printer.port))

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def status(self) -> bytes:
        """Ask ~HS and read the three lines back: also tells that everything sent before has been read."""
        await self.send(b"~HS")
        async with asyncio.timeout(5):
            return await self.reader.readexactly(len(STATUS_IDLE))

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


@pytest.fixture
async def no_task_leaks() -> AsyncIterator[None]:
    yield
    others = asyncio.all_tasks() - {asyncio.current_task()}
    assert not others, f"tasks left behind: {others}"


@pytest.fixture
async def printer(no_task_leaks: None) -> AsyncIterator[LabelPrinter]:
    async with LabelPrinter(port=free_port()) as running:
        yield running


async def test_two_labels_sent_in_pieces_cut_inside_formats_print_exactly(printer: LabelPrinter) -> None:
    client = await Client.connect(printer)
    stream = FIRST + SECOND
    first_cut, second_cut = 200, len(FIRST) + 333
    await client.send(stream[:first_cut])
    assert await client.status() == STATUS_PARTIAL
    assert printer.printed == []
    await client.send(stream[first_cut:second_cut])
    assert await client.status() == STATUS_PARTIAL
    assert [label.element("00") for label in printer.printed] == ["376130321109103420"]
    await client.send(stream[second_cut:])
    labels = await printer.wait_for_labels(2, timeout_s=5)
    await client.close()
    assert labels == parse_labels(stream)
    assert [label.raw for label in labels] == [FIRST.rstrip(b"\n"), SECOND.rstrip(b"\n")]
    assert [(label.element("00"), label.element("410")) for label in labels] == [
        ("376130321109103420", "3761303211001"), ("376130321109103437", None),
    ]
    assert labels[1].texts[3] == "Lille ^ Nord"
    assert (printer.rejected, printer.status_queries, printer.connections) == ([], 2, 1)


async def test_a_stream_in_tiny_pieces_prints_every_label_in_order(printer: LabelPrinter) -> None:
    client = await Client.connect(printer)
    stream = FIRST + SECOND + FIRST
    for i in range(0, len(stream), 7):
        await client.send(stream[i : i + 7])
    labels = await printer.wait_for_labels(3, timeout_s=5)
    await client.close()
    assert labels == parse_labels(stream)


async def test_host_status_is_answered_at_once(printer: LabelPrinter) -> None:
    client = await Client.connect(printer)
    assert await client.status() == STATUS_IDLE == host_status()
    assert await client.status() == STATUS_IDLE
    await client.close()
    assert printer.status_queries == 2


async def test_an_offline_printer_refuses_connections_and_drops_its_clients_until_back_online(
    printer: LabelPrinter,
) -> None:
    client = await Client.connect(printer)
    await client.send(FIRST[:100])
    assert await client.status() == STATUS_PARTIAL
    await printer.go_offline()
    assert not printer.online
    async with asyncio.timeout(5):
        assert await client.reader.read() == b""
    await client.close()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", printer.port)
    await printer.go_online()
    again = await Client.connect(printer)
    await again.send(SECOND)
    [label] = await printer.wait_for_labels(1, timeout_s=5)
    await again.close()
    assert label.element("00") == "376130321109103437"
    assert printer.connections == 2
    assert [str(error) for error in printer.rejected] == [
        "Invalid format: expected ^XZ, found the end of the stream after 100 bytes (at byte 0)"
    ]


async def test_an_unreadable_format_is_refused_and_the_next_one_printed(printer: LabelPrinter) -> None:
    client = await Client.connect(printer)
    await client.send(b"^XA^FO1,1^BCN^FD>;123^FS^XZ" + FIRST)
    [label] = await printer.wait_for_labels(1, timeout_s=5)
    await client.close()
    assert label.element("00") == "376130321109103420"
    assert [str(error) for error in printer.rejected] == [
        "Invalid ^BC field data '>;123': expected a digit pair in subset C at 4, found '3' (at byte 16)"
    ]


async def test_waiting_for_more_labels_than_come_times_out_saying_how_many_printed(printer: LabelPrinter) -> None:
    client = await Client.connect(printer)
    await client.send(FIRST)
    await printer.wait_for_labels(1, timeout_s=5)
    await client.close()
    with pytest.raises(TimeoutError, match=r"^expected 2 labels printed within 0.2 s, found 1$"):
        await printer.wait_for_labels(2, timeout_s=0.2)


async def test_closing_the_printer_with_a_client_connected_leaves_no_task(no_task_leaks: None) -> None:
    printer = LabelPrinter(port=0)
    await printer.start()
    port = printer.port
    client = await Client.connect(printer)
    assert await client.status() == STATUS_IDLE
    await printer.close()
    async with asyncio.timeout(5):
        assert await client.reader.read() == b""
    await client.close()
    assert printer.port == port
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
