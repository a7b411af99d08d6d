"""Despatch advices in: how fast a 1,000-pallet DESADV is read and applied.

Usage: python bench/asn.py [--pallets 1000] [--files 5] [--postgres SERVER_URL]

Writes ``--files`` EANCOM DESADV interchanges of ``--pallets`` pallets each (two lines a pallet, a third
of them mixed between two destinations, some with dangerous goods and a temperature range), then for
each: reads it (``parse_edifact``) and applies it to a site core over a fresh store (SQLite file, or a
fresh database on ``--postgres``), one store transaction per advice. Also reads the same advices in
their JSON form. The last line printed is one JSON object: ASNs/s and pallets/s for reading, applying and
both. Figures only: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from xdock.central.site.live_site import LiveSite  # noqa: E402
from xdock.central.store.database import Store  # noqa: E402
from xdock.partners.desadv import (  # noqa: E402
    DangerousGoods,
    DespatchAdvice,
    PalletAdvice,
    TradeItemLine,
    parse_edifact,
    parse_json,
    to_edifact,
    to_json,
)
from xdock.protocol.clock import ManualClock  # noqa: E402
from xdock.protocol.gs1 import sscc_with_check_digit  # noqa: E402
from xdock.testing.partner_site import LYON_GLN, PARIS_GLN, SITE_GLN, SUPPLIER_GLN, partner_site  # noqa: E402

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
GTINS = ("4012345111118", "4012345222227", "4012345333336")


def advice(file: int, pallets: int) -> DespatchAdvice:
    made = []
    for n in range(pallets):
        sscc = sscc_with_check_digit(f"34012345{file:02d}{n:07d}")
        to = LYON_GLN if n % 2 else PARIS_GLN
        lines = [TradeItemLine(gtin=GTINS[n % 3], quantity=1 + n % 40, final_destination_gln=to)]
        lines.append(TradeItemLine(gtin=GTINS[(n + 1) % 3], quantity=2,
                                   final_destination_gln=(PARIS_GLN if to == LYON_GLN else LYON_GLN) if n % 3 == 0
                                   else to))
        made.append(PalletAdvice(
            sscc=sscc, lines=tuple(lines), gross_weight_kg=300 + n % 400,
            max_temp_c=8.0 if n % 5 == 0 else None, min_temp_c=2.0 if n % 5 == 0 else None,
            dangerous_goods=(DangerousGoods(adr_class="3", un_number="1203"),) if n % 50 == 0 else (),
        ))
    return DespatchAdvice(shipment_id=f"BENCH-{file}", issued_at=START, expected_arrival=START + timedelta(hours=2),
                          supplier_gln=SUPPLIER_GLN, consignee_gln=SITE_GLN, truck_id=f"TRUCK-{file}",
                          pallets=tuple(made))


@contextlib.contextmanager
def _store(postgres: str | None, work: Path) -> Iterator[str | Path]:
    if postgres is None:
        yield work / "central.db"
        return
    from xdock.testing.postgres import fresh_database  # noqa: PLC0415

    with fresh_database(postgres, prefix="xdock_bench_asn") as url:
        yield url


def run(pallets: int, files: int, postgres: str | None) -> dict[str, Any]:
    advices = [advice(f, pallets) for f in range(files)]
    texts = [to_edifact(a, sender_gln=SUPPLIER_GLN, recipient_gln=SITE_GLN, interchange_ref=f"B{f}",
                        prepared_at=START) for f, a in enumerate(advices)]
    documents = [json.dumps(to_json(a)) for a in advices]
    parse_s, json_s, apply_s = [], [], []
    with tempfile.TemporaryDirectory() as work, _store(postgres, Path(work)) as target:
        store = Store(target)
        try:
            site = LiveSite(partner_site(), store, ManualClock(START))
            for text, document in zip(texts, documents, strict=True):
                t0 = time.perf_counter()
                read = parse_edifact(text)
                t1 = time.perf_counter()
                parse_json(document)
                t2 = time.perf_counter()
                applied = site.apply_asn(read, source="bench", by="bench")
                t3 = time.perf_counter()
                if applied.pallets != pallets or applied.copy:
                    raise SystemExit(f"advice {read.shipment_id}: {applied.pallets} pallets applied"
                                     f" (applied before: {applied.copy})")
                parse_s.append(t1 - t0)
                json_s.append(t2 - t1)
                apply_s.append(t3 - t2)
            announced = len(site.state.announced)
        finally:
            store.close()
    both = [p + a for p, a in zip(parse_s, apply_s, strict=True)]
    return {
        "pallets_per_file": pallets, "files": files, "edifact_bytes": len(texts[0]),
        "store": "postgresql" if postgres else "sqlite", "announced": announced,
        "read_edifact_s_median": round(sorted(parse_s)[files // 2], 4),
        "read_json_s_median": round(sorted(json_s)[files // 2], 4),
        "apply_s_median": round(sorted(apply_s)[files // 2], 4),
        "asns_per_s": round(files / sum(both), 2),
        "pallets_per_s": round(files * pallets / sum(both)),
        "pallets_per_s_read_only": round(files * pallets / sum(parse_s)),
        "pallets_per_s_apply_only": round(files * pallets / sum(apply_s)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pallets", type=int, default=1000)
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--postgres", metavar="SERVER_URL", help="apply to a fresh database on this server")
    args = parser.parse_args()
    print(json.dumps(run(args.pallets, args.files, args.postgres)))


if __name__ == "__main__":
    main()
