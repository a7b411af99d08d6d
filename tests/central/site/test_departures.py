from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from xdock.central.site.departures import DEPARTED_EVENT, DepartureLog
from xdock.central.store.database import Store

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_departures_are_read_from_the_log_then_only_new_events(tmp_path: Path) -> None:
    store = Store(tmp_path / "central.db")
    try:
        with store.transaction() as tx:
            tx.append_event(AT, DEPARTED_EVENT, {"by": "sue", "trailer": "T-LYON-1", "loaded": 3, "aboard": 1})
            tx.append_event(AT, "override_trailer_moved", {"by": "sue", "trailer": "T-PARIS-1", "door": "D18"})
        log = DepartureLog(store)
        assert log.refresh() == {"T-LYON-1": AT}
        assert log.left_behind() == {"T-LYON-1": 2}  # 3 assigned, 1 aboard
        later = AT + timedelta(minutes=20)
        with store.transaction() as tx:
            tx.append_event(later, DEPARTED_EVENT, {"by": "max", "trailer": "T-PARIS-1", "loaded": 0, "aboard": 0})
            tx.append_event(later, DEPARTED_EVENT, {"by": "max", "trailer": "T-LYON-1", "loaded": 0, "aboard": 0})
        assert log.refresh() == {"T-LYON-1": AT, "T-PARIS-1": later}  # the first departure of T-LYON-1 stays
        assert log.left_behind() == {"T-LYON-1": 2, "T-PARIS-1": 0}
        assert DepartureLog(store).refresh() == {"T-LYON-1": AT, "T-PARIS-1": later}  # after a restart
    finally:
        store.close()
