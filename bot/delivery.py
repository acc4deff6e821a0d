"""The outbox, drained: claim due rows fairly, hand them to a sink, record what was accepted.

A row is marked sent only after the sink (Discord, or the terminal when no token is set) has
accepted every part.  Failures never drop a row: retryable ones come back with backoff, and a
channel the bot cannot post in pauses its subscription until an admin fixes it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol

from bot.config import Config
from bot.errors import DeliveryError
from bot.feeds.timing import Backoff
from bot.notices import Concerns, Notify, notify_safely
from bot.store import Store
from bot.store.records import OutboxRow, StoredArticle

log = logging.getLogger("newsbot.delivery")

#: Rows claimed per round; the store spreads them over channels (one per channel per round).
CLAIM_BATCH = 10
#: Give up retrying (the row stays in the outbox as failed, visible to admins) after this many.
MAX_ATTEMPTS = 12
#: Discord's "Missing Access": the bot cannot see the channel at all.
MISSING_ACCESS = 50001
#: Discord's "Operation cannot be performed on an archived thread": a moderator locked it.
ARCHIVED_LOCKED = 50083
#: What to do when a post is refused, by whether the bot cannot see the channel (a private thread
#: it is not in is the case no permission in the channel fixes) or lacks a permission there.
_ACCESS_ADVICE = (
    "Give me View Channel there (in a private thread: mention me in it to add me, or give me Manage Threads in "
    "its channel), or fix the channel in the config"
)
_PERMISSION_ADVICE = "Give me View Channel, Send Messages and Embed Links there (or fix the channel in the config)"
_LOCKED_ADVICE = "The thread is archived and locked: unlock it, or give me Manage Threads in its channel"
_ADVICE = {MISSING_ACCESS: _ACCESS_ADVICE, ARCHIVED_LOCKED: _LOCKED_ADVICE}


class Sink(Protocol):
    """Where posts go.  ``send`` returns the message ids it created, or raises DeliveryError."""

    async def send(self, row: OutboxRow, articles: list[StoredArticle], subscription: Any) -> list[int]: ...


class Deliverer:
    """Drains the outbox into a sink; one instance per process."""

    def __init__(
        self,
        *,
        store: Store,
        sink: Sink,
        config: Callable[[], Config],
        clock: Callable[[], datetime],
        notify: Notify | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.store = store
        self.sink = sink
        self.config = config
        self.clock = clock
        self.notify = notify
        self.backoff = backoff or Backoff(base=timedelta(seconds=5), cap=timedelta(hours=1))
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was enqueued: deliver now rather than at the next tick."""
        self._wake.set()

    async def run_once(self) -> int:
        """Deliver one fair round of due rows; returns how many were sent."""
        now = self.clock()
        rows = await self.store.claim_pending(now, CLAIM_BATCH, per_channel=1)
        if not rows:
            return 0
        # Different channels in parallel (one channel's rate limit does not hold up the others).
        results = await asyncio.gather(*(self.deliver(row) for row in rows))
        return sum(results)

    async def run_forever(self, stop: asyncio.Event, *, idle: float = 1.0) -> None:
        while not stop.is_set():
            try:
                sent = await self.run_once()
            except Exception:  # noqa: BLE001 - the loop must outlive a bad round (e.g. the DB blinked)
                log.exception("delivery round failed; retrying shortly")
                sent = 0
            if sent:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def deliver(self, row: OutboxRow) -> int:
        """Send one row; returns 1 when it was sent."""
        config = self.config()
        subscription = config.subscription(row.subscription)
        if subscription is None:
            await self.store.mark_failed(row.id, reason="its subscription is no longer in the config")
            return 0
        ids = [row.article_id] if row.article_id is not None else list(row.article_ids)
        articles = [a for a in [await self.store.get_article(i) for i in ids] if a is not None]
        if not articles:
            await self.store.mark_failed(row.id, reason="its article is no longer stored")
            return 0
        try:
            message_ids = await self.sink.send(row, articles, subscription)
        except DeliveryError as exc:
            await self._failed(row, subscription, exc)
            return 0
        await self.store.mark_sent(row.id, message_ids=message_ids, now=self.clock())
        log.info("sent outbox #%d (%s) to channel %s: %d message(s)", row.id, row.kind, row.channel_id, len(message_ids))
        return 1

    async def _failed(self, row: OutboxRow, subscription: Any, exc: DeliveryError) -> None:
        reason = f"{exc} (HTTP {exc.status}, code {exc.code})" if exc.status else str(exc)
        if exc.status in (403, 404) or exc.code == ARCHIVED_LOCKED:
            # Every later story would fail alike: hold them all (nothing is lost) and tell once.
            await self.store.set_subscription_paused(subscription.key, True, reason)
            await self.store.mark_retry(row.id, reason=reason, next_attempt_at=self.clock())
            log.warning("subscription %s paused: %s", subscription.key, reason)
            await self._notify(
                f"Subscription **{subscription.key}** is paused: I cannot post in <#{row.channel_id}> ({reason}). "
                f"{_ADVICE.get(exc.code or 0, _PERMISSION_ADVICE)}, "
                "then `/feeds resume` — nothing is lost meanwhile.",
                subscription=subscription.key,
            )
            return
        if exc.retryable and row.attempts + 1 < MAX_ATTEMPTS:
            delay = self.backoff.delay(row.attempts + 1)
            await self.store.mark_retry(row.id, reason=reason, next_attempt_at=self.clock() + delay)
            log.warning("outbox #%d: %s; retry in %s", row.id, reason, delay)
            return
        await self.store.mark_failed(row.id, reason=reason)
        log.error("outbox #%d failed for good: %s", row.id, reason)
        await self._notify(
            f"A post for **{subscription.key}** could not be delivered: {reason}. It stays in the outbox.",
            subscription=subscription.key,
        )

    async def _notify(self, text: str, *, subscription: str) -> None:
        """Tell the admins about the subscription keyed ``subscription``: the operator, and its server."""
        await notify_safely(self.notify, text, log, concerns=Concerns.subscription(subscription))
