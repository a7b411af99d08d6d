"""Version 2: the site's leadership epoch, and the epoch of the leader that wrote each applied key and event.

One row says which central leads, since when, where its API answers, and since which *epoch* (a
number each new leader moves on); a
deposed leader's late writes are refused by it (see :mod:`xdock.central.store.leadership`). Rows of
version 1 keep a ``NULL`` epoch. An SQLite store has one central, at epoch 0.
"""

from __future__ import annotations

NAME = "leadership epoch"

_COMMON = """
CREATE TABLE leadership (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL,
    leader TEXT,
    since TEXT,
    api TEXT
);
INSERT INTO leadership (id, epoch) VALUES (1, 0);
ALTER TABLE applied ADD COLUMN epoch BIGINT;
ALTER TABLE events ADD COLUMN epoch BIGINT;
"""

SQLITE = _COMMON
POSTGRESQL = _COMMON
