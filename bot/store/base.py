"""What every per-table part builds on: a way to get a connection, and the one dialect switch for inserts.

The same mixin methods run on the :class:`~bot.store.storage.Store` (each call is its own short
transaction) and on a :class:`~bot.store.storage.Tx` (all calls share one transaction), because
both provide ``_connect``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.errors import StoreError

T = TypeVar("T")

#: Rows per statement when a caller hands us many keys/ids (well under SQLite's variable limit).
CHUNK = 500


class Executor:
    """Base of the Store and Tx: subclasses say where statements run."""

    #: 'sqlite' or 'postgresql'.
    dialect: str

    def _connect(self, what: str) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection inside a transaction; driver errors in the block become StoreError naming ``what``."""
        raise NotImplementedError


def insert_for(conn: AsyncConnection, table: Table) -> Any:
    """An INSERT that knows ``ON CONFLICT`` for this connection's dialect.

    SQLite and PostgreSQL spell upserts the same way (``on_conflict_do_nothing`` /
    ``on_conflict_do_update`` with ``index_elements``), but SQLAlchemy keeps them in separate
    dialect modules; this is the single place that picks one.
    """
    name = conn.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise StoreError(f"unsupported database dialect {name!r} (newsbot supports sqlite and postgresql)")


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Split ``items`` into lists of at most ``size``, so IN (...) lists stay within driver limits."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def unique(items: Iterable[T]) -> list[T]:
    """Items without repeats, first occurrence order kept."""
    return list(dict.fromkeys(items))
