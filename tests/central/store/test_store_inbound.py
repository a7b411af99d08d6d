"""The store's inbound trucks: the advance shipping notice round-trips."""

from __future__ import annotations

from datetime import UTC, datetime

from xdock.central.store.database import InboundTruckRow, Store

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_notice_and_suggested_door_round_trip(store_at: str) -> None:
    row = InboundTruckRow("IN-1", "Geodis", AT, 18, "D1", "waiting", AT, destinations={"PARIS": 6, "LYON": 12},
                          suggested_door="D3")
    store = Store(store_at)
    with store.transaction() as tx:
        tx.put_inbound_truck(row)
    store.close()
    store = Store(store_at)
    assert store.inbound_trucks() == [row]
    store.close()
