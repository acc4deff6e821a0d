"""Retention: stories older than ``storage.retention`` leave the store, a batch at a time, and
nothing they leave behind can post a story twice or take a story from a post still to be made.

What one batch removes (one transaction, at most :data:`PRUNE_BATCH` stories):

* stories stored before the cutoff that no outbox row in use needs, with their sections, their
  full-text entry and their outbox rows (all finished by then, see below);
* then, in batches of their own, finished outbox rows older than the cutoff that point at no
  story: digest rows, mostly.

What stays:

* ``pruned_stories``: each pruned story's normalized URL and text fingerprint, with when it was
  first stored, written in the batch that deletes it.  A feed that lists the story for the first
  time afterwards (another feed, or the same one under a new guid) finds it there, as it would
  have found the story itself, and does not post it again (bot.pipeline).
* ``entries``, the "seen" keys per feed.  Their ``article_id`` becomes NULL (ON DELETE SET NULL);
  the key itself is what keeps a feed that still lists a pruned story from posting it again.
* every story an outbox row *in use* needs — by ``article_id``, or listed in a digest row's
  ``article_ids`` (what delivery reads).  A row is in use while its delivery is not over
  (pending, held) and while it was enqueued or sent within the retention: a failed post an
  admin may still retry, or a story a channel got yesterday, which members may open with
  /article.  So a pruned story has no outbox row left at all: none can point at nothing, and
  SQLite, which may give a new story the id of the newest one deleted, finds no old row (nor
  its ``story:<id>`` dedupe key) to confuse it with.

Locking: each batch takes the lock that "is this story new?" takes (``Tx.serialize_new_stories``:
BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL), so a poll never matches a story by
its URL while the batch deletes it.  On PostgreSQL the chosen stories (and their outbox rows)
are also locked FOR UPDATE SKIP LOCKED — a story being updated right now waits for the next
prune — and then checked again by a later statement, which sees every outbox row committed
before the locks were taken; a row referring to a locked story waits for the batch.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, cast, delete, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from bot.store.base import insert_for
from bot.store.records import PruneReport
from bot.store.schema import articles, outbox, pruned_stories, sections
from bot.store.search import unindex_articles

#: Stories per transaction: a first prune of a big database never holds the write lock for long.
PRUNE_BATCH = 500
#: Outbox statuses of a delivery that is not over: its stories stay, however old.
UNFINISHED = ("pending", "held")
#: Outbox statuses of a delivery that is over: sent, given up on, or folded into a digest row.
FINISHED = ("sent", "failed", "digested")


def retention_cutoff(retention: int, now: datetime) -> datetime | None:
    """Stories stored before this time may go; None for a retention of 0 (keep everything)."""
    return None if retention <= 0 else now - timedelta(seconds=retention)


def _in_use(cutoff: datetime) -> ColumnElement[bool]:
    """An outbox row that keeps its stories: not delivered yet, or enqueued or sent since ``cutoff``."""
    return or_(outbox.c.status.in_(UNFINISHED), outbox.c.created_at >= cutoff, outbox.c.sent_at >= cutoff)


def _done(cutoff: datetime) -> ColumnElement[bool]:
    """The rows not :func:`_in_use`, spelt out (``sent_at`` is NULL for a row never sent)."""
    return and_(
        outbox.c.status.in_(FINISHED),
        outbox.c.created_at < cutoff,
        or_(outbox.c.sent_at.is_(None), outbox.c.sent_at < cutoff),
    )


def _listed_items(dialect: str) -> Any:
    """The elements of ``outbox.article_ids`` (a JSON list), as a table-valued function with a ``value`` column."""
    if dialect == "postgresql":
        return func.json_array_elements_text(outbox.c.article_ids).table_valued("value")
    return func.json_each(outbox.c.article_ids).table_valued("value")


def _needed(dialect: str, cutoff: datetime) -> ColumnElement[bool]:
    """True for a story that an outbox row in use points at, or that a digest row in use lists.

    Delivery reads ``article_ids`` only from a row with no ``article_id`` (a digest), so only
    those rows are looked at: found by the ``article_id`` index, not by reading the whole outbox.
    """
    pointed_at = exists().where(outbox.c.article_id == articles.c.id, _in_use(cutoff))
    items = _listed_items(dialect)
    listed = (
        select(cast(items.c.value, Integer))
        .select_from(outbox.join(items, true()))
        .where(
            outbox.c.article_id.is_(None),
            outbox.c.article_ids.is_not(None),
            _in_use(cutoff),
            items.c.value.is_not(None),
        )
    )
    return or_(pointed_at, articles.c.id.in_(listed))


def _prunable(dialect: str, cutoff: datetime) -> ColumnElement[bool]:
    return and_(articles.c.created_at < cutoff, ~_needed(dialect, cutoff))


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


async def prune_story_batch(
    conn: AsyncConnection, cutoff: datetime, after: int, limit: int = PRUNE_BATCH
) -> tuple[int | None, PruneReport]:
    """Remove up to ``limit`` prunable stories with ids above ``after``.

    Returns the highest id looked at (the next batch starts after it; None: no story left to
    look at) and what was removed.  Must run in a transaction that holds the new-story lock.
    """
    window = list(
        (
            await conn.execute(
                select(articles.c.id)
                .where(articles.c.id > after, articles.c.created_at < cutoff)
                .order_by(articles.c.id)
                .limit(limit)
            )
        ).scalars()
    )
    if not window:
        return None, PruneReport()
    # Only the window is weighed (what outbox rows still need it), so a batch costs the same
    # however many old stories are kept.
    prunable = and_(articles.c.id.in_(window), _prunable(conn.dialect.name, cutoff))
    picked = list(
        (
            await conn.execute(select(articles.c.id).where(prunable).with_for_update(skip_locked=True, of=articles))
        ).scalars()
    )
    if not picked:
        return window[-1], PruneReport()
    # Lock their outbox rows too (an admin's retry of a failed one waits), then look again with a
    # statement that sees every row committed before the locks.
    await conn.execute(select(outbox.c.id).where(outbox.c.article_id.in_(picked)).with_for_update())
    recheck = and_(articles.c.id.in_(picked), _prunable(conn.dialect.name, cutoff))
    ids = list((await conn.execute(select(articles.c.id).where(recheck))).scalars())
    if not ids:
        return window[-1], PruneReport()
    removed_sections = _count(await conn.execute(delete(sections).where(sections.c.article_id.in_(ids))))
    await unindex_articles(conn, ids)
    # Before the stories: deleting those first would leave these rows behind with a NULL article_id.
    removed_posts = _count(await conn.execute(delete(outbox).where(outbox.c.article_id.in_(ids), _done(cutoff))))
    kept = select(articles.c.url_key, articles.c.fingerprint, articles.c.created_at).where(articles.c.id.in_(ids))
    await conn.execute(
        insert_for(conn, pruned_stories)
        .from_select(["url_key", "fingerprint", "created_at"], kept)
        .on_conflict_do_nothing(index_elements=[pruned_stories.c.url_key])  # pruned before, stored again by an old worker
    )
    removed_stories = _count(await conn.execute(delete(articles).where(articles.c.id.in_(ids))))
    return window[-1], PruneReport(stories=removed_stories, sections=removed_sections, posts=removed_posts)


async def prune_post_batch(
    conn: AsyncConnection, cutoff: datetime, after: int, limit: int = PRUNE_BATCH
) -> tuple[int | None, PruneReport]:
    """Remove up to ``limit`` finished outbox rows older than ``cutoff`` that point at no story
    (digest rows, and rows whose story went before), ids above ``after``; returns as
    :func:`prune_story_batch` does."""
    orphan = and_(outbox.c.article_id.is_(None), _done(cutoff))
    picked = list(
        (
            await conn.execute(
                select(outbox.c.id)
                .where(outbox.c.id > after, orphan)
                .order_by(outbox.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    if not picked:
        return None, PruneReport()
    removed = _count(await conn.execute(delete(outbox).where(outbox.c.id.in_(picked), orphan)))
    return picked[-1], PruneReport(posts=removed)
