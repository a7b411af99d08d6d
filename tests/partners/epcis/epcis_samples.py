"""Shared by the EPCIS tests: a small site, its pallets and steps, the GS1 schema's validator, and strategies."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from hypothesis import strategies as st

from xdock.partners.epcis import Reading, SiteIdentity, Step, epcis_document
from xdock.protocol.gs1 import sscc_with_check_digit

DATA = Path(__file__).parent / "data"
CET = timezone(timedelta(hours=1))
CREATED = datetime(2024, 3, 5, 12, 0, tzinfo=CET)

SITE = SiteIdentity("0614141000012", 7)
"""GLN 0614141 00001 2: company prefix 0614141, location reference 00001."""
SITE_SGLN = "urn:epc:id:sgln:0614141.00001.0"

P1, P2, P3 = "106141412345678908", "106141412345678915", "106141412345678922"
C1, C2 = "306141412345678933", "306141412345678940"
"""Pallets P1-P3; C1 and C2 made from P1 in a breakdown."""


def dl(sscc: str) -> str:
    return f"https://id.gs1.org/00/{sscc}"


def step(kind: str, **fields: Any) -> Step:
    """A step of ``kind`` at 08:15 CET, at door D-1, of P1 and P2, ``fields`` replacing any of that."""
    values: dict[str, Any] = {
        "source": f"lyon-nord/event/{kind}", "kind": kind, "at": datetime(2024, 3, 5, 8, 15, tzinfo=CET),
        "ssccs": (P1, P2), "location": "D-1",
    }
    if kind in ("loading", "departing"):
        values["trailer"] = "TR-7"
    if kind == "breakdown":
        values |= {"ssccs": (P1,), "children": (C1, C2), "location": "BD-1"}
    return Step(**(values | fields))


@cache
def _validator() -> jsonschema_rs.Draft7Validator:
    schema = json.loads((DATA / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    return jsonschema_rs.Draft7Validator(schema, validate_formats=True)


def schema_errors(events: list[dict[str, Any]]) -> list[str]:
    """What GS1's schema finds wrong with ``events`` wrapped in a document (nothing, for a valid one)."""
    document = epcis_document(events, created=CREATED)
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in _validator().iter_errors(document)]


@cache
def context_words(*path: str) -> frozenset[str]:
    """The bare words GS1's JSON-LD context maps for the term at ``path`` (``"bizTransactionList", "type"``)."""
    node = json.loads((DATA / "epcis-context.jsonld").read_text(encoding="utf-8"))
    for term in path:
        node = node["@context"][term]
    return frozenset(node["@context"])


ssccs = st.from_regex(r"[0-9]{17}", fullmatch=True).map(sscc_with_check_digit)
ids = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True).filter(lambda text: text != "0")
offsets = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
times = st.builds(
    lambda moment, tz: moment.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    offsets,
)
readings = st.builds(Reading, ids, times, st.floats(-40, 60, allow_nan=False).map(lambda c: round(c, 2)))


@st.composite
def steps(draw: st.DrawFn) -> Step:
    """Any valid step of any kind."""
    kind = draw(st.sampled_from(["receiving", "staging", "loading", "departing", "breakdown"]))
    pallets = draw(st.lists(ssccs, min_size=2, max_size=6, unique=True))
    fields: dict[str, Any] = {
        "source": draw(st.text(min_size=1, max_size=30)), "kind": kind, "at": draw(times),
        "ssccs": tuple(pallets), "location": draw(ids), "readings": tuple(draw(st.lists(readings, max_size=3))),
        "truck": draw(st.none() | ids), "shipment_id": draw(st.none() | ids),
    }
    if kind in ("loading", "departing"):
        fields["trailer"] = draw(ids)
    if kind == "breakdown":
        fields |= {"ssccs": tuple(pallets[:1]), "children": tuple(pallets[1:])}
    return Step(**fields)
