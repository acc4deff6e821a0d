"""A webhook subscription posts each story once, even when the answer to its post is lost.

A webhook execution takes no nonce, so Discord cannot drop a resent one: before executing again
for a row an earlier attempt may have posted, the sink reads the channel's recent history and
records that webhook's message instead of posting a second one.  The answer is lost in three ways
here: the sink's request times out, the run dies and the bot restarts, the run dies and its lease
runs out.  Delivery is driven by hand; time moves on the App's clock, never by sleeping.  (Rows
are created on that clock, at T0 in November 2026, and matched against messages stamped with the
real time, which is later.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest

from tests.e2e.discord_rig import Rig, rigged, running_app
from tests.e2e.harness import T0, cycle
from tests.emulator import DEFAULT_BOT_PERMISSIONS, DiscordEmulator, Permission as P
from tests.support.feedserver import FeedServer

from bot.app import App
from bot.discord.dedupe import may_have_been_posted, message_signature, webhook_copy
from bot.discord.forum import is_candidate
from bot.render import render_embed
from bot.store.outbox import DEFAULT_LEASE
from bot.store.records import OutboxRow

#: The subscription posts through the channel's webhook under this name.
DESK = "World Desk"
EXECUTE = "POST /webhooks/{webhook_id}/{webhook_token}"
HISTORY = "GET /channels/{channel_id}/messages"
#: The sink gives up on an unanswered webhook execution after this long in these tests (the
#: emulator holds the answer for ten minutes, so the request always times out).
SHORT_TIMEOUT = 1.0
HELD = 600.0
#: The ``news`` subscription's YAML key that makes it post through a webhook, as ``DESK``.
THROUGH_A_WEBHOOK = {"webhook": f"{{name: {DESK}}}"}
STORY = "Harbour reopens after storm"


@pytest.fixture
async def hooked(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> AsyncIterator[Rig]:
    """The rig whose ``news`` subscription posts through a webhook, as ``World Desk``."""
    async with rigged(emu, server, tmp_path, **THROUGH_A_WEBHOOK) as rig:
        yield rig


async def row_of(app: App, title: str) -> OutboxRow:
    """The outbox row of the story called ``title`` (rows are numbered from 1 in a new outbox)."""
    assert app.store is not None
    counts = await app.store.outbox_counts()
    for row_id in range(1, sum(counts.values()) + 1):
        row = await app.store.get_outbox_row(row_id)
        article = await app.store.get_article(row.article_id or 0) if row else None
        if row is not None and article is not None and article.article.title == title:
            return row
    raise AssertionError(f"no outbox row for {title!r}")


async def assert_recorded(app: App, row_id: int, message: dict[str, Any]) -> None:
    """The row is sent, with ``message`` as its post."""
    assert app.store is not None
    row = await app.store.get_outbox_row(row_id)
    assert row is not None and (row.status, row.message_ids) == ("sent", (int(message["id"]),))


async def only_row(app: App) -> OutboxRow:
    """The one outbox row of a test that published one story."""
    assert app.store is not None
    assert sum((await app.store.outbox_counts()).values()) == 1
    return await row_of(app, STORY)


async def lose_the_answer(rig: Rig) -> dict[str, Any]:
    """Deliver the story while Discord stores the post but never answers: the sink times out."""
    assert rig.app.deliverer is not None and rig.app.discord is not None
    rig.app.discord.sink.webhook_timeout = SHORT_TIMEOUT
    rig.emu.slow(EXECUTE, HELD, count=1, after=True)
    assert await rig.app.deliverer.run_once() == 0
    [stored] = await rig.emu.wait_for_messages(rig.news, 1)
    row = await only_row(rig.app)
    assert (row.status, row.attempts, row.message_ids) == ("pending", 1, ())
    assert "no answer" in (row.last_error or "")
    rig.emu.clear_faults()
    return stored


async def retry(rig: Rig) -> None:
    """The retry, once its backoff is over."""
    await cycle(rig.app, rig.clock, advance_minutes=60)


async def test_a_webhook_post_whose_answer_timed_out_is_recorded_not_posted_again(
    emu: DiscordEmulator, hooked: Rig
) -> None:
    await hooked.publish(STORY)
    stored = await lose_the_answer(hooked)

    await retry(hooked)
    assert emu.messages(hooked.news) == [stored]
    assert emu.request_count[EXECUTE] == 1
    await assert_recorded(hooked.app, (await only_row(hooked.app)).id, stored)


@pytest.mark.parametrize("recovery", ["restart", "lease runs out"])
async def test_a_webhook_post_left_in_flight_by_a_dead_run_is_recorded_not_posted_again(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path, recovery: str
) -> None:
    async with rigged(emu, server, tmp_path, **THROUGH_A_WEBHOOK) as rig:
        # A story delivered first: the lost one was not yet in the outbox when this process made
        # its first claim, so only the restart or the lapsed lease can send the retry looking.
        await rig.publish("Council approves budget")
        await cycle(rig.app, rig.clock)
        [before] = emu.messages(rig.news)
        emu.slow(EXECUTE, HELD, count=1, after=True)
        await rig.publish(STORY)
        assert rig.app.deliverer is not None
        delivering = asyncio.create_task(rig.app.deliverer.run_once())
        [_, stored] = await emu.wait_for_messages(rig.news, 2)
        # The run dies: Discord has the post, and the outbox has no trace of the attempt.
        delivering.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await delivering
        emu.clear_faults()
        lost = await row_of(rig.app, STORY)
        assert (lost.status, lost.attempts, lost.parts_sent) == ("pending", 0, ())
        if recovery == "lease runs out":
            await cycle(rig.app, rig.clock, advance_minutes=DEFAULT_LEASE.total_seconds() / 60 + 1)
            await assert_recorded(rig.app, lost.id, stored)
    if recovery == "restart":
        # A lone SQLite process releases the dead run's lease at start and delivers at once.
        async with running_app(tmp_path / "newsbot.yaml", emu, rig.clock) as app:
            await cycle(app, rig.clock, advance_minutes=1)
            await assert_recorded(app, lost.id, stored)
    assert emu.messages(rig.news) == [before, stored]
    assert emu.request_count[EXECUTE] == 2


async def test_the_same_words_from_another_webhook_or_from_the_bot_do_not_count(
    emu: DiscordEmulator, hooked: Rig
) -> None:
    # The first attempt fails before anything is posted (listing the channel's webhooks fails).
    emu.fail_next("GET /channels/*/webhooks", status=503)
    await hooked.publish(STORY)
    assert hooked.app.deliverer is not None and hooked.app.store is not None
    assert await hooked.app.deliverer.run_once() == 0
    row = await only_row(hooked.app)
    assert row.attempts == 1 and emu.messages(hooked.news) == []
    # Meanwhile exactly what the bot will post shows up, from another webhook under the same
    # name, and from the bot itself.
    stored = await hooked.app.store.get_article(row.article_id or 0)
    assert stored is not None
    [payload] = render_embed(stored.article)
    embeds = [discord.Embed.from_dict(e) for e in payload["embeds"]]
    assert hooked.app.discord is not None
    channel = hooked.app.discord.client.get_channel(hooked.news)
    assert isinstance(channel, discord.TextChannel)
    other = await channel.create_webhook(name="Other Desk")
    from_other = await other.send(embeds=embeds, username=DESK, wait=True)
    from_bot = await channel.send(embeds=embeds)
    lookups = emu.request_count[HISTORY]

    await retry(hooked)
    assert emu.request_count[HISTORY] > lookups  # the retry did look, and passed both by
    *planted, posted = emu.messages(hooked.news)
    assert [int(m["id"]) for m in planted] == [from_other.id, from_bot.id]
    assert message_signature(posted) == message_signature(planted[0]) == message_signature(planted[1])
    assert posted.get("webhook_id") not in (None, str(other.id)) and posted["author"]["username"] == DESK
    await assert_recorded(hooked.app, row.id, posted)


@pytest.mark.parametrize("problem", ["no Read Message History", "reading the history fails"])
async def test_a_history_that_cannot_be_read_means_a_second_post_not_a_lost_one(
    emu: DiscordEmulator, hooked: Rig, caplog: pytest.LogCaptureFixture, problem: str
) -> None:
    caplog.set_level(logging.WARNING, logger="newsbot.discord")
    if problem == "no Read Message History":
        emu.set_bot_permissions(hooked.news, DEFAULT_BOT_PERMISSIONS & ~P.READ_MESSAGE_HISTORY)
        await emu.settle()
    await hooked.publish(STORY)
    stored = await lose_the_answer(hooked)
    if problem == "reading the history fails":
        emu.fail_next(HISTORY, status=503)

    await retry(hooked)
    first, again = emu.messages(hooked.news)  # at least once: the post went out again
    assert first == stored and message_signature(again) == message_signature(stored)
    await assert_recorded(hooked.app, (await only_row(hooked.app)).id, again)
    warnings = [r.getMessage() for r in caplog.records if "cannot check channel" in r.getMessage()]
    assert len(warnings) == 1 and str(hooked.news) in warnings[0]


async def test_a_webhook_channel_without_read_message_history_is_advised_once_and_not_held(
    emu: DiscordEmulator, hooked: Rig
) -> None:
    emu.set_bot_permissions(hooked.news, DEFAULT_BOT_PERMISSIONS & ~P.READ_MESSAGE_HISTORY)
    await emu.settle()
    app = hooked.app
    assert app.store is not None and app.discord is not None
    await app.store.set_subscription_paused("news", True, "Discord refused the post (HTTP 403)")

    problems = await app.discord.check_channels()
    await app.discord.check_channels()  # a second check reports nothing new

    assert [(p.subscription, p.blocking) for p in problems] == [("news", False)]
    assert "Read Message History" in str(problems[0]) and "twice" in str(problems[0])
    advice = [m for m in emu.messages(hooked.admin) if "Read Message History" in m.get("content", "")]
    assert len(advice) == 1
    assert not (await app.store.get_subscription("news")).paused  # advice does not hold it paused


# -- the rules, one by one ----------------------------------------------------------------------

HOOK = 1000
SINCE = 5000
WORDS = {"content": "", "embeds": [{"title": "Harbour", "description": "Reopens.", "fields": [{"name": "a", "value": "b"}]}]}


def message(message_id: int, *, webhook_id: int | None = HOOK, username: str = DESK, **body: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(message_id), "author": {"username": username}, **WORDS, **body}
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    return data


@pytest.mark.parametrize(("candidate", "taken", "found"), [
    (message(6000), (), 6000),
    (message(6000), (6000,), None),  # already recorded for another part
    (message(4000), (), None),  # older than the outbox row
    (message(6000, webhook_id=HOOK + 1), (), None),  # another webhook
    (message(6000, webhook_id=None), (), None),  # the bot itself
    (message(6000, username="Other Desk"), (), None),  # this webhook, posting for another subscription
    (message(6000, content="different"), (), None),
    (message(6000, embeds=[{**WORDS["embeds"][0], "fields": [{"name": "a", "value": "c"}]}]), (), None),
])
def test_only_this_webhooks_message_for_this_part_counts(
    candidate: dict[str, Any], taken: tuple[int, ...], found: int | None
) -> None:
    wanted = message_signature(WORDS)
    assert webhook_copy([candidate], webhook_id=HOOK, username=DESK, since=SINCE, signature=wanted, taken=taken) == found


def test_the_newest_match_wins() -> None:
    history = [message(7000), message(6000)]
    assert webhook_copy(history, webhook_id=HOOK, username=DESK, since=SINCE, signature=message_signature(WORDS)) == 7000


FORUM = 2000


@pytest.mark.parametrize(("thread", "candidate"), [
    ({"parent_id": str(FORUM), "owner_id": str(HOOK), "name": "Harbour "}, True),
    ({"parent_id": str(FORUM), "owner_id": "7", "name": "Harbour"}, False),  # the bot's own, or someone's
    ({"parent_id": str(FORUM + 1), "owner_id": str(HOOK), "name": "Harbour"}, False),  # another forum's
    ({"parent_id": str(FORUM), "owner_id": str(HOOK), "name": "Ferry"}, False),  # another story's
])
def test_a_forum_post_the_webhook_opened_is_a_thread_of_the_forum_it_owns_with_the_posts_name(
    thread: dict[str, Any], candidate: bool
) -> None:
    # Execute Webhook with thread_name: the thread's owner is the webhook, its first message the
    # webhook's (which ``webhook_copy``'s rules then recognise).
    assert is_candidate(thread, forum_id=FORUM, owner_id=HOOK, name="Harbour") is candidate


def claimed(at: datetime, **changes: Any) -> OutboxRow:
    """An outbox row created at T0, claimed at ``at`` (as the delivery loop leases it)."""
    row = OutboxRow(
        id=1, subscription="news", channel_id=1, kind="article", article_id=1, article_ids=(), status="pending",
        attempts=0, last_error=None, next_attempt_at=None, parts_sent=(), message_ids=(), created_at=T0,
        sent_at=None, leased_until=at + DEFAULT_LEASE,
    )
    return replace(row, **changes)


SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(("row", "first_claim", "maybe"), [
    (claimed(T0 + SECOND), T0 - SECOND, False),  # fresh: made after this process began, claimed at once
    (claimed(T0 + SECOND, attempts=1), T0 - SECOND, True),  # an attempt failed (a timeout, say)
    (claimed(T0 + SECOND), T0 + SECOND, True),  # in the outbox before this process (a restart)
    (claimed(T0), T0, True),  # made the instant this process first claimed: cannot tell
    (claimed(T0 + DEFAULT_LEASE), T0 - SECOND, True),  # a lease can have run out since it was made
    (claimed(T0 + DEFAULT_LEASE - SECOND), T0 - SECOND, False),
    (claimed(T0 + SECOND, leased_until=None), T0 - SECOND, True),  # cannot tell
    (claimed(T0 + SECOND), None, True),
])
def test_a_row_may_have_been_posted_after_a_failure_a_restart_or_a_lapsed_lease(
    row: OutboxRow, first_claim: datetime | None, maybe: bool
) -> None:
    assert may_have_been_posted(row, lease=DEFAULT_LEASE, first_claim=first_claim) is maybe
