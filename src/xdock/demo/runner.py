"""The demo's composition root: broker, central, two edge agents with mock scanners, and a day of the site.

The day is a scenario (:mod:`xdock.demo.scenarios`: ``demo`` by default) run by the simulator's engine in
scaled wall time (a site minute every ``60 / speed`` wall seconds) in a worker thread, deciding through
the running central and its devices (:mod:`xdock.demo.live_policy`): trucks are announced and unload at
the scanner doors, every pallet's label is typed into its door's mock scanner, trailers dock, are
announced and depart at their time. The demo ends when the day does, at ``--duration``, or at Ctrl-C.

With ``devices`` (the default) the floor also has RFID portals at two outbound doors, each with its
own edge agent (:mod:`xdock.demo.rfid`), and dock sensors: MQTT sensor nodes and a Modbus probe
read by the D1 edge (:mod:`xdock.demo.sensors`). A pallet the day's forklifts put aboard a trailer at a
portal door goes through the portal, so RFID-confirmed loads and mis-load STOPs appear live.

On the live screen all logging goes to ``demo.log`` in the work folder (named in the banner and
on the screen) and the last warnings show in the frame's Events box (:mod:`xdock.demo.logs`); with
``live=False`` log lines go where the process's logging sends them (stderr for ``xdock demo``).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import tempfile
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from xdock.central.app import Central, CentralConfig
from xdock.central.site.departures import DepartureLog
from xdock.central.site.kpis import Kpis
from xdock.central.site_file.config import SiteConfig, parse_site
from xdock.central.web.views import kpis_now
from xdock.demo.broker import DEMO_LINK, EmbeddedBroker
from xdock.demo.day import check_demo_scenario, load_demo_scenario, play_day
from xdock.demo.day_clock import DayClock, DayEnvironment
from xdock.demo.devices import Devices, open_devices
from xdock.demo.live_floor import LiveFloor
from xdock.demo.live_policy import LivePolicy
from xdock.demo.logs import EventHandler, logging_to_file
from xdock.demo.options import DemoOptions
from xdock.demo.screen import DemoLog, render_day, render_frame, render_summary
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.label_printer import PRINTER_PORT, LabelPrinter
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock
from xdock.simulators.pallet_labels import PalletLabels

__all__ = ["LOG_NAME", "DemoOptions", "demo_site", "run_demo"]

LOG_NAME = "demo.log"
"""The live screen's log file, in the work folder."""

_SETTLE_S = 10.0
"""Wall seconds the end of a timed run waits, at most, for the passages already under way to reach central."""


def demo_site() -> SiteConfig:
    text = resources.files("xdock.demo").joinpath("sites/demo.yaml").read_text(encoding="utf-8")
    return parse_site(text, "demo.yaml")


@contextlib.asynccontextmanager
async def _broker(options: DemoOptions) -> AsyncIterator[BrokerUrl]:
    if options.broker is not None:
        yield options.broker
        return
    async with EmbeddedBroker() as url:
        yield url


@contextlib.contextmanager
def _logging(options: DemoOptions, work: Path, log: DemoLog, clock: Clock) -> Iterator[Path | None]:
    """On the live screen: logging to the work folder's log file, warnings to the Events box."""
    if not options.live:
        yield None
        return
    with logging_to_file(work / LOG_NAME, EventHandler(clock, log.events)) as path:
        yield path


class _Figures:
    """Central's KPIs and departures for the screen, read on the loop."""

    def __init__(self, central: Central) -> None:
        self.central = central
        self.departures = DepartureLog(central.site.loads.tail)

    def kpis(self) -> Kpis:
        site = self.central.site
        departed_at = self.departures.refresh()
        return kpis_now(site.state, site.loads, site.clock.now(), departed_at,
                        left_behind=self.departures.left_behind(), trucks=site.inbound_trucks())

    def day_lines(self) -> list[str]:
        """:func:`render_day` of the KPIs now."""
        kpis = self.kpis()
        return render_day(kpis, self.central.site.state, self.departures.refresh(), self.central.site.config.zone)


async def _screen(
    log: DemoLog, central: Central, figures: _Figures, out: TextIO, devices: Devices | None, log_file: Path | None,
) -> None:
    while True:
        if devices is not None:
            log.devices = devices.tally()
        port = central.api_port
        api = f"http://127.0.0.1:{port}/api/v1 · dashboard http://127.0.0.1:{port}/" if port else None
        site = central.site
        kpis = figures.kpis()
        departed_at = figures.departures.refresh()
        log.day = render_day(kpis, site.state, departed_at, site.config.zone)
        frame = render_frame(log, site.state, site.clock.now().astimezone(site.config.zone), api, log_file,
                             kpis, departed_at)
        out.write("\x1b[H\x1b[2J" + frame + "\n")
        out.flush()
        await asyncio.sleep(0.5)


async def _follow_day(log: DemoLog, figures: _Figures) -> None:
    """Keep the day's lines for the summary (central's store is closed once the demo is stopped)."""
    while True:
        log.day = figures.day_lines()
        await asyncio.sleep(1.0)


@contextlib.asynccontextmanager
async def _label_printer() -> AsyncIterator[LabelPrinter]:
    """The breakdown station's label printer: a mock networked ZPL printer on 9100, or on a free port when 9100 is
    taken."""
    printer = LabelPrinter(port=PRINTER_PORT)
    try:
        await printer.start()
    except OSError:
        printer = LabelPrinter(port=0)
        await printer.start()
    try:
        yield printer
    finally:
        await printer.close()


async def _inbound(
    stack: contextlib.AsyncExitStack, options: DemoOptions, site: str, broker: BrokerUrl, work: Path,
    heartbeat_s: float,
) -> tuple[dict[str, MockScanner], list[EdgeConfig]]:
    """A mock scanner per inbound door (closed with ``stack``) and the config of the edge that reads it."""
    scanners: dict[str, MockScanner] = {}
    configs = []
    for door in options.doors:
        scanner = await stack.enter_async_context(MockScanner(link=work / f"scanner-{door}", name=door))
        scanners[door] = scanner
        configs.append(EdgeConfig(
            site=site, edge_id=f"edge-{door}", door=door, broker=broker, broker_link=DEMO_LINK,
            scanners=(ScannerPort("s1", str(scanner.link)),), state_dir=work / f"edge-{door}", heartbeat_s=heartbeat_s,
        ))
    return scanners, configs


async def _traffic(
    deadline: float | None, day: Coroutine[Any, Any, object], devices: Devices | None, agents: Sequence[EdgeAgent],
) -> None:
    """Run the day (and the devices) until it ends or ``deadline`` (loop time; ``None``: until the day ends or
    the task is cancelled), then let what the portals already saw reach central."""
    try:
        async with asyncio.timeout_at(deadline) as window, asyncio.TaskGroup() as traffic:
            if devices is not None:
                devices.start(traffic, agents)
            await day
            window.reschedule(asyncio.get_running_loop().time())  # the day is over: stop as at the deadline
    except TimeoutError:
        if devices is not None:
            await devices.settle(_SETTLE_S)


def _with_devices(configs: list[EdgeConfig], devices: Devices) -> list[EdgeConfig]:
    """The inbound edges' configs, the first one polling the Modbus probe, and the portal doors' edges."""
    return [replace(configs[0], probes=(devices.sensors.probe_spec,)), *configs[1:], *devices.portals.edges]


async def _connected(central: Central, agents: Sequence[EdgeAgent], options: DemoOptions, out: TextIO) -> None:
    """Wait until central and every edge are connected (and the API serves); say where the API is."""
    await asyncio.wait_for(central.ingest.connected.wait(), 10)
    for agent in agents:
        await asyncio.wait_for(agent.uplink.connected.wait(), 10)
    if options.api_port is not None:  # central serves its API once its ingest runs
        await asyncio.wait_for(central.api_ready.wait(), 10)
    if central.api_port:
        out.write(f"API: http://127.0.0.1:{central.api_port}/api/v1/pallets\n")
        out.write(f"Dashboard: http://127.0.0.1:{central.api_port}/  "
                  f"handheld: http://127.0.0.1:{central.api_port}/handheld\n")


async def run_demo(options: DemoOptions, out: TextIO) -> DemoLog:
    """Run the demo until its day ends, ``options.duration`` passes or the task is cancelled; return what happened."""
    scenario = load_demo_scenario(options.scenario)
    check_demo_scenario(scenario, options.doors)
    day = scenario.draw(options.seed)
    site = day.site
    env = DayEnvironment(options.speed)  # the engine's minute 0 is now; site time waits for it
    clock = DayClock(day.start, env)
    log = DemoLog()
    labels = PalletLabels(random.Random(options.seed + 1))  # the workers' slips
    stopping = threading.Event()
    with tempfile.TemporaryDirectory(prefix="xdock-demo-") as tmp, contextlib.ExitStack() as log_stack:
        work = options.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        log_file = log_stack.enter_context(_logging(options, work, log, clock))
        async with _broker(options) as broker, contextlib.AsyncExitStack() as stack:
            printer = await stack.enter_async_context(_label_printer())
            central = Central(
                CentralConfig(
                    site=site, broker=broker, broker_link=DEMO_LINK, db=work / "central.db", api_port=options.api_port,
                    replan_interval=600.0, replan_budget=1.0, label_printer=("127.0.0.1", printer.port),
                ),
                clock,
            )
            heartbeat = min(3600.0, 5.0 * options.speed)  # about processes, not the day: every 5 s of wall time
            scanners, configs = await _inbound(stack, options, site.site, broker, work, heartbeat)
            devices = None
            if options.devices:
                horizon_s = day.horizon_min * 60
                if options.duration is not None:
                    horizon_s = min(horizon_s, options.duration * options.speed)
                devices = await open_devices(
                    stack, central=central, site=site, broker=broker, work=work, clock=clock, heartbeat_s=heartbeat,
                    seed=options.seed, prefix_digits=len(scenario.sscc_company_prefix),
                    misload_chance=options.misload_chance, horizon_s=horizon_s, speed=options.speed,
                )
                configs = _with_devices(configs, devices)
            agents = [EdgeAgent(config, clock) for config in configs]
            out.write(f"xdock demo: scenario {day.scenario} (seed {day.seed}), broker {broker}, {len(agents)} edge "
                      f"agents, {devices.describe() if devices else 'no devices'}, store {work / 'central.db'}"
                      + (f", log {log_file}\n" if log_file else "\n"))
            out.flush()
            figures = _Figures(central)
            deadline = None if options.duration is None else asyncio.get_running_loop().time() + options.duration
            policy = LivePolicy(LiveFloor(central.site, scanners, labels, log, devices.portals if devices else None,
                                          plain=None if options.live else out), asyncio.get_running_loop(), stopping)
            try:
                async with asyncio.TaskGroup() as tasks:
                    running = [tasks.create_task(central.run())] + [tasks.create_task(a.run()) for a in agents]
                    await _connected(central, agents, options, out)
                    running.append(tasks.create_task(
                        _screen(log, central, figures, out, devices, log_file) if options.live
                        else _follow_day(log, figures)))
                    await _traffic(deadline, play_day(day, policy, env, stopping), devices, agents)
                    log.day = figures.day_lines()
                    for task in running:
                        task.cancel()
            finally:
                stopping.set()
                if devices is not None:
                    log.devices = devices.tally()
                out.write("\n" + "\n".join([render_summary(log), *log.day]) + "\n")
                out.flush()
    return log

