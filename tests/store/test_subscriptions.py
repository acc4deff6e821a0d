"""Subscriptions' runtime state."""

from __future__ import annotations

from bot.store import Store, SubscriptionState
from tests.store.conftest import NOW, minutes


async def test_unknown_subscription_reads_as_active(store: Store) -> None:
    assert await store.get_subscription("news") == SubscriptionState(key="news")
    assert await store.list_subscriptions() == []


async def test_pause_and_resume(store: Store) -> None:
    paused = await store.set_subscription_paused("news", True, "channel deleted")
    assert paused == SubscriptionState("news", paused=True, pause_reason="channel deleted")
    assert await store.get_subscription("news") == paused
    resumed = await store.set_subscription_paused("news", False, "ignored when resuming")
    assert resumed == SubscriptionState("news", paused=False, pause_reason=None)


async def test_last_digest_at_on_store_and_tx(store: Store) -> None:
    await store.set_subscription_paused("news", True, "admin")
    await store.set_last_digest_at("news", NOW)
    async with store.transaction() as tx:
        await tx.set_last_digest_at("digest", NOW + minutes(1))
    assert await store.get_subscription("news") == SubscriptionState("news", True, "admin", NOW)
    assert (await store.get_subscription("digest")).last_digest_at == NOW + minutes(1)
    assert [s.key for s in await store.list_subscriptions()] == ["digest", "news"]
