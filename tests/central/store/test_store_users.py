"""The store's users and tokens: the access generation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from xdock.central.store.database import Store, TokenRow, UserRow

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_the_access_generation_moves_on_with_each_change_that_can_take_access_away(store_at: str) -> None:
    store = Store(store_at)
    seen = [store.access_generation()]
    with store.transaction() as tx:
        tx.put_user("sam", "supervisor", AT)
    seen.append(store.access_generation())
    with store.transaction() as tx:
        tx.put_token("ab12", "sam", AT, AT + timedelta(hours=8))
        tx.put_token("cd34", "sam", AT)
    seen.append(store.access_generation())  # a new token takes nothing away
    assert store.token_user("ab12") == TokenRow("ab12", UserRow("sam", "supervisor", AT), AT + timedelta(hours=8))
    with store.transaction() as tx:
        assert tx.revoke_tokens("sam", AT) == 2
    seen.append(store.access_generation())
    with store.transaction() as tx:
        tx.put_token("ef56", "sam", AT)
    with store.transaction() as tx:
        assert tx.remove_user("sam") == 1
    seen.append(store.access_generation())
    assert seen == [0, 1, 1, 2, 3]
    assert (store.user("sam"), store.token_user("ef56"), store.users()) == (None, None, [])
    store.close()
