"""Opening the database only to read it, beside a bot that may be running: ``newsbot status``.

:func:`bot.store.open_store` is for the bot: it creates a missing SQLite file (and its folder),
switches it to WAL and migrates the schema.  A look at the state must do none of that — a
mistyped path would leave an empty database behind, and a migration (or its lock) would get in
the way of the running bot — so here:

* SQLite is opened with ``mode=ro`` (a missing file is an error, never created) and
  ``query_only``; only the pragmas that change nothing on disk are set.  Reading a WAL database
  needs its ``-wal`` and ``-shm`` files: SQLite creates them, empty, when the bot is not running,
  as any reader would; the database file itself is not touched.
* PostgreSQL sessions start with ``default_transaction_read_only``, so the server refuses any
  write, and connecting gives up after :data:`CONNECT_TIMEOUT` seconds.
* The schema is never migrated.  One at another revision is still read — right after an
  upgrade of newsbot the database stays at the old revision until the bot restarts, which is
  when an operator most wants to look — and :attr:`ReadOnlyStore.schema_note` says so; a query
  the other schema cannot answer fails with that note in its message.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.errors import StoreError
from bot.store.engine import parse_store_url, pragma_setter
from bot.store.errors import describe, translating
from bot.store.migrate import current_revision, head_revision, known_revisions
from bot.store.storage import Store

#: Seconds to wait for a PostgreSQL server before saying it cannot be reached.
CONNECT_TIMEOUT = 10
#: Set on every read-only SQLite connection: wait for a writer's lock instead of failing at once
#: (the bot's own value), and refuse any write even if a bug attempted one.
SQLITE_READ_PRAGMAS = ("PRAGMA busy_timeout=5000", "PRAGMA query_only=ON")
#: What to do when the database is not (yet) newsbot's, or is of another version.
START_THE_BOT = "start the bot (newsbot run) once: it creates the tables and brings them up to date"


class ReadOnlyStore(Store):
    """A :class:`Store` opened by :func:`open_store_readonly`, which knows its schema's revision."""

    def __init__(self, engine: AsyncEngine, schema_note: str | None = None) -> None:
        super().__init__(engine)
        #: Why what is read may be incomplete (the schema is of another revision); None: it is this newsbot's.
        self.schema_note = schema_note


def schema_note(found: str, head: str | None, known: Collection[str]) -> str | None:
    """What to tell about a database whose schema is at revision ``found`` when this newsbot's is
    ``head`` and its migrations know the revisions ``known``; None when they are the same."""
    if found == head:
        return None
    if found in known:
        return (f"the database's schema is at revision {found}, older than this newsbot's {head}: "
                "the bot brings it up to date when it next starts")
    return (f"the database's schema is at revision {found}, which this newsbot ({head}) does not know: "
            "a newer newsbot wrote it, so some of it may not be shown")


def _sqlite_url(parsed: URL, given: str) -> URL:
    """The ``mode=ro`` URI form of a SQLite URL; StoreError when there is no database file."""
    database = parsed.database or ""
    if database in ("", ":memory:"):
        raise StoreError(f"database URL {given!r}: give SQLite a file path (sqlite+aiosqlite:///path/to/newsbot.db)")
    if database.startswith("file:"):  # already a URI (uri=true): only made read-only
        uri = database + ("&" if "?" in database else "?") + "mode=ro"
    else:
        path = Path(database)
        if not path.is_file():
            raise StoreError(
                f"there is no database at {database} yet: the bot creates it when it first starts (newsbot run); "
                "if it has run, storage.url names another file"
            )
        uri = path.resolve().as_uri() + "?mode=ro"
    return URL.create(parsed.drivername, database=uri, query={"uri": "true"})


def create_readonly_engine(url: str) -> AsyncEngine:
    """An engine that can only read the ``sqlite+aiosqlite`` or ``postgresql+asyncpg`` database at ``url``."""
    parsed = parse_store_url(url)
    if parsed.drivername.startswith("sqlite"):
        engine = create_async_engine(_sqlite_url(parsed, url))
        event.listen(engine.sync_engine, "connect", pragma_setter(SQLITE_READ_PRAGMAS))
        return engine
    return create_async_engine(
        parsed,
        connect_args={"timeout": CONNECT_TIMEOUT, "server_settings": {"default_transaction_read_only": "on"}},
    )


async def open_store_readonly(url: str) -> ReadOnlyStore:
    """The Store of an existing newsbot database, for reading only: never created, migrated or locked.

    Any failure — no such file or database, server unreachable, not a newsbot database — is one
    StoreError naming the database and what to do.  A schema of another revision is opened, with
    its ``schema_note``.
    """
    engine = create_readonly_engine(url)
    where = engine.url.render_as_string(hide_password=True) if engine.dialect.name != "sqlite" else url
    try:
        with translating(f"cannot read the database {where}"):
            async with engine.connect() as conn:
                revision = await conn.run_sync(current_revision)
    except StoreError:
        await engine.dispose()
        raise
    except Exception as error:  # alembic reading the version table, say
        await engine.dispose()
        raise StoreError(f"cannot read the database {where}: {describe(error)}") from error
    except BaseException:
        await engine.dispose()
        raise
    if revision is None:
        await engine.dispose()
        raise StoreError(f"the database {where} holds no newsbot tables; {START_THE_BOT}")
    return ReadOnlyStore(engine, schema_note(revision, head_revision(), known_revisions()))
