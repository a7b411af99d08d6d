"""Version 3: advance shipping notices, a pallet's dangerous-goods class and mixed destinations, webhooks.

``asns`` keeps each despatch advice applied (once: its supplier and shipment id are its key, its
digest tells a re-sent copy from a changed one) and ``asn_pallets`` what it says of each pallet, so
a scan of an announced pallet is routed with it and receiving is checked against it (``mismatch``:
where the pallet's label, once scanned, disagreed with the advice). ``pallets``
gains the pallet's dangerous-goods class (``NULL``: none, or flagged without a class) and, for a
mixed pallet, its destinations. ``webhook_subscriptions`` are the URLs told of the site's events
(``cursor``: the last event of the log turned into deliveries for it) and ``webhook_deliveries`` the
durable outbox of what is due to each.
"""

from __future__ import annotations

NAME = "advance shipping notices, dangerous-goods classes, webhooks"

_COMMON = """
CREATE TABLE asns (
    id TEXT PRIMARY KEY,
    supplier_gln TEXT NOT NULL,
    shipment_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    truck TEXT NOT NULL,
    received_at TEXT NOT NULL,
    source TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE TABLE asn_pallets (
    sscc TEXT PRIMARY KEY,
    asn TEXT NOT NULL REFERENCES asns (id),
    truck TEXT NOT NULL,
    destinations TEXT NOT NULL,
    temp TEXT NOT NULL,
    hazmat TEXT,
    un_numbers TEXT NOT NULL,
    best_before TEXT,
    weight_kg REAL,
    lines TEXT NOT NULL,
    mismatch TEXT,
    parent TEXT
);
CREATE INDEX asn_pallets_truck ON asn_pallets (truck);
ALTER TABLE pallets ADD COLUMN hazmat TEXT;
ALTER TABLE pallets ADD COLUMN destinations TEXT;
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    event_types TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TEXT,
    cursor BIGINT NOT NULL
);
CREATE TABLE webhook_deliveries (
    subscription TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    event_id BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    message_id TEXT NOT NULL,
    ordering_key TEXT,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at TEXT NOT NULL,
    last_error TEXT,
    finished_at TEXT,
    PRIMARY KEY (subscription, message_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription, state, event_id);
"""

SQLITE = _COMMON
POSTGRESQL = _COMMON.replace("weight_kg REAL", "weight_kg DOUBLE PRECISION")
"""PostgreSQL's REAL is 4 bytes: a weight reads back as it was only in double precision (as version 1's pallets)."""
