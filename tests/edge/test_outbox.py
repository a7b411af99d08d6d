"""The durable outbox: what is recorded survives, numbers are never reused, commits are grouped."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.waiting import eventually
from xdock.edge.offline_router import HeldDecision as HeldRow
from xdock.edge.outbox import Outbox, OutboxError, OutboxRow


async def record(box: Outbox, count: int) -> list[OutboxRow]:
    rows = []
    for _ in range(count):
        seq = box.allocate()
        rows.append(await box.record(seq, "t/scan", f"scan {seq}".encode()))
    return rows


async def test_unsent_rows_survive_a_restart_and_numbers_are_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    first = Outbox(path)
    rows = await record(first, 3)
    first.mark_sent(rows[0].seq)
    await first.aclose()  # rows 2 and 3 never acknowledged

    second = Outbox(path)
    assert second.unsent_at_open() == [OutboxRow(2, "t/scan", b"scan 2"), OutboxRow(3, "t/scan", b"scan 3")]
    assert second.unacked == 2
    assert second.allocate() == 4
    await second.aclose()


async def test_numbers_survive_pruning_of_every_row(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    first = Outbox(path, keep_sent=0)
    rows = await record(first, 300)  # enough acknowledgements to trigger a prune
    for row in rows:
        first.mark_sent(row.seq)
    await first.aclose()
    with sqlite3.connect(path) as db:
        (left,) = db.execute("SELECT count(*) FROM outbox").fetchone()
    assert left == 0
    second = Outbox(path)
    assert second.unsent_at_open() == []
    assert second.allocate() == 301
    await second.aclose()


async def test_sent_rows_are_kept_up_to_a_count(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path, keep_sent=10)
    rows = await record(box, 260)
    for row in rows[:256]:
        box.mark_sent(row.seq)
    await box.aclose()
    with sqlite3.connect(path) as db:
        kept = [seq for (seq,) in db.execute("SELECT seq FROM outbox ORDER BY seq")]
    assert kept == list(range(247, 261))  # the 10 newest sent ones, then the 4 unsent


async def test_a_crash_without_close_keeps_what_was_committed(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    first = Outbox(path)
    await record(first, 2)
    # No aclose: as after SIGKILL, only what was committed counts. (Release the file for the test.)
    first._executor.shutdown(wait=True)
    second = Outbox(path)
    assert [row.seq for row in second.unsent_at_open()] == [1, 2]
    assert second.allocate() == 3
    await second.aclose()
    first._db.close()


async def test_scans_arriving_during_a_commit_share_the_next_one(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.db")
    first = asyncio.create_task(box.record(box.allocate(), "t", b"1"))
    await asyncio.sleep(0)  # the first commit starts, alone
    others = [asyncio.create_task(box.record(box.allocate(), "t", str(n).encode())) for n in range(2, 52)]
    await asyncio.gather(first, *others)
    assert box.stats.batch_sizes == {1: 1, 50: 1}
    assert box.stats.recorded == 51
    await box.aclose()


async def test_a_closed_outbox_refuses_to_record(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.db")
    await box.aclose()
    with pytest.raises(OutboxError, match=r"outbox '.*outbox\.db' is closed"):
        await box.record(1, "t", b"x")


def test_unusable_file_names_the_path(tmp_path: Path) -> None:
    (tmp_path / "outbox.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutboxError, match=r"Cannot open the edge outbox '.*outbox\.db': file is not a database"):
        Outbox(tmp_path / "outbox.db")


async def test_journal_is_wal_and_commits_sync_fully(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.db")
    assert box._db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert box._db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    await box.aclose()


async def test_answered_rows_are_known_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    first = Outbox(path)
    rows = await record(first, 3)
    first.mark_sent(rows[0].seq)
    first.mark_answered(rows[0].seq)
    first.mark_sent(rows[1].seq)  # sent, its answer not shown yet when the edge stops
    await first.aclose()

    second = Outbox(path)
    assert [row.seq for row in second.unanswered_at_open()] == [2, 3]
    await second.aclose()


async def test_what_a_worker_was_told_is_known_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    first = Outbox(path)
    for seq, device in ((1, "s1"), (2, "s2"), (3, "s1")):
        assert first.allocate() == seq
        first.scanned(device, seq)
        await first.record(seq, "t/scan", b"%d" % seq)
    first.shown_offline(1, '{"outcome": "staged"}')
    await first.answered(2)
    await first.aclose()

    second = Outbox(path)
    assert second.last_scans_at_open() == {"s1": 3, "s2": 2}
    assert [(r.seq, r.payload, r.offline_shown) for r in second.unanswered_at_open()] == [
        (1, b"1", '{"outcome": "staged"}'), (3, b"3", None),
    ]
    await second.aclose()


async def test_an_answer_to_show_is_marked_with_fsync_one_only_counted_without(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.db")
    await record(box, 2)
    commits = box.stats.commits
    box.mark_answered(1)
    await eventually(lambda: box.stats.commits == commits + 1, 5, "mark committed")
    assert box._db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    await box.answered(2)
    assert box._db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    await box.aclose()


async def test_held_decisions_share_their_scans_commit_and_survive_a_restart_until_released(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    leaves = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    first = Outbox(path, keep_sent=0, keep_sent_s=0)
    for seq, trailer in ((1, "T1"), (2, "T1"), (3, "T2")):
        assert first.allocate() == seq
        first.hold(HeldRow(seq, trailer, leaves if trailer == "T1" else None))
        await first.record(seq, "t/scan", b"scan")
    assert first.stats.commits == 3  # each hold rode in its scan's commit
    for seq in (1, 2, 3):
        first.mark_sent(seq)  # acknowledged rows are pruned; holds are not
    await first.aclose()

    second = Outbox(path)
    assert second.held_at_open() == [HeldRow(1, "T1", leaves), HeldRow(2, "T1", leaves), HeldRow(3, "T2", None)]
    second.release([1, 3])
    await second.aclose()
    third = Outbox(path)
    assert third.held_at_open() == [HeldRow(2, "T1", leaves)]
    await third.aclose()


async def test_a_hold_whose_scan_fails_to_commit_is_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path)
    await record(box, 1)
    box.hold(HeldRow(1, "T1", None))  # seq 1 is taken: the batch fails as a whole
    with pytest.raises(OutboxError, match=r"UNIQUE constraint failed: outbox\.seq"):
        await box.record(1, "t/scan", b"again")
    await box.aclose()
    again = Outbox(path)
    assert again.held_at_open() == []
    await again.aclose()


async def test_the_oldest_unacknowledged_row_has_an_age_also_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    wall = [1000.0]
    first = Outbox(path, wall=lambda: wall[0])
    assert first.oldest_unacked_age() == 0
    await first.record(first.allocate(), "t", b"1")
    wall[0] = 1002.5
    await first.record(first.allocate(), "t", b"2")
    wall[0] = 1010.0
    assert first.oldest_unacked_age() == 10.0
    await first.aclose()
    second = Outbox(path, wall=lambda: wall[0])  # the rows' recorded_at, as committed
    assert (second.unacked, second.oldest_unacked_age()) == (2, 10.0)
    second.mark_sent(1)
    assert second.oldest_unacked_age() == 7.5
    second.mark_sent(2)
    assert second.oldest_unacked_age() == 0
    await second.aclose()


def sent_seqs(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [seq for (seq,) in db.execute("SELECT seq FROM outbox WHERE sent_at IS NOT NULL ORDER BY seq")]


async def test_an_acknowledgement_rides_in_the_next_commit_of_a_scan(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path, ack_linger_s=3600)
    [first] = await record(box, 1)
    box.mark_sent(first.seq)
    await asyncio.sleep(0.05)  # room for a commit, were one started
    assert (box.stats.commits, sent_seqs(path), box.unacked) == (1, [], 0)
    await record(box, 1)
    assert (box.stats.commits, sent_seqs(path)) == (2, [1])
    box.mark_sent(2)
    await box.aclose()  # what still lingers is committed on close
    assert (box.stats.commits, sent_seqs(path)) == (3, [1, 2])


async def test_an_acknowledgement_alone_is_committed_after_the_linger(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path, ack_linger_s=0.05)
    await record(box, 2)
    box.mark_sent(1)
    box.mark_sent(2)
    await eventually(lambda: box.stats.commits == 3, 5, "the acknowledgements' own commit")
    assert sent_seqs(path) == [1, 2]
    await box.aclose()
    assert box.stats.commits == 3


async def test_many_acknowledgements_are_committed_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path, ack_linger_s=3600)
    rows = await record(box, 256)
    for row in rows:
        box.mark_sent(row.seq)
    await eventually(lambda: box.stats.commits == 257, 5, "a commit of 256 acknowledgements")
    await box.aclose()
