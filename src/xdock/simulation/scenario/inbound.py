"""Drawing the inbound trucks of a day: arrivals by a renewal process, their pallets, SSCCs and postal codes,
and the suppliers' early or late shifts."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import numpy as np

from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.messages import ShipToModel
from xdock.protocol.routing import match_destination
from xdock.simulation.model import InboundTruck, PalletPlan, Temp
from xdock.simulation.scenario.errors import ScenarioError
from xdock.simulation.scenario.schema import InboundGenerate, SupplierShift
from xdock.simulation.scenario.streams import _DrawState, _weights


class _InboundDrawing(_DrawState):
    """The inbound trucks of one draw (inbound stream; the disturbances stream shifts them)."""

    def _rate(self, t: float) -> tuple[float, float]:
        """The arrival-rate factor at minute ``t`` and the minute it next may change."""
        gen = self.s.inbound.generate
        assert gen is not None
        factor, until = 1.0, math.inf
        if gen.rate_by_hour is not None:
            local = (self.start_utc + timedelta(minutes=t)).astimezone(self.zone)
            factor = gen.rate_by_hour[local.hour]
            until = t + 60.0 - (local.minute + local.second / 60 + local.microsecond / 60e6)
        for peak in self.peaks:
            if peak.start_min <= t < peak.end_min:
                factor *= peak.factor
                until = min(until, peak.end_min)
            elif t < peak.start_min:
                until = min(until, peak.start_min)
        return factor, until

    def _arrivals(self, gen: InboundGenerate) -> Iterator[float]:
        """Arrival minutes: interarrival draws are spent at the current rate factor (time runs faster)."""
        t = gen.first_arrival_min
        gaps: Iterator[float] = iter(())
        while True:
            gap = next(gaps, None)
            if gap is None:
                gaps = iter(gen.interarrival_min.sample(self.inbound, 256).tolist())
                continue
            while True:
                factor, until = self._rate(t)
                if t >= self.horizon:
                    return
                if factor > 0 and gap <= (until - t) * factor:
                    t += gap / factor
                    break
                gap -= (until - t) * factor
                t = until
            if t >= self.horizon:
                return
            yield t

    def _generated_trucks(self) -> list[InboundTruck]:
        gen = self.s.inbound.generate
        if gen is None:
            return []
        rng = self.inbound
        dest_ids, dest_w = _weights(gen.destinations, list(self.dests))
        temps: list[Temp] = [k for k in ("ambient", "chilled", "frozen") if gen.temperature.get(k, 0) > 0]
        temp_w = np.array([gen.temperature[k] for k in temps])
        temp_w /= temp_w.sum()
        taken = {t.id for t in self.s.inbound.trucks}
        trucks: list[InboundTruck] = []
        number = 0
        for arrival in self._arrivals(gen):
            number += 1
            truck_id = f"{gen.truck_prefix}-{number:05d}"
            while truck_id in taken:
                number += 1
                truck_id = f"{gen.truck_prefix}-{number:05d}"
            count = max(1, round(float(gen.pallets_per_truck.sample(rng, 1)[0])))
            supplier = gen.suppliers[int(rng.integers(len(gen.suppliers)))]
            where = rng.choice(len(dest_ids), size=count, p=dest_w)
            dues = arrival + gen.due_min.sample(rng, count)
            temp = rng.choice(len(temps), size=count, p=temp_w)
            dangerous = rng.random(count) < gen.dangerous_share
            classes = rng.integers(len(gen.dangerous_classes), size=count)
            pallets = tuple(
                PalletPlan(sscc=self._sscc(), destination=dest_ids[w], postal_code=self._postal(dest_ids[w]),
                           due_min=float(due), temp=temps[k],
                           dangerous=gen.dangerous_classes[c] if dg else None)
                for w, due, k, dg, c in zip(where.tolist(), dues.tolist(), temp.tolist(), dangerous.tolist(),
                                            classes.tolist(), strict=True)
            )
            trucks.append(InboundTruck(id=truck_id, arrival_min=arrival, pallets=pallets, supplier=supplier))
        return trucks

    def _listed_trucks(self) -> list[InboundTruck]:
        return [
            InboundTruck(
                id=t.id, arrival_min=t.arrival_min, supplier=t.supplier,
                pallets=tuple(
                    PalletPlan(sscc=p.sscc or self._sscc(), destination=p.destination,
                               postal_code=p.postal_code or self._postal(p.destination), due_min=p.due_min,
                               temp=p.temp, dangerous=p.dangerous)
                    for p in t.pallets
                ),
            )
            for t in self.s.inbound.trucks if t.arrival_min < self.horizon
        ]

    def _sscc(self) -> str:
        while True:
            self.serial += 1
            if self.serial >= 10**self.serial_digits:
                raise ScenarioError(f"{self.s.name}: sscc_company_prefix: {self.s.sscc_company_prefix!r} leaves "
                                    f"{self.serial_digits} digits of serial number, too few for this many pallets")
            sscc = sscc_with_check_digit(f"0{self.s.sscc_company_prefix}{self.serial:0{self.serial_digits}d}")
            if sscc not in self.taken_ssccs:
                return sscc

    def _postal(self, dest_id: str) -> str:
        """A postal code of ``dest_id`` that the site routes to it (inbound stream)."""
        patterns = self.dests[dest_id].postal_codes
        length = self.s.postal_code_length
        for _ in range(100):
            pattern = patterns[int(self.inbound.integers(len(patterns)))]
            if pattern.endswith("*"):
                prefix = pattern[:-1]
                fill = max(0, length - len(prefix))
                code = prefix + (f"{int(self.inbound.integers(10**fill)):0{fill}d}" if fill else "")
            else:
                code = pattern
            routed = self.routed.get(code, "?")
            if routed == "?":
                match = match_destination(ShipToModel(kind="postal", value=code), self.site.destinations)
                routed = self.routed[code] = match.id if match is not None else None
            if routed == dest_id:
                return code
        raise ScenarioError(f"{self.s.name}: site destination {dest_id!r}: none of its postal codes "
                            f"{patterns} drawn {length} long is routed to it (another destination's is more precise)")

    def _shift(self, trucks: list[InboundTruck]) -> list[InboundTruck]:
        rng = self.disturbing
        scheduled = {t.id: t.arrival_min for t in trucks}
        for shift in self.s.disturbances:
            if not isinstance(shift, SupplierShift):
                continue
            sign = -1.0 if shift.kind == "supplier_early" else 1.0
            out = []
            for truck in trucks:
                hit = shift.start_min <= scheduled[truck.id] < shift.end_min and (
                    truck.supplier == shift.supplier if shift.share is None else rng.random() < shift.share
                )
                if hit:
                    moved = max(0.0, truck.arrival_min + sign * float(shift.shift_min.sample(rng, 1)[0]))
                    out.append(replace(truck, arrival_min=moved))
                else:
                    out.append(truck)
            trucks = [t for t in out if t.arrival_min < self.horizon]
        return trucks

