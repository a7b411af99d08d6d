"""``xdock demo``: a simulated cross-dock on one machine, with embedded broker and SQLite."""
