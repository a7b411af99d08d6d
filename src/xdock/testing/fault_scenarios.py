"""The fault scenarios of issue 4, run on a :class:`~xdock.testing.fault_rig.FaultRig`, and their figures.

Each scenario streams ``scans`` labels over the rig's scanners at a steady rate; once a third of
them are written, the fault strikes:

``broker_restart``  Mosquitto stopped for ``outage_s``, then started again (same port, persistence on).
``central_kill``    central SIGKILLed, down for ``outage_s``, then started again on the same database.
``edge_kill``       the first edge is handed a burst of scans (its worker's overdue scans, written at
                    once), SIGKILLed as soon as it has read them from the pty, restarted at once.
                    Its worker waits for the edge to read the scanner again and for answers to stop
                    coming, then scans again every label it got no answer for (a worker who heard
                    no beep rescans), and carries on.
``scanner_reopen``  the first scanner is unplugged between two pallets (its answers all in), left
                    out for ``outage_s`` and plugged back in; its worker resumes once the edge reads it.
``slow_link``       no fault: the edges reach the broker through a TCP proxy adding ``link_delay_s``
                    each way, for the whole run.
``leader_kill``     (a rig with a standby) the leading central SIGKILLed and never restarted; the fault
                    ends when the standby's API says it leads.
``leader_cut``      (a rig with a standby) the leading central's database connections cut (its lock's
                    session ends); it must stop by itself (exit 75), and the fault ends when the standby
                    leads.

Figures (:class:`ScenarioReport`), over the stream's labels (warm-up scans excluded):

``sent``                 labels scanned (each once; rescans are counted in ``rescanned``);
``confirmed_to_worker``  labels whose scan (or rescan) got a beep and a display at the scanner;
``applied``              scan events in central's log for those labels, one per ``(edge_id, seq)``;
``duplicates_applied``   events beyond the first for the same ``(edge_id, seq)`` (must be 0);
``lost``                 labels scanned that central never applied (must be 0);
``lost_confirmed``       of those, labels the worker was told about (beep and display);
``max_answer_ms``        longest time from writing a scan to its confirmation, over confirmed scans;
``recovery_s``           from the fault's end (broker or central started and reachable, edge process
                         started and reading its scanner, scanner plugged and read again) until central
                         applies scans again: its pallet count (``/api/v1/site``, polled every 0.1 s)
                         first grows past what it held at the fault's end; ``null`` for ``slow_link``;
``drain_s``              from the fault's end until the backlog drained: central holds as many of the
                         stream's pallets as labels were written before that instant, every confirmed
                         scan written before it is confirmed, and the first scan written after it is
                         confirmed (the backlog goes out at the edges' bounded drain rate, so this grows
                         with the outage; ``recovery_s`` does not);
``extra_answers``        answers that fit no unanswered scan (a scan answered twice);
``corrections``          ``CHANGE: ...`` texts (central overruling an offline answer);
``answering_s``          ``central_kill`` only (else ``null``): from the restarted central's exec to its
                         first answer on an edge's command topic (seen by a subscriber of the rig's
                         own), the time a restarted central takes to answer scans again;
``failover_s``           ``leader_kill`` and ``leader_cut`` only (else ``null``): from the fault's start to
                         the first answer on an edge's command topic after the standby took the lead
                         (its epoch's ``since``): the new leader's first answer. A killed leader answers
                         nothing after the fault's start; a cut one may answer until it notices (its
                         writes still pass until the new epoch), and those answers are not counted;
``answered_by``          applied scan events per central that wrote them (each event's epoch named by
                         the ``leadership`` event of that epoch; ``epoch 0`` on SQLite);
``old_leader_exit``      ``leader_kill`` and ``leader_cut`` only: the old leader's exit status (``-9``
                         killed, ``75`` stopped by itself on finding it no longer led).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import aiomqtt

from xdock.protocol.topics import cmd_topic
from xdock.testing.fault_rig import CentralScans, FaultRig, RigConfig
from xdock.testing.scan_worker import ScanWorker

__all__ = ["FAILOVER_SCENARIOS", "SCENARIOS", "ScenarioReport", "run_on", "run_scenario"]

log = logging.getLogger(__name__)

SCENARIOS = ("broker_restart", "central_kill", "edge_kill", "scanner_reopen", "slow_link")
"""The scenarios of one central, on either store."""
FAILOVER_SCENARIOS = ("leader_kill", "leader_cut")
"""The scenarios of a rig with a standby central (a PostgreSQL store)."""
_WATCHED = ("central_kill", *FAILOVER_SCENARIOS)
"""The scenarios that time central's answers on the edges' command topics."""
_BURST = 20
_QUIET_S = 3.0
_SETTLE_S = 60.0


class _CentralProgress:
    """Central's pallet count over time, polled through its API (errors while it is down are skipped)."""

    def __init__(self, rig: FaultRig) -> None:
        self.rig = rig
        self.samples: list[tuple[float, int]] = []

    def pallets(self) -> int:
        return self.samples[-1][1] if self.samples else 0

    async def poll(self, every: float = 0.1) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                site = await asyncio.to_thread(self.rig.leader.get, "/api/v1/site")
            except (OSError, ValueError):
                pass
            else:
                self.samples.append((loop.time(), int(site["pallets"])))
            await asyncio.sleep(every)

    def grew(self, after: float) -> float | None:
        """First sample after ``after`` with more pallets than the last sample before it."""
        before = max((n for t, n in self.samples if t <= after), default=0)
        return next((t for t, n in self.samples if t > after and n > before), None)

    def reached(self, count: int, after: float) -> float | None:
        """First sample at or after ``after`` with at least ``count`` pallets."""
        return next((t for t, n in self.samples if t >= after and n >= count), None)

    async def settle(self, count: int, quiet_s: float, timeout: float) -> None:
        """Return when central holds ``count`` pallets, or its count stood still for ``quiet_s``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen, since = self.pallets(), loop.time()
        while self.pallets() < count and loop.time() < deadline:
            await asyncio.sleep(0.1)
            if (now := self.pallets()) != seen:
                seen, since = now, loop.time()
            elif loop.time() - since >= quiet_s:
                return


class _AnswerWatch:
    """When central's answers reach the broker: every message on the edges' command topics, timed."""

    def __init__(self, rig: FaultRig) -> None:
        self.rig = rig
        self.times: list[float] = []
        self.subscribed = asyncio.Event()

    async def watch(self) -> None:
        """One client per edge, logged in as that edge where the broker wants log-ins (only an edge may read
        its own command topic), each timing what arrives there."""
        async with asyncio.TaskGroup() as tasks:
            ready = [asyncio.Event() for _ in self.rig.edges]
            for edge, subscribed in zip(self.rig.edges, ready, strict=True):
                tasks.create_task(self._watch_one(edge.edge_id, subscribed))
            for subscribed in ready:
                await subscribed.wait()
            self.subscribed.set()

    async def _watch_one(self, edge_id: str, subscribed: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        url, password_file = self.rig.login(edge_id, self.rig.broker.url)
        password = None if password_file is None else password_file.read_text(encoding="utf-8").strip()
        async with aiomqtt.Client(url.host, url.port, identifier=f"xdock-watch-{uuid.uuid4().hex[:8]}",
                                  username=url.username, password=password) as client:
            await client.subscribe(cmd_topic(self.rig.site, edge_id), qos=0)
            subscribed.set()
            async for _ in client.messages:
                self.times.append(loop.time())

    def first_after(self, after: float) -> float | None:
        """Seconds from ``after`` to the first answer seen at or after it."""
        return next((round(t - after, 3) for t in self.times if t >= after), None)


@dataclass(frozen=True)
class ScenarioReport:
    sent: int
    confirmed_to_worker: int
    applied: int
    duplicates_applied: int
    lost: int
    max_answer_ms: float | None
    recovery_s: float | None
    drain_s: float | None
    lost_confirmed: int
    rescanned: int
    extra_answers: int
    corrections: int
    fault_s: float | None
    """How long the fault lasted (from its start to its end)."""
    answering_s: float | None = None
    """``central_kill``: from the restarted central's exec to its first answer (see the module docstring)."""
    failover_s: float | None = None
    """``leader_kill``, ``leader_cut``: from the fault's start to the new leader's first answer."""
    answered_by: dict[str, int] = field(default_factory=dict)
    """Applied scan events of the stream's labels per central that wrote them."""
    old_leader_exit: int | None = None
    """``leader_kill``, ``leader_cut``: the old leader's exit status."""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


async def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout} s")
        await asyncio.sleep(0.005)


async def _quiet(workers: list[ScanWorker], quiet_s: float, timeout: float) -> None:
    """Return when every scan is confirmed, or no answer came for ``quiet_s``, or after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout

    def answers() -> int:
        return sum(len(w.answers) for w in workers)

    seen, since = answers(), loop.time()
    while loop.time() < deadline and not all(w.all_confirmed for w in workers):
        await asyncio.sleep(0.05)
        if (now := answers()) != seen:
            seen, since = now, loop.time()
        elif loop.time() - since >= quiet_s:
            return


Fault = Callable[[FaultRig, float], Awaitable[tuple[float, float] | None]]
"""Strike once, return ``(start, end)`` in event-loop time (``None``: no fault)."""


async def _broker_restart(rig: FaultRig, outage_s: float) -> tuple[float, float]:
    start = asyncio.get_running_loop().time()
    await asyncio.to_thread(rig.broker.stop)
    await asyncio.sleep(outage_s)  # the outage itself
    await asyncio.to_thread(rig.broker.start)
    return start, asyncio.get_running_loop().time()


async def _central_kill(rig: FaultRig, outage_s: float) -> tuple[float, float]:
    start = asyncio.get_running_loop().time()
    await asyncio.to_thread(rig.central.kill)
    await asyncio.sleep(outage_s)  # the outage itself
    await asyncio.to_thread(rig.central.start, rig.config.start_timeout)
    return start, asyncio.get_running_loop().time()


async def _edge_kill(rig: FaultRig, outage_s: float) -> tuple[float, float]:
    del outage_s  # the edge restarts at once; its start-up is the outage
    loop = asyncio.get_running_loop()
    worker, edge = rig.workers[0], rig.edges[0]
    interval = rig.config.edges / rig.config.rate
    worker.active.clear()
    await asyncio.sleep(_BURST * interval)  # let a burst's worth of scans fall due
    before = len(worker.sent)
    burst = min(_BURST, len(worker.labels) - before)
    worker.active.set()
    await _until(lambda: len(worker.sent) >= before + burst, 5, "burst written")
    worker.active.clear()
    await _until(lambda: worker.unread_bytes() == 0, 5, "burst read by the edge")
    start = loop.time()
    await asyncio.to_thread(edge.kill)
    log.info("edge killed with %d of %d scans unconfirmed", len(worker.sent) - worker.confirmed, len(worker.sent))
    edge.start()
    await rig.wait_edge_reading(0, rig.config.start_timeout)
    end = loop.time()
    await _quiet([worker], _QUIET_S, 20)
    worker.rescan_unconfirmed()
    worker.active.set()
    return start, end


async def _scanner_reopen(rig: FaultRig, outage_s: float) -> tuple[float, float]:
    loop = asyncio.get_running_loop()
    worker = rig.workers[0]
    worker.active.clear()
    await _until(lambda: worker.all_confirmed, 10, "answers before unplugging")
    start = loop.time()
    worker.unplug()
    await asyncio.sleep(outage_s)  # the scanner stays unplugged this long
    worker.replug()
    await rig.wait_edge_reading(0, rig.config.start_timeout)
    worker.active.set()
    return start, loop.time()


async def _no_fault(rig: FaultRig, outage_s: float) -> None:
    del rig, outage_s


async def _leader_kill(rig: FaultRig, outage_s: float) -> tuple[float, float]:
    del outage_s  # the standby takes over as soon as it can
    failover = await rig.fail_over(cut=False)
    return failover.start, failover.led


async def _leader_cut(rig: FaultRig, outage_s: float) -> tuple[float, float]:
    del outage_s  # the standby takes over as soon as it can
    failover = await rig.fail_over(cut=True)
    return failover.start, failover.led


_FAULTS: dict[str, Fault] = {
    "broker_restart": _broker_restart, "central_kill": _central_kill, "edge_kill": _edge_kill,
    "scanner_reopen": _scanner_reopen, "slow_link": _no_fault, "leader_kill": _leader_kill, "leader_cut": _leader_cut,
}


async def run_scenario(
    name: str, folder: Path, config: RigConfig, *, outage_s: float = 2.0, link_delay_s: float = 0.05,
    rig_factory: Callable[[Path, RigConfig], FaultRig] | None = None,
) -> ScenarioReport:
    """Run scenario ``name`` on a fresh rig in ``folder``; every process is stopped on return. ``leader_kill``
    and ``leader_cut`` get a rig with a standby central (``config.db`` must be PostgreSQL)."""
    _check(name)
    if name == "slow_link":
        config = replace(config, proxy_delay=link_delay_s)
    if name in FAILOVER_SCENARIOS:
        config = replace(config, standby=True)
    make = rig_factory or FaultRig
    async with make(folder, config) as rig:
        return await run_on(rig, name, outage_s=outage_s)


async def run_on(rig: FaultRig, name: str, *, outage_s: float = 2.0) -> ScenarioReport:
    """Run scenario ``name`` on ``rig`` (started, its stream not yet scanned), for a caller that looks at the
    rig afterwards (the broker's retained messages, the processes' exit codes); the caller closes the rig."""
    _check(name)
    config, folder = rig.config, rig.folder
    if (name in FAILOVER_SCENARIOS) != config.standby:
        raise ValueError(f"Scenario {name!r} does not fit a rig {'with' if config.standby else 'without'} a standby")
    loop = asyncio.get_running_loop()
    interval = config.edges / config.rate
    progress = _CentralProgress(rig)
    poller = asyncio.create_task(progress.poll(), name="central-progress")
    answers = _AnswerWatch(rig)
    watcher = asyncio.create_task(answers.watch(), name="answer-watch") if name in _WATCHED else None
    try:
        if watcher is not None:
            await asyncio.wait_for(answers.subscribed.wait(), config.start_timeout)
        t0 = loop.time() + 0.05
        async with asyncio.TaskGroup() as tasks:
            for i, worker in enumerate(rig.workers):
                tasks.create_task(worker.run(t0, i / config.rate, interval), name=f"stream-{worker.name}")
            fault = tasks.create_task(_strike(rig, _FAULTS[name], outage_s), name=f"fault-{name}")
        await _quiet(rig.workers, _QUIET_S, _SETTLE_S)
        await progress.settle(config.scans + config.edges, _QUIET_S, _SETTLE_S)
    finally:
        for task in (poller, watcher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    for edge in rig.edges:
        edge.check_running()
    central = await asyncio.to_thread(rig.central_scans)
    _write_workers(folder / "workers.json", rig.workers)
    window = fault.result()
    drained = resumed = None
    if window is not None:
        before = sum(1 for w in rig.workers for r in w.sent + w.abandoned if not r.rescan and r.at < window[1])
        drained = progress.reached(before + config.edges, window[1])
        resumed = progress.grew(window[1])
    report = _report(rig.workers, central, window, drained, resumed)
    if name == "central_kill" and rig.central.started_at is not None:
        report = replace(report, answering_s=answers.first_after(rig.central.started_at))
    if rig.failover is not None:
        took = max(rig.failover.took, rig.failover.start)
        first = answers.first_after(took)
        report = replace(
            report, old_leader_exit=rig.failover.exit_code,
            failover_s=None if first is None else round(took - rig.failover.start + first, 3),
        )
    return report


def _check(name: str) -> None:
    if name not in _FAULTS:
        raise ValueError(
            f"Unknown fault scenario {name!r}: expected one of {', '.join(SCENARIOS + FAILOVER_SCENARIOS)}"
        )


def _write_workers(path: Path, workers: list[ScanWorker]) -> None:
    """Every worker's scans with their answer times (``null``: none), to look at lost labels afterwards."""
    records = {
        w.name: {
            "sent": [asdict(r) for r in w.sent], "abandoned": [asdict(r) for r in w.abandoned],
            "answers": w.answers, "extra_answers": w.extra_answers,
        }
        for w in workers
    }
    path.write_text(json.dumps(records, indent=1))


async def _strike(rig: FaultRig, fault: Fault, outage_s: float) -> tuple[float, float] | None:
    total = sum(len(w.labels) for w in rig.workers)
    await _until(lambda: sum(len(w.sent) for w in rig.workers) >= total // 3, 3600, "a third of the stream")
    window = await fault(rig, outage_s)
    if window is not None:
        log.info("fault over after %.2f s", window[1] - window[0])
    return window


def _report(
    workers: list[ScanWorker], central: CentralScans, window: tuple[float, float] | None, drained: float | None,
    resumed: float | None = None,
) -> ScenarioReport:
    sent = [r for w in workers for r in w.sent + w.abandoned if not r.rescan]
    labels = {r.sscc for r in sent}
    confirmed: set[str] = set()
    answer_ms: list[float] = []
    pre_drain: float | None = None
    post_first: float | None = None
    for w in workers:
        for record in w.sent:
            at = record.answered_at
            if at is None:
                continue
            confirmed.add(record.sscc)
            answer_ms.append((at - record.at) * 1000)
            if window is None:
                continue
            if record.at < window[1]:
                pre_drain = at if pre_drain is None else max(pre_drain, at)
            else:
                post_first = at if post_first is None else min(post_first, at)
    drain: float | None = None
    recovery: float | None = None
    if window is not None:
        back = [t for t in (pre_drain, post_first, drained) if t is not None]
        drain = round(max(0.0, max(back) - window[1]), 3) if back else None
        recovery = None if resumed is None else round(max(0.0, resumed - window[1]), 3)
    applied_labels = {s for s in labels if central.ssccs[s] > 0}
    answered_by: Counter[str] = Counter()
    for (sscc, epoch), n in central.epochs.items():
        if sscc in labels:
            answered_by[central.applied_by(epoch)] += n
    return ScenarioReport(
        sent=len(sent),
        confirmed_to_worker=len(confirmed & labels),
        applied=sum(central.ssccs[s] for s in labels),
        duplicates_applied=sum(n - 1 for n in central.keys.values()),
        lost=len(labels - applied_labels),
        max_answer_ms=round(max(answer_ms), 1) if answer_ms else None,
        recovery_s=recovery,
        drain_s=drain,
        lost_confirmed=len((confirmed & labels) - applied_labels),
        rescanned=sum(1 for w in workers for r in w.sent if r.rescan),
        extra_answers=sum(w.extra_answers for w in workers),
        corrections=sum(w.corrections for w in workers),
        fault_s=None if window is None else round(window[1] - window[0], 3),
        answered_by=dict(sorted(answered_by.items())),
    )
