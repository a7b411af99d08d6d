"""The store's advance shipping notices (see :mod:`xdock.central.site.asns`): rows, reads and writes.

Part of :class:`~xdock.central.store.database.Store` (reads) and
:class:`~xdock.central.store.database.Transaction` (writes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from xdock.central.store.connection import Connection

__all__ = ["AnnouncedLine", "AnnouncedPalletRow", "AsnReads", "AsnRow", "AsnWrites"]


@dataclass(frozen=True)
class AsnRow:
    """A despatch advice applied: its key is ``supplier_gln/shipment_id``."""

    id: str
    supplier_gln: str
    shipment_id: str
    digest: str
    """SHA-256 of the advice as read: the same advice sent again has the same digest."""
    truck: str
    """The inbound truck it announced pallets on."""
    received_at: datetime
    source: str
    """Where it came from: ``api``, or ``folder:<file name>``."""
    document: dict[str, Any]
    """The advice as JSON (:func:`xdock.partners.desadv.to_json`)."""


@dataclass(frozen=True)
class AnnouncedLine:
    """One trade item line of an announced pallet."""

    gtin: str
    quantity: int
    best_before: date | None
    destination: str | None
    """The site's destination its goods go to (``None``: a GLN the site does not serve)."""


@dataclass(frozen=True)
class AnnouncedPalletRow:
    """What an advance shipping notice says of one pallet, in the site's terms."""

    sscc: str
    asn: str
    truck: str
    destinations: tuple[str, ...]
    """The site's destinations its lines go to: one for a pallet of one destination, several for a mixed one."""
    temp: Literal["ambient", "chilled", "frozen"]
    hazmat: str | None
    """Its dangerous-goods class (of several, the first the site's segregation rules name, else the first),
    ``None``: none."""
    un_numbers: tuple[str, ...]
    best_before: date | None
    """The earliest best-before of its lines."""
    weight_kg: float | None
    lines: tuple[AnnouncedLine, ...]
    mismatch: dict[str, list[str | None]] | None = None
    """Where its label, once scanned, disagreed with the advice: field → ``[label, advice]``."""
    parent: str | None = None
    """The mixed pallet it was split from (:mod:`xdock.central.site.breakdown`), ``None`` for an announced one."""

    @property
    def mixed(self) -> bool:
        return len(self.destinations) > 1


_ASN = "SELECT id, supplier_gln, shipment_id, digest, truck, received_at, source, document FROM asns"
_PALLET = ("SELECT sscc, asn, truck, destinations, temp, hazmat, un_numbers, best_before, weight_kg, lines,"
           " mismatch, parent FROM asn_pallets")


class AsnReads:
    """The advance shipping notices, read."""

    _db: Connection

    def asns(self) -> list[AsnRow]:
        """Every advice applied, oldest first."""
        return [_asn(r) for r in self._db.execute(_ASN + " ORDER BY received_at, id").fetchall()]

    def asn(self, asn_id: str) -> AsnRow | None:
        row = self._db.execute(_ASN + " WHERE id = ?", (asn_id,)).fetchone()
        return None if row is None else _asn(row)

    def announced_pallets(self) -> list[AnnouncedPalletRow]:
        """Every pallet an advice announced."""
        return [_announced(r) for r in self._db.execute(_PALLET + " ORDER BY truck, sscc").fetchall()]


class AsnWrites:
    """The advance shipping notices, written within a transaction."""

    _db: Connection

    def put_asn(self, row: AsnRow, pallets: list[AnnouncedPalletRow]) -> None:
        """Add an advice and its pallets (an SSCC announced before is refused by the table's key)."""
        self._db.execute(
            "INSERT INTO asns (id, supplier_gln, shipment_id, digest, truck, received_at, source, document)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (row.id, row.supplier_gln, row.shipment_id, row.digest, row.truck, row.received_at.isoformat(),
             row.source, json.dumps(row.document, sort_keys=True)),
        )
        self.put_announced(pallets)

    def put_announced(self, pallets: list[AnnouncedPalletRow]) -> None:
        """Announce ``pallets``: an advice's, or the child pallets a split made (each names its parent)."""
        self._db.executemany(
            "INSERT INTO asn_pallets (sscc, asn, truck, destinations, temp, hazmat, un_numbers, best_before,"
            " weight_kg, lines, parent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*_announced_values(p), p.parent) for p in pallets])

    def put_asn_mismatches(self, mismatches: list[tuple[str, dict[str, list[str | None]]]]) -> None:
        """Keep, for each announced pallet (SSCC), where its scanned label disagreed with its advice."""
        if mismatches:
            self._db.executemany("UPDATE asn_pallets SET mismatch = ? WHERE sscc = ?",
                                 [(json.dumps(m, sort_keys=True), sscc) for sscc, m in mismatches])


def _announced_values(p: AnnouncedPalletRow) -> tuple[Any, ...]:
    return (p.sscc, p.asn, p.truck, json.dumps(list(p.destinations)), p.temp, p.hazmat, json.dumps(list(p.un_numbers)),
            p.best_before.isoformat() if p.best_before else None, p.weight_kg,
            json.dumps([_line_json(x) for x in p.lines]))


def _line_json(line: AnnouncedLine) -> dict[str, Any]:
    return {"gtin": line.gtin, "quantity": line.quantity,
            "best_before": line.best_before.isoformat() if line.best_before else None, "destination": line.destination}


def _asn(r: tuple[Any, ...]) -> AsnRow:
    return AsnRow(id=r[0], supplier_gln=r[1], shipment_id=r[2], digest=r[3], truck=r[4],
                  received_at=datetime.fromisoformat(r[5]), source=r[6], document=json.loads(r[7]))


def _announced(r: tuple[Any, ...]) -> AnnouncedPalletRow:
    lines = tuple(
        AnnouncedLine(x["gtin"], int(x["quantity"]), date.fromisoformat(x["best_before"]) if x["best_before"] else None,
                      x["destination"])
        for x in json.loads(r[9])
    )
    return AnnouncedPalletRow(
        sscc=r[0], asn=r[1], truck=r[2], destinations=tuple(json.loads(r[3])), temp=r[4], hazmat=r[5],
        un_numbers=tuple(json.loads(r[6])), best_before=date.fromisoformat(r[7]) if r[7] else None,
        weight_kg=r[8], lines=lines, mismatch=json.loads(r[10]) if r[10] else None, parent=r[11],
    )
