from __future__ import annotations

from datetime import UTC, datetime, timedelta

from xdock.central.optimiser.instant import Assigned, DoorPoint, NoTrailer, PalletRequest, TrailerView, decide, metres

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
D1 = DoorPoint("D1", 0, 0)
D12 = DoorPoint("D12", 10, 30)
D13 = DoorPoint("D13", 40, 30)
HANDLING = timedelta(minutes=15)


def trailer(ident: str, door: DoorPoint, *, dest: str = "LYON", loaded: int = 0, cap: int = 33,
            leaves: int = 240, departed: bool = False) -> TrailerView:
    return TrailerView(ident, door, dest, cap, loaded, NOW + timedelta(minutes=leaves), departed)


def pallet(dest: str = "LYON") -> PalletRequest:
    return PalletRequest("376130321109103421", dest, "69001", D1)


def test_metres_are_rectilinear() -> None:
    assert metres(D1, D12) == 40
    assert metres(D12, D13) == 30


def test_nearest_open_trailer_wins_and_the_reason_says_why() -> None:
    decision = decide(pallet(), [trailer("FAR", D13), trailer("NEAR", D12, loaded=11)], NOW, HANDLING)
    assert isinstance(decision, Assigned)
    assert decision.trailer.id == "NEAR"
    assert decision.metres == 40
    assert decision.reason == "LYON: trailer NEAR at D12, 12/33 pallets with this one, 40 m from D1"


def test_equal_distance_prefers_earlier_departure() -> None:
    decision = decide(pallet(), [trailer("LATE", D12, leaves=300), trailer("EARLY", D12, leaves=60)], NOW, HANDLING)
    assert isinstance(decision, Assigned)
    assert decision.trailer.id == "EARLY"


def test_full_departed_and_too_soon_trailers_are_skipped() -> None:
    trailers = [
        trailer("FULL", D12, loaded=33),
        trailer("GONE", D12, departed=True),
        trailer("SOON", D12, leaves=10),
        trailer("OK", D13),
    ]
    decision = decide(pallet(), trailers, NOW, HANDLING)
    assert isinstance(decision, Assigned)
    assert decision.trailer.id == "OK"


def test_no_trailer_for_destination() -> None:
    decision = decide(pallet("NICE"), [trailer("T", D12)], NOW, HANDLING)
    assert decision == NoTrailer("No trailer for NICE (69001) in today's plan", "no trailer for 69001 today")


def test_all_full() -> None:
    decision = decide(pallet(), [trailer("A", D12, loaded=33), trailer("B", D13, loaded=26, cap=26)], NOW, HANDLING)
    assert decision == NoTrailer("Every open trailer for LYON is full (A 33/33, B 26/26)", "trailers for 69001 full")


def test_all_gone() -> None:
    decision = decide(pallet(), [trailer("A", D12, leaves=10), trailer("B", D13, leaves=-30)], NOW, HANDLING)
    assert isinstance(decision, NoTrailer)
    assert decision.short == "last trailer for 69001 gone"
    assert decision.reason == (
        "Every trailer for LYON has left or leaves before the pallet can be loaded (last: A, departure 08:10 UTC)"
    )
