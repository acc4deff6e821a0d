"""Closing the store while a query is in flight: the query finishes, then every connection is released."""

from __future__ import annotations

import asyncio
import logging

import pytest

import bot.store.storage as storage
from bot.errors import StoreError
from bot.store import open_store


async def test_close_waits_for_a_transaction_in_flight_then_releases_every_connection(db_url: str) -> None:
    store = await open_store(db_url)
    inside, release = asyncio.Event(), asyncio.Event()

    async def write() -> None:
        async with store.transaction() as tx:
            await tx.get_subscription("news")
            inside.set()
            await release.wait()
            await tx.set_subscription_paused("news", True, "admin: kept across the close")

    writing = asyncio.create_task(write())
    await asyncio.wait_for(inside.wait(), 5)
    closing = asyncio.create_task(store.close())
    await asyncio.sleep(0.1)
    assert not closing.done()  # the transaction still holds its connection
    release.set()
    await asyncio.wait_for(asyncio.gather(writing, closing), 10)
    assert store.engine.pool.checkedout() == 0

    with pytest.raises(StoreError, match=r"the store is closed \(the bot is stopping\)"):
        await store.get_subscription("news")
    with pytest.raises(StoreError, match="the store is closed"):
        async with store.transaction():
            pass

    reopened = await open_store(db_url)
    try:
        state = await reopened.get_subscription("news")
        assert state.paused and state.pause_reason == "admin: kept across the close"  # it committed
    finally:
        await reopened.close()


async def test_close_gives_up_waiting_after_the_grace_and_says_so(
    db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(storage, "CLOSE_GRACE_SECONDS", 0.05)
    store = await open_store(db_url)
    with caplog.at_level(logging.WARNING, logger="bot.store.storage"):
        with store._using("a query that never ends"):
            await asyncio.wait_for(store.close(), 5)
    assert "closing the store with 1 connection(s) still in use after" in caplog.text


async def test_close_twice_is_harmless(db_url: str) -> None:
    store = await open_store(db_url)
    await store.close()
    await store.close()
