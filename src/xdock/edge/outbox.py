"""The edge's durable outbox: every scan is on disk before the worker hears a good beep.

Rows live in SQLite (WAL journal, ``synchronous=FULL``) from the moment a scan is recorded until
the broker acknowledges its PUBLISH (QoS 1); then the row is marked sent and kept for a bounded
while and a bounded count, for diagnosis, before it is pruned.

Group commit: :meth:`Outbox.record` adds the row to the next batch and waits for that batch's
commit. One commit runs at a time, in the outbox's own writer thread, so the event loop never waits
on ``fsync``; scans recorded while a commit runs all go into the next one, so under load one
``fsync`` covers many scans. Acknowledgements ride along in the same batches: one does not start a
commit of its own but waits for the next commit of a scan or a mark, at most ``ack_linger_s``
(or until ``_PRUNE_EVERY`` of them wait); a batch holding only acknowledgements is committed
without ``fsync`` (losing one only means the scan is sent again, and central applies each
``(edge_id, seq)`` once). Under a steady flow of scans an acknowledgement thus costs no commit.

Sequence numbers: the outbox hands them out (:meth:`Outbox.allocate`) and stores the highest one
with every batch, also across pruning, so a number recorded once is never handed out again, across
restarts and crashes. A number allocated but not yet committed when the edge dies was never sent
(rows are sent only after their commit), so no message can ever carry it twice.

Answers: central may answer one ``seq`` more than once (its answer to a publish whose
acknowledgement was lost, queued in the persistent session, and its answer again to the publish
after the reconnect or restart). The worker must hear each scan's answer once, so the edge marks a
row answered and, after a restart, takes only rows still unanswered
(:meth:`Outbox.unanswered_at_open`) as waiting for one. An answer about to be shown is marked by
:meth:`Outbox.answered`, which returns once the mark is on disk (``fsync``); one only counted is
marked by :meth:`Outbox.mark_answered`, committed like an acknowledgement. What a worker was told
meanwhile survives a restart too: the offline answer given after the scan left
(:meth:`Outbox.shown_offline`) and the last scan recorded on each scanner (:meth:`Outbox.scanned`,
in the scan's own commit; :meth:`Outbox.last_scans_at_open`), so a restarted edge shows only the
answer to the scan in hand (:mod:`xdock.edge.pending_scans`).

Held offline decisions (:mod:`xdock.edge.offline_router`): a scan whose offline decision sent its pallet
to a trailer is held (:meth:`Outbox.hold`, in the same commit as the scan's row) until a routing
snapshot says central applied it (:meth:`Outbox.release`, committed like an acknowledgement), so a
restarted edge still counts it against its share (:meth:`Outbox.held_at_open`). Pruning leaves them.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from xdock.edge.offline_router import HeldDecision
from xdock.edge.outbox_batch import SCHEMA, Batch, OutboxRow, Unanswered, write

__all__ = ["Outbox", "OutboxError", "OutboxRow", "OutboxStats", "Unanswered"]

log = logging.getLogger(__name__)

_PRUNE_EVERY = 256
"""Acknowledgements between two prunes of old sent rows."""


class OutboxError(OSError):
    """The outbox cannot be opened or written."""


@dataclass
class OutboxStats:
    recorded: int = 0
    sent: int = 0
    commits: int = 0
    batch_sizes: Counter[int] = field(default_factory=Counter)
    """How many commits carried how many new rows (``{rows: commits}``)."""


class Outbox:
    """Durable uplink messages of one edge, with their sequence numbers."""

    def __init__(
        self, path: str | Path, *, keep_sent: int = 10_000, keep_sent_s: float = 3600.0,
        wall: Callable[[], float] = time.time, ack_linger_s: float = 1.0,
    ) -> None:
        """``ack_linger_s``: longest wait of an acknowledgement for a commit to ride along with."""
        if keep_sent < 0 or keep_sent_s < 0:
            raise ValueError(f"keep_sent and keep_sent_s must not be negative, got {keep_sent}, {keep_sent_s}")
        self.path = str(path)
        self.stats = OutboxStats()
        self._keep_sent = keep_sent
        self._keep_sent_s = keep_sent_s
        self._wall = wall
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"journal mode is {mode!r}, WAL refused")
            self._db.execute("PRAGMA synchronous=FULL")
            self._synced = True  # the connection's synchronous is FULL (else NORMAL); then the writer thread's
            for statement in SCHEMA:
                self._db.execute(statement)
            (last_meta,) = self._db.execute("SELECT coalesce(max(last_seq), 0) FROM meta").fetchone()
            (last_row,) = self._db.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()
            unsent = self._db.execute(
                "SELECT seq, topic, payload, recorded_at FROM outbox WHERE sent_at IS NULL ORDER BY seq"
            ).fetchall()
            unanswered = self._db.execute(
                "SELECT seq, topic, payload, offline_shown FROM outbox WHERE answered_at IS NULL ORDER BY seq"
            ).fetchall()
            last_scans = self._db.execute("SELECT device_id, seq FROM scanner_last").fetchall()
            held = self._db.execute("SELECT seq, trailer, departure FROM offline_held ORDER BY seq").fetchall()
        except sqlite3.Error as exc:
            raise OutboxError(f"Cannot open the edge outbox {self.path!r}: {exc}") from exc
        self._next = max(int(last_meta), int(last_row)) + 1
        self._unsent_at_open = [OutboxRow(int(s), str(t), bytes(p)) for s, t, p, _ in unsent]
        self._unacked_since: dict[int, float] = {int(s): float(at) for s, _, _, at in unsent}
        """Rows not yet acknowledged → when they were recorded (wall clock, seconds), oldest first."""
        self._unanswered_at_open = [
            Unanswered(int(s), str(t), bytes(p), None if o is None else str(o)) for s, t, p, o in unanswered
        ]
        self._last_scans_at_open = {str(d): int(s) for d, s in last_scans}
        self._held_at_open = [
            HeldDecision(int(s), str(t), datetime.fromisoformat(d) if d is not None else None) for s, t, d in held
        ]
        self._unacked = len(self._unsent_at_open)
        self._batch = Batch()
        self._writer: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="edge-outbox")
        self._since_prune = 0
        self._ack_linger_s = ack_linger_s
        self._ack_timer: asyncio.TimerHandle | None = None
        self._acks_due = False
        self._closed = False

    @property
    def unacked(self) -> int:
        """Rows recorded and not yet acknowledged by the broker."""
        return self._unacked

    def oldest_unacked_age(self) -> float:
        """Seconds since the oldest row not yet acknowledged was recorded; 0 when every row is."""
        oldest = next(iter(self._unacked_since.values()), None)
        return 0.0 if oldest is None else max(self._wall() - oldest, 0.0)

    def unsent_at_open(self) -> list[OutboxRow]:
        """Rows a previous run recorded and never got acknowledged, in ``seq`` order."""
        return list(self._unsent_at_open)

    def unanswered_at_open(self) -> list[Unanswered]:
        """Rows a previous run recorded whose answer it never marked shown, in ``seq`` order."""
        return list(self._unanswered_at_open)

    def last_scans_at_open(self) -> dict[str, int]:
        """The last scan recorded on each scanner (:meth:`scanned`) when the outbox was opened."""
        return dict(self._last_scans_at_open)

    def scanned(self, device_id: str, seq: int) -> None:
        """``seq`` is the last scan of ``device_id``; call it just before :meth:`record`, to share its commit."""
        if not self._closed:
            self._batch.scanned[device_id] = seq
            self._kick()

    def shown_offline(self, seq: int, decision: str) -> None:
        """The worker was given the offline answer ``decision`` after the scan ``seq`` left (committed with
        ``fsync``, not waited for)."""
        if not self._closed:
            self._batch.shown.append((decision, seq))
            self._kick()

    def held_at_open(self) -> list[HeldDecision]:
        """The offline decisions held when the outbox was opened, by ``seq``."""
        return list(self._held_at_open)

    def hold(self, held: HeldDecision) -> None:
        """Hold an offline decision; call it just before :meth:`record` of its scan, so both share a commit."""
        if self._closed:
            return  # the scan's record fails too
        self._batch.held.append(held)
        self._kick()

    def release(self, seqs: list[int]) -> None:
        """A snapshot says central applied these held decisions (or their trailer left)."""
        if self._closed:
            return  # held a while longer: the next snapshot names them again
        self._batch.released.extend(seqs)
        self._kick()

    def allocate(self) -> int:
        """The next sequence number; pass it to :meth:`record`."""
        seq = self._next
        self._next += 1
        return seq

    async def record(self, seq: int, topic: str, payload: bytes) -> OutboxRow:
        """Store one message durably; returns once its commit is on disk."""
        if self._closed:
            raise OutboxError(f"outbox {self.path!r} is closed")
        row = OutboxRow(seq, topic, payload)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._batch.rows.append((row, done))
        self._unacked += 1
        self._unacked_since[seq] = self._wall()
        self._kick()
        try:
            await asyncio.shield(done)
        except OutboxError:
            self._unacked -= 1
            self._unacked_since.pop(seq, None)
            raise
        self.stats.recorded += 1
        return row

    def mark_sent(self, seq: int) -> None:
        """The broker acknowledged ``seq``: keep the row only for diagnosis."""
        self._batch.acks.append(seq)
        self._unacked -= 1
        self._unacked_since.pop(seq, None)
        self.stats.sent += 1
        if len(self._batch.acks) >= _PRUNE_EVERY:
            self._kick()
        elif self._writer is None:
            self._linger()

    def mark_answered(self, seq: int) -> None:
        """Central's answer to ``seq`` was handled: a later answer to it is a repeat."""
        self._batch.answered.append(seq)
        self._kick()

    async def answered(self, seq: int) -> None:
        """Like :meth:`mark_answered`, returning once the mark is on disk: call it before showing the answer."""
        if self._closed:
            raise OutboxError(f"outbox {self.path!r} is closed")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._batch.answered.append(seq)
        self._batch.durable.append(done)
        self._kick()
        await asyncio.shield(done)

    async def aclose(self) -> None:
        """Commit what is pending, then close."""
        if self._closed:
            return
        self._closed = True
        if self._ack_timer is not None:
            self._ack_timer.cancel()
            self._ack_timer = None
        while True:
            if self._batch:
                self._acks_due = True  # acknowledgements still lingering go too
                self._kick()
            if self._writer is None:
                break
            await asyncio.shield(self._writer)
        self._executor.shutdown(wait=True)
        self._db.close()

    # -- writer ----------------------------------------------------------------------------------

    def _kick(self) -> None:
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_batches(), name="edge-outbox-writer")

    def _linger(self) -> None:
        """Let the acknowledgements waiting in the batch wait for a commit, at most ``ack_linger_s``."""
        if self._ack_timer is None and self._batch.acks:
            self._ack_timer = asyncio.get_running_loop().call_later(self._ack_linger_s, self._flush_acks)

    def _flush_acks(self) -> None:
        self._ack_timer = None
        self._acks_due = True
        self._kick()

    def _due(self) -> bool:
        """Whether the batch gathered so far is to be committed now (not only lingering acknowledgements)."""
        batch = self._batch
        return batch.urgent or (bool(batch.acks) and (self._acks_due or len(batch.acks) >= _PRUNE_EVERY))

    async def _write_batches(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._due():
                batch, self._batch = self._batch, Batch()
                if batch.acks:
                    self._acks_due = False
                    if self._ack_timer is not None:
                        self._ack_timer.cancel()
                        self._ack_timer = None
                rows = [row for row, _ in batch.rows]
                try:
                    await loop.run_in_executor(self._executor, self._commit, batch)
                except sqlite3.Error as exc:
                    log.exception("outbox %s: commit of %d rows failed", self.path, len(rows))
                    for done in [*(d for _, d in batch.rows), *batch.durable]:
                        if not done.done():
                            done.set_exception(OutboxError(f"Cannot write the edge outbox {self.path!r}: {exc}"))
                    continue
                self.stats.commits += 1
                if rows:
                    self.stats.batch_sizes[len(rows)] += 1
                for done in [*(d for _, d in batch.rows), *batch.durable]:
                    if not done.done():
                        done.set_result(None)
        finally:
            self._writer = None
            if not self._closed:
                self._linger()

    def _commit(self, batch: Batch) -> None:
        """One transaction (writer thread)."""
        db = self._db
        acks = batch.acks
        if batch.synced != self._synced:  # one statement less per commit while the kind of commit stays
            db.execute("PRAGMA synchronous=FULL" if batch.synced else "PRAGMA synchronous=NORMAL")
            self._synced = batch.synced
        now = self._wall()
        db.execute("BEGIN IMMEDIATE")
        try:
            write(db, batch, now)
            if acks:
                db.executemany("UPDATE outbox SET sent_at = ? WHERE seq = ?", [(now, seq) for seq in acks])
                self._since_prune += len(acks)
                if self._since_prune >= _PRUNE_EVERY:
                    self._since_prune = 0
                    self._prune(now)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _prune(self, now: float) -> None:
        cutoff = self._db.execute(
            "SELECT seq FROM outbox WHERE sent_at IS NOT NULL ORDER BY seq DESC LIMIT 1 OFFSET ?", (self._keep_sent,)
        ).fetchone()
        by_count = int(cutoff[0]) if cutoff else 0
        self._db.execute(
            "DELETE FROM outbox WHERE sent_at IS NOT NULL AND (seq <= ? OR sent_at < ?)",
            (by_count, now - self._keep_sent_s),
        )
