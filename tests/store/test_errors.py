"""Driver errors become StoreError, with the cause chained and a readable message."""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc

from bot.errors import NewsbotError, StoreError
from bot.store import ArticleExistsError, NotFoundError, Store
from bot.store.errors import MAX_REASON_CHARS, describe, translating
from tests.store.conftest import NOW


def _dbapi_error(message: str) -> sa_exc.DBAPIError:
    return sa_exc.OperationalError("SELECT secret FROM somewhere WHERE x = ?", {"x": 1}, Exception(message))


def test_translating_wraps_driver_errors_and_chains_them() -> None:
    original = _dbapi_error("database is locked")
    with pytest.raises(StoreError) as info, translating("claim_pending"):
        raise original
    assert str(info.value) == "claim_pending: Exception: database is locked"
    assert info.value.__cause__ is original
    assert isinstance(info.value, NewsbotError)


@pytest.mark.parametrize(
    "error",
    [StoreError("already ours"), NotFoundError("feed", "x"), ArticleExistsError("k", 1), ValueError("not the db")],
)
def test_translating_leaves_other_errors_alone(error: Exception) -> None:
    with pytest.raises(type(error)) as info, translating("anything"):
        raise error
    assert info.value is error


def test_translating_covers_connection_errors() -> None:
    with pytest.raises(StoreError, match="opening x: ConnectionRefusedError"), translating("opening x"):
        raise ConnectionRefusedError(111, "Connect call failed")


def test_describe_keeps_the_driver_message_without_sql_and_caps_it() -> None:
    assert describe(_dbapi_error("no such table: feeds")) == "Exception: no such table: feeds"
    long = describe(_dbapi_error("x" * 5000))
    assert len(long) <= len("Exception: ") + MAX_REASON_CHARS and long.endswith("…")


async def test_a_constraint_violation_from_the_database_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError) as info:
        await store.mark_seen("no-such-feed", ["k"], None, NOW)
    assert isinstance(info.value.__cause__, sa_exc.IntegrityError)
    assert str(info.value).startswith("mark_seen('no-such-feed'): ")
    assert "INSERT INTO" not in str(info.value)
