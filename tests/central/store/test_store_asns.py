"""The store's advance shipping notices: advices and their pallets round-trip, an SSCC is announced once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from xdock.central.store.database import AnnouncedLine, AnnouncedPalletRow, AsnRow, Store, StoreError

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SSCC_1, SSCC_2, SSCC_3 = "376130321109103420", "376130321109103437", "376130321109103444"
DOCUMENT = {"shipment_id": "SHP-1", "pallets": [{"sscc": SSCC_1, "gross_weight_kg": 412.5}, {"sscc": SSCC_2}]}


def _asn(shipment: str = "SHP-1", at: datetime = AT) -> AsnRow:
    return AsnRow(id=f"4012345000009/{shipment}", supplier_gln="4012345000009", shipment_id=shipment,
                  digest="ab" * 32, truck="IN-1", received_at=at, source="folder:shp.edi", document=DOCUMENT)


def _pallet(sscc: str, asn: str = "4012345000009/SHP-1") -> AnnouncedPalletRow:
    return AnnouncedPalletRow(
        sscc=sscc, asn=asn, truck="IN-1", destinations=("LYON", "PARIS"), temp="chilled", hazmat="5.1",
        un_numbers=("1942", "3356"), best_before=date(2026, 12, 1), weight_kg=412.5,
        lines=(AnnouncedLine("4012345111118", 24, date(2026, 12, 1), "LYON"),
               AnnouncedLine("4012345222227", 12, None, "PARIS")),
    )


def test_an_advice_and_its_pallets_round_trip(store_at: str) -> None:
    plain = AnnouncedPalletRow(sscc=SSCC_2, asn=_asn().id, truck="IN-1", destinations=(), temp="ambient",
                               hazmat=None, un_numbers=(), best_before=None, weight_kg=None, lines=())
    store = Store(store_at)
    with store.transaction() as tx:
        tx.put_asn(_asn(), [_pallet(SSCC_1), plain])
    store.close()
    store = Store(store_at)
    assert store.asns() == [_asn()]
    assert (store.asn(_asn().id), store.asn("4012345000009/SHP-9")) == (_asn(), None)
    assert store.announced_pallets() == [_pallet(SSCC_1), plain]
    assert store.announced_pallets()[0].mixed
    store.close()


def test_advices_are_listed_oldest_first(store_at: str) -> None:
    store = Store(store_at)
    with store.transaction() as tx:
        tx.put_asn(_asn("SHP-2", AT.replace(hour=9)), [_pallet(SSCC_2, "4012345000009/SHP-2")])
        tx.put_asn(_asn("SHP-1"), [_pallet(SSCC_1)])
    assert [a.shipment_id for a in store.asns()] == ["SHP-1", "SHP-2"]
    store.close()


def test_a_labels_disagreement_is_kept_with_its_pallet(store_at: str) -> None:
    store = Store(store_at)
    with store.transaction() as tx:
        tx.put_asn(_asn(), [_pallet(SSCC_1), _pallet(SSCC_2)])
    mismatch: dict[str, list[str | None]] = {"temp": ["ambient", "chilled"], "destination": ["PARIS", "LYON"]}
    with store.transaction() as tx:
        tx.put_asn_mismatches([(SSCC_2, mismatch)])
        tx.put_asn_mismatches([])
    store.close()
    store = Store(store_at)
    assert [(p.sscc, p.mismatch) for p in store.announced_pallets()] == [(SSCC_1, None), (SSCC_2, mismatch)]
    store.close()


def test_an_sscc_is_announced_once_and_a_refused_advice_leaves_nothing(store_at: str) -> None:
    store = Store(store_at)
    with store.transaction() as tx:
        tx.put_asn(_asn(), [_pallet(SSCC_1)])
    duplicate = "UNIQUE constraint failed" if store.dialect == "sqlite" else "duplicate key value violates unique"
    with pytest.raises(StoreError, match=duplicate), store.transaction() as tx:
        tx.put_asn(_asn("SHP-2"), [_pallet(SSCC_3, "4012345000009/SHP-2"), _pallet(SSCC_1, "4012345000009/SHP-2")])
    assert [a.id for a in store.asns()] == [_asn().id]
    assert [p.sscc for p in store.announced_pallets()] == [SSCC_1]
    store.close()
