"""Fixtures: every store test runs on SQLite (a file in tmp_path) and on PostgreSQL.

On PostgreSQL, ``db_url`` is a freshly created database (dropped afterwards) and ``store`` uses
one database per test session, emptied before each test.  PostgreSQL tests are marked
``postgres`` and skipped, with the reason, when the server at 127.0.0.1:5432 cannot be reached.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text

from bot.model import Article, Section
from bot.store import Store, open_store
from bot.store.engine import create_engine
from bot.store.migrate import alembic_config
from bot.store.schema import metadata
from bot.store.search import PG_SEARCH_TABLE

PG_HOST = "127.0.0.1"
#: Overridable to check the skip path: NEWSBOT_TEST_PG_PORT=1 pytest tests/store
PG_PORT = int(os.environ.get("NEWSBOT_TEST_PG_PORT", "5432"))
PG_ADMIN_DB = "test"
PG_ROLES = ("postgres", "root")

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

_pg_role: str | None = None
_pg_problem: str | None = None


async def _admin_connection() -> asyncpg.Connection:
    """A connection to the ``test`` database with a role that may create databases (found once)."""
    global _pg_role, _pg_problem
    if _pg_problem is not None:
        pytest.skip(_pg_problem)
    roles = (_pg_role,) if _pg_role else PG_ROLES
    errors = []
    for role in roles:
        try:
            conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=role, database=PG_ADMIN_DB, timeout=5)
        except Exception as error:  # any failure to connect means: skip, never fail
            errors.append(f"{role}: {error}")
            continue
        _pg_role = role
        return conn
    _pg_problem = f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} ({'; '.join(errors)})"
    pytest.skip(_pg_problem)


async def _create_pg_database() -> tuple[str, str]:
    name = f"newsbot_test_{uuid.uuid4().hex[:12]}"
    admin = await _admin_connection()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    except asyncpg.PostgresError as error:
        pytest.skip(f"PostgreSQL at {PG_HOST}:{PG_PORT} lets {_pg_role} connect but not create a database ({error})")
    finally:
        await admin.close()
    return name, f"postgresql+asyncpg://{_pg_role}@{PG_HOST}:{PG_PORT}/{name}"


async def _drop_pg_database(name: str) -> None:
    admin = await _admin_connection()
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


DIALECTS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]

#: The PostgreSQL database the ``store`` tests share (created on first use, dropped at the end).
_shared_pg: dict[str, str] = {}


@pytest.fixture(scope="session", autouse=True)
def _drop_shared_pg_database() -> Iterator[None]:
    yield
    if "name" in _shared_pg:
        asyncio.run(_drop_pg_database(_shared_pg["name"]))


@pytest.fixture(params=DIALECTS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of each dialect (nothing migrated yet): a fresh PostgreSQL database each time."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'data' / 'newsbot.db'}"
        return
    name, url = await _create_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(name)


@pytest.fixture(params=DIALECTS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An opened (migrated) store on each dialect, holding only the feed 'alpha'.

    SQLite: a new file per test.  PostgreSQL: creating a database costs ~0.3 s, so the tests
    share one database (created and dropped by this session) and every table is emptied
    before each test; open_store still runs (a no-op upgrade) every time.
    """
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'newsbot.db'}"
    else:
        if "url" not in _shared_pg:
            _shared_pg["name"], _shared_pg["url"] = await _create_pg_database()
        url = _shared_pg["url"]
    opened = await open_store(url)
    try:
        if request.param == "postgresql":
            async with opened.engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {', '.join(_ALL_TABLES)} RESTART IDENTITY CASCADE"))
        await opened.upsert_feed("alpha", "https://alpha.example/feed.xml")
        yield opened
    finally:
        await opened.close()


_ALL_TABLES = [*metadata.tables, PG_SEARCH_TABLE]


@pytest.fixture
def make_article() -> Callable[..., Article]:
    def make(
        title: str = "A title",
        *,
        body: str = "Some body text.",
        url: str | None = "https://alpha.example/a",
        published: datetime | None = NOW,
        sections: tuple[Section, ...] | None = None,
    ) -> Article:
        return Article(
            title=title,
            url=url,
            author="Ann Author",
            published=published,
            source="Alpha",
            image="https://alpha.example/a.png",
            summary="The TL;DR.",
            sections=sections if sections is not None else (Section("", body, body[:20]),),
        )

    return make


async def add_article(
    store: Store,
    article: Article,
    *,
    feed: str = "alpha",
    url_key: str | None = None,
    fingerprint: int = 1,
    now: datetime = NOW,
) -> int:
    """Insert through a transaction, as the pipeline does."""
    async with store.transaction() as tx:
        return await tx.insert_article(
            article, feed=feed, url_key=url_key, fingerprint=fingerprint, content_hash="h", now=now
        )


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture(autouse=True)
def loopback_allowed(allow_loopback: None) -> None:
    """Every test here may fetch from loopback (tests/conftest.py: ``allow_loopback``): the
    two-worker tests poll feeds from the FeedServer on 127.0.0.1, which the bot's default (public
    addresses only) refuses."""


async def migrate(db_url: str, step: str, revision: str) -> set[str]:
    """``alembic upgrade|downgrade revision`` on the database; its tables afterwards."""

    def run(connection: Connection) -> set[str]:
        getattr(command, step)(alembic_config(connection), revision)
        return set(inspect(connection).get_table_names())

    engine = create_engine(db_url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(run)
    finally:
        await engine.dispose()
