"""The Store (each call its own short transaction) and the Tx (many calls, one transaction).

Both are assembled from the per-table mixins, so every method is available on both: a Tx can
read what it has written so far, and a Store method is a one-statement unit of work.

On SQLite, don't call write methods on the Store while a Tx of the same process is open:
the second writer waits for the first (busy_timeout) — do the writes on the Tx.

One method is Tx-only: :meth:`Tx.serialize_new_stories`, a lock that lasts until the
transaction ends, which a Store call (its own one-statement transaction) could not hold.
One is Store-only: :meth:`Store.prune`, which runs many short transactions of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.errors import StoreError
from bot.store.articles import ArticlesMixin
from bot.store.channels import ChannelsMixin
from bot.store.entries import EntriesMixin
from bot.store.errors import translating
from bot.store.feeds import FeedsMixin
from bot.store.outbox import OutboxMixin
from bot.store.records import PruneReport
from bot.store.retention import PRUNE_BATCH, prune_post_batch, prune_story_batch
from bot.store.search import SearchMixin
from bot.store.status import StatusMixin
from bot.store.subscriptions import SubscriptionsMixin

log = logging.getLogger(__name__)

#: How long ``Store.close`` waits for the queries in flight to finish before it closes anyway.
CLOSE_GRACE_SECONDS = 5.0

#: Key of the PostgreSQL advisory lock held while a transaction decides whether a story is new
#: and stores it (distinct from migrate.MIGRATION_LOCK_KEY).
NEW_STORY_LOCK_KEY = 0x73746F72  # "stor"


#: One batch of a prune: (connection, cutoff, after id, limit) → (last id looked at, what it removed).
PruneStep = Callable[[AsyncConnection, datetime, int, int], Awaitable[tuple[int | None, PruneReport]]]


class _RolledBack(Exception):
    """Ends a dry run's batch: ``Store.transaction`` rolls back on it; carries the batch's result."""

    def __init__(self, result: tuple[int | None, PruneReport]) -> None:
        super().__init__("dry run")
        self.result = result


class _Parts(
    FeedsMixin, EntriesMixin, ArticlesMixin, SearchMixin, SubscriptionsMixin, ChannelsMixin, OutboxMixin, StatusMixin
):
    """Every per-table part, for Store and Tx alike."""


class Tx(_Parts):
    """One unit of work: everything done through it commits together, or not at all.

    Obtained from ``async with store.transaction() as tx``; unusable once that block ends.
    """

    def __init__(self, conn: AsyncConnection):
        self._conn = conn
        self.dialect = conn.dialect.name
        self._finished = False

    @asynccontextmanager
    async def _connect(self, what: str) -> AsyncIterator[AsyncConnection]:
        if self._finished:
            raise StoreError(f"{what}: the transaction is already finished")
        with translating(what):
            yield self._conn

    async def serialize_new_stories(self) -> None:
        """Wait until no other worker is deciding "is this story new?", and keep them out until commit.

        Call it first in the transaction that looks for a story already stored (by URL, by text
        fingerprint) and stores it if there is none.  The URL has a unique index behind it, the
        fingerprint cannot: without this lock two workers (processes) ingesting one story under
        two URLs at the same moment both find nothing and both store — and post — it.

        PostgreSQL: a transaction-scoped advisory lock, released by the commit or rollback (or
        by the server when the worker's connection dies).  SQLite: ``BEGIN IMMEDIATE``, which
        takes the database's write lock now; pysqlite would otherwise begin the transaction
        only at its first write, leaving the checks' reads outside it.

        Cost: new stories are stored one at a time across all workers sharing the database (a
        waiting worker holds one connection).  A check-and-insert takes milliseconds, so at news
        volumes (a few stories a minute) the wait is negligible.  On PostgreSQL no other write
        waits for it; on SQLite, whose one writer at a time is the rule anyway, other writes
        now wait from the check on rather than from the insert on.
        """
        async with self._connect("serialize_new_stories") as conn:
            if self.dialect == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NEW_STORY_LOCK_KEY})
            elif self.dialect == "sqlite":
                await conn.exec_driver_sql("BEGIN IMMEDIATE")


class Store(_Parts):
    """newsbot's database: feeds, entries seen, articles, subscriptions' state, channels' servers and the outbox.

    Made by :func:`bot.store.open_store`; close it with ``await store.close()``.
    """

    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self._in_use = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    @contextmanager
    def _using(self, what: str) -> Iterator[None]:
        """Count a connection in use, so that ``close`` can wait for it; refuse one once closed.

        A task still running when the bot stops (a Discord event's handler, a command) may be
        mid-query: disposing of the engine under it would leave its connection to the garbage
        collector (an aiosqlite thread, a PostgreSQL session), and one opened after the dispose
        would open a new pool that nothing closes.
        """
        if self._closed:
            raise StoreError(f"{what}: the store is closed (the bot is stopping)")
        self._in_use += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_use -= 1
            if not self._in_use:
                self._idle.set()

    @asynccontextmanager
    async def _connect(self, what: str) -> AsyncIterator[AsyncConnection]:
        with self._using(what), translating(what):
            async with self.engine.begin() as conn:
                yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """``async with store.transaction() as tx:`` — commit at the end of the block, roll back on any error.

        Only database failures become StoreError; an exception raised by the block itself
        (even an OSError) propagates unchanged after the rollback.
        """
        with self._using("begin transaction"):
            with translating("begin transaction"):
                conn = await self.engine.connect()
                try:
                    await conn.begin()
                except BaseException:
                    await conn.close()
                    raise
            tx = Tx(conn)
            try:
                try:
                    yield tx
                except BaseException:
                    tx._finished = True
                    try:
                        await conn.rollback()
                    except Exception:  # the block's own error matters more than a failed rollback
                        log.warning("rollback failed", exc_info=True)
                    raise
                tx._finished = True
                with translating("commit"):
                    await conn.commit()
            finally:
                try:
                    await conn.close()
                except Exception:  # the connection goes back broken; the pool discards it
                    log.warning("closing a connection failed", exc_info=True)

    async def prune(
        self, older_than: datetime | None, *, dry_run: bool = False, batch: int = PRUNE_BATCH
    ) -> PruneReport:
        """Remove the stories stored before ``older_than`` that no post still needs, with their
        sections, search entries and finished posts, then the finished posts older than it that
        point at no story (see :mod:`bot.store.retention` for what stays, and why).

        ``older_than`` None (a retention of 0) removes nothing.  Each batch of at most ``batch``
        stories or posts is its own transaction, so a first prune of a big database never holds a
        lock for long.  ``dry_run``: every batch is rolled back; the report says what would go.
        """
        report = PruneReport(dry_run=dry_run)
        if older_than is None:
            return report
        for step in (prune_story_batch, prune_post_batch):
            after = 0
            while True:
                last, removed = await self._prune_batch(step, older_than, after, batch, dry_run=dry_run)
                report += removed
                if last is None:
                    break
                after = last
        return report

    async def _prune_batch(
        self, step: PruneStep, older_than: datetime, after: int, batch: int, *, dry_run: bool
    ) -> tuple[int | None, PruneReport]:
        try:
            async with self.transaction() as tx:
                # The lock "is this story new?" takes: no poll matches a story by URL while it goes.
                await tx.serialize_new_stories()
                async with tx._connect(f"prune (stored before {older_than.isoformat()})") as conn:
                    result = await step(conn, older_than, after, batch)
                if dry_run:
                    raise _RolledBack(result)
        except _RolledBack as rolled_back:
            return rolled_back.result
        return result

    async def close(self) -> None:
        """Wait for the queries in flight (at most ``CLOSE_GRACE_SECONDS``), then release every
        connection; later calls are refused with a StoreError.  Idempotent."""
        self._closed = True
        try:
            await asyncio.wait_for(self._idle.wait(), CLOSE_GRACE_SECONDS)
        except asyncio.TimeoutError:
            log.warning("closing the store with %d connection(s) still in use after %.0fs", self._in_use, CLOSE_GRACE_SECONDS)
        with translating("close"):
            await self.engine.dispose()
