"""Entries seen: the identity keys of every feed entry already handled, so detection survives restarts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from bot.store.base import Executor, chunked, insert_for, unique
from bot.store.schema import articles, entries, pruned_stories


class EntriesMixin(Executor):
    async def seen_keys(self, feed: str, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are already recorded for ``feed``."""
        wanted = unique(keys)
        found: set[str] = set()
        if not wanted:
            return found
        async with self._connect(f"seen_keys({feed!r})") as conn:
            for batch in chunked(wanted):
                query = select(entries.c.key).where(entries.c.feed == feed, entries.c.key.in_(batch))
                found.update((await conn.execute(query)).scalars())
        return found

    async def mark_seen(self, feed: str, keys: Iterable[str], article_id: int | None, now: datetime) -> None:
        """Record ``keys`` as seen for ``feed`` (with the article they became, if any).

        Idempotent: keys already recorded are left as they are (ON CONFLICT DO NOTHING), so a
        retried poll or two workers racing on the same entry never fail here.  The feed must exist.
        """
        wanted = unique(keys)
        if not wanted:
            return
        async with self._connect(f"mark_seen({feed!r})") as conn:
            for batch in chunked(wanted):
                rows = [{"feed": feed, "key": key, "article_id": article_id, "seen_at": now} for key in batch]
                stmt = insert_for(conn, entries).values(rows).on_conflict_do_nothing(
                    index_elements=[entries.c.feed, entries.c.key]
                )
                await conn.execute(stmt)

    async def article_for_keys(self, feed: str, keys: Iterable[str]) -> int | None:
        """The article recorded with any of these keys for ``feed`` (the most recently seen), or None."""
        wanted = unique(keys)
        if not wanted:
            return None
        best: tuple[datetime, int] | None = None
        async with self._connect(f"article_for_keys({feed!r})") as conn:
            for batch in chunked(wanted):
                query = (
                    select(entries.c.seen_at, entries.c.article_id)
                    .where(
                        entries.c.feed == feed,
                        entries.c.key.in_(batch),
                        entries.c.article_id.is_not(None),
                    )
                    .order_by(entries.c.seen_at.desc(), entries.c.article_id.desc())
                    .limit(1)
                )
                row = (await conn.execute(query)).first()
                if row is not None and (best is None or (row.seen_at, row.article_id) > best):
                    best = (row.seen_at, row.article_id)
        return best[1] if best else None

    async def article_by_url(self, normalized_url: str) -> int | None:
        """The article stored under this normalized URL, from any feed (cross-feed duplicates)."""
        async with self._connect("article_by_url") as conn:
            query = select(articles.c.id).where(articles.c.url_key == normalized_url)
            return (await conn.execute(query)).scalar()

    async def pruned_by_url(self, normalized_url: str) -> bool:
        """Whether a story stored under this normalized URL was pruned (bot.store.retention)."""
        async with self._connect("pruned_by_url") as conn:
            query = select(pruned_stories.c.id).where(pruned_stories.c.url_key == normalized_url)
            return (await conn.execute(query)).first() is not None

    async def pruned_fingerprints(self, since: datetime) -> list[int]:
        """The fingerprints of the pruned stories first stored since ``since``, oldest first."""
        async with self._connect("pruned_fingerprints") as conn:
            query = (
                select(pruned_stories.c.fingerprint)
                .where(pruned_stories.c.created_at >= since)
                .order_by(pruned_stories.c.created_at, pruned_stories.c.id)
            )
            return list((await conn.execute(query)).scalars())

    async def recent_fingerprints(self, since: datetime) -> list[tuple[int, int]]:
        """(article_id, fingerprint) of the articles stored since ``since``, oldest first.

        The near-duplicate comparison (Hamming distance) is done in Python by the caller.
        """
        async with self._connect("recent_fingerprints") as conn:
            query = (
                select(articles.c.id, articles.c.fingerprint)
                .where(articles.c.created_at >= since)
                .order_by(articles.c.created_at, articles.c.id)
            )
            return [(row.id, row.fingerprint) for row in await conn.execute(query)]
