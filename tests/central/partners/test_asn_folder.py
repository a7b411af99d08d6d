"""The watched folder of despatch advices: applied once, moved to done/ or refused/ with why; partial files wait."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.advices import NICE_GLN, SUPPLIER_GLN, advice, advice_site, edifact, pallet
from support.scans import AT, sscc
from support.waiting import eventually
from xdock.central.partners.asn_folder import MAX_FILE_BYTES, AsnFolder, Swept
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.partners.desadv import to_json
from xdock.protocol.clock import ManualClock

NOW = 1_800_000_000.0
"""The wall-clock time a sweep judges files by."""
SENT = advice(pallet(1), pallet(2))
APPLIED = f"ASN {SUPPLIER_GLN}/SHP-1: 2 pallets on truck IN-1"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "c.db")
    yield opened
    opened.close()


@pytest.fixture
def site(store: Store) -> LiveSite:
    return LiveSite(advice_site(), store, ManualClock(AT))


@pytest.fixture
def folder(tmp_path: Path, site: LiveSite) -> AsnFolder:
    return AsnFolder(tmp_path / "asn", site, settle_s=1.0)


def _drop(folder: AsnFolder, name: str, text: str | bytes, *, age_s: float = 10.0) -> Path:
    """A file written into the folder ``age_s`` seconds before :data:`NOW`."""
    path = folder.folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    os.utime(path, (NOW - age_s, NOW - age_s))
    return path


def _tree(folder: AsnFolder) -> list[str]:
    return sorted(str(p.relative_to(folder.folder)) for p in folder.folder.rglob("*"))


def test_a_file_is_applied_once_and_moved_to_done(folder: AsnFolder, site: LiveSite) -> None:
    text = edifact(SENT)
    _drop(folder, "shp1.edi", text)
    done = folder.folder / "done" / "shp1.edi"
    assert folder.sweep(now=NOW) == [Swept("shp1.edi", "applied", done, APPLIED)]
    assert _tree(folder) == ["done", "done/shp1.edi", "refused"]
    assert done.read_text() == text
    assert [(a.id, a.source) for a in site.asns()] == [(f"{SUPPLIER_GLN}/SHP-1", "folder:shp1.edi")]
    assert site.announced_pallet(sscc(2)) is not None
    assert folder.sweep(now=NOW + 60) == []


def test_a_json_file_is_read_by_its_name(folder: AsnFolder, site: LiveSite) -> None:
    _drop(folder, "SHP1.JSON", json.dumps(to_json(SENT)))
    [swept] = folder.sweep(now=NOW)
    assert (swept.outcome, swept.moved_to.name, swept.detail) == ("applied", "SHP1.JSON", APPLIED)


def test_a_refused_file_goes_to_refused_with_why(folder: AsnFolder, site: LiveSite) -> None:
    _drop(folder, "bad.edi", edifact(SENT).replace(sscc(2), sscc(2)[:-1] + "0"), age_s=20)
    _drop(folder, "far.edi", edifact(advice(pallet(3, to=NICE_GLN), shipment="SHP-3")))
    unreadable = f"segment 21 GIN+BJ: SSCC {sscc(2)[:-1]}0: bad check digit (expected {sscc(2)[-1]}, got 0)"
    unserved = (f"pallets[0] (SSCC {sscc(3)}): final destination GLN {NICE_GLN} is no GLN of the site's destinations"
                f" (theirs: {advice_site().destinations[0].glns[0]}, {advice_site().destinations[1].glns[0]})")
    refused = folder.folder / "refused"
    assert folder.sweep(now=NOW) == [
        Swept("bad.edi", "refused", refused / "bad.edi", unreadable),  # oldest first
        Swept("far.edi", "refused", refused / "far.edi", unserved),
    ]
    assert _tree(folder) == ["done", "refused", "refused/bad.edi", "refused/bad.edi.error.txt", "refused/far.edi",
                             "refused/far.edi.error.txt"]
    assert (refused / "bad.edi.error.txt").read_text() == f"bad.edi: {unreadable}\n"
    assert (refused / "far.edi.error.txt").read_text() == f"far.edi: {unserved}\n"
    assert (site.asns(), site.inbound_trucks()) == ([], [])


def test_the_older_of_two_files_announcing_one_pallet_wins(folder: AsnFolder, site: LiveSite) -> None:
    _drop(folder, "b.edi", edifact(SENT), age_s=30)
    _drop(folder, "a.edi", edifact(advice(pallet(2), shipment="SHP-2")), age_s=20)
    swept = folder.sweep(now=NOW)
    assert [(s.name, s.outcome, s.detail) for s in swept] == [
        ("b.edi", "applied", APPLIED),
        ("a.edi", "refused", f"pallets[0] (SSCC {sscc(2)}): already announced by ASN {SUPPLIER_GLN}/SHP-1"),
    ]


def test_a_copy_goes_to_done_and_a_name_taken_there_gets_a_number(folder: AsnFolder, site: LiveSite) -> None:
    for _ in range(3):
        _drop(folder, "shp1.edi", edifact(SENT))
        folder.sweep(now=NOW)
    _drop(folder, "shp1.edi", edifact(SENT, ref="REF2"))  # another interchange, the same advice
    [swept] = folder.sweep(now=NOW)
    assert swept == Swept("shp1.edi", "copy", folder.folder / "done" / "shp1.3.edi", APPLIED)
    assert _tree(folder) == ["done", "done/shp1.1.edi", "done/shp1.2.edi", "done/shp1.3.edi", "done/shp1.edi",
                             "refused"]
    for _ in range(2):
        _drop(folder, "bad.edi", "nonsense")
        folder.sweep(now=NOW)
    assert (folder.folder / "refused" / "bad.1.edi.error.txt").read_text() == (  # the name it was dropped as
        "bad.edi: segment 1: expected a segment tag (3 capital letters or digits), found nonsense\n")
    assert len(site.asns()) == 1


def test_partial_names_are_left_alone(folder: AsnFolder, site: LiveSite) -> None:
    for name in ("shp1.edi.tmp", "shp1.edi.part", ".shp1.edi", "notes.error.txt"):
        _drop(folder, name, edifact(SENT))
    (folder.folder / "archive").mkdir()
    assert folder.sweep(now=NOW) == []
    assert _tree(folder) == [".shp1.edi", "archive", "done", "notes.error.txt", "refused", "shp1.edi.part",
                             "shp1.edi.tmp"]
    (folder.folder / "shp1.edi.tmp").rename(folder.folder / "shp1.edi")  # the writer is done
    assert [(s.name, s.outcome) for s in folder.sweep(now=NOW)] == [("shp1.edi", "applied")]


def test_a_file_changed_within_settle_s_is_waited_for(folder: AsnFolder, site: LiveSite) -> None:
    _drop(folder, "shp1.edi", edifact(SENT), age_s=0.5)
    assert folder.sweep(now=NOW) == []
    assert (folder.folder / "shp1.edi").exists()
    assert [(s.name, s.outcome) for s in folder.sweep(now=NOW + 0.5)] == [("shp1.edi", "applied")]


def test_a_file_over_the_limit_is_refused_unread(folder: AsnFolder, site: LiveSite) -> None:
    path = _drop(folder, "huge.edi", b"")
    with path.open("r+b") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no 16 MiB written
    os.utime(path, (NOW - 10, NOW - 10))
    [swept] = folder.sweep(now=NOW)
    assert (swept.outcome, swept.detail) == (
        "refused", f"file of {MAX_FILE_BYTES + 1} bytes is over the limit of {MAX_FILE_BYTES} bytes")


async def test_run_sweeps_until_cancelled(tmp_path: Path, site: LiveSite) -> None:
    folder = AsnFolder(tmp_path / "asn", site, every_s=0.01, settle_s=0.0)
    task = asyncio.create_task(folder.run())
    try:
        (folder.folder / "shp1.edi").write_text(edifact(SENT))
        await eventually((folder.folder / "done" / "shp1.edi").exists, what="shp1.edi in done/")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [a.source for a in site.asns()] == ["folder:shp1.edi"]


def test_a_file_taken_away_before_it_is_read_is_passed_over(folder: AsnFolder, site: LiveSite) -> None:
    _drop(folder, "a.edi", edifact(SENT), age_s=30)
    gone = _drop(folder, "b.edi", edifact(advice(pallet(3), shipment="SHP-2")), age_s=20)
    site.on_trucks_changed(lambda: gone.unlink(missing_ok=True))  # its writer takes it back meanwhile
    assert [(s.name, s.outcome) for s in folder.sweep(now=NOW)] == [("a.edi", "applied")]
    assert _tree(folder) == ["done", "done/a.edi", "refused"]
    assert [a.id for a in site.asns()] == [f"{SUPPLIER_GLN}/SHP-1"]
