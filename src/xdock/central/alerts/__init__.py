"""Alerts: raised, acknowledged by a supervisor, cleared; at most one open per kind and subject."""
