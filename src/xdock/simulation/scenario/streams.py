"""The state of one draw of a scenario: its three random streams (inbound trucks, outbound trailers,
disturbances: variants of a scenario see the same trucks), its serial numbers, and what it reads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np

from xdock.central.site_file.config import SiteConfig
from xdock.simulation.scenario.schema import Co2, DisturbanceSpec, Forklifts, InboundSpec, OutboundSpec, VolumePeak

_STREAM_INBOUND, _STREAM_OUTBOUND, _STREAM_DISTURBANCES = 1, 2, 3


Floats = np.ndarray[Any, np.dtype[np.float64]]


def _weights(mapping: Mapping[str, float] | None, ids: list[str]) -> tuple[list[str], Floats]:
    if mapping is None:
        return ids, np.full(len(ids), 1.0 / len(ids))
    keys = [k for k in ids if mapping.get(k, 0) > 0]
    w = np.array([mapping[k] for k in keys], dtype=np.float64)
    return keys, w / w.sum()


class _Drawable(Protocol):
    """What a draw reads of a :class:`~.definition.Scenario` (which itself draws through :class:`~.draw._Drawing`)."""

    @property
    def name(self) -> str: ...
    @property
    def start(self) -> datetime: ...
    @property
    def horizon_hours(self) -> float: ...
    @property
    def forklifts(self) -> Forklifts: ...
    @property
    def co2(self) -> Co2: ...
    @property
    def sscc_company_prefix(self) -> str: ...
    @property
    def postal_code_length(self) -> int: ...
    @property
    def inbound(self) -> InboundSpec: ...
    @property
    def outbound(self) -> OutboundSpec: ...
    @property
    def disturbances(self) -> list[DisturbanceSpec]: ...
    @property
    def site_config(self) -> SiteConfig: ...
    @property
    def zone(self) -> ZoneInfo: ...
    @property
    def start_at(self) -> datetime: ...



class _DrawState:
    """One draw of a scenario: its three random streams and its serial numbers."""

    def __init__(self, scenario: _Drawable, seed: int) -> None:
        self.s = scenario
        self.seed = seed
        self.site = scenario.site_config
        self.horizon = scenario.horizon_hours * 60.0
        self.inbound = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _STREAM_INBOUND])))
        self.outbound = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _STREAM_OUTBOUND])))
        self.disturbing = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _STREAM_DISTURBANCES])))
        self.dests = {d.id: d for d in self.site.destinations}
        self.taken_ssccs = {p.sscc for t in scenario.inbound.trucks for p in t.pallets if p.sscc}
        self.serial = 0
        self.serial_digits = 16 - len(scenario.sscc_company_prefix)
        self.routed: dict[str, str | None] = {}
        self.start_utc = scenario.start_at.astimezone(UTC)
        self.zone = scenario.zone
        self.peaks = [d for d in scenario.disturbances if isinstance(d, VolumePeak)]

