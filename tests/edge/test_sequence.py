from __future__ import annotations

from pathlib import Path

import pytest

from xdock.edge.sequence import SequenceStore


def test_numbers_grow_and_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "seq.db"
    first = SequenceStore(path, block=3)
    assert [first.next() for _ in range(4)] == [1, 2, 3, 4]
    first.close()  # 4 used, block reserved up to 6
    second = SequenceStore(path, block=3)
    assert [second.next() for _ in range(2)] == [7, 8]
    second.close()


def test_crash_without_close_never_reuses_a_number(tmp_path: Path) -> None:
    path = tmp_path / "seq.db"
    used = []
    for _ in range(3):
        store = SequenceStore(path, block=1000)
        used += [store.next() for _ in range(5)]
        del store  # no close: as after SIGKILL, only what was committed counts
    assert used == sorted(set(used))
    assert used[:6] == [1, 2, 3, 4, 5, 1001]


def test_block_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="block must be at least 1, got 0"):
        SequenceStore(tmp_path / "s.db", block=0)


def test_unusable_store_names_the_path(tmp_path: Path) -> None:
    (tmp_path / "seq.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(OSError, match=r"Cannot open the edge sequence store '.*seq\.db': file is not a database"):
        SequenceStore(tmp_path / "seq.db")
