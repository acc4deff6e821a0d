"""Subscriptions' runtime state (their definitions live in the config): paused, last digest.

A row is created on first write; a subscription never written to reads as active with no digest yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.store.base import Executor, insert_for
from bot.store.records import SubscriptionState
from bot.store.schema import subscriptions


def _state(m: Any) -> SubscriptionState:
    return SubscriptionState(
        key=m["key"], paused=bool(m["paused"]), pause_reason=m["pause_reason"], last_digest_at=m["last_digest_at"]
    )


class SubscriptionsMixin(Executor):
    async def get_subscription(self, key: str) -> SubscriptionState:
        async with self._connect(f"get_subscription({key!r})") as conn:
            row = (await conn.execute(select(subscriptions).where(subscriptions.c.key == key))).first()
            return _state(row._mapping) if row else SubscriptionState(key=key)

    async def list_subscriptions(self) -> list[SubscriptionState]:
        """Every subscription that has state (paused ones, ones that had a digest)."""
        async with self._connect("list_subscriptions") as conn:
            rows = await conn.execute(select(subscriptions).order_by(subscriptions.c.key))
            return [_state(row._mapping) for row in rows]

    async def set_subscription_paused(self, key: str, paused: bool, reason: str | None = None) -> SubscriptionState:
        """Pause (with a reason admins will see) or resume; resuming clears the reason."""
        values = {"paused": paused, "pause_reason": reason if paused else None}
        return await self._upsert(f"set_subscription_paused({key!r})", key, values)

    async def set_last_digest_at(self, key: str, when: datetime) -> SubscriptionState:
        return await self._upsert(f"set_last_digest_at({key!r})", key, {"last_digest_at": when})

    async def _upsert(self, what: str, key: str, values: dict[str, Any]) -> SubscriptionState:
        async with self._connect(what) as conn:
            stmt = insert_for(conn, subscriptions).values(key=key, **values)
            stmt = stmt.on_conflict_do_update(index_elements=[subscriptions.c.key], set_=values)
            row = (await conn.execute(stmt.returning(*subscriptions.c))).one()
            return _state(row._mapping)
