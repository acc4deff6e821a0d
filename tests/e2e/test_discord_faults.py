"""Discord misbehaving, end to end: the bot (App → Deliverer → DiscordSink, the slash-command cog,
real discord.py) against the emulator's injected faults.

Each test ends on the emulator's record of what was posted: every story exactly once in its
channel — nothing lost to the fault, nothing doubled by a retry.  Delivery is driven by hand and
a retry's backoff is waited out by moving the App's clock, never by sleeping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord.http
import pytest
from sqlalchemy import select

from tests.e2e.discord_rig import Rig
from tests.emulator import DiscordEmulator

from bot.app import App
from bot.delivery import MAX_ATTEMPTS
from bot.store.outbox import outbox_row
from bot.store.records import OutboxRow
from bot.store.schema import outbox

#: How many times discord.py itself sends a request that keeps failing with 500/502/504 or 429.
DISCORD_PY_TRIES = 5
#: Injected failures in a row: more than discord.py retries on its own, so only the outbox saves the post.
FAULTS = DISCORD_PY_TRIES + 1
#: Enough delivery rounds for a few stories, each retried up to the Deliverer's limit.
SETTLE_ROUNDS = 4 * MAX_ATTEMPTS


async def outbox_rows(app: App) -> list[OutboxRow]:
    """Every outbox row, oldest first (the store has no call that lists them all)."""
    assert app.store is not None
    async with app.store.engine.connect() as conn:
        return [outbox_row(r) for r in await conn.execute(select(outbox).order_by(outbox.c.id))]


async def deliver_until_settled(rig: Rig) -> None:
    """Delivery rounds until no row is pending, moving the clock to the next retry when none is due."""
    assert rig.app.deliverer is not None
    for _ in range(SETTLE_ROUNDS):
        await rig.app.deliverer.run_once()
        pending = [r for r in await outbox_rows(rig.app) if r.status == "pending"]
        if not pending:
            return
        rig.clock.now = max(rig.clock.now, min(r.next_attempt_at or rig.clock.now for r in pending))
    pytest.fail(f"the outbox did not settle within {SETTLE_ROUNDS} delivery rounds")


def posted_titles(emu: DiscordEmulator, channel: int) -> list[str]:
    """The story title of each post in a channel (embed layout: one message per short story).

    Every message counts but the public replies to slash commands, which are not posts.
    """
    return sorted(m["embeds"][0]["title"] for m in emu.messages(channel) if "interaction_metadata" not in m)


def assert_bot_alive(rig: Rig, caplog: pytest.LogCaptureFixture, *expected_errors: str) -> None:
    """Still connected to the gateway, and nothing logged as an error (a crash logs one) but what the
    test expects, given as one text fragment per expected error."""
    client = rig.app.discord.client if rig.app.discord is not None else None
    assert client is not None and client.is_ready() and not client.is_closed()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == len(expected_errors), errors
    assert all(fragment in error for fragment, error in zip(expected_errors, errors)), errors


class QuickRetryAsyncio:
    """discord.py's ``asyncio`` with the pauses between its own 5xx retries cut to nothing.

    discord.py waits 1, 3, 5, 7 and 9 s between its five tries of a 500/502 and has no setting
    for it; the test would otherwise spend 25 s in those pauses.  Only the waiting goes: every
    try still happens, in the same order.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def sleep(delay: float, result: Any = None) -> Any:
        return await asyncio.sleep(0, result)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_beyond_discord_py_retries_are_delivered_once_by_the_outbox(
    rig: Rig, status: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(discord.http, "asyncio", QuickRetryAsyncio())
    caplog.set_level(logging.WARNING)
    await rig.publish("Harbour reopens after storm")
    rig.emu.fail_next(rig.news_posts, status=status, count=FAULTS)

    assert rig.app.deliverer is not None
    assert await rig.app.deliverer.run_once() == 0  # the first attempt fails outright
    [row] = await outbox_rows(rig.app)
    assert (row.status, row.attempts) == ("pending", 1) and f"HTTP {status}" in (row.last_error or "")
    assert rig.emu.messages(rig.news) == []

    await deliver_until_settled(rig)

    assert posted_titles(rig.emu, rig.news) == ["Harbour reopens after storm"]
    assert rig.news_requests() == FAULTS + 1  # every fault, then one accepted post
    [row] = await outbox_rows(rig.app)
    assert row.status == "sent" and [int(m["id"]) for m in rig.emu.messages(rig.news)] == list(row.message_ids)
    assert rig.emu.messages(rig.admin) == []  # a retried post is no news for the admins
    assert_bot_alive(rig, caplog)


@pytest.mark.parametrize("count", [1, FAULTS], ids=["discord.py-waits", "outbox-retries"])
async def test_429_with_retry_after_is_delivered_once_afterwards(rig: Rig, count: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    await rig.publish("Bridge closed for repairs")
    rig.emu.fail_next(rig.news_posts, status=429, count=count, retry_after=0.05)

    await deliver_until_settled(rig)

    assert posted_titles(rig.emu, rig.news) == ["Bridge closed for repairs"]
    assert rig.emu.rate_limited_count == count
    assert rig.news_requests() == count + 1  # posted only after the limit, once
    [row] = await outbox_rows(rig.app)
    assert row.status == "sent"
    assert row.attempts == (0 if count < DISCORD_PY_TRIES else 1)  # who waited: discord.py, or the outbox
    assert_bot_alive(rig, caplog)


async def test_a_rejected_post_fails_once_tells_the_admins_and_the_others_go_out(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    titles = ["Ferry strike ends", "Library opens new wing", "Market moves to the square"]
    await rig.publish(*titles)
    # Discord refuses the first post to the channel as a bad request (400), and only that one.
    rig.emu.fail_next(rig.news_posts, status=400, count=1)

    await deliver_until_settled(rig)

    rows = await outbox_rows(rig.app)
    [failed] = [r for r in rows if r.status == "failed"]
    assert sorted(r.status for r in rows) == ["failed", "sent", "sent"]
    assert failed.attempts == 1 and "HTTP 400" in (failed.last_error or "")
    assert rig.app.store is not None
    rejected = await rig.app.store.get_article(failed.article_id or 0)
    assert rejected is not None
    assert posted_titles(rig.emu, rig.news) == sorted(t for t in titles if t != rejected.article.title)
    notices = [m["content"] for m in rig.emu.messages(rig.admin)]
    assert len(notices) == 1 and "**news**" in notices[0] and "could not be delivered" in notices[0] and "HTTP 400" in notices[0]

    # Not retried later either: hours on, the row is still failed and Discord saw no new attempt.
    requests = rig.news_requests()
    assert requests == len(titles)
    rig.clock.advance(hours=2)
    assert rig.app.deliverer is not None
    assert await rig.app.deliverer.run_once() == 0
    assert rig.news_requests() == requests
    assert [r.status for r in await outbox_rows(rig.app)] == [r.status for r in rows]
    assert len(rig.emu.messages(rig.admin)) == 1
    assert_bot_alive(rig, caplog, "failed for good")


GatewayFault = Callable[[DiscordEmulator], Awaitable[int]]


@pytest.mark.parametrize(
    "fault", [DiscordEmulator.drop_gateway, DiscordEmulator.reconnect], ids=["tcp-dropped", "op7-reconnect"]
)
async def test_after_the_gateway_drops_the_bot_resumes_answers_commands_and_delivers_once(
    rig: Rig, fault: GatewayFault, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await rig.publish("Ferry strike ends")
    await deliver_until_settled(rig)
    gateway = rig.emu.gateway
    assert (gateway.identify_count, gateway.resume_count) == (1, 0)

    assert await fault(rig.emu) == 1
    await rig.emu.wait_until(lambda: gateway.resume_count == 1 and gateway.connected(), 10, "the bot to resume by itself")
    assert gateway.identify_count == 1  # resumed the session, not a new one

    reader = rig.emu.add_member(rig.guild, "reader")
    handle = await rig.emu.invoke_command(rig.guild, rig.news, reader, "latest", {"count": 3})
    reply = (await handle.wait_response())["data"]
    assert "Ferry strike ends" in str(reply["embeds"])

    await rig.publish("Library opens new wing")
    assert rig.app.deliverer is not None
    while await rig.app.deliverer.run_once():
        pass
    assert posted_titles(rig.emu, rig.news) == ["Ferry strike ends", "Library opens new wing"]
    assert [r.status for r in await outbox_rows(rig.app)] == ["sent", "sent"]
    assert_bot_alive(rig, caplog)
