"""What ``newsbot status`` reads: feeds' health, stories per feed, each subscription's outbox, totals.

Read-only queries only, so they can run beside a working bot: a plain read never waits for the
bot's writes on PostgreSQL, nor on SQLite in WAL mode.  The statements of one
:meth:`StatusMixin.store_status` share a transaction; on SQLite that is one snapshot, on
PostgreSQL (READ COMMITTED) each statement sees the latest commits — counts a moment apart,
which a status view can live with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from bot.store.base import Executor
from bot.store.feeds import feed_state
from bot.store.records import FeedState, SubscriptionState
from bot.store.schema import OUTBOX_STATUSES, articles, feeds, outbox, subscriptions
from bot.store.subscriptions import _state as subscription_state


def _no_rows() -> dict[str, int]:
    return dict.fromkeys(OUTBOX_STATUSES, 0)


@dataclass(frozen=True, slots=True)
class SubscriptionActivity:
    """A subscription as the store knows it: its state row and its outbox rows."""

    #: Paused or not (and why), when the schedule last fired a digest (the ``subscriptions`` table).
    state: SubscriptionState
    #: Its outbox rows per status, every status present (zero included).
    outbox: Mapping[str, int] = field(default_factory=_no_rows)
    #: When Discord (or the terminal) last accepted one of its posts, of any kind; None: never.
    last_sent_at: datetime | None = None
    #: When its last digest post was accepted; None: never (or it never was a digest subscription).
    last_digest_sent_at: datetime | None = None

    @property
    def key(self) -> str:
        return self.state.key


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """One read of the store for ``newsbot status``; ``bot.status`` lays it beside the config."""

    #: Every feed row, by name: the configured feeds the bot has seen, and feeds since removed
    #: from the config (their rows are kept).
    feeds: tuple[FeedState, ...] = ()
    #: Stories stored per feed they were first read from (``articles.feed``), removed feeds' too.
    stories_by_feed: Mapping[str, int] = field(default_factory=dict)
    #: Every subscription with a state row or outbox rows, by key.
    subscriptions: Mapping[str, SubscriptionActivity] = field(default_factory=dict)
    #: Outbox rows per status over all subscriptions, every status present.
    outbox: Mapping[str, int] = field(default_factory=_no_rows)
    #: When the oldest pending row was enqueued (a backlog signal); None: nothing pending.
    oldest_pending_at: datetime | None = None

    @property
    def stories(self) -> int:
        """Stories stored in all (every article has the feed it was first read from)."""
        return sum(self.stories_by_feed.values())


class StatusMixin(Executor):
    async def store_status(self) -> StoreStatus:
        """Everything ``newsbot status`` shows from the database, in one transaction that writes nothing."""
        async with self._connect("store_status") as conn:
            feed_rows = [feed_state(row) for row in await conn.execute(select(feeds).order_by(feeds.c.name))]
            stories = await conn.execute(select(articles.c.feed, func.count()).group_by(articles.c.feed))
            states = [subscription_state(row._mapping) for row in await conn.execute(select(subscriptions))]
            per_status = list(
                await conn.execute(
                    select(outbox.c.subscription, outbox.c.status, func.count()).group_by(
                        outbox.c.subscription, outbox.c.status
                    )
                )
            )
            # MAX/MIN keep the column's type, so SQLite's text comes back as aware datetimes too.
            last_sent = await conn.execute(
                select(
                    outbox.c.subscription,
                    func.max(outbox.c.sent_at),
                    func.max(case((outbox.c.kind == "digest", outbox.c.sent_at))),
                )
                .where(outbox.c.status == "sent")
                .group_by(outbox.c.subscription)
            )
            oldest = (
                await conn.execute(
                    select(func.min(outbox.c.created_at)).where(outbox.c.status == "pending")
                )
            ).scalar()
            return StoreStatus(
                feeds=tuple(feed_rows),
                stories_by_feed={name: int(n) for name, n in stories},
                subscriptions=_activities(states, per_status, list(last_sent)),
                outbox=_totals(per_status),
                oldest_pending_at=oldest,
            )


def _activities(
    states: list[SubscriptionState], per_status: list[Any], last_sent: list[Any]
) -> dict[str, SubscriptionActivity]:
    """Join the state rows, the counts and the last sends by subscription key, sorted by key."""
    keys = sorted({s.key for s in states} | {row[0] for row in per_status} | {row[0] for row in last_sent})
    state_of = {s.key: s for s in states}
    counts: dict[str, dict[str, int]] = {key: _no_rows() for key in keys}
    for key, status, n in per_status:
        counts[key][status] = int(n)
    sends = {key: (last, digest) for key, last, digest in last_sent}
    return {
        key: SubscriptionActivity(
            state=state_of.get(key, SubscriptionState(key=key)),
            outbox=counts[key],
            last_sent_at=sends.get(key, (None, None))[0],
            last_digest_sent_at=sends.get(key, (None, None))[1],
        )
        for key in keys
    }


def _totals(per_status: list[Any]) -> dict[str, int]:
    totals = _no_rows()
    for _key, status, n in per_status:
        totals[status] = totals.get(status, 0) + int(n)
    return totals
