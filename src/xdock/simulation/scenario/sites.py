"""A generated site: an I-shaped cross-dock built from a few numbers (``generated_site``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from xdock.central.site_file.config import AreaConfig, Destination, Door, RulesConfig, SiteConfig
from xdock.protocol.identifiers import Id
from xdock.simulation.model import Temp
from xdock.simulation.scenario.distributions import _Strict


class Staging(_Strict):
    """How many staging areas of each temperature a generated site has (along the middle of the floor)."""

    ambient: Annotated[int, Field(ge=0, le=100)] = 4
    chilled: Annotated[int, Field(ge=0, le=100)] = 1
    frozen: Annotated[int, Field(ge=0, le=100)] = 0


class GeneratedSite(_Strict):
    """An I-shaped cross-dock: inbound doors along the north wall (``y = 0``), outbound doors along the south
    wall (``y = depth_m``), both rows centred, door ``D1`` first; staging areas spread along the middle."""

    id: Id = "hub"
    timezone: str = "UTC"
    inbound_doors: Annotated[int, Field(ge=1, le=500)]
    outbound_doors: Annotated[int, Field(ge=1, le=500)]
    door_spacing_m: Annotated[float, Field(gt=0, le=100)] = 4.0
    depth_m: Annotated[float, Field(gt=0, le=1000)] = 40.0
    """The distance between the inbound and the outbound wall."""
    destinations: Annotated[list[Destination], Field(min_length=1)]
    staging: Staging = Field(default_factory=Staging)
    handling_minutes: Annotated[float, Field(ge=0, le=240)] = 15.0
    rules: RulesConfig = Field(default_factory=RulesConfig)
    """The site file's ``rules`` (docs/layout.md)."""

    def build(self) -> SiteConfig:
        width = max(self.inbound_doors, self.outbound_doors) * self.door_spacing_m

        def row(count: int) -> list[float]:
            left = (width - count * self.door_spacing_m) / 2 + self.door_spacing_m / 2
            return [round(left + i * self.door_spacing_m, 2) for i in range(count)]

        doors = [Door(id=f"D{i + 1}", role="inbound", x=x, y=0.0) for i, x in enumerate(row(self.inbound_doors))]
        doors += [
            Door(id=f"D{self.inbound_doors + i + 1}", role="outbound", x=x, y=self.depth_m)
            for i, x in enumerate(row(self.outbound_doors))
        ]
        kinds: list[Temp] = []
        kinds += ["ambient"] * self.staging.ambient
        kinds += ["chilled"] * self.staging.chilled
        kinds += ["frozen"] * self.staging.frozen
        areas = [
            AreaConfig(id=f"S{i + 1}", kind="staging", x=round((i + 0.5) * width / len(kinds), 2),
                       y=self.depth_m / 2, temp=temp)
            for i, temp in enumerate(kinds)
        ]
        return SiteConfig(site=self.id, timezone=self.timezone, handling_minutes=self.handling_minutes,
                          doors=doors, areas=areas, destinations=list(self.destinations), rules=self.rules)
