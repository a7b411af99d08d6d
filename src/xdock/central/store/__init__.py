"""Central's durable state (SQLite): one module per group of tables."""
