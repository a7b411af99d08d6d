"""Sustained durable throughput of the edge outbox (SQLite WAL, synchronous=FULL, group commit).

    python bench/outbox.py [--count 20000] [--concurrency 1 8 64] [--dir .]

Each run records ``--count`` real scan events (encoded :class:`ScanEvent`, about 300 bytes) into a
fresh outbox in a temporary folder under ``--dir`` (default: the current folder, so the figures are
those of the disk the edge state would live on, not of a RAM-backed ``/tmp``). ``C`` recorders run
at once, like ``C`` scanners on one gateway: each waits for its scan to be on disk before recording
the next, as the agent does before the good beep. A consumer acknowledges every recorded row at
once (a broker that answers instantly), so acknowledgement commits and pruning are part of the
figure. Per run: ``events_per_s`` (recorded and durable), ``commits``, the mean and largest number of
rows per commit (``batch_mean``, ``batch_max``), and ``fsync_per_event`` (commits with new rows over
events). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from xdock.edge.outbox import Outbox
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.messages import ScanEvent, ShipToModel, encode

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def payload(seq: int) -> bytes:
    sscc = sscc_with_check_digit(f"0376130321{seq % 10_000_000:07d}")
    event = ScanEvent(
        edge_id="edge-d1", seq=seq, device_id="s1", door="D1", scanned_at=AT, sscc=sscc,
        ship_to=ShipToModel(kind="postal", value="69003"), weight_kg=412.0, max_temp_c=4.0, symbology="]C1",
        raw=f"00{sscc}\x1d42069003\x1d3301000412\x1d4330000400",
    )
    return encode(event)


async def run(folder: Path, count: int, concurrency: int) -> dict[str, float | int]:
    box = Outbox(folder / "outbox.db")
    remaining = count
    recorded: asyncio.Queue[int] = asyncio.Queue()

    async def recorder() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            seq = box.allocate()
            await box.record(seq, "xdock/v1/bench/edge/edge-d1/scan", payload(seq))
            recorded.put_nowait(seq)

    async def acknowledger() -> None:
        for _ in range(count):
            box.mark_sent(await recorded.get())

    started = time.perf_counter()
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(acknowledger())
        for _ in range(concurrency):
            tasks.create_task(recorder())
    elapsed = time.perf_counter() - started
    await box.aclose()
    sizes = box.stats.batch_sizes
    inserts = sum(sizes.values())
    return {
        "events": count,
        "seconds": round(elapsed, 3),
        "events_per_s": round(count / elapsed),
        "commits": box.stats.commits,
        "batch_mean": round(count / inserts, 2),
        "batch_max": max(sizes),
        "fsync_per_event": round(inserts / count, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="events per run (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64],
                        help="recorders at once, one run each (default: 1 8 64)")
    parser.add_argument("--dir", type=Path, default=Path("."), help="where the temporary outbox lives")
    args = parser.parse_args()
    results: dict[str, dict[str, float | int]] = {}
    for concurrency in args.concurrency:
        with tempfile.TemporaryDirectory(prefix="xdock-bench-outbox-", dir=args.dir) as folder:
            result = asyncio.run(run(Path(folder), args.count, concurrency))
        results[f"concurrency_{concurrency}"] = result
        print(f"{concurrency:>4} recorders: {result['events_per_s']:>8} events/s, "
              f"{result['batch_mean']} rows per commit (max {result['batch_max']})", flush=True)
    print(json.dumps({"outbox": results}))


if __name__ == "__main__":
    main()
