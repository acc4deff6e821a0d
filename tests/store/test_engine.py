"""Opening the store: migrations, idempotent start, SQLite pragmas, bad URLs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from bot.errors import StoreError
from bot.store import Store, open_store
from bot.store.migrate import current_revision, head_revision, include_name
from bot.store.schema import metadata
from tests.store.conftest import NOW


def _schema_diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"include_name": include_name, "compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_upgrade_head_on_empty_database_matches_schema_py(db_url: str) -> None:
    store = await open_store(db_url)
    try:
        async with store.engine.connect() as conn:
            assert await conn.run_sync(_schema_diff) == []
            assert await conn.run_sync(current_revision) == head_revision()
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await store.close()
    assert set(metadata.tables) <= tables
    search_table = "article_fts" if db_url.startswith("sqlite") else "article_search"
    assert search_table in tables


async def test_opening_an_existing_database_again_keeps_its_data(db_url: str) -> None:
    first = await open_store(db_url)
    await first.upsert_feed("alpha", "https://alpha.example/feed.xml")
    await first.close()

    second = await open_store(db_url)
    try:
        assert [feed.name for feed in await second.list_feeds()] == ["alpha"]
        async with second.engine.connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision()
    finally:
        await second.close()


async def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    db_path = tmp_path / "nested" / "folder" / "newsbot.db"
    store = await open_store(f"sqlite+aiosqlite:///{db_path}")
    try:
        async with store.engine.connect() as conn:
            pragmas = {
                name: (await conn.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        await store.close()
    assert db_path.exists()  # the parent folders were created
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000, "synchronous": 1}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql+aiomysql://u@localhost/x", "not supported"),
        ("sqlite:///plain-sync-driver.db", "not supported"),
        ("sqlite+aiosqlite://", "give SQLite a file path"),
        ("sqlite+aiosqlite:///:memory:", "give SQLite a file path"),
        ("not a url at all", "not valid"),
    ],
)
async def test_bad_urls_raise_store_error_saying_why(url: str, expected: str) -> None:
    with pytest.raises(StoreError, match=expected):
        await open_store(url)


async def test_unreachable_postgres_is_a_store_error_naming_the_database() -> None:
    # Port 1 on localhost: nothing listens there, the connection is refused at once.
    with pytest.raises(StoreError, match=r"opening postgresql\+asyncpg://nobody:\*\*\*@127.0.0.1:1/newsbot") as info:
        await open_store("postgresql+asyncpg://nobody:secret@127.0.0.1:1/newsbot")
    assert "secret" not in str(info.value)
    assert info.value.__cause__ is not None


async def test_sqlite_folder_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the folder"):
        await open_store(f"sqlite+aiosqlite:///{blocker / 'sub' / 'newsbot.db'}")


async def test_a_database_that_is_not_sqlite_is_a_store_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database file" * 100)
    with pytest.raises(StoreError, match="garbage.db") as info:
        await open_store(f"sqlite+aiosqlite:///{garbage}")
    assert info.value.__cause__ is not None


async def test_store_datetimes_come_back_aware_in_utc(store: Store) -> None:
    await store.update_feed("alpha", next_poll_at=NOW)
    feed = await store.get_feed("alpha")
    assert feed is not None and feed.next_poll_at == NOW
    assert feed.next_poll_at is not None and feed.next_poll_at.utcoffset() == timedelta(0)


async def test_the_schema_comparison_does_notice_a_difference(db_url: str) -> None:
    """Guards the test above: a schema.py that drifted from the migrations must show up."""
    from sqlalchemy import Column, Integer, MetaData, Table

    drifted = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(drifted)
    Table("not_migrated", drifted, Column("id", Integer, primary_key=True))

    def diff(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        return list(compare_metadata(context, drifted))

    store = await open_store(db_url)
    try:
        async with store.engine.connect() as conn:
            found = await conn.run_sync(diff)
    finally:
        await store.close()
    assert [entry[0] for entry in found] == ["add_table"]


async def test_workers_starting_together_migrate_once(db_url: str) -> None:
    """Several processes (here: engines) opening an empty database at the same time all succeed."""
    stores = await asyncio.gather(*(open_store(db_url) for _ in range(3)), return_exceptions=True)
    opened = [s for s in stores if isinstance(s, Store)]
    try:
        assert opened == stores
        await opened[0].upsert_feed("alpha", "https://alpha.example/")
        assert [f.name for f in await opened[-1].list_feeds()] == ["alpha"]
    finally:
        for store in opened:
            await store.close()


async def test_a_failing_migration_is_a_store_error(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_upgrade(connection: Connection) -> None:
        raise KeyError("config")

    monkeypatch.setattr("bot.store.engine.upgrade", broken_upgrade)
    with pytest.raises(StoreError, match="migrating .*KeyError") as info:
        await open_store(db_url)
    assert isinstance(info.value.__cause__, KeyError)
