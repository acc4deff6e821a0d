"""What `newsbot status` reads (store_status), and opening a database only to read it, beside a running bot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.errors import StoreError
from bot.model import Article
from bot.store import FeedState, Store, StoreStatus, SubscriptionActivity, SubscriptionState, open_store, open_store_readonly
from tests.store.conftest import NOW, add_article, minutes
from bot.store.migrate import head_revision, known_revisions
from bot.store.readonly import schema_note


def url_of(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


async def _enqueue(store: Store, subscription: str, key: str, *, status: str = "pending", **kw: Any) -> int:
    values: dict[str, Any] = {
        "subscription": subscription, "channel_id": 1, "kind": "article", "article_id": None, "now": NOW,
    } | kw
    async with store.transaction() as tx:
        row = await tx.enqueue(dedupe_key=key, status=status, **values)
    assert row is not None
    return row


async def _some_state(store: Store, make_article: Callable[..., Article]) -> None:
    """Stories in a configured feed and a removed one; two subscriptions' posts in every state."""
    await store.upsert_feed("removed", "https://removed.example/rss")
    await store.update_feed("alpha", failures=2, first_failure_at=NOW - minutes(30), last_error="HTTP 500")
    for n, feed in enumerate(["alpha", "alpha", "removed"]):
        await add_article(store, make_article(f"Story {n}", url=None), feed=feed, fingerprint=n)
    sent = await _enqueue(store, "news", "a", now=NOW - minutes(90))
    await store.mark_sent(sent, message_ids=[1], now=NOW - minutes(80))
    await _enqueue(store, "news", "b", now=NOW - minutes(45))  # the oldest pending row
    await _enqueue(store, "news", "c", now=NOW - minutes(5))
    failed = await _enqueue(store, "news", "d", now=NOW - minutes(60))
    await store.mark_failed(failed, reason="403 Missing Access")
    await _enqueue(store, "daily", "x", status="held")
    digest = await _enqueue(store, "daily", "digest:1", kind="digest", now=NOW - minutes(200))
    await store.mark_sent(digest, message_ids=[2], now=NOW - minutes(190))
    later = await _enqueue(store, "daily", "y", now=NOW - minutes(100))
    await store.mark_sent(later, message_ids=[3], now=NOW - minutes(10))
    await store.set_subscription_paused("daily", True, "channel not found")
    await store.set_last_digest_at("daily", NOW - minutes(200))
    await store.set_subscription_paused("quiet", False)  # a state row, no posts


def _no_rows(**counts: int) -> dict[str, int]:
    return {"pending": 0, "held": 0, "digested": 0, "sent": 0, "failed": 0, **counts}


async def test_an_empty_store(store: Store) -> None:
    assert await store.store_status() == StoreStatus(feeds=(FeedState("alpha", "https://alpha.example/feed.xml"),))


async def test_store_status_reads_feeds_stories_subscriptions_and_the_backlog(
    store: Store, make_article: Callable[..., Article]
) -> None:
    await _some_state(store, make_article)
    status = await store.store_status()

    assert [f.name for f in status.feeds] == ["alpha", "removed"]
    assert (status.feeds[0].failures, status.feeds[0].last_error) == (2, "HTTP 500")
    assert status.stories_by_feed == {"alpha": 2, "removed": 1} and status.stories == 3
    assert status.outbox == _no_rows(pending=2, held=1, sent=3, failed=1)
    assert status.oldest_pending_at == NOW - minutes(45)
    assert status.subscriptions == {
        "daily": SubscriptionActivity(
            SubscriptionState("daily", paused=True, pause_reason="channel not found", last_digest_at=NOW - minutes(200)),
            _no_rows(held=1, sent=2),
            last_sent_at=NOW - minutes(10),
            last_digest_sent_at=NOW - minutes(190),
        ),
        "news": SubscriptionActivity(
            SubscriptionState("news"), _no_rows(pending=2, sent=1, failed=1), last_sent_at=NOW - minutes(80)
        ),
        "quiet": SubscriptionActivity(SubscriptionState("quiet")),
    }
    # Aware UTC datetimes, also out of MAX()/MIN() (SQLite hands those back as text).
    assert status.subscriptions["daily"].last_sent_at.utcoffset() is not None  # type: ignore[union-attr]
    assert status.oldest_pending_at is not None and status.oldest_pending_at.utcoffset() is not None


async def test_store_status_inside_a_transaction_sees_its_writes(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.enqueue(subscription="news", channel_id=1, kind="article", article_id=None, dedupe_key="k", now=NOW)
        assert (await tx.store_status()).outbox["pending"] == 1
    assert (await store.store_status()).subscriptions["news"].outbox["pending"] == 1


async def test_read_only_store_reads_the_same_and_refuses_writes(
    store: Store, make_article: Callable[..., Article]
) -> None:
    await _some_state(store, make_article)
    expected = await store.store_status()
    await store.close()  # a bot that has stopped: on SQLite no -wal/-shm files are left
    readonly = await open_store_readonly(url_of(store))
    try:
        assert await readonly.store_status() == expected
        with pytest.raises(StoreError, match="read-only|readonly"):
            await readonly.upsert_feed("written", "https://written.example/rss")
        assert [f.name for f in await readonly.list_feeds()] == ["alpha", "removed"]
    finally:
        await readonly.close()


async def test_reading_beside_a_writer_that_holds_the_write_lock(store: Store) -> None:
    """A bot in the middle of storing a story (its lock taken, rows not committed): status reads
    at once and sees only what is committed; afterwards the writer commits as usual."""
    readonly = await open_store_readonly(url_of(store))
    try:
        async with store.transaction() as tx:
            await tx.serialize_new_stories()
            await tx.upsert_feed("beta", "https://beta.example/rss")
            seen = await asyncio.wait_for(readonly.store_status(), timeout=30)
            assert [f.name for f in seen.feeds] == ["alpha"]
        async with readonly.transaction() as reading:  # an open read does not hold the bot up either
            assert [f.name for f in (await reading.store_status()).feeds] == ["alpha", "beta"]
            await store.upsert_feed("gamma", "https://gamma.example/rss")
        assert [f.name for f in (await readonly.store_status()).feeds] == ["alpha", "beta", "gamma"]
    finally:
        await readonly.close()


async def test_a_missing_sqlite_database_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "newsbot.db"
    with pytest.raises(StoreError, match=r"there is no database at .*newsbot\.db yet.*newsbot run"):
        await open_store_readonly(f"sqlite+aiosqlite:///{path}")
    assert list(tmp_path.iterdir()) == []  # not even the folder


async def test_a_missing_postgres_database_is_an_error(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    missing = make_url(db_url).set(database=make_url(db_url).database + "_missing")
    with pytest.raises(StoreError, match=r"cannot read the database .*_missing.*does not exist"):
        await open_store_readonly(missing.render_as_string(hide_password=False))


async def test_a_database_without_newsbot_tables_is_not_migrated(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        path = Path(make_url(db_url).database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")  # an empty file is an empty SQLite database
    with pytest.raises(StoreError, match=r"holds no newsbot tables; start the bot \(newsbot run\) once"):
        await open_store_readonly(db_url)
    store = await open_store(db_url)  # still empty: nothing was created by the look
    try:
        async with store.engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM feeds"))).scalar() == 0
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("revision", "note"),
    [
        ("0001_initial", "the database's schema is at revision 0001_initial, older than this newsbot's {head}: "
                         "the bot brings it up to date when it next starts"),
        ("9999_future", "the database's schema is at revision 9999_future, which this newsbot ({head}) does not know: "
                        "a newer newsbot wrote it, so some of it may not be shown"),
    ],
)
async def test_a_schema_of_another_revision_is_read_with_a_note_and_not_migrated(
    db_url: str, make_article: Callable[..., Article], revision: str, note: str
) -> None:
    """Right after an upgrade the database stays at the old revision until the bot restarts:
    status still reads it (here the tables are the head's, so everything reads) and says so."""
    store = await open_store(db_url)
    try:
        await store.upsert_feed("alpha", "https://alpha.example/rss")
        await _some_state(store, make_article)
        expected = await store.store_status()
        async with store.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    finally:
        await store.close()
    readonly = await open_store_readonly(db_url)
    try:
        assert readonly.schema_note == note.format(head=head_revision())
        assert await readonly.store_status() == expected
    finally:
        await readonly.close()
    engine = create_async_engine(db_url)  # not open_store: that would migrate
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar() == revision
    finally:
        await engine.dispose()


def test_the_schema_note_knows_older_revisions_from_unknown_ones() -> None:
    assert schema_note("0002", "0002", {"0001", "0002"}) is None
    assert "older than this newsbot's 0002" in (schema_note("0001", "0002", {"0001", "0002"}) or "")
    assert "does not know" in (schema_note("0003", "0002", {"0001", "0002"}) or "")
    assert {"0001_initial", head_revision()} <= known_revisions()


async def test_unreachable_postgres_is_one_clear_error() -> None:
    with pytest.raises(StoreError, match=r"cannot read the database postgresql\+asyncpg://nobody:\*\*\*@127.0.0.1:1/news") as info:
        await open_store_readonly("postgresql+asyncpg://nobody:secret@127.0.0.1:1/news")
    assert "secret" not in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql+aiomysql://u@localhost/x", "not supported"),
        ("sqlite+aiosqlite:///:memory:", "give SQLite a file path"),
        ("not a url at all", "not valid"),
    ],
)
async def test_bad_urls(url: str, expected: str) -> None:
    with pytest.raises(StoreError, match=expected):
        await open_store_readonly(url)
