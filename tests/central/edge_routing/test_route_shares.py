"""The share book: free positions handed out to edges, kept between scans, never more than the trailer's room."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xdock.central.edge_routing.shares import ShareBook

EDGES = ("e1", "e2", "e3", "e4", "e5", "e6")


def test_a_quarter_is_kept_back_and_the_rest_split_evenly_best_ranked_first() -> None:
    book = ShareBook()
    # 10 free: central keeps 10 // 4 = 2, the 8 others make 2 each for four edges.
    assert book.shares("T1", 10, ["e2", "e1", "e3", "e4"]) == {"e2": 2, "e1": 2, "e3": 2, "e4": 2}
    # 11 free, three edges: 9 handed out, 3 each.
    assert book.shares("T2", 11, ["e1", "e2", "e3"]) == {"e1": 3, "e2": 3, "e3": 3}
    # Fewer positions than edges: one each to the edges the trailer ranks best for.
    assert book.shares("T3", 4, ["e3", "e1", "e2", "e4", "e5"]) == {"e3": 1, "e1": 1, "e2": 1}


def test_shares_stay_while_the_reserve_lasts_then_the_largest_are_cut_just_enough() -> None:
    book = ShareBook()
    assert book.shares("T1", 20, ["e1", "e2"]) == {"e1": 7, "e2": 7}  # 15 handed out, 14 in whole halves
    for free in (19, 18, 17, 16, 15, 14):  # central's own pallets use its reserve: no share moves
        assert book.shares("T1", free, ["e1", "e2"]) == {"e1": 7, "e2": 7}
    # 13 free: 14 no longer fit; cut back to 13 - 13 // 4 = 10, from the largest share (of equal ones,
    # the one given last) first.
    assert book.shares("T1", 13, ["e1", "e2"]) == {"e1": 7, "e2": 3}
    assert book.shares("T1", 9, ["e1", "e2"]) == {"e1": 4, "e2": 3}  # 9 - 2 = 7


def test_pallets_an_edge_sent_alone_use_up_its_own_share_and_cut_no_other() -> None:
    book = ShareBook()
    assert book.shares("T1", 20, ["e1", "e2"]) == {"e1": 7, "e2": 7}
    for _ in range(7):  # central applies the seven pallets e1 sent to T1 alone, and keeps them there
        book.consume("T1", "e1")
    book.consume("T1", "e3")  # holds no share: nothing to take
    book.consume("T2", "e1")
    assert book.holders("T1") == {"e2"}
    # 13 free: e2's 7 still fit, e1 gets a new grant from what is left of 13 - 13 // 4 = 10.
    assert book.shares("T1", 13, ["e1", "e2"]) == {"e2": 7, "e1": 3}


def test_central_may_not_take_other_edges_shares_and_takes_an_edges_own_only_beyond_the_reserve() -> None:
    book = ShareBook()
    assert book.shares("T1", 12, ["e1", "e2", "e3"]) == {"e1": 3, "e2": 3, "e3": 3}
    assert (book.held("T1"), book.held("T1", "e2"), book.held("T1", "e9"), book.held("T2", "e1")) == (9, 6, 9, 0)
    for free in (11, 10, 9):  # three pallets of e2's scans: the reserve of 3, no share moves
        book.fit("T1", "e2", free)
        assert book.shares("T1", free, ["e1", "e2", "e3"]) == {"e1": 3, "e2": 3, "e3": 3}
    book.fit("T1", "e2", 8)  # the fourth comes off e2's own share
    assert book.shares("T1", 8, ["e1", "e2", "e3"]) == {"e1": 3, "e2": 2, "e3": 3}
    book.fit("T1", "e2", 6)  # two at once (between two fits): both off e2's share
    book.fit("T1", "e1", 6)  # nothing beyond the room: no share moves
    assert book.shares("T1", 6, ["e1", "e2", "e3"]) == {"e1": 3, "e3": 3}
    book.fit("T1", "e9", 5)  # an edge holding no share: nothing to take, no other share cut
    assert book.holders("T1") == {"e1", "e3"}


def test_only_disconnected_edges_shares_are_held_and_connected_ones_are_cut_on_demand() -> None:
    book = ShareBook()
    assert book.shares("T1", 12, ["e1", "e2", "e3"]) == {"e1": 3, "e2": 3, "e3": 3}
    heard = {"e1", "e2"}.__contains__
    # e3 may be deciding alone: only its share is held, from any edge's pallet and from no edge's.
    assert (book.held("T1", "e2", heard), book.held("T1", None, heard), book.held("T1", "e3", heard)) == (3, 3, 0)
    assert book.trailers() == ["T1"]
    assert book.fit("T1", "e2", 9, heard) == []  # the reserve: nothing to cut
    assert book.fit("T1", "e2", 6, heard) == ["e2"]  # e2's own share first
    assert book.shares("T1", 6, ["e1", "e2", "e3"]) == {"e1": 3, "e3": 3}
    assert book.fit("T1", "e2", 4, heard) == ["e1"]  # then a connected edge's, e3's never
    assert book.shares("T1", 4, ["e1", "e2", "e3"]) == {"e1": 1, "e3": 3}
    assert book.fit("T1", None, 3, heard) == ["e1"]  # a rematch's: e1's last
    assert book.shares("T1", 3, ["e1", "e2", "e3"]) == {"e3": 3}
    assert book.fit("T1", None, 2) == []  # no edge connected: nothing is cut


def test_the_largest_connected_share_is_cut_first() -> None:
    book = ShareBook(reserve_div=0)
    assert book.shares("T1", 9, ["e1", "e2", "e3"]) == {"e1": 3, "e2": 3, "e3": 3}
    book.fit("T1", "e9", 8, {"e1", "e2"}.__contains__)
    book.fit("T1", "e9", 7, {"e1", "e2"}.__contains__)
    assert book.shares("T1", 7, ["e1", "e2", "e3"]) == {"e1": 2, "e2": 2, "e3": 3}


def test_an_edge_that_stops_listing_gives_its_share_back_to_new_edges() -> None:
    book = ShareBook()
    assert book.shares("T1", 12, ["e1", "e2", "e3"]) == {"e1": 3, "e2": 3, "e3": 3}
    assert book.shares("T1", 12, ["e1", "e3"]) == {"e1": 3, "e3": 3}
    assert book.shares("T1", 12, ["e1", "e3", "e4"]) == {"e1": 3, "e3": 3, "e4": 3}
    assert book.holders("T1") == {"e1", "e3", "e4"}


def test_blocks_and_no_reserve() -> None:
    blocks = ShareBook(block=4)
    assert blocks.shares("T1", 12, ["e1", "e2", "e3", "e4", "e5"]) == {"e1": 4, "e2": 4, "e3": 1}
    everything = ShareBook(reserve_div=0)
    assert everything.shares("T1", 7, ["e1", "e2", "e3"]) == {"e1": 2, "e2": 2, "e3": 2}
    assert everything.shares("T1", 6, ["e1", "e2", "e3"]) == {"e1": 2, "e2": 2, "e3": 2}
    assert everything.shares("T1", 5, ["e1", "e2", "e3"]) == {"e1": 2, "e2": 2, "e3": 1}


def test_a_trailer_no_longer_open_is_forgotten() -> None:
    book = ShareBook()
    book.shares("T1", 8, ["e1"])
    book.shares("T2", 8, ["e1"])
    book.keep_only(["T2"])
    assert (book.holders("T1"), book.holders("T2")) == (set(), {"e1"})


def test_bad_settings_and_negative_room_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^block must be at least 1 and reserve_div not negative, got 0 and 4$"):
        ShareBook(block=0)
    with pytest.raises(ValueError, match=r"^free positions of 'T1' must not be negative, got -1$"):
        ShareBook().shares("T1", -1, ["e1"])


looks = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40),
        st.lists(st.sampled_from(EDGES), unique=True),
    ),
    min_size=1, max_size=40,
)


@settings(max_examples=300)
@given(steps=looks, block=st.integers(min_value=1, max_value=5), reserve_div=st.integers(min_value=0, max_value=5))
def test_shares_never_exceed_the_free_positions_and_move_only_when_they_must(
    steps: list[tuple[int, list[str]]], block: int, reserve_div: int
) -> None:
    book = ShareBook(block=block, reserve_div=reserve_div)
    before: dict[str, int] = {}
    for free, listing in steps:
        after = book.shares("T1", free, listing)
        assert sum(after.values()) <= free
        assert set(after) <= set(listing)
        assert all(positions > 0 for positions in after.values())
        kept = {edge: positions for edge, positions in before.items() if edge in listing}
        if sum(kept.values()) <= free:
            # Room for every share still listed: none of them moves.
            assert {edge: after[edge] for edge in kept} == kept
        assert book.holders("T1") == set(after)
        before = after
