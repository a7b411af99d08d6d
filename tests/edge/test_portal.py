"""Portal logic: tracks, direction from the order of the side peaks, cross-read suppression, hold-off."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from xdock.edge.portal import Passage, Portal, Suppressed
from xdock.edge.portal_config import PortalConfig, PortalConfigError
from xdock.edge.tag_reads import TagRead
from xdock.protocol.epc import Sscc96

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
T0_US = int(T0.timestamp()) * 1_000_000
PALLET_SSCC = "376130321109103420"
PALLET = Sscc96.from_sscc(PALLET_SSCC, company_prefix_length=7).encode()
OTHER_SSCC = "376130321109103437"
OTHER = Sscc96.from_sscc(OTHER_SSCC, company_prefix_length=7).encode()
CONFIG = PortalConfig(
    door="D12",
    outside_antennas=frozenset({1}),
    inside_antennas=frozenset({2}),
    neighbour_antennas=frozenset({3}),
    min_rssi_dbm=-65,
    min_dwell_s=0.1,
    track_gap_s=1.0,
    dedup_window_s=5.0,
)


def read(antenna: int, rssi: int, at_s: float, epc: bytes = PALLET, sscc: str = PALLET_SSCC) -> TagRead:
    return TagRead(epc, sscc, antenna, rssi, T0_US + round(at_s * 1_000_000))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def feed(portal: Portal, reads: list[TagRead]) -> None:
    for r in reads:
        portal.observe(r)


# A pallet going in: loud on the outside antenna first (peak at 0.1 s), then inside (peak at 0.4 s).
GOING_IN = [
    read(1, -60, 0.0),
    read(1, -50, 0.1),
    read(2, -62, 0.2),
    read(1, -58, 0.3),
    read(2, -48, 0.4),
    read(2, -55, 0.5),
]


def test_a_pallet_through_outside_then_inside_is_one_passage_in() -> None:
    portal = Portal(CONFIG)
    feed(portal, GOING_IN)
    assert portal.expire(at(1.4)) == []  # last read at 0.5 s: still within the 1 s gap
    assert portal.expire(at(1.5)) == [
        Passage("D12", PALLET_SSCC, PALLET, "in", at(0.0), at(0.5), reads=6, peak_rssi=-48)
    ]
    assert (portal.stats.reads, portal.stats.passages, portal.open_tracks) == (6, 1, 0)


def test_inside_peak_first_is_a_passage_out() -> None:
    portal = Portal(CONFIG)
    feed(portal, [read(2, -50, 0.0), read(1, -60, 0.05), read(2, -60, 0.1), read(1, -45, 0.3)])
    (event,) = portal.flush()
    assert isinstance(event, Passage)
    assert (event.direction, event.peak_rssi, event.reads) == ("out", -45, 4)


def test_the_side_peak_decides_not_the_first_read() -> None:
    # Inside is read first, weakly, but the outside antenna peaks before the inside one does.
    portal = Portal(CONFIG)
    feed(portal, [read(2, -64, 0.0), read(1, -40, 0.1), read(2, -45, 0.3)])
    (event,) = portal.flush()
    assert isinstance(event, Passage)
    assert event.direction == "in"


def test_cross_reads_and_tags_by_the_door_are_suppressed_with_their_reason() -> None:
    portal = Portal(CONFIG)
    neighbour = [read(3, -40, s / 10, OTHER, OTHER_SSCC) for s in range(30)]
    feed(portal, neighbour)
    assert portal.flush() == [Suppressed("D12", OTHER_SSCC, OTHER, "neighbour_only", reads=30, peak_rssi=-40)]

    feed(portal, [read(1, -70, 0.0), read(2, -66, 0.5), read(3, -50, 0.6)])
    assert portal.flush() == [Suppressed("D12", PALLET_SSCC, PALLET, "weak", reads=3, peak_rssi=-50)]

    feed(portal, [read(1, -50, 10.0), read(2, -50, 10.05)])
    assert [e.reason for e in portal.flush() if isinstance(e, Suppressed)] == ["short_dwell"]

    feed(portal, [read(1, -50, 20.0), read(1, -52, 20.5), read(2, -80, 20.6)])
    assert [e.reason for e in portal.flush() if isinstance(e, Suppressed)] == ["one_side"]

    feed(portal, [read(1, -50, 30.0), read(2, -50, 30.0), read(1, -60, 30.2)])
    assert [e.reason for e in portal.flush() if isinstance(e, Suppressed)] == ["ambiguous"]
    assert portal.stats.suppressed == Counter(neighbour_only=1, weak=1, short_dwell=1, one_side=1, ambiguous=1)
    assert portal.stats.passages == 0


def test_reads_after_a_passage_are_held_off_for_the_dedup_window() -> None:
    portal = Portal(CONFIG)
    feed(portal, GOING_IN)
    assert len(portal.expire(at(1.5))) == 1
    # The pallet lingers inside: read again until 5.4 s (window ends 5.5 s after the last read at 0.5 s).
    feed(portal, [read(2, -50, 2.0 + s / 10) for s in range(35)])
    assert (portal.stats.held_off, portal.open_tracks) == (35, 0)
    assert portal.expire(at(6.0)) == []
    # Carried back out later: a new passage.
    feed(portal, [read(2, -45, 8.0), read(1, -50, 8.3)])
    (event,) = portal.expire(at(9.3))
    assert isinstance(event, Passage)
    assert (event.direction, event.first_seen, event.last_seen) == ("out", at(8.0), at(8.3))
    assert portal.stats.passages == 2


def test_two_pallets_close_in_order_of_their_last_read() -> None:
    portal = Portal(CONFIG)
    feed(portal, [read(1, -50, 0.0, OTHER, OTHER_SSCC), *GOING_IN, read(2, -50, 0.2, OTHER, OTHER_SSCC)])
    events = portal.expire(at(2.0))
    assert [(e.sscc, e.direction) for e in events if isinstance(e, Passage)] == [
        (OTHER_SSCC, "in"),
        (PALLET_SSCC, "in"),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"door": " "}, "PortalConfig.door: expected a door name, got an empty string"),
        ({"outside_antennas": frozenset()}, "PortalConfig.outside_antennas: expected at least one antenna"),
        (
            {"inside_antennas": frozenset({1, 2})},
            "PortalConfig.inside_antennas: antennas [1] are also outside antennas",
        ),
        (
            {"neighbour_antennas": frozenset({2, 3})},
            "PortalConfig.neighbour_antennas: antennas [2] are also door antennas",
        ),
        ({"inside_antennas": frozenset({0})}, "PortalConfig.inside_antennas: antenna ids [0] are outside 1 to 65535"),
        ({"min_rssi_dbm": -129}, "PortalConfig.min_rssi_dbm: expected -128 to 127 dBm, got -129"),
        ({"min_dwell_s": -0.5}, "PortalConfig.min_dwell_s: expected a finite number of seconds >= 0, got -0.5"),
        (
            {"dedup_window_s": float("nan")},
            "PortalConfig.dedup_window_s: expected a finite number of seconds >= 0, got nan",
        ),
        ({"track_gap_s": 0.0}, "PortalConfig.track_gap_s: expected more than 0 s, got 0.0"),
    ],
)
def test_bad_thresholds_are_refused_naming_the_field(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "door": "D12",
        "outside_antennas": frozenset({1}),
        "inside_antennas": frozenset({2}),
        **changes,
    }
    with pytest.raises(PortalConfigError) as error:
        PortalConfig(**fields)  # type: ignore[arg-type]
    assert str(error.value) == message
