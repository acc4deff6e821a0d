"""Subscriptions whose channel is a forum: every story (and every digest) is one forum post — a
thread opened with the post's first message, the rest of the post inside it — through real
discord.py against the emulator, posted once across polls, retries and a crash."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncContextManager

import discord
import pytest

from tests.e2e.bot_process import log_tail, signal_if_running, start_bot
from tests.e2e.discord_rig import Rig, rigged, simple_config
from tests.e2e.harness import T0, Item, body_text, cycle, eventually, rss, write_config
from tests.emulator import DEFAULT_BOT_PERMISSIONS, DiscordEmulator, Permission as P
from tests.support.feedserver import FeedServer

from bot.discord.forum import archived_at, archived_since, digest_post_name, story_post_name
from bot.model import UNTITLED, Article
from bot.render import THREAD_NAME_LIMIT

#: The route a forum post is created with, for the emulator's request counts.
FORUM_POST_ROUTE = "POST /channels/{channel_id}/threads"
#: The route a forum's archived posts are listed with.
ARCHIVED_ROUTE = "GET /channels/{channel_id}/threads/archived/public"


def forum_rig(emu: DiscordEmulator, server: FeedServer, tmp_path: Path, **options: str) -> AsyncContextManager[Rig]:
    """The bot with one subscription, ``news``, posting to a forum channel (``rig.news``); admin
    notices in the text channel ``admin``.  ``options`` are more YAML keys of the subscription."""
    return rigged(emu, server, tmp_path, kind="forum", **options)


def publish(rig: Rig, *items: Item) -> None:
    """Add stories to the feed (the next poll finds them)."""
    rig.items += items
    rig.server.set("/world.xml", rss(rig.items), content_type="application/rss+xml")


def story(title: str, sections: int = 3) -> Item:
    """A story of ``sections`` parts, "Part 0" …, its text about its title's first word (so two
    stories are never taken for one)."""
    topic = title.split()[0].lower()
    body = "".join(f"<h2>Part {i}</h2>{body_text(f'{topic}{i}', 4)}" for i in range(sections))
    return Item(title, body, guid=title, link=f"http://a.test/{topic}")


def starter_titles(emu: DiscordEmulator, forum: int) -> list[str]:
    return [post["message"]["embeds"][0]["title"] for post in emu.forum_posts(forum)]


async def test_each_story_is_one_forum_post_named_after_it_and_a_second_poll_posts_nothing(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    long_title = "Council approves the harbour plan " + "after a very long debate " * 5
    async with forum_rig(emu, server, tmp_path) as rig:
        publish(rig, story("Harbour reopens after storm"), story(long_title))
        await cycle(rig.app, rig.clock, advance_minutes=2)
        await cycle(rig.app, rig.clock, advance_minutes=2)

        posts = emu.forum_posts(rig.news)
        by_title = {p["message"]["embeds"][0]["title"]: p for p in posts}
        assert sorted(by_title) == sorted(["Harbour reopens after storm", long_title.strip()])
        assert by_title["Harbour reopens after storm"]["name"] == "Harbour reopens after storm"
        cut = by_title[long_title.strip()]["name"]
        assert len(cut) <= THREAD_NAME_LIMIT < len(long_title.strip())
        assert cut.startswith("Council approves the harbour plan after") and cut.endswith("…")
        starter = by_title["Harbour reopens after storm"]["message"]["embeds"][0]
        assert [f["name"] for f in starter["fields"]] == ["Part 0", "Part 1", "Part 2"]
        # Nothing goes to the forum itself, nothing is doubled by the second poll.
        assert emu.messages(rig.news) == [] and emu.request_count[FORUM_POST_ROUTE] == 2
        assert all(emu.messages(int(p["id"])) == [p["message"]] for p in posts)
        assert (await rig.app.store.outbox_counts()).get("sent") == 2


async def test_thread_layout_puts_each_section_inside_the_storys_forum_post(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with forum_rig(emu, server, tmp_path, layout="thread") as rig:
        publish(rig, story("Harbour reopens after storm"))
        await cycle(rig.app, rig.clock, advance_minutes=2)
        await cycle(rig.app, rig.clock, advance_minutes=2)

        [post] = emu.forum_posts(rig.news)
        assert post["name"] == "Harbour reopens after storm"
        inside = emu.messages(int(post["id"]))
        assert inside[0] == post["message"] and inside[0]["embeds"][0]["title"] == "Harbour reopens after storm"
        assert [m["embeds"][0]["title"] for m in inside[1:]] == ["Part 0", "Part 1", "Part 2"]
        assert all(m.get("nonce") for m in inside[1:])  # the parts inside are protected by nonces
        assert emu.threads(rig.news) == [{k: v for k, v in post.items() if k != "message"}]


async def test_each_digest_is_one_forum_post_and_a_second_one_the_same_day_is_not_taken_for_the_first(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with forum_rig(emu, server, tmp_path, mode="digest", schedule='"0 9,17 * * *"',
                         timezone="Europe/London") as rig:
        publish(rig, story("Ferry strike ends", 1), story("New library opens", 1))
        await cycle(rig.app, rig.clock, advance_minutes=2)
        assert emu.forum_posts(rig.news) == []  # held for the digest
        assert await rig.app.fire_digest("news") is not None
        await cycle(rig.app, rig.clock)

        publish(rig, story("Market moves to the square", 1))
        await cycle(rig.app, rig.clock, advance_minutes=2)
        assert await rig.app.fire_digest("news") is not None
        await cycle(rig.app, rig.clock)

        posts = emu.forum_posts(rig.news)
        # Same subscription, same day, so the same name: only the first message tells them apart.
        assert [p["name"] for p in posts] == ["news digest — 2026-11-20"] * 2
        first, second = (str(emu.messages(int(p["id"]))) for p in posts)
        assert "Ferry strike ends" in first and "New library opens" in first and "Market moves" not in first
        assert "Market moves to the square" in second and "Ferry strike ends" not in second
        assert emu.messages(rig.news) == []


async def test_missing_send_messages_in_the_forum_pauses_tells_the_admins_and_loses_nothing(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with forum_rig(emu, server, tmp_path) as rig:
        emu.set_bot_permissions(rig.news, DEFAULT_BOT_PERMISSIONS & ~P.SEND_MESSAGES)
        await emu.settle()
        publish(rig, story("Bridge closed for repairs"))
        await cycle(rig.app, rig.clock, advance_minutes=2)

        assert emu.forum_posts(rig.news) == []
        state = await rig.app.store.get_subscription("news")
        assert state.paused and "403" in (state.pause_reason or "")
        notices = [m["content"] for m in emu.messages(rig.admin)]
        assert any("Send Messages" in n for n in notices) and any("**news** is paused" in n for n in notices)
        assert (await rig.app.store.outbox_counts()).get("pending") == 1  # nothing dropped

        emu.set_bot_permissions(rig.news, DEFAULT_BOT_PERMISSIONS)
        await emu.settle()

        async def resumed() -> bool:
            return not (await rig.app.store.get_subscription("news")).paused

        await eventually(resumed, 5, "the subscription to resume once the forum is fixed")
        await cycle(rig.app, rig.clock)
        assert starter_titles(emu, rig.news) == ["Bridge closed for repairs"]


async def stop_gracefully(process: asyncio.subprocess.Process) -> int:
    """SIGTERM, as an operator stops the bot; its exit code.  A bot that does not stop is killed, and
    the test fails."""
    signal_if_running(process, signal.SIGTERM)
    try:
        return await asyncio.wait_for(process.wait(), 20)
    except asyncio.TimeoutError:
        signal_if_running(process, signal.SIGKILL)
        await process.wait()
        raise


def complete_posts(emu: DiscordEmulator, forum: int, messages: int) -> list[dict[str, Any]]:
    """The forum's posts that hold all their ``messages``."""
    return [p for p in emu.forum_posts(forum) if len(emu.messages(int(p["id"]))) == messages]


@pytest.mark.parametrize("archived", [False, True], ids=["active", "archived before the restart"])
async def test_a_forum_post_created_just_before_a_crash_is_found_again_and_completed_not_doubled(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path, archived: bool
) -> None:
    forum = emu.add_channel(emu.add_guild("news"), "news", kind="forum")
    server.set("/world.xml", rss([story("Harbour reopens after storm")]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", simple_config(emu, server, tmp_path / "db.sqlite", f"""
      - name: news
        feeds: [world]
        channel: {forum}
        layout: thread
        backfill: 5
    """))
    # Discord creates the forum post, then its answer never arrives before the process dies:
    # nothing about the post is recorded, and a forum post has no nonce to fall back on.
    emu.slow("POST /channels/*/threads", 10, count=1, after=True)
    log = tmp_path / "bot.log"
    first = await start_bot(cfg, emu.token, log)
    try:
        [post] = await emu.wait_until(lambda: emu.forum_posts(forum) or None, 60, "the forum post")
        assert first.returncode is None, f"the bot exited on its own:\n{log_tail(log)}"
    finally:
        signal_if_running(first, signal.SIGKILL)  # SIGKILL: nothing is recorded
        await first.wait()
    emu.clear_faults()
    thread = int(post["id"])
    assert emu.messages(thread) == [post["message"]]  # the sections were never sent
    if archived:  # the bot stayed down past the post's auto-archive duration
        emu.archive_thread(thread)
    listed_before = emu.request_count[ARCHIVED_ROUTE]

    second = await start_bot(cfg, emu.token, log)
    try:
        # The sections go in only after the post was looked for (and found, or made again).
        await emu.wait_until(lambda: complete_posts(emu, forum, 1 + 3) or None, 60, "the post's three sections")
    finally:
        code = await stop_gracefully(second)
    assert code == 0, f"exit code {code}:\n{log_tail(log)}"
    assert [p["id"] for p in emu.forum_posts(forum)] == [post["id"]]
    assert emu.request_count.matching("POST /channels/*/threads") == 1
    assert [m["embeds"][0]["title"] for m in emu.messages(thread)[1:]] == ["Part 0", "Part 1", "Part 2"]
    # An active post is found without a look at the archived ones; posting into an archived one reopens it.
    assert emu.request_count[ARCHIVED_ROUTE] - listed_before == (1 if archived else 0)
    assert emu.forum_posts(forum)[0]["thread_metadata"]["archived"] is False


@pytest.mark.parametrize(("title", "updated", "expected"), [
    ("Harbour reopens", False, "Harbour reopens"),
    ("Harbour reopens", True, "Updated: Harbour reopens"),
    ("  \n ", False, UNTITLED),
    ("Harbour\nreopens", False, "Harbour reopens"),
])
def test_a_story_post_name_is_its_title_on_one_line_never_empty(title: str, updated: bool, expected: str) -> None:
    assert story_post_name(Article(title=title), updated=updated) == expected


def archived_thread(name: str, at: datetime | None) -> dict[str, Any]:
    """A thread as List Public Archived Threads shows it, archived ``at`` (None: no timestamp)."""
    return {"id": name, "thread_metadata": {"archived": True,
                                            "archive_timestamp": at.isoformat() if at else None}}


AFTER_ROW = [archived_thread(f"recent {i}", T0 + timedelta(minutes=30 - i)) for i in range(3)]
BEFORE_ROW = [archived_thread("older", T0 - timedelta(minutes=1))]


@pytest.mark.parametrize(("threads", "has_more", "recent", "next_before"), [
    (AFTER_ROW, True, AFTER_ROW, AFTER_ROW[-1]["thread_metadata"]["archive_timestamp"]),
    (AFTER_ROW, False, AFTER_ROW, None),
    (AFTER_ROW[:2] + BEFORE_ROW, True, AFTER_ROW[:2], None),
    (BEFORE_ROW + AFTER_ROW, True, [], None),
    ([], True, [], None),
    (AFTER_ROW[:1] + [archived_thread("unreadable", None)], True,
     AFTER_ROW[:1] + [archived_thread("unreadable", None)], None),
])
def test_only_posts_archived_since_the_row_was_made_are_looked_at_and_paging_stops_at_the_first_older(
    threads: list[dict[str, Any]], has_more: bool, recent: list[dict[str, Any]], next_before: str | None
) -> None:
    page = {"threads": threads, "members": [], "has_more": has_more}
    assert archived_since(page, T0) == (recent, next_before)


def test_an_archive_timestamp_is_read_as_discord_writes_it() -> None:
    assert archived_at(archived_thread("x", T0)) == T0
    assert archived_at({"thread_metadata": {"archive_timestamp": "2026-11-20T12:00:00"}}) == T0
    assert archived_at({"thread_metadata": {"archive_timestamp": "yesterday"}}) is None
    assert archived_at({"id": "1"}) is None


def test_a_digest_post_name_is_dated_in_the_subscriptions_time_zone_and_fits() -> None:
    late = datetime(2026, 11, 20, 23, 30, tzinfo=timezone.utc)
    assert digest_post_name("world", late, "UTC") == "world digest — 2026-11-20"
    assert digest_post_name("world", late, "Asia/Tokyo") == "world digest — 2026-11-21"
    long = digest_post_name("w" * 200, late, "UTC")
    assert len(long) <= THREAD_NAME_LIMIT and long.endswith("… digest — 2026-11-20")


# -- a webhook subscription in a forum: the whole post is the webhook's -------------------------

#: The ``news`` subscription's YAML key that makes it post through the forum's webhook, as "World Desk".
AS_WORLD_DESK = {"webhook": "{name: World Desk}"}
#: The route the webhook is executed with, for the emulator's request counts and faults.
EXECUTE = "POST /webhooks/{webhook_id}/{webhook_token}"


def by_world_desk(message: dict[str, Any], hook_id: str) -> bool:
    """Posted through the webhook ``hook_id`` (its author too) under the subscription's name."""
    return (message.get("webhook_id"), message["author"]["id"], message["author"]["username"]) == (
        hook_id, hook_id, "World Desk")


async def test_a_webhook_subscription_opens_its_forum_post_through_the_webhook_with_the_sections_inside(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with forum_rig(emu, server, tmp_path, layout="thread", **AS_WORLD_DESK) as rig:
        publish(rig, story("Harbour reopens after storm"))
        await cycle(rig.app, rig.clock, advance_minutes=2)
        await cycle(rig.app, rig.clock, advance_minutes=2)

        [post] = emu.forum_posts(rig.news)
        hook_id = post["message"]["webhook_id"]
        # The webhook owns the post and wrote its first message, and every section inside it.
        assert post["name"] == "Harbour reopens after storm" and post["owner_id"] == hook_id
        inside = emu.messages(int(post["id"]))
        assert inside[0] == post["message"] and inside[0]["embeds"][0]["title"] == "Harbour reopens after storm"
        assert [m["embeds"][0]["title"] for m in inside[1:]] == ["Part 0", "Part 1", "Part 2"]
        assert all(by_world_desk(m, hook_id) for m in inside)
        assert emu.request_count[FORUM_POST_ROUTE] == 0 and emu.messages(rig.news) == []
        assert rig.app.store is not None
        row = await rig.app.store.get_outbox_row(1)
        assert row is not None and row.status == "sent"
        assert row.message_ids == tuple(int(m["id"]) for m in inside), "the thread's id first, as for the bot's posts"


async def test_a_webhook_forum_post_that_discord_refuses_is_kept_and_the_admins_are_told(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with forum_rig(emu, server, tmp_path, **AS_WORLD_DESK) as rig:
        publish(rig, story("Ferry strike ends", 1))
        await cycle(rig.app, rig.clock, advance_minutes=2)
        [first] = emu.forum_posts(rig.news)
        # As Discord does for a forum that requires a tag, say: a 400, which a retry won't fix.
        emu.fail_next(EXECUTE, status=400)
        publish(rig, story("New library opens", 1))
        await cycle(rig.app, rig.clock, advance_minutes=2)

        assert [p["id"] for p in emu.forum_posts(rig.news)] == [first["id"]]
        assert rig.app.store is not None
        row = await rig.app.store.get_outbox_row(2)
        assert row is not None and row.message_ids == () and "webhook" in (row.last_error or "")
        assert row.status == "failed" and "HTTP 400" in (row.last_error or "")
        notices = [m["content"] for m in emu.messages(rig.admin)]
        assert any("**news** could not be delivered" in n and "It stays in the outbox" in n for n in notices)


async def test_a_deleted_forum_webhook_is_made_again_and_the_post_goes_through_it(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with forum_rig(emu, server, tmp_path, **AS_WORLD_DESK) as rig:
        publish(rig, story("Ferry strike ends", 1))
        await cycle(rig.app, rig.clock, advance_minutes=2)
        assert rig.app.discord is not None and rig.app.store is not None
        forum = rig.app.discord.client.get_channel(rig.news)
        assert isinstance(forum, discord.ForumChannel)
        [hook] = await forum.webhooks()  # an admin deletes it in the channel's settings
        await hook.delete()
        publish(rig, story("New library opens", 1))
        await cycle(rig.app, rig.clock, advance_minutes=2)

        posts = emu.forum_posts(rig.news)
        assert len(posts) == 2 and posts[1]["owner_id"] not in (str(hook.id), posts[0]["owner_id"])
        [renewed] = await forum.webhooks()
        assert posts[1]["owner_id"] == str(renewed.id)
        row = await rig.app.store.get_outbox_row(2)
        assert row is not None and row.status == "sent"
        assert not (await rig.app.store.get_subscription("news")).paused
        assert not [m for m in emu.messages(rig.admin) if "**news**" in m["content"]]


async def test_a_webhook_forum_post_whose_answers_were_lost_is_found_and_completed_not_doubled(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with forum_rig(emu, server, tmp_path, layout="thread", **AS_WORLD_DESK) as rig:
        assert rig.app.discord is not None and rig.app.store is not None
        rig.app.discord.sink.webhook_timeout = 1.0
        # Discord stores the post but its answer never comes (the sink gives up after a second);
        # on the retry, the same happens to the first section.
        emu.slow(EXECUTE, 600, count=2, after=True)
        publish(rig, story("Harbour reopens after storm"))
        await cycle(rig.app, rig.clock, advance_minutes=2)
        [post] = emu.forum_posts(rig.news)
        row = await rig.app.store.get_outbox_row(1)
        assert row is not None and (row.status, row.attempts, row.parts_sent) == ("pending", 1, ())

        await cycle(rig.app, rig.clock, advance_minutes=60)  # finds the post, loses the section's answer
        row = await rig.app.store.get_outbox_row(1)
        assert row is not None and (row.attempts, row.message_ids) == (2, (int(post["id"]),))
        emu.clear_faults()
        await cycle(rig.app, rig.clock, advance_minutes=60)  # finds the section, posts the other two

        assert [p["id"] for p in emu.forum_posts(rig.news)] == [post["id"]]
        inside = emu.messages(int(post["id"]))
        assert [m["embeds"][0]["title"] for m in inside[1:]] == ["Part 0", "Part 1", "Part 2"]
        assert emu.request_count[EXECUTE] == 1 + 3
        row = await rig.app.store.get_outbox_row(1)
        assert row is not None and row.status == "sent" and row.message_ids == tuple(int(m["id"]) for m in inside)


@pytest.mark.parametrize(("archived_after", "pages"), [(0, 1), (3, 2)],
                         ids=["the newest archived", "on the second page"])
async def test_a_webhook_forum_post_archived_before_the_retry_is_found_among_the_archived_and_completed(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    archived_after: int, pages: int,
) -> None:
    monkeypatch.setattr("bot.discord.sink.ARCHIVED_PAGE_SIZE", 2)  # the least Discord allows
    async with forum_rig(emu, server, tmp_path, layout="thread", **AS_WORLD_DESK) as rig:
        assert rig.app.discord is not None and rig.app.store is not None
        rig.app.discord.sink.webhook_timeout = 1.0
        # Discord stores the post but its answer never comes (the sink gives up after a second);
        # before the retry the post archives (a webhook's post archives after the forum's default),
        # and maybe other posts after it, so that it is further down the archived list.
        emu.slow(EXECUTE, 600, count=1, after=True)
        publish(rig, story("Harbour reopens after storm"))
        await cycle(rig.app, rig.clock, advance_minutes=2)
        [post] = emu.forum_posts(rig.news)
        emu.clear_faults()
        now = datetime.now(timezone.utc)
        emu.archive_thread(int(post["id"]), at=now - timedelta(minutes=10))
        forum = rig.app.discord.client.get_channel(rig.news)
        assert isinstance(forum, discord.ForumChannel)
        for i in range(archived_after):
            other = await forum.create_thread(name=f"Other post {i}", content="other")
            emu.archive_thread(other.thread.id, at=now - timedelta(minutes=9 - i))
        await emu.settle()
        listed_before = emu.request_count[ARCHIVED_ROUTE]

        await cycle(rig.app, rig.clock, advance_minutes=60)

        again = next(p for p in emu.forum_posts(rig.news) if p["owner_id"] == post["owner_id"])
        assert again["id"] == post["id"] and again["thread_metadata"]["archived"] is False
        assert len(emu.forum_posts(rig.news)) == 1 + archived_after
        inside = emu.messages(int(post["id"]))
        assert [m["embeds"][0]["title"] for m in inside[1:]] == ["Part 0", "Part 1", "Part 2"]
        assert all(by_world_desk(m, post["owner_id"]) for m in inside)
        assert emu.request_count[EXECUTE] == 1 + 3 and emu.request_count[ARCHIVED_ROUTE] - listed_before == pages
        row = await rig.app.store.get_outbox_row(1)
        assert row is not None and row.status == "sent" and row.message_ids == tuple(int(m["id"]) for m in inside)


async def test_an_archived_post_the_bot_may_not_list_is_made_again_and_the_log_says_why_once(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="newsbot.discord")
    async with forum_rig(emu, server, tmp_path, **AS_WORLD_DESK) as rig:
        assert rig.app.discord is not None
        rig.app.discord.sink.webhook_timeout = 1.0
        emu.set_bot_permissions(rig.news, DEFAULT_BOT_PERMISSIONS & ~P.READ_MESSAGE_HISTORY)
        emu.slow(EXECUTE, 600, count=1, after=True)
        publish(rig, story("Harbour reopens after storm", 1))
        await cycle(rig.app, rig.clock, advance_minutes=2)
        [post] = emu.forum_posts(rig.news)
        emu.clear_faults()
        emu.archive_thread(int(post["id"]))
        await emu.settle()

        await cycle(rig.app, rig.clock, advance_minutes=60)

        # At least once: without Read Message History the archived posts cannot be listed.
        first, second = emu.forum_posts(rig.news)
        assert first["id"] == post["id"] and second["message"]["embeds"] == first["message"]["embeds"]
        assert emu.request_count[ARCHIVED_ROUTE] == 0
        warnings = [r.getMessage() for r in caplog.records if "cannot check channel" in r.getMessage()]
        assert len(warnings) == 1 and str(rig.news) in warnings[0]
