"""Site files for tests: the default site plus what a test cares about.

The default (:data:`DOORS`, :data:`DESTINATIONS`, :data:`TRAILERS`) is the smallest useful site::

    site: t
    timezone: Europe/Paris
    doors:
      - {id: D1, role: inbound, x: 0, y: 0}
      - {id: D12, role: outbound, x: 10, y: 30}
    destinations:
      - {id: LYON, name: Lyon, postal_codes: ["69*"]}
    trailers:
      - {id: T-LYON-1, door: D12, destination: LYON, capacity_pallets: 33, departure: "16:40"}

no areas, no sensors, default rules. A keyword replaces a section (``doors=[...]``); ``more_doors``,
``more_destinations`` and ``more_trailers`` add to the default one instead. The entry builders
(:func:`inbound`, :func:`outbound`, :func:`door` for role ``both``, :func:`staging`, :func:`destination`,
:func:`trailer`, :func:`sensor`) default to the default site's values: ``trailer(capacity=10)`` is
T-LYON-1 at D12 for LYON leaving 16:40 with room for 10 pallets; ``staging()`` is the ambient area S1
at (5, 15). :data:`PARIS` (``75*``) and :data:`NICE` (``06*``) are ready-made destinations,
:data:`LYON_GLN` a GLN to give LYON.

:func:`site` gives the file as a dict, :func:`site_yaml` as text, :func:`site_config` validated by
:func:`xdock.central.site_file.config.parse_site` (the path central takes), :func:`write_site` on disk for
a CLI or a subprocess. Malformed files that a test is about stay inline in that test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from xdock.central.site_file.config import SiteConfig, parse_site

__all__ = [
    "DESTINATIONS",
    "DOORS",
    "LYON_GLN",
    "NICE",
    "PARIS",
    "TRAILERS",
    "destination",
    "door",
    "inbound",
    "outbound",
    "sensor",
    "site",
    "site_config",
    "site_yaml",
    "staging",
    "trailer",
    "write_site",
]

Entry = dict[str, Any]


def door(id: str, x: float, y: float, role: str = "both") -> Entry:
    """A dock door at (``x``, ``y``) metres."""
    return {"id": id, "role": role, "x": x, "y": y}


def inbound(id: str = "D1", x: float = 0, y: float = 0) -> Entry:
    """An inbound door; by default D1 at the origin."""
    return door(id, x, y, "inbound")


def outbound(id: str = "D12", x: float = 10, y: float = 30) -> Entry:
    """An outbound door; by default D12 at (10, 30)."""
    return door(id, x, y, "outbound")


def staging(id: str = "S1", x: float = 5, y: float = 15, temp: str = "ambient",
            kind: str = "staging") -> Entry:
    """A floor area; by default the ambient staging area S1 at (5, 15)."""
    area: Entry = {"id": id, "kind": kind, "x": x, "y": y}
    if temp != "ambient":
        area["temp"] = temp
    return area


def destination(id: str = "LYON", postal_codes: Sequence[str] = ("69*",), *,
                glns: Sequence[str] = (), name: str | None = None) -> Entry:
    """A destination named ``id.title()``; by default LYON for postal codes ``69*``."""
    entry: Entry = {"id": id, "name": name or id.title()}
    if postal_codes:
        entry["postal_codes"] = list(postal_codes)
    if glns:
        entry["glns"] = list(glns)
    return entry


def trailer(id: str = "T-LYON-1", door: str = "D12", destination: str = "LYON",
            capacity: int = 33, departure: str = "16:40", *, capacity_kg: float | None = None,
            reefer: bool = False, hazmat: bool = True) -> Entry:
    """An outbound trailer; by default T-LYON-1 at D12 for LYON, 33 pallets, leaving 16:40, ambient."""
    entry: Entry = {"id": id, "door": door, "destination": destination, "capacity_pallets": capacity,
                    "departure": departure}
    if capacity_kg is not None:
        entry["capacity_kg"] = capacity_kg
    if reefer:
        entry["reefer"] = True
    if not hazmat:
        entry["accepts_hazmat"] = False
    return entry


def sensor(id: str, kind: str, **fields: object) -> Entry:
    """A dock sensor: ``trailer=``, ``area=`` or ``door=`` it watches, and ``max_c``, ``grace_s``, ``report_s``."""
    return {"id": id, "kind": kind, **fields}


LYON_GLN = "3761303211001"
"""A GLN with a valid check digit, given to LYON where a test scans labels with a GLN ship-to."""
PARIS = destination("PARIS", ["75*"])
NICE = destination("NICE", ["06*"])

DOORS: tuple[Entry, ...] = (inbound(), outbound())
"""D1 inbound at (0, 0), D12 outbound at (10, 30)."""
DESTINATIONS: tuple[Entry, ...] = (destination(),)
"""LYON for ``69*``."""
TRAILERS: tuple[Entry, ...] = (trailer(),)
"""T-LYON-1 at D12 for LYON, 33 pallets, leaving 16:40."""


def site(
    *,
    id: str = "t",
    timezone: str | None = "Europe/Paris",
    doors: Sequence[Entry] = DOORS,
    more_doors: Sequence[Entry] = (),
    areas: Sequence[Entry] = (),
    destinations: Sequence[Entry] = DESTINATIONS,
    more_destinations: Sequence[Entry] = (),
    trailers: Sequence[Entry] = TRAILERS,
    more_trailers: Sequence[Entry] = (),
    sensors: Sequence[Entry] = (),
    rules: Mapping[str, object] | None = None,
    chilled_max_c: float | None = None,
    handling_minutes: float | None = None,
    staging_dwell_minutes: float | None = None,
    gln: str | None = None,
    gs1_company_prefix_length: int | None = None,
    sscc_prefix: str | None = None,
) -> dict[str, object]:
    """The site file as a dict: the default site with the given sections replaced or extended.

    ``timezone=None`` leaves the key out (central then reads UTC); ``chilled_max_c`` goes into ``rules``.
    """
    data: dict[str, object] = {"site": id}
    if gln is not None:
        data |= {"gln": gln, "gs1_company_prefix_length": gs1_company_prefix_length}
    if sscc_prefix is not None:
        data["sscc_prefix"] = sscc_prefix
    if timezone is not None:
        data["timezone"] = timezone
    if handling_minutes is not None:
        data["handling_minutes"] = handling_minutes
    rule_set = dict(rules or {})
    if chilled_max_c is not None:
        rule_set["chilled_max_c"] = chilled_max_c
    if rule_set:
        data["rules"] = rule_set
    data["doors"] = [*doors, *more_doors]
    if areas:
        data["areas"] = list(areas)
    if destinations or more_destinations:
        data["destinations"] = [*destinations, *more_destinations]
    if trailers or more_trailers:
        data["trailers"] = [*trailers, *more_trailers]
    if sensors:
        data["sensors"] = list(sensors)
    if staging_dwell_minutes is not None:
        data["staging_dwell_minutes"] = staging_dwell_minutes
    return data


def site_yaml(**overrides: Any) -> str:
    """The site file's text (keywords as :func:`site`)."""
    return yaml.safe_dump(site(**overrides), sort_keys=False, default_flow_style=None, width=1000)


def site_config(**overrides: Any) -> SiteConfig:
    """The site validated as central reads it (keywords as :func:`site`)."""
    return parse_site(site_yaml(**overrides))


def write_site(path: Path, **overrides: Any) -> Path:
    """The site file written at ``path`` (keywords as :func:`site`); returns ``path``."""
    path.write_text(site_yaml(**overrides), encoding="utf-8")
    return path
