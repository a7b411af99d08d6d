"""The demo's day: its scenarios, and the simulator's engine run in scaled wall time in a worker thread.

The demo's scenarios (``src/xdock/demo/scenarios/``) are on the demo site, whose scanner doors are D1 and
D2: ``demo`` (the default: about 200 pallets an hour) and ``black-friday`` (three times the volume over the
day, peaking 12:00-20:00). ``xdock demo --scenario`` takes one of their names or a scenario file; the
simulator's own scenarios (``xdock simulate normal-day``) are for 100-door sites, not the demo's floor.

:func:`play_day` runs :func:`~xdock.simulation.engine.run_day` in a
:class:`~xdock.demo.day_clock.DayEnvironment` (one site minute every ``60 / speed`` wall seconds; a step
that comes late is caught up, not an error) in a thread of its own, while the event loop runs central and
the devices on the :class:`~xdock.demo.day_clock.DayClock` that follows it. Cancelled, it tells the thread
to stop and waits for it: the engine's run ends within :data:`STOP_CHECK_S` wall seconds.
"""

from __future__ import annotations

import asyncio
import threading
from importlib import resources
from pathlib import Path

import simpy

from xdock.central.site_file.config import SiteConfig
from xdock.demo.day_clock import DayEnvironment
from xdock.simulation.engine import run_day
from xdock.simulation.model import Day, PolicyRun
from xdock.simulation.policy import Policy
from xdock.simulation.scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "DEFAULT_SCENARIO", "STOP_CHECK_S", "check_demo_scenario", "demo_scenarios", "load_demo_scenario", "play_day",
]

DEFAULT_SCENARIO = "demo"
STOP_CHECK_S = 0.2
"""Wall seconds between two looks of the engine's run at whether the demo is stopping."""


def _folder() -> Path:
    return Path(str(resources.files("xdock.demo") / "scenarios"))


def demo_scenarios() -> list[str]:
    """The names of the demo's scenarios."""
    return sorted(p.stem for p in _folder().glob("*.yaml"))


def load_demo_scenario(name_or_path: str) -> Scenario:
    """The demo's scenario of that name, or the scenario in file ``name_or_path``."""
    shipped = _folder() / f"{name_or_path}.yaml"
    if "/" not in name_or_path and not name_or_path.endswith((".yaml", ".yml")) and shipped.is_file():
        return load_scenario(shipped)
    path = Path(name_or_path)
    if path.is_file():
        return load_scenario(path)
    raise ScenarioError(f"unknown demo scenario {name_or_path!r}: no such file, and not one of the demo's "
                        f"({', '.join(demo_scenarios())})")


def check_demo_scenario(scenario: Scenario, doors: tuple[str, ...]) -> None:
    """Refuse (:class:`ScenarioError`) a scenario the demo cannot play: its site lacks one of the demo's scanner
    ``doors`` as an inbound door (its trucks unload only there), or a trailer of its site file is not listed
    (central has it at its door from the start: the day must move it too)."""
    site: SiteConfig = scenario.site_config
    inbound = {d.id for d in site.doors if d.receives}
    missing = [door for door in doors if door not in inbound]
    if missing:
        raise ScenarioError(f"scenario {scenario.name}: site.doors: the demo scans at {', '.join(doors)}, and "
                            f"{', '.join(missing)} is not an inbound door of site {site.site}")
    listed = {t.id for t in scenario.outbound.trailers}
    unlisted = [t.id for t in site.trailers if t.id not in listed]
    if unlisted:
        raise ScenarioError(f"scenario {scenario.name}: outbound.trailers: the site file's trailers "
                            f"{', '.join(unlisted)} are not listed (list each at its door's departure)")


class _Stopping(Exception):  # noqa: N818  (an ending, not an error)
    """Raised in the engine's environment once the demo is stopping."""


def _watch(env: simpy.Environment, stopping: threading.Event, every_min: float) -> simpy.events.ProcessGenerator:
    while True:
        yield env.timeout(every_min)
        if stopping.is_set():
            raise _Stopping


async def play_day(
    day: Day, policy: Policy, env: DayEnvironment, stopping: threading.Event,
) -> PolicyRun | None:
    """Run ``day`` under ``policy`` in ``env`` (at minute 0) in a worker thread; its run when the day ends,
    ``None`` when stopped (``stopping`` set by the policy, or this task cancelled)."""
    loop = asyncio.get_running_loop()
    finished: asyncio.Future[PolicyRun | None] = loop.create_future()
    env.process(_watch(env, stopping, STOP_CHECK_S / env.factor))

    def settle(result: PolicyRun | None, error: BaseException | None) -> None:
        if finished.done():
            return
        if error is None:
            finished.set_result(result)
        else:
            finished.set_exception(error)

    def work() -> None:
        result: PolicyRun | None = None
        error: BaseException | None = None
        try:
            result = run_day(day, policy, env=env)
        except BaseException as exc:  # noqa: BLE001  (handed to the loop, raised there)
            if not stopping.is_set():
                error = exc
        loop.call_soon_threadsafe(settle, result, error)

    thread = threading.Thread(target=work, name="demo-day")
    thread.start()
    try:
        return await asyncio.shield(finished)
    finally:
        stopping.set()
        if not finished.done():
            await asyncio.shield(finished)  # the thread ends within STOP_CHECK_S
        thread.join()
