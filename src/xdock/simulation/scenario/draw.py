"""Drawing a scenario's :class:`~xdock.simulation.model.Day` from a seed: three independent random streams
(inbound trucks, outbound trailers, disturbances) so that variants of a scenario see the same trucks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from xdock.simulation.model import Co2Factors, Day, Disturbance, Fleet, OutboundTrailer
from xdock.simulation.scenario.errors import ScenarioError
from xdock.simulation.scenario.inbound import _InboundDrawing
from xdock.simulation.scenario.schema import (
    CentralUnreachable,
    DoorClosed,
    OutboundGenerate,
    ReeferFailure,
    Rolling,
    SupplierShift,
    VolumePeak,
)
from xdock.simulation.scenario.streams import _weights


class _Drawing(_InboundDrawing):
    """One draw of a scenario: its trucks, its trailers and its disturbances, as a Day."""

    def day(self) -> Day:
        s = self.s
        trucks = self._shift(self._generated_trucks() + self._listed_trucks())
        trailers = self._generated_trailers() + [
            OutboundTrailer(id=t.id, destination=t.destination, arrival_min=t.arrival_min,
                            departure_min=t.departure_min, capacity=t.capacity, reefer=t.reefer,
                            accepts_hazmat=t.accepts_hazmat)
            for t in s.outbound.trailers if t.arrival_min < self.horizon
        ]
        trailers.sort(key=lambda t: (t.arrival_min, t.id))
        trucks.sort(key=lambda t: (t.arrival_min, t.id))
        return Day(
            scenario=s.name, seed=self.seed, start=s.start_at, horizon_min=self.horizon, site=self.site,
            fleet=Fleet(forklifts=s.forklifts.count, speed_m_per_s=s.forklifts.speed_m_per_s,
                        handle_s=s.forklifts.handle_s, unload_s=s.forklifts.unload_s,
                        dock_apron=s.forklifts.dock_apron),
            co2=Co2Factors(kg_per_forklift_km=s.co2.kg_per_forklift_km,
                           kg_per_trailer_departure=s.co2.kg_per_trailer_departure),
            trucks=tuple(trucks), trailers=tuple(trailers), disturbances=self._disturbances(trailers),
        )


    # -- outbound --------------------------------------------------------------------------------

    def _generated_trailers(self) -> list[OutboundTrailer]:
        gen = self.s.outbound.generate
        if gen is None:
            return []
        rng = self.outbound
        taken = {t.id for t in self.s.outbound.trailers}
        numbers: dict[str, int] = {}
        trailers = []
        for dest, drawn_arrival, scheduled, sized_reefer in self._departures(gen):
            arrival = max(0.0, drawn_arrival)
            if arrival >= self.horizon:
                continue
            departure = max(scheduled, arrival + 1.0)
            capacity = max(1, round(float(gen.capacity.sample(rng, 1)[0])))
            drawn_reefer = bool(rng.random() < gen.reefer_share)
            reefer = drawn_reefer if sized_reefer is None else sized_reefer
            hazmat = bool(rng.random() < gen.hazmat_share)
            trailer_id = ""
            while not trailer_id or trailer_id in taken:
                numbers[dest] = numbers.get(dest, 0) + 1
                trailer_id = f"{dest[:56]}-{numbers[dest]:03d}"
            trailers.append(OutboundTrailer(id=trailer_id, destination=dest, arrival_min=arrival,
                                            departure_min=departure, capacity=capacity, reefer=reefer,
                                            accepts_hazmat=hazmat))
        return trailers

    def _departures(self, gen: OutboundGenerate) -> list[tuple[str, float, float, bool | None]]:
        """(destination, arrival, departure, reefer) of each generated trailer, in drawing order (outbound
        stream); ``reefer`` is ``None`` where ``reefer_share`` draws it."""
        rng = self.outbound
        departures: list[tuple[str, float, float, bool | None]] = []
        if gen.interarrival_min is not None:
            ids, w = _weights(gen.destinations, list(self.dests))
            t = 0.0
            while True:
                t += float(gen.interarrival_min.sample(rng, 1)[0])
                if t >= self.horizon:
                    break
                dest = ids[int(rng.choice(len(ids), p=w))]
                departures.append((dest, t, t + float(gen.dwell_min.sample(rng, 1)[0]), None))
        elif gen.rolling is not None:
            cold = self._cold_share() if gen.rolling.reefers == "cold_volume" else None
            for dest in _weights(gen.destinations, list(self.dests))[0]:
                streams: list[tuple[float, bool | None]] = [(1.0, None)] if cold is None else [
                    (1.0 - cold, False), (cold, True)]
                for share, reefer in streams:
                    if share <= 0:
                        continue
                    departures.extend((dest, dep - float(gen.dwell_min.sample(rng, 1)[0]), dep, reefer)
                                      for dep in self._rolling(gen.rolling, dest, _mean_capacity(gen), share))
        else:
            assert gen.timetable is not None
            for dest, times in gen.timetable.items():
                departures.extend((dest, dep - float(gen.dwell_min.sample(rng, 1)[0]), dep, None)
                                  for dep in self._timetable(times))
        return departures

    def _cold_share(self) -> float:
        """The share of generated pallets that are chilled or frozen."""
        gen = self.s.inbound.generate
        assert gen is not None
        total = sum(gen.temperature.values())
        return (gen.temperature.get("chilled", 0.0) + gen.temperature.get("frozen", 0.0)) / total if total else 0.0

    def _rolling(self, rolling: Rolling, dest: str, capacity: float, volume: float = 1.0) -> Iterator[float]:
        """Departures for ``dest`` sized from ``volume`` (a share) of its expected pallets."""
        gen = self.s.inbound.generate
        assert gen is not None
        weights = _weights(gen.destinations, list(self.dests))
        share = float(weights[1][weights[0].index(dest)]) if dest in weights[0] else 0.0
        per_min = volume * share * gen.pallets_per_truck.mean / gen.interarrival_min.mean
        headway0 = self._headway(rolling, per_min, capacity, rolling.first_departure_min)
        dep = rolling.first_departure_min + float(self.outbound.uniform(0, headway0))
        while dep <= self.horizon:
            yield dep
            dep += self._headway(rolling, per_min, capacity, dep)

    def _headway(self, rolling: Rolling, per_min: float, capacity: float, t: float) -> float:
        """Minutes until the pallets expected for a destination from ``t`` fill ``1 / cover`` of a trailer."""
        need = capacity / rolling.cover
        t0 = t
        while need > 0 and t < self.horizon + rolling.max_headway_min:
            factor, until = self._rate(t)
            until = min(until, t + rolling.max_headway_min)
            rate = per_min * factor
            if rate > 0 and need <= (until - t) * rate:
                t += need / rate
                break
            need -= (until - t) * rate
            t = until
        return min(max(t - t0, 1.0), rolling.max_headway_min)

    def _timetable(self, times: list[time]) -> Iterator[float]:
        first = self.s.start.date()
        last = (self.start_utc + timedelta(minutes=self.horizon)).astimezone(self.zone).date()
        day = first
        found = []
        while day <= last:
            for at in times:
                leaving = datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)
                minute = (leaving - self.start_utc).total_seconds() / 60
                if 0 < minute <= self.horizon:
                    found.append(minute)
            day += timedelta(days=1)
        return iter(sorted(found))

    # -- disturbances ----------------------------------------------------------------------------

    def _disturbances(self, trailers: list[OutboundTrailer]) -> tuple[Disturbance, ...]:
        out: list[Disturbance] = []
        present = {t.id for t in trailers}
        for i, d in enumerate(self.s.disturbances):
            if isinstance(d, SupplierShift) or d.start_min >= self.horizon:
                continue
            if isinstance(d, ReeferFailure) and d.trailer is not None and d.trailer not in present:
                continue  # its listed trailer arrives after a shortened horizon
            end = min(d.end_min, self.horizon)
            if isinstance(d, DoorClosed):
                out.append(Disturbance(kind="door_closed", start_min=d.start_min, end_min=end, target=d.door))
            elif isinstance(d, CentralUnreachable):
                out.append(Disturbance(kind="central_unreachable", start_min=d.start_min, end_min=end))
            elif isinstance(d, VolumePeak):
                out.append(Disturbance(kind="volume_peak", start_min=d.start_min, end_min=end, factor=d.factor))
            else:
                out.append(Disturbance(kind="reefer_failure", start_min=d.start_min, end_min=end,
                                       target=d.trailer or self._reefer_at(i, d, trailers)))
        return tuple(out)

    def _reefer_at(self, i: int, d: ReeferFailure, trailers: list[OutboundTrailer]) -> str:
        reefers = [t for t in trailers if t.reefer and t.destination == d.destination and t.departure_min > d.start_min]
        docked = [t for t in reefers if t.arrival_min <= d.start_min]
        chosen = docked[0] if docked else min(reefers, key=lambda t: t.arrival_min, default=None)
        if chosen is None:
            raise ScenarioError(f"{self.s.name}: disturbances[{i}].destination: no reefer trailer to "
                                f"{d.destination!r} is at the site after minute {d.start_min:g} (seed {self.seed})")
        return chosen.id


def _mean_capacity(gen: OutboundGenerate) -> float:
    return max(1.0, gen.capacity.mean)
