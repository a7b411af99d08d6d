"""The demo's composition root: broker, central, two edge agents with mock scanners, a truck stream.

With ``devices`` (the default) the floor also has RFID portals at two outbound doors, each with its
own edge agent (:mod:`xdock.demo.rfid`), and dock sensors: MQTT sensor nodes and a Modbus probe
read by the D1 edge (:mod:`xdock.demo.sensors`). Workers hand each pallet sent to a portal door to a
forklift, so RFID-confirmed loads and mis-load STOPs appear live.

On the live screen all logging goes to ``demo.log`` in the work folder (named in the banner and
on the screen) and the last warnings show in the frame's Events box (:mod:`xdock.demo.logs`); with
``live=False`` log lines go where the process's logging sends them (stderr for ``xdock demo``).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import tempfile
from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, time
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from xdock.central.app import Central, CentralConfig
from xdock.central.site_file.config import SiteConfig, parse_site
from xdock.demo.broker import DEMO_LINK, EmbeddedBroker
from xdock.demo.devices import Devices, open_devices
from xdock.demo.logs import EventHandler, logging_to_file
from xdock.demo.options import DemoOptions
from xdock.demo.rfid import Portals
from xdock.demo.screen import DemoLog, ScanRecord, render_frame, render_line, render_summary
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ScaledClock
from xdock.simulators.pallet_labels import LabelFactory
from xdock.simulators.truck_stream import truck_scans
from xdock.simulators.worker import scan_and_wait

__all__ = ["LOG_NAME", "DemoOptions", "demo_site", "run_demo"]

LOG_NAME = "demo.log"
"""The live screen's log file, in the work folder."""

_DAY_S = 86_400.0

POSTAL_WEIGHTS = {
    "69001": 5, "69003": 4, "69100": 2, "75011": 5, "92100": 3, "93200": 2, "13001": 4, "59000": 3,
    "33000": 3, "06000": 1, "38000": 1,
}


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


async def _worker(
    door: str, scanner: MockScanner, labels: LabelFactory, rng: random.Random, log: DemoLog, clock: ScaledClock,
    interval: float, live: bool, out: TextIO, portals: Portals | None,
) -> None:
    for item in truck_scans(rng, labels, [door]):
        answer = await scan_and_wait(scanner, item.label.text, symbology=item.label.symbology)
        record = ScanRecord(clock.now(), door, item.label.kind, item.label.sscc, answer)
        log.add(record)
        if portals is not None and answer.beep == "good":
            portals.order(item.label.sscc, answer.text)
        if not live:
            out.write(render_line(record, record.at) + "\n")
            out.flush()
        await asyncio.sleep(interval * rng.uniform(0.6, 1.4))


@contextlib.contextmanager
def _logging(options: DemoOptions, work: Path, log: DemoLog, clock: ScaledClock) -> Iterator[Path | None]:
    """On the live screen: logging to the work folder's log file, warnings to the Events box."""
    if not options.live:
        yield None
        return
    with logging_to_file(work / LOG_NAME, EventHandler(clock, log.events)) as path:
        yield path


async def _screen(
    log: DemoLog, central: Central, clock: ScaledClock, out: TextIO, devices: Devices | None, log_file: Path | None,
) -> None:
    while True:
        if devices is not None:
            log.devices = devices.tally()
        port = central.api_port
        api = f"http://127.0.0.1:{port}/api/v1 · dashboard http://127.0.0.1:{port}/" if port else None
        frame = render_frame(log, central.site.state, clock.now().astimezone(central.site.config.zone), api, log_file)
        out.write("\x1b[H\x1b[2J" + frame + "\n")
        out.flush()
        await asyncio.sleep(0.5)


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
    deadline: float | None, workers: list[Coroutine[Any, Any, None]], devices: Devices | None,
    agents: Sequence[EdgeAgent],
) -> None:
    """Scan and carry pallets until ``deadline`` (loop time; ``None``: until cancelled), then let what the
    portals already saw reach central."""
    try:
        async with asyncio.timeout_at(deadline), asyncio.TaskGroup() as traffic:
            if devices is not None:
                devices.start(traffic, agents)
            for worker in workers:
                traffic.create_task(worker)
    except TimeoutError:
        if devices is not None:
            await devices.settle(_SETTLE_S)


async def run_demo(options: DemoOptions, out: TextIO) -> DemoLog:
    """Run the demo until ``options.duration`` passes or the task is cancelled; return what happened."""
    site = demo_site()
    zone = site.zone
    today = datetime.now(zone).date()
    clock = ScaledClock(datetime.combine(today, time(6, 0), tzinfo=zone), options.speed)
    log = DemoLog()
    rng = random.Random(options.seed)
    labels = LabelFactory(random.Random(options.seed + 1), {k: float(v) for k, v in POSTAL_WEIGHTS.items()})
    with tempfile.TemporaryDirectory(prefix="xdock-demo-") as tmp, contextlib.ExitStack() as log_stack:
        work = options.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        log_file = log_stack.enter_context(_logging(options, work, log, clock))
        async with _broker(options) as broker, contextlib.AsyncExitStack() as stack:
            central = Central(
                CentralConfig(
                    site=site, broker=broker, broker_link=DEMO_LINK, db=work / "central.db", api_port=options.api_port,
                    replan_interval=600.0, replan_budget=1.0,
                ),
                clock,
            )
            heartbeat = min(3600.0, 5.0 * options.speed)  # about processes, not the day: every 5 s of wall time
            scanners, configs = await _inbound(stack, options, site.site, broker, work, heartbeat)
            devices = None
            if options.devices:
                devices = await open_devices(
                    stack, central=central, site=site, broker=broker, work=work, clock=clock, heartbeat_s=heartbeat,
                    seed=options.seed, prefix_digits=len(labels.prefix), misload_chance=options.misload_chance,
                    horizon_s=_DAY_S if options.duration is None else options.duration * options.speed,
                    speed=options.speed,
                )
                d1 = replace(configs[0], probes=(devices.sensors.probe_spec,))
                configs = [d1, *configs[1:], *devices.portals.edges]
            agents = [EdgeAgent(config, clock) for config in configs]
            out.write(f"xdock demo: broker {broker}, {len(agents)} edge agents, "
                      f"{devices.describe() if devices else 'no devices'}, store {work / 'central.db'}"
                      + (f", log {log_file}\n" if log_file else "\n"))
            out.flush()
            loop = asyncio.get_running_loop()
            deadline = None if options.duration is None else loop.time() + options.duration
            try:
                async with asyncio.TaskGroup() as tasks:
                    running = [tasks.create_task(central.run())] + [tasks.create_task(a.run()) for a in agents]
                    await asyncio.wait_for(central.ingest.connected.wait(), 10)
                    for agent in agents:
                        await asyncio.wait_for(agent.uplink.connected.wait(), 10)
                    if options.api_port is not None:  # central serves its API once its ingest runs
                        await asyncio.wait_for(central.api_ready.wait(), 10)
                    if central.api_port:
                        out.write(f"API: http://127.0.0.1:{central.api_port}/api/v1/pallets\n")
                        out.write(f"Dashboard: http://127.0.0.1:{central.api_port}/  "
                                  f"handheld: http://127.0.0.1:{central.api_port}/handheld\n")
                    if options.live:
                        running.append(tasks.create_task(_screen(log, central, clock, out, devices, log_file)))
                    workers = [
                        _worker(door, scanner, labels, rng, log, clock, options.scan_interval, options.live, out,
                                devices.portals if devices else None)
                        for door, scanner in scanners.items()
                    ]
                    await _traffic(deadline, workers, devices, agents)
                    for task in running:
                        task.cancel()
            finally:
                if devices is not None:
                    log.devices = devices.tally()
                out.write("\n" + render_summary(log) + "\n")
                out.flush()
    return log


