"""A scripted stream of inbound trucks: each parks at an inbound door and its pallets are scanned one by one."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from xdock.simulators.pallet_labels import LabelFactory, SimLabel

__all__ = ["Truck", "TruckScan", "truck_scans"]


@dataclass(frozen=True)
class Truck:
    number: int
    door: str
    pallets: int


@dataclass(frozen=True)
class TruckScan:
    truck: Truck
    index: int
    label: SimLabel


def truck_scans(
    rng: random.Random, labels: LabelFactory, doors: Sequence[str], *, min_pallets: int = 8, max_pallets: int = 26,
    trucks: int | None = None,
) -> Iterator[TruckScan]:
    """Trucks arrive at the inbound ``doors`` in turn; yields every pallet scan of every truck.

    Endless unless ``trucks`` bounds it.
    """
    if not doors:
        raise ValueError("truck_scans needs at least one inbound door")
    if not 1 <= min_pallets <= max_pallets:
        raise ValueError(f"Invalid pallets per truck {min_pallets}..{max_pallets}")
    number = 0
    while trucks is None or number < trucks:
        number += 1
        truck = Truck(number, doors[(number - 1) % len(doors)], rng.randint(min_pallets, max_pallets))
        for index in range(truck.pallets):
            yield TruckScan(truck, index, labels.next())
