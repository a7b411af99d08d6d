"""Scenario files: what a simulated day is made of, and how a seed turns one into a :class:`~.model.Day`.

A scenario is a YAML file (the shipped ones are in ``xdock/simulation/scenarios/``; ``docs/simulation.md``
has the table of every field)::

    name: normal-day
    start: "2026-11-23 00:00"            # local time of the site
    horizon_hours: 24
    generated_site: {id: hub-100, inbound_doors: 40, outbound_doors: 60, destinations: [...]}
    forklifts: {count: 30, speed_m_per_s: 2.0, handle_s: 15}
    inbound:
      generate:
        interarrival_min: {uniform: [1.25, 3.25]}
        pallets_per_truck: {uniform_int: [17, 33]}
        due_min: {uniform: [180, 1440]}
    outbound:
      generate: {capacity: 33, dwell_min: {uniform: [45, 120]}, rolling: {cover: 1.25}}
    disturbances:
      - {kind: central_unreachable, start_min: 600, end_min: 630}

The site is a site file (``site_file``, relative to the scenario), an inline site (``site``) or a generated
one (``generated_site``). Trucks and trailers are generated, listed, or both. ``extends: NAME`` starts from
another scenario (a shipped name or a path) and overrides what this one sets (mappings merge, lists replace).

Distributions are one-key mappings: ``{constant: 26}`` (or a bare number), ``{exponential: MEAN}``,
``{uniform: [LOW, HIGH]}``, ``{uniform_int: [LOW, HIGH]}`` (whole numbers, both ends included),
``{triangular: [LOW, MODE, HIGH]}``. Every value a distribution gives is a duration or a count, so none is
negative.

A bad file is refused with :class:`ScenarioError`, naming the file, the field path and the bad value
(``normal.yaml: inbound.generate.interarrival_min: unknown distribution 'weibull' (known: constant,
exponential, triangular, uniform, uniform_int)``).

Drawing (:meth:`Scenario.draw`) is deterministic: the seed feeds three independent streams (numpy PCG64), one
for the inbound trucks, one for the outbound trailers, one for the disturbances, so that two policies, or a
scenario and a variant of it that only adds disturbances, see the same trucks (common random numbers).

The package: :mod:`.errors` (:class:`ScenarioError`), :mod:`.distributions`, :mod:`.schema` and :mod:`.sites`
(the parts of a file), :mod:`.definition` (:class:`Scenario`), :mod:`.draw` (a seed to a Day), :mod:`.listing`
(a Day back to a scenario) and :mod:`.loading` (files, ``extends``, the shipped scenarios).
"""

from __future__ import annotations

from xdock.simulation.scenario.definition import Scenario
from xdock.simulation.scenario.distributions import Distribution
from xdock.simulation.scenario.errors import ScenarioError
from xdock.simulation.scenario.listing import day_as_scenario
from xdock.simulation.scenario.loading import load_scenario, parse_scenario, shipped_scenarios
from xdock.simulation.scenario.schema import DEFAULT_KG_CO2E_PER_FORKLIFT_KM, DEFAULT_KG_CO2E_PER_TRAILER_DEPARTURE

__all__ = [
    "DEFAULT_KG_CO2E_PER_FORKLIFT_KM",
    "DEFAULT_KG_CO2E_PER_TRAILER_DEPARTURE",
    "Distribution",
    "Scenario",
    "ScenarioError",
    "day_as_scenario",
    "load_scenario",
    "parse_scenario",
    "shipped_scenarios",
]
