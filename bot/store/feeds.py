"""Feeds: location, HTTP validators, schedule and health."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, or_, select, update

from bot.errors import StoreError
from bot.store.base import Executor, insert_for
from bot.store.errors import NotFoundError
from bot.store.records import FeedState
from bot.store.schema import feeds

#: The fields ``update_feed`` may change (everything but the name), with the type each takes.
#: Checked in Python because SQLite would happily store "many" in an integer column.
FEED_FIELDS: dict[str, tuple[type, bool]] = {
    # name: (type, may be None)
    "url": (str, False),
    "etag": (str, True),
    "last_modified": (str, True),
    "content_hash": (str, True),
    "last_polled_at": (datetime, True),
    "last_success_at": (datetime, True),
    "next_poll_at": (datetime, True),
    "failures": (int, False),
    "first_failure_at": (datetime, True),
    "last_error": (str, True),
    "disabled": (bool, False),
    "disabled_reason": (str, True),
    "failure_reported": (bool, False),
    "ttl_minutes": (int, True),
    "leased_until": (datetime, True),
    "moved_to": (str, True),
}


def _check_changes(name: str, changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - set(FEED_FIELDS))
    if unknown:
        raise StoreError(
            f"update_feed({name!r}): unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(FEED_FIELDS))}"
        )
    for field, value in changes.items():
        kind, nullable = FEED_FIELDS[field]
        if value is None and nullable:
            continue
        # bool is an int in Python; an int field given True is a bug all the same.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = kind.__name__ + (" or None" if nullable else "")
            raise StoreError(f"update_feed({name!r}): {field} must be {expected}, not {value!r}")


def feed_state(row: Row[Any]) -> FeedState:
    m = row._mapping
    return FeedState(
        name=m["name"],
        url=m["url"],
        etag=m["etag"],
        last_modified=m["last_modified"],
        content_hash=m["content_hash"],
        last_polled_at=m["last_polled_at"],
        last_success_at=m["last_success_at"],
        next_poll_at=m["next_poll_at"],
        failures=m["failures"],
        first_failure_at=m["first_failure_at"],
        last_error=m["last_error"],
        disabled=bool(m["disabled"]),
        disabled_reason=m["disabled_reason"],
        failure_reported=bool(m["failure_reported"]),
        ttl_minutes=m["ttl_minutes"],
        leased_until=m["leased_until"],
        moved_to=m["moved_to"],
    )


class FeedsMixin(Executor):
    async def upsert_feed(self, name: str, url: str) -> FeedState:
        """Create the feed, or change its URL; its history (validators, health) is kept either way."""
        async with self._connect(f"upsert_feed({name!r})") as conn:
            stmt = insert_for(conn, feeds).values(name=name, url=url)
            stmt = stmt.on_conflict_do_update(index_elements=[feeds.c.name], set_={"url": stmt.excluded.url})
            row = (await conn.execute(stmt.returning(*feeds.c))).one()
            return feed_state(row)

    async def get_feed(self, name: str) -> FeedState | None:
        async with self._connect(f"get_feed({name!r})") as conn:
            row = (await conn.execute(select(feeds).where(feeds.c.name == name))).first()
            return feed_state(row) if row else None

    async def list_feeds(self) -> list[FeedState]:
        async with self._connect("list_feeds") as conn:
            rows = await conn.execute(select(feeds).order_by(feeds.c.name))
            return [feed_state(row) for row in rows]

    async def update_feed(self, name: str, **changes: Any) -> FeedState:
        """Change some of the fields in :data:`FEED_FIELDS`; returns the new state.

        Raises NotFoundError for an unknown feed and StoreError naming any unknown field.
        """
        _check_changes(name, changes)
        async with self._connect(f"update_feed({name!r})") as conn:
            if not changes:
                row = (await conn.execute(select(feeds).where(feeds.c.name == name))).first()
            else:
                stmt = update(feeds).where(feeds.c.name == name).values(**changes).returning(*feeds.c)
                row = (await conn.execute(stmt)).first()
            if row is None:
                raise NotFoundError("feed", name)
            return feed_state(row)

    async def delete_feed(self, name: str) -> bool:
        """Forget the feed and its seen entries (its articles stay).  True if it existed."""
        async with self._connect(f"delete_feed({name!r})") as conn:
            result = await conn.execute(delete(feeds).where(feeds.c.name == name))
            return bool(result.rowcount)

    async def due_feeds(self, now: datetime, limit: int, *, lease: timedelta | None = None) -> list[str]:
        """Names of enabled feeds due at ``now`` (next_poll_at unset or past), longest-waiting first.

        With ``lease``, the feeds are also held for that long (``leased_until``) so that other
        workers sharing the database skip them; on PostgreSQL the candidate rows are locked with
        ``FOR UPDATE SKIP LOCKED`` so two workers never claim the same feed.  Without it this is
        a plain read.
        """
        if limit <= 0:
            return []
        async with self._connect("due_feeds") as conn:
            query = (
                select(feeds.c.name)
                .where(
                    feeds.c.disabled == False,  # noqa: E712 (SQL, not Python)
                    or_(feeds.c.next_poll_at.is_(None), feeds.c.next_poll_at <= now),
                    or_(feeds.c.leased_until.is_(None), feeds.c.leased_until <= now),
                )
                .order_by(feeds.c.next_poll_at.nulls_first(), feeds.c.name)
                .limit(limit)
            )
            if lease is None:
                return list((await conn.execute(query)).scalars())
            names = list((await conn.execute(query.with_for_update(skip_locked=True))).scalars())
            if not names:
                return []
            # Re-checked in the UPDATE: a concurrent claimer that got there first wins the row.
            claimed = await conn.execute(
                update(feeds)
                .where(
                    feeds.c.name.in_(names),
                    or_(feeds.c.leased_until.is_(None), feeds.c.leased_until <= now),
                )
                .values(leased_until=now + lease)
                .returning(feeds.c.name)
            )
            got = set(claimed.scalars())
            return [name for name in names if name in got]
