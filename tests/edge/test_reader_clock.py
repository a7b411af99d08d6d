"""A reader's clock against the edge's: the offset estimated per report, reads rebased beyond the tolerance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from xdock.edge.devices.llrp_reader import LlrpReaderConfig, LlrpReaderDriver
from xdock.edge.portal import Passage, Portal
from xdock.edge.portal_config import PortalConfig
from xdock.edge.reader_clock import ReaderClock
from xdock.edge.tag_reads import TagRead
from xdock.protocol import llrp
from xdock.protocol.clock import ManualClock
from xdock.protocol.epc import Sscc96

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
T0_US = int(T0.timestamp()) * 1_000_000
HOUR_US = 3600 * 1_000_000
PALLET_SSCC = "376130321109103420"
PALLET = Sscc96.from_sscc(PALLET_SSCC, company_prefix_length=7).encode()
PORTAL = PortalConfig(door="D12", outside_antennas=frozenset({1}), inside_antennas=frozenset({2}))


def us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def read(antenna: int, rssi: int, at_us: int) -> TagRead:
    return TagRead(PALLET, PALLET_SSCC, antenna, rssi, at_us)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_reader_an_hour_ahead_has_its_reads_moved_onto_the_edge_clock_keeping_their_spacing() -> None:
    clock = ReaderClock()
    ahead = T0_US + HOUR_US
    first = clock.align([read(1, -60, ahead), read(1, -50, ahead + us(0.1))], arrived_at=at(0.2))
    assert [r.seen_at_us for r in first] == [T0_US + us(0.1), T0_US + us(0.2)]
    assert (clock.offset_us, clock.applied_us, clock.rebased, clock.off) == (us(3599.9), us(3599.9), 1, True)
    # The next report comes 50 ms late: the offset in use stays, so the reads keep the reader's spacing.
    second = clock.align([read(2, -48, ahead + us(0.3))], arrived_at=at(0.45))
    assert [r.seen_at_us for r in second] == [T0_US + us(0.4)]
    assert (clock.offset_us, clock.applied_us, clock.rebased) == (us(3599.85), us(3599.9), 2)
    assert clock.describe() == "reader clock +3599.9 s off, reads rebased"
    assert [(r.epc, r.sscc, r.antenna_id, r.rssi) for r in first + second] == [
        (PALLET, PALLET_SSCC, 1, -60), (PALLET, PALLET_SSCC, 1, -50), (PALLET, PALLET_SSCC, 2, -48)
    ]


def test_a_reader_half_a_second_behind_is_trusted_as_it_is() -> None:
    clock = ReaderClock()
    reads = [read(1, -60, T0_US - us(0.5)), read(2, -50, T0_US - us(0.3))]
    assert clock.align(reads, arrived_at=at(0.25)) == reads
    assert (clock.offset_us, clock.offset_s, clock.applied_us, clock.rebased, clock.off) == (
        -us(0.55), -0.55, None, 0, False
    )
    assert clock.describe() == ""


def test_a_clock_put_right_ends_the_rebasing_and_a_jump_takes_a_new_offset() -> None:
    clock = ReaderClock(tolerance_s=2.0)
    clock.align([read(1, -60, T0_US + HOUR_US)], arrived_at=T0)
    jumped = clock.align([read(1, -60, T0_US + us(10.0))], arrived_at=at(1.0))  # now 9 s ahead
    assert ([r.seen_at_us for r in jumped], clock.applied_us) == ([T0_US + us(1.0)], us(9.0))
    fixed = clock.align([read(1, -60, T0_US + us(2.0))], arrived_at=at(2.0))
    assert ([r.seen_at_us for r in fixed], clock.applied_us, clock.rebased) == ([T0_US + us(2.0)], None, 2)
    assert clock.align([], arrived_at=at(3.0)) == []
    assert clock.offset_us == 0


@pytest.mark.parametrize("tolerance", [-1.0, float("inf")])
def test_a_bad_tolerance_is_refused(tolerance: float) -> None:
    with pytest.raises(ValueError, match=r"^reader clock tolerance_s: ") as error:
        ReaderClock(tolerance)
    assert str(error.value) == f"reader clock tolerance_s: expected a finite number of seconds >= 0, got {tolerance}"


def report(*tags: tuple[int, int, int]) -> llrp.ROAccessReport:
    return llrp.ROAccessReport(
        1, tuple(llrp.TagReport(PALLET, antenna_id=a, peak_rssi=rssi, first_seen_utc_us=t) for a, rssi, t in tags)
    )


def drive_a_pass(tolerance_s: float, offset_us: int) -> tuple[LlrpReaderDriver, Portal, ManualClock]:
    """A pallet going in (outside antenna 1 peaks first) read by a reader ``offset_us`` off, in two reports."""
    clock = ManualClock(T0)
    portal = Portal(PORTAL)

    def observe(reads: list[TagRead]) -> None:
        for r in reads:
            portal.observe(r)

    driver = LlrpReaderDriver(LlrpReaderConfig("127.0.0.1", clock_tolerance_s=tolerance_s), clock=clock,
                              on_reads=observe)
    base = T0_US + offset_us
    clock.advance(0.2)
    driver.handle_report(report((1, -60, base), (1, -50, base + us(0.1)), (2, -62, base + us(0.2))))
    clock.advance(0.3)
    driver.handle_report(report((1, -58, base + us(0.3)), (2, -48, base + us(0.4)), (2, -55, base + us(0.5))))
    clock.advance(1.0)
    return driver, portal, clock


def test_the_portal_judges_an_hour_ahead_reader_on_the_edge_clock() -> None:
    driver, portal, clock = drive_a_pass(2.0, HOUR_US)
    assert portal.expire(clock.now()) == [
        Passage("D12", PALLET_SSCC, PALLET, "in", at(0.0), at(0.5), reads=6, peak_rssi=-48)
    ]
    assert (driver.stats.clock_rebased, driver.stats.reports, driver.stats.tag_reads) == (2, 2, 6)
    assert driver.reader_clock.offset_s == 3600.0


def test_trusted_an_hour_ahead_reader_keeps_its_track_open_for_the_hour() -> None:
    driver, portal, clock = drive_a_pass(2 * 3600.0, HOUR_US)
    assert portal.expire(clock.now()) == []
    assert (driver.stats.clock_rebased, portal.open_tracks) == (0, 1)


def test_the_portal_judges_a_half_second_behind_reader_on_its_own_stamps() -> None:
    driver, portal, clock = drive_a_pass(2.0, -us(0.5))
    assert portal.expire(clock.now()) == [
        Passage("D12", PALLET_SSCC, PALLET, "in", at(-0.5), at(0.0), reads=6, peak_rssi=-48)
    ]
    assert (driver.stats.clock_rebased, driver.reader_clock.offset_s) == (0, -0.5)
