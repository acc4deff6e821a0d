"""The outbox: every delivery to make, made, or given up on, with its reason.

Life of a row::

    enqueue ──► pending ──claim (lease)──► mark_sent ──► sent
                  ▲  │                 └─► mark_retry (back to pending, later)
                  │  └──────────────────► mark_failed ──► failed  (kept, visible to admins)
                  └── requeue (an admin's retry)
    enqueue(status='held') ──► held ──collect_digest──► digested   (+ one new 'digest' row, pending)

Claiming is safe with several workers on one PostgreSQL: candidates are locked with
``FOR UPDATE SKIP LOCKED`` and the lease is re-checked in the UPDATE, so a row is never handed
to two workers while its lease runs.  SQLite ignores FOR UPDATE; its single writer gives the
same guarantee through the same re-checking UPDATE.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from bot.errors import StoreError
from bot.store.base import Executor, insert_for, unique
from bot.store.errors import NotFoundError
from bot.store.records import OutboxRow
from bot.store.schema import OUTBOX_KINDS, OUTBOX_STATUSES, outbox, subscriptions

#: How long a claimed row is reserved for the worker that claimed it.
DEFAULT_LEASE = timedelta(minutes=5)
#: Statuses a new row may start in: delivered as soon as possible, or kept for the next digest.
ENQUEUE_STATUSES = ("pending", "held")
#: Longest reason we keep (Discord error bodies can be long).
MAX_REASON_CHARS = 2000


def _ints(value: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in value) if value else ()


def outbox_row(row: Row[Any]) -> OutboxRow:
    m = row._mapping
    return OutboxRow(
        id=m["id"],
        subscription=m["subscription"],
        channel_id=int(m["channel_id"]),
        kind=m["kind"],
        article_id=m["article_id"],
        article_ids=_ints(m["article_ids"]),
        status=m["status"],
        attempts=m["attempts"],
        last_error=m["last_error"],
        next_attempt_at=m["next_attempt_at"],
        parts_sent=_ints(m["parts_sent"]),
        message_ids=_ints(m["message_ids"]),
        created_at=m["created_at"],
        sent_at=m["sent_at"],
        dedupe_key=m["dedupe_key"],
        leased_until=m["leased_until"],
        digest_id=m["digest_id"],
    )


#: Outbox kinds that carry one story in ``article_id`` (a digest row lists its stories' held items instead).
STORY_KINDS = ("article", "update")


def stories_routed_to(channels: Collection[int]) -> Select[Any]:
    """The ids of the stories routed to any of ``channels`` (sent or not, as themselves or as an update).

    What a server's members may read when the bot is in several servers (bot.config.scope): a story
    held for a digest keeps its own row, so digests count too.  For ``articles.c.id.in_(...)``.
    """
    return select(outbox.c.article_id).where(
        outbox.c.channel_id.in_(sorted(channels)), outbox.c.kind.in_(STORY_KINDS), outbox.c.article_id.is_not(None)
    )


def _reason(reason: str) -> str:
    reason = str(reason)
    return reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…"


def _due(now: datetime) -> ColumnElement[bool]:
    """Pending, not backing off, not leased, subscription not paused, channel not busy."""
    busy = outbox.alias("busy")
    return and_(
        outbox.c.status == "pending",
        or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
        or_(outbox.c.leased_until.is_(None), outbox.c.leased_until <= now),
        ~exists().where(subscriptions.c.key == outbox.c.subscription, subscriptions.c.paused == True),  # noqa: E712
        # A channel with a delivery in flight waits for it: posts keep their order and one
        # channel's rate limit is not hit by two workers at once.
        ~exists().where(
            busy.c.channel_id == outbox.c.channel_id,
            busy.c.status == "pending",
            busy.c.leased_until > now,
        ),
    )


async def _insert(conn: AsyncConnection, values: dict[str, Any]) -> int | None:
    stmt = (
        insert_for(conn, outbox)
        .values(values)
        .on_conflict_do_nothing(index_elements=[outbox.c.subscription, outbox.c.dedupe_key])
        .returning(outbox.c.id)
    )
    return (await conn.execute(stmt)).scalar()


async def _require(conn: AsyncConnection, row_id: int) -> None:
    if (await conn.execute(select(outbox.c.id).where(outbox.c.id == row_id))).first() is None:
        raise NotFoundError("outbox row", row_id)


class OutboxMixin(Executor):
    async def release_leases(self) -> int:
        """Forget every outbox and feed lease: for a lone process starting up (SQLite), whose
        leases can only be left over from a run that died; returns the outbox rows released."""
        from bot.store.schema import feeds

        async with self._connect("release_leases") as conn:
            result = await conn.execute(update(outbox).where(outbox.c.leased_until.is_not(None)).values(leased_until=None))
            await conn.execute(update(feeds).where(feeds.c.leased_until.is_not(None)).values(leased_until=None))
            return int(result.rowcount or 0)

    async def enqueue(
        self,
        *,
        subscription: str,
        channel_id: int,
        kind: str,
        article_id: int | None,
        article_ids: list[int] | None = None,
        dedupe_key: str,
        status: str = "pending",
        now: datetime,
    ) -> int | None:
        """Add a delivery; returns its id, or None when this subscription already has ``dedupe_key``.

        The UNIQUE(subscription, dedupe_key) no-op is what makes "the same story from two feeds
        of one subscription" post once.
        """
        if kind not in OUTBOX_KINDS:
            raise StoreError(f"enqueue({subscription!r}): kind {kind!r} is not one of {', '.join(OUTBOX_KINDS)}")
        if status not in ENQUEUE_STATUSES:
            raise StoreError(
                f"enqueue({subscription!r}): status {status!r} is not one of {', '.join(ENQUEUE_STATUSES)}"
            )
        values = {
            "subscription": subscription,
            "channel_id": channel_id,
            "kind": kind,
            "article_id": article_id,
            "article_ids": list(article_ids) if article_ids is not None else None,
            "dedupe_key": dedupe_key,
            "status": status,
            "created_at": now,
        }
        async with self._connect(f"enqueue({subscription!r}, {dedupe_key!r})") as conn:
            return await _insert(conn, values)

    async def routed_subscriptions(self, article_id: int) -> set[str]:
        """The subscriptions this story was routed to, as itself or as an update (sent or not):
        where an update of it may be re-posted."""
        query = (
            select(outbox.c.subscription)
            .where(outbox.c.article_id == article_id, outbox.c.kind.in_(STORY_KINDS))
            .distinct()
        )
        async with self._connect(f"routed_subscriptions({article_id})") as conn:
            return {row[0] for row in await conn.execute(query)}

    async def get_outbox_row(self, row_id: int) -> OutboxRow | None:
        async with self._connect(f"get_outbox_row({row_id})") as conn:
            row = (await conn.execute(select(outbox).where(outbox.c.id == row_id))).first()
            return outbox_row(row) if row else None

    async def claim_pending(
        self, now: datetime, limit: int, *, per_channel: int = 1, lease: timedelta = DEFAULT_LEASE
    ) -> list[OutboxRow]:
        """Lease up to ``limit`` due rows, fairly: round-robin over channels, oldest first in each.

        At most ``per_channel`` rows of one channel per call, and none of a channel that already
        has a leased row in flight.  The returned rows are leased until ``now + lease``: nobody
        else claims them before that, and if the worker dies they become due again afterwards.
        """
        if limit <= 0 or per_channel <= 0:
            return []
        ranked = (
            select(
                outbox.c.id,
                outbox.c.created_at,
                func.row_number()
                .over(partition_by=outbox.c.channel_id, order_by=(outbox.c.created_at, outbox.c.id))
                .label("rn"),
            )
            .where(_due(now))
            .subquery("ranked")
        )
        pick = (
            select(outbox.c.id)
            .join(ranked, ranked.c.id == outbox.c.id)
            .where(ranked.c.rn <= per_channel)
            .order_by(ranked.c.rn, ranked.c.created_at, ranked.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=outbox)
        )
        async with self._connect("claim_pending") as conn:
            ids = list((await conn.execute(pick)).scalars())
            if not ids:
                return []
            # The lease conditions are checked again: whoever updates first wins the row.
            claimed = await conn.execute(
                update(outbox)
                .where(
                    outbox.c.id.in_(ids),
                    outbox.c.status == "pending",
                    or_(outbox.c.leased_until.is_(None), outbox.c.leased_until <= now),
                )
                .values(leased_until=now + lease)
                .returning(*outbox.c)
            )
            by_id = {row.id: outbox_row(row) for row in claimed}
        return [by_id[i] for i in ids if i in by_id]

    async def mark_sent(self, row_id: int, *, message_ids: Sequence[int], now: datetime) -> None:
        """Discord accepted the (last part of the) post: the row is done and keeps its message ids."""
        async with self._connect(f"mark_sent({row_id})") as conn:
            current = (
                await conn.execute(select(outbox.c.message_ids).where(outbox.c.id == row_id).with_for_update())
            ).first()
            if current is None:
                raise NotFoundError("outbox row", row_id)
            ids = unique([*_ints(current.message_ids), *(int(i) for i in message_ids)])
            await conn.execute(
                update(outbox)
                .where(outbox.c.id == row_id)
                .values(status="sent", sent_at=now, message_ids=ids, leased_until=None, next_attempt_at=None)
            )

    async def record_progress(self, row_id: int, part: int, message_id: int) -> None:
        """Part ``part`` of a multi-message post was accepted: a retry resumes after it."""
        async with self._connect(f"record_progress({row_id}, part {part})") as conn:
            current = (
                await conn.execute(
                    select(outbox.c.parts_sent, outbox.c.message_ids).where(outbox.c.id == row_id).with_for_update()
                )
            ).first()
            if current is None:
                raise NotFoundError("outbox row", row_id)
            parts = sorted({*_ints(current.parts_sent), int(part)})
            ids = unique([*_ints(current.message_ids), int(message_id)])
            await conn.execute(update(outbox).where(outbox.c.id == row_id).values(parts_sent=parts, message_ids=ids))

    async def mark_retry(self, row_id: int, *, reason: str, next_attempt_at: datetime) -> bool:
        """The attempt failed but may succeed later: count it, keep the reason, back off.

        Returns False (changing nothing) when the row is no longer pending, e.g. another worker
        finished it after this worker's lease ran out.
        """
        return await self._settle(
            f"mark_retry({row_id})",
            row_id,
            attempts=outbox.c.attempts + 1,
            last_error=_reason(reason),
            next_attempt_at=next_attempt_at,
            leased_until=None,
        )

    async def mark_failed(self, row_id: int, *, reason: str) -> bool:
        """Give up on the row: it stays, status 'failed', with its reason, for admins to see.

        Returns False (changing nothing) when the row is no longer pending.
        """
        return await self._settle(
            f"mark_failed({row_id})",
            row_id,
            status="failed",
            attempts=outbox.c.attempts + 1,
            last_error=_reason(reason),
            leased_until=None,
        )

    async def requeue(self, row_id: int, *, now: datetime) -> None:
        """An admin's retry of a failed row: pending again, due at ``now``; attempts and reason are kept."""
        async with self._connect(f"requeue({row_id})") as conn:
            result = await conn.execute(
                update(outbox)
                .where(outbox.c.id == row_id, outbox.c.status == "failed")
                .values(status="pending", next_attempt_at=now, leased_until=None)
            )
            if not result.rowcount:
                await _require(conn, row_id)
                raise StoreError(f"requeue({row_id}): only a failed row can be requeued")

    async def _settle(self, what: str, row_id: int, **values: Any) -> bool:
        async with self._connect(what) as conn:
            result = await conn.execute(
                update(outbox).where(outbox.c.id == row_id, outbox.c.status == "pending").values(**values)
            )
            if result.rowcount:
                return True
            await _require(conn, row_id)
            return False

    async def held_rows(self, subscription: str) -> list[OutboxRow]:
        """Items waiting for this subscription's next digest, oldest first."""
        async with self._connect(f"held_rows({subscription!r})") as conn:
            rows = await conn.execute(
                select(outbox)
                .where(outbox.c.subscription == subscription, outbox.c.status == "held")
                .order_by(outbox.c.created_at, outbox.c.id)
            )
            return [outbox_row(row) for row in rows]

    async def release_held(self, subscription: str) -> int:
        """Deliver the held items one by one after all (e.g. the subscription left digest mode).

        Returns how many rows became pending.
        """
        async with self._connect(f"release_held({subscription!r})") as conn:
            result = await conn.execute(
                update(outbox)
                .where(outbox.c.subscription == subscription, outbox.c.status == "held")
                .values(status="pending")
            )
            return int(result.rowcount or 0)

    async def collect_digest(self, subscription: str, channel_id: int, now: datetime, dedupe_key: str) -> int | None:
        """Fold every held item of the subscription into one new pending 'digest' row.

        Returns the digest row's id; None when nothing was held, or when a digest with this
        ``dedupe_key`` already exists (this firing was already collected; the items stay held).
        The items become 'digested' (pointing at the digest row) in the same transaction.
        Recording ``last_digest_at`` is the caller's call (``set_last_digest_at``, same Tx).
        """
        async with self._connect(f"collect_digest({subscription!r})") as conn:
            held = list(
                await conn.execute(
                    select(outbox.c.id, outbox.c.article_id, outbox.c.article_ids)
                    .where(outbox.c.subscription == subscription, outbox.c.status == "held")
                    .order_by(outbox.c.created_at, outbox.c.id)
                    .with_for_update()
                )
            )
            if not held:
                return None
            article_ids = unique(_digest_articles(held))
            digest_id = await _insert(
                conn,
                {
                    "subscription": subscription,
                    "channel_id": channel_id,
                    "kind": "digest",
                    "article_id": None,
                    "article_ids": article_ids,
                    "dedupe_key": dedupe_key,
                    "status": "pending",
                    "created_at": now,
                },
            )
            if digest_id is None:
                return None
            await conn.execute(
                update(outbox)
                .where(outbox.c.id.in_([row.id for row in held]), outbox.c.status == "held")
                .values(status="digested", digest_id=digest_id)
            )
            return int(digest_id)

    async def outbox_problems(self, limit: int = 25) -> list[OutboxRow]:
        """Failed rows and rows being retried, newest first, each with its last reason."""
        async with self._connect("outbox_problems") as conn:
            rows = await conn.execute(
                select(outbox)
                .where(
                    or_(
                        outbox.c.status == "failed",
                        and_(outbox.c.status == "pending", outbox.c.last_error.is_not(None)),
                    )
                )
                .order_by(outbox.c.id.desc())
                .limit(max(0, limit))
            )
            return [outbox_row(row) for row in rows]

    async def outbox_counts(self) -> dict[str, int]:
        """Rows per status (every status present, zero included)."""
        async with self._connect("outbox_counts") as conn:
            rows = await conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
            counts = dict.fromkeys(OUTBOX_STATUSES, 0)
            counts.update({status: int(n) for status, n in rows})
            return counts


def _digest_articles(held: Iterable[Any]) -> list[int]:
    """Every article a digest will carry, in the order the items were held (duplicates kept)."""
    ids: list[int] = []
    for row in held:
        if row.article_id is not None:
            ids.append(int(row.article_id))
        ids.extend(_ints(row.article_ids))
    return ids
