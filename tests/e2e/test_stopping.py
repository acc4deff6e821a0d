"""Stopping the bot while a gateway event's handler is at work: it finishes, and the store closes after it.

discord.py runs each event handler as a task of its own, which ``client.close()`` neither cancels
nor waits for; without a wait, the store would close under a channel check mid-query.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.store.records import SubscriptionState
from tests.e2e.discord_rig import Rig

VIEW_CHANNEL = 1 << 10


async def test_a_channel_check_a_gateway_event_started_finishes_before_the_store_closes(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = rig.app
    assert app.discord is not None and app.store is not None
    store = app.store
    started, release = asyncio.Event(), asyncio.Event()
    read: list[SubscriptionState] = []

    async def slow_check() -> list[object]:
        started.set()
        await release.wait()
        read.append(await store.get_subscription("news"))  # a query after the bot began to stop
        return []

    monkeypatch.setattr(app.discord, "check_channels", slow_check)
    rig.emu.set_overwrite(rig.news, rig.guild, deny=VIEW_CHANNEL)  # CHANNEL_UPDATE: the bot checks its channels
    await asyncio.wait_for(started.wait(), 5)

    stopping = asyncio.create_task(app.stop())
    await asyncio.sleep(0.2)
    assert not stopping.done()  # waiting for the check
    release.set()
    await asyncio.wait_for(stopping, 10)
    assert [state.key for state in read] == ["news"]
    assert store.engine.pool.checkedout() == 0
