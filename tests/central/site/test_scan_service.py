from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.scans import scan as scan_event
from support.scans import sscc
from support.sites import LYON_GLN, NICE, destination, outbound, site_config, trailer
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import ScanEvent

SITE = site_config(
    handling_minutes=15,
    more_doors=[outbound("D13", 40, 30)],
    destinations=[
        destination(postal_codes=["69*", "01000"], glns=[LYON_GLN]),
        destination("VILLEURBANNE", ["691*"]),
        NICE,
    ],
    trailers=[trailer(capacity=2), trailer("T-VIL-1", "D13", "VILLEURBANNE", capacity=5, departure="09:00")],
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Paris


def scan(seq: int, n: int, postal: str | None = "69001", *, door: str = "D1", gln: str | None = None) -> ScanEvent:
    return scan_event(seq, n=n, postal=postal, door=door, gln=gln, at=START)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def open_site(path: Path, clock: ManualClock) -> tuple[LiveSite, Store]:
    store = Store(path / "c.db")
    return LiveSite(SITE, store, clock), store


def test_assigns_and_tells_the_worker(tmp_path: Path, clock: ManualClock) -> None:
    site, _ = open_site(tmp_path, clock)
    applied = site.apply_scan(scan(1, 1))
    reply = applied.reply
    assert not applied.duplicate
    assert (reply.outcome, reply.door, reply.trailer, reply.destination) == ("assigned", "D12", "T-LYON-1", "LYON")
    assert reply.display == "→ D12  LYON  dep 16:40"
    assert reply.reason == "LYON · T-LYON-1 1/2 · 0/24000 kg · dep 16:40 · 40 m"
    assert reply.departure == datetime(2026, 11, 23, 15, 40, tzinfo=UTC)


def test_longest_postal_prefix_and_gln_choose_the_destination(tmp_path: Path, clock: ManualClock) -> None:
    site, _ = open_site(tmp_path, clock)
    assert site.apply_scan(scan(1, 1, "69100")).reply.destination == "VILLEURBANNE"
    assert site.apply_scan(scan(2, 2, gln="3761303211001")).reply.destination == "LYON"
    assert site.apply_scan(scan(3, 3, "01000")).reply.destination == "LYON"


def test_same_key_twice_is_applied_once_and_answered_twice(tmp_path: Path, clock: ManualClock) -> None:
    site, store = open_site(tmp_path, clock)
    first = site.apply_scan(scan(1, 1))
    clock.advance(60)
    again = site.apply_scan(scan(1, 1))
    assert again.duplicate
    assert again.reply == first.reply
    assert site.stats.applied == 1
    assert site.stats.duplicates == 1
    assert site.state.trailers["T-LYON-1"].assigned == 1
    assert [e.kind for e in store.events()] == ["scan"]


def test_rescan_of_an_assigned_pallet_keeps_its_place(tmp_path: Path, clock: ManualClock) -> None:
    site, _ = open_site(tmp_path, clock)
    site.apply_scan(scan(1, 1))
    reply = site.apply_scan(scan(2, 1)).reply
    assert reply.door == "D12"
    assert reply.trailer == "T-LYON-1"
    assert site.state.trailers["T-LYON-1"].assigned == 1
    assert site.state.pallets[sscc(1)].scans == 2


def test_full_trailer_then_refusal(tmp_path: Path, clock: ManualClock) -> None:
    site, _ = open_site(tmp_path, clock)
    site.apply_scan(scan(1, 1))
    site.apply_scan(scan(2, 2))
    reply = site.apply_scan(scan(3, 3)).reply
    assert (reply.outcome, reply.display) == ("rejected", "trailers for LYON full")
    assert site.state.pallets[sscc(3)].state == "unrouted"
    assert site.state.pallets[sscc(3)].destination == "LYON"


@pytest.mark.parametrize(
    ("event", "display"),
    [
        (scan(1, 1, "06000"), "no trailer for NICE yet"),
        (scan(1, 1, "38000"), "unknown ship-to 38000"),
        (scan(1, 1, None), "no ship-to on label"),
        (scan(1, 1, door="D12"), "door D12 is not an inbound door"),
        (scan(1, 1, door="D9"), "unknown door D9"),
    ],
)
def test_refusals_say_why(tmp_path: Path, clock: ManualClock, event: ScanEvent, display: str) -> None:
    site, _ = open_site(tmp_path, clock)
    reply = site.apply_scan(event).reply
    assert reply.outcome == "rejected"
    assert reply.display == display
    assert reply.door is None


def test_departed_trailer_is_not_offered(tmp_path: Path, clock: ManualClock) -> None:
    clock.advance(3600 * 7.5)  # 15:30 in Paris: the 09:00 Villeurbanne trailer has left
    site, _ = open_site(tmp_path, clock)
    reply = site.apply_scan(scan(1, 1, "69100")).reply
    assert reply.display == "last trailer for VILLEURBANNE gone"


def test_restart_reloads_state_and_remembers_keys(tmp_path: Path, clock: ManualClock) -> None:
    first, store = open_site(tmp_path, clock)
    reply = first.apply_scan(scan(1, 1)).reply
    first.apply_scan(scan(2, 2, "06000"))
    store.close()
    second, store = open_site(tmp_path, clock)
    assert second.state.trailers["T-LYON-1"].assigned == 1
    assert sorted(second.state.pallets) == [sscc(1), sscc(2)]
    again = second.apply_scan(scan(1, 1))
    assert again.duplicate
    assert again.reply == reply
    assert store.applied_count() == 2


def test_listeners_hear_new_scans_only(tmp_path: Path, clock: ManualClock) -> None:
    site, _ = open_site(tmp_path, clock)
    heard: list[tuple[int, str]] = []
    site.on_scan(lambda event, reply: heard.append((event.seq, reply.outcome)))
    site.apply_scan(scan(1, 1))
    site.apply_scan(scan(1, 1))
    site.apply_scan(scan(2, 2, "06000"))
    assert heard == [(1, "assigned"), (2, "rejected")]


def test_same_key_for_another_pallet_is_a_seq_conflict_refused_not_answered_as_a_duplicate(
    tmp_path: Path, clock: ManualClock
) -> None:
    site, store = open_site(tmp_path, clock)
    site.apply_scan(scan(1, 1))
    reused = site.apply_scan(scan(1, 2))  # the edge handed seq 1 to a second pallet
    assert not reused.duplicate
    assert (reused.reply.outcome, reused.reply.sscc, reused.reply.display) == (
        "rejected", sscc(2), "not recorded - rescan",
    )
    assert reused.reply.reason == f"Not recorded: scan e1/1 of pallet {sscc(2)} reuses the key of pallet {sscc(1)}"
    assert (site.stats.seq_conflicts, site.stats.duplicates, site.stats.applied) == (1, 0, 1)
    assert sscc(2) not in site.state.pallets
    kinds = [(e.kind, e.sscc) for e in store.events(after=0, limit=10)]
    assert kinds == [("scan", sscc(1)), ("seq_conflict", sscc(2))]
