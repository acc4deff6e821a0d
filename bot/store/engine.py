"""Opening the database: engine, SQLite pragmas, and schema migrations applied at start."""

from __future__ import annotations

import asyncio
import logging
import weakref
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.errors import StoreError
from bot.store.errors import describe, translating
from bot.store.migrate import upgrade
from bot.store.storage import Store

log = logging.getLogger(__name__)

#: Set on every SQLite connection.  WAL lets readers go on while one writer writes; NORMAL
#: sync is safe in WAL mode (a power cut may lose the last commits, never corrupt); the busy
#: timeout makes a second writer wait instead of failing at once.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
)
#: The drivers newsbot supports (async ones; one code path for both).
SUPPORTED = ("sqlite+aiosqlite", "postgresql+asyncpg")


def pragma_setter(pragmas: Sequence[str]) -> Callable[[Any, Any], None]:
    """A "connect" listener that runs ``pragmas`` on every new SQLite connection (pragmas are
    per connection, so the pool's each one needs them)."""

    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    return set_pragmas


def parse_store_url(url: str) -> URL:
    """``storage.url`` parsed, or a StoreError saying what is wrong with it (password hidden)."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(f"the database URL is not valid: {error}") from error
    if parsed.drivername not in SUPPORTED:
        raise StoreError(
            f"database URL {parsed.render_as_string(hide_password=True)!r}: driver {parsed.drivername!r} "
            f"is not supported; use one of {', '.join(SUPPORTED)}"
        )
    return parsed


def create_engine(url: str) -> AsyncEngine:
    """The async engine for a ``sqlite+aiosqlite`` or ``postgresql+asyncpg`` URL.

    For SQLite the database's folder is created and the pragmas are set on every connection.
    """
    parsed = parse_store_url(url)
    if parsed.drivername.startswith("sqlite"):
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise StoreError(
                f"database URL {url!r}: give SQLite a file path (sqlite+aiosqlite:///path/to/newsbot.db); "
                "an in-memory database would vanish between connections"
            )
        if not database.startswith("file:"):  # a file: URI (uri=true) is left to SQLite
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create the folder for the SQLite database {database!r}: {error}") from error
    engine = create_async_engine(parsed, pool_pre_ping=parsed.drivername.startswith("postgresql"))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", pragma_setter(SQLITE_PRAGMAS))
    return engine


_migration_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _migration_lock() -> asyncio.Lock:
    """One migration at a time per event loop.

    Alembic keeps its running context in module globals (``alembic.context``/``alembic.op``),
    so two upgrades interleaving in one process (two stores opened at once) would mix them up.
    Across processes the database lock taken in ``migrate.upgrade`` does the same job.
    """
    loop = asyncio.get_running_loop()
    lock = _migration_locks.get(loop)
    if lock is None:
        lock = _migration_locks[loop] = asyncio.Lock()
    return lock


async def open_store(url: str) -> Store:
    """Connect, bring the schema up to date (Alembic ``upgrade head``), and return the Store.

    Safe to call on every start and from several processes at once.  Any failure — bad URL,
    unreachable server, failing migration — is a StoreError naming the database.
    """
    engine = create_engine(url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        async with _migration_lock():
            with translating(f"opening {where}"):
                async with engine.begin() as conn:
                    await conn.run_sync(upgrade)
    except StoreError:
        await engine.dispose()
        raise
    except Exception as error:  # a failing migration script, alembic's CommandError...
        await engine.dispose()
        raise StoreError(f"migrating {where}: {describe(error)}") from error
    except BaseException:
        await engine.dispose()
        raise
    log.info("store ready at %s", where)
    return Store(engine)
