"""Version 1: the schema central's stores had before versioned migrations (every table ``IF NOT EXISTS``,
so a store made then is taken as version 1 as it is). Frozen: a later change is a new version."""

from __future__ import annotations

NAME = "initial"

SQLITE = """
CREATE TABLE IF NOT EXISTS applied (
    edge_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    reply TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (edge_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    sscc TEXT,
    edge_id TEXT,
    seq INTEGER,
    body TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TABLE IF NOT EXISTS pallets (
    sscc TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    destination TEXT,
    ship_to TEXT,
    trailer TEXT,
    door TEXT,
    inbound_door TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    scans INTEGER NOT NULL,
    weight_kg REAL,
    temp TEXT NOT NULL DEFAULT 'ambient',
    dangerous INTEGER NOT NULL DEFAULT 0,
    expiry TEXT,
    target TEXT
);
CREATE INDEX IF NOT EXISTS pallets_trailer ON pallets (trailer);

CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    cleared_at TEXT,
    message TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_open ON alerts (kind, subject) WHERE cleared_at IS NULL;

CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
    sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    issued_at TEXT NOT NULL,
    revoked_at TEXT,
    expires_at TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS access_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS inbound_trucks (
    id TEXT PRIMARY KEY,
    carrier TEXT,
    eta TEXT NOT NULL,
    pallets INTEGER NOT NULL,
    door TEXT,
    state TEXT NOT NULL,
    announced_at TEXT NOT NULL,
    arrived_at TEXT,
    unloaded_at TEXT,
    destinations TEXT,
    suggested_door TEXT
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS outbound_trailers (
    id TEXT PRIMARY KEY,
    destination TEXT NOT NULL,
    door TEXT NOT NULL,
    departure TEXT NOT NULL,
    capacity_pallets INTEGER NOT NULL,
    capacity_kg REAL NOT NULL,
    reefer INTEGER NOT NULL,
    accepts_hazmat INTEGER NOT NULL,
    announced_at TEXT NOT NULL,
    announced_by TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS uplink_refusals (
    edge_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (edge_id, reason)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uplink_refusal_samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    edge_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    topic TEXT NOT NULL,
    error TEXT NOT NULL,
    payload TEXT NOT NULL,
    payload_bytes INTEGER NOT NULL
);
"""

POSTGRESQL = """
CREATE TABLE IF NOT EXISTS applied (
    edge_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    reply TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (edge_id, seq)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    sscc TEXT,
    edge_id TEXT,
    seq BIGINT,
    body TEXT NOT NULL
);
CREATE OR REPLACE FUNCTION xdock_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the event log is append-only'; END $$;
CREATE OR REPLACE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
FOR EACH STATEMENT EXECUTE FUNCTION xdock_events_append_only();
CREATE TABLE IF NOT EXISTS pallets (
    sscc TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    destination TEXT,
    ship_to TEXT,
    trailer TEXT,
    door TEXT,
    inbound_door TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    scans INTEGER NOT NULL,
    weight_kg DOUBLE PRECISION,
    temp TEXT NOT NULL DEFAULT 'ambient',
    dangerous INTEGER NOT NULL DEFAULT 0,
    expiry TEXT,
    target TEXT
);
CREATE INDEX IF NOT EXISTS pallets_trailer ON pallets (trailer);
CREATE TABLE IF NOT EXISTS alerts (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    cleared_at TEXT,
    message TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_open ON alerts (kind, subject) WHERE cleared_at IS NULL;
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    sha256 TEXT PRIMARY KEY,
    "user" TEXT NOT NULL REFERENCES users (name),
    issued_at TEXT NOT NULL,
    revoked_at TEXT,
    expires_at TEXT
);
CREATE TABLE IF NOT EXISTS access_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS inbound_trucks (
    id TEXT PRIMARY KEY,
    carrier TEXT,
    eta TEXT NOT NULL,
    pallets INTEGER NOT NULL,
    door TEXT,
    state TEXT NOT NULL,
    announced_at TEXT NOT NULL,
    arrived_at TEXT,
    unloaded_at TEXT,
    destinations TEXT,
    suggested_door TEXT
);
CREATE TABLE IF NOT EXISTS outbound_trailers (
    id TEXT PRIMARY KEY,
    destination TEXT NOT NULL,
    door TEXT NOT NULL,
    departure TEXT NOT NULL,
    capacity_pallets INTEGER NOT NULL,
    capacity_kg DOUBLE PRECISION NOT NULL,
    reefer INTEGER NOT NULL,
    accepts_hazmat INTEGER NOT NULL,
    announced_at TEXT NOT NULL,
    announced_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS uplink_refusals (
    edge_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    count BIGINT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (edge_id, reason)
);
CREATE TABLE IF NOT EXISTS uplink_refusal_samples (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    edge_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    topic TEXT NOT NULL,
    error TEXT NOT NULL,
    payload TEXT NOT NULL,
    payload_bytes INTEGER NOT NULL
);
"""
