"""Issue #9 through the emulator: real discord.py, feeds served on 127.0.0.1, the store on disk."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent

from tests.e2e.discord_rig import Rig, rigged, running_app, simple_config
from tests.e2e.harness import Clock, Item, body_text, cycle, eventually, rss, write_config
from tests.emulator import DiscordEmulator, point_discord_py_at
from tests.support.feedserver import FeedServer

from bot.config.cron import cron_trigger
from bot.render import CONTENT_LIMIT, ELLIPSIS, safe_text
from bot.store.records import StoredArticle


def discord_config(emu: DiscordEmulator, server: FeedServer, db: Path, channels: dict[str, int], admin: int) -> str:
    return f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}
      admin_log_channel: {admin}
    storage:
      url: sqlite+aiosqlite:///{db}
    defaults:
      poll_interval: 60s
    feeds:
      - name: world
        url: {server.url('/world.xml')}
        fetch_article: false
    subscriptions:
      - name: embeds
        feeds: [world]
        channel: {channels['embed']}
      - name: compact
        feeds: [world]
        channel: {channels['compact']}
        layout: compact
      - name: threads
        feeds: [world]
        channel: {channels['thread']}
        layout: thread
      - name: filtered
        feeds: [world]
        channel: {channels['filtered']}
        include: [tennis]
    """


async def test_new_item_reaches_the_right_channels_in_each_layout(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    guild = emu.add_guild("news")
    channels = {name: emu.add_channel(guild, name) for name in ("embed", "compact", "thread", "filtered", "admin")}
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", discord_config(emu, server, tmp_path / "db.sqlite", channels, channels["admin"]))
    clock = Clock()
    async with running_app(cfg, emu, clock) as app:
        await cycle(app, clock)
        body = "".join(f"<h2>Part {i}</h2>{body_text(f'topic{i}', 4)}" for i in range(3))
        server.set("/world.xml", rss([Item("Harbour reopens after storm", body, guid="h1", link="http://a.test/h1")]), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)

        embed_msgs = emu.messages(channels["embed"])
        assert len(embed_msgs) == 1
        embed = embed_msgs[0]["embeds"][0]
        assert embed["title"].startswith("Harbour reopens") and [f["name"] for f in embed["fields"]] == ["Part 0", "Part 1", "Part 2"]
        assert embed_msgs[0].get("nonce")

        compact = emu.messages(channels["compact"])
        assert len(compact) == 1 and "Harbour reopens after storm" in compact[0]["content"]

        headline = emu.messages(channels["thread"])
        assert len(headline) == 1
        threads = emu.threads(channels["thread"])
        assert len(threads) == 1
        thread = threads[0]
        thread_id = int(thread["id"]) if isinstance(thread, dict) else int(thread)
        assert len(emu.messages(thread_id)) == 3

        assert emu.messages(channels["filtered"]) == []


#: A placeholder left unfilled in a posted message ("{#news}", a template's literal braces, is not one).
LEFTOVER_PLACEHOLDER = re.compile(r"\{\w*\}")


def sectioned_body(sections: int) -> str:
    """An article body of ``sections`` headed parts, "Part 0" … , each a few paragraphs long."""
    return "".join(f"<h2>Part {i}</h2>{body_text(f'topic{i}', 4)}" for i in range(sections))


async def post_through_template(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path, template: str, body: str
) -> tuple[int, StoredArticle]:
    """One new story through a template subscription; returns its channel and the stored article.

    A second poll after delivery is part of it, so a test can tell "posted once" from "posted at
    every poll".
    """
    # JSON text is a YAML double-quoted scalar: the template's newlines and braces arrive as written.
    async with rigged(emu, server, tmp_path, template=json.dumps(template)) as rig:
        item = Item("Harbour reopens after storm", body, guid="h1", link="http://a.test/h1")
        server.set("/world.xml", rss([item]), content_type="application/rss+xml")
        await cycle(rig.app, rig.clock, advance_minutes=2)
        await cycle(rig.app, rig.clock, advance_minutes=2)
        [stored] = await rig.app.store.latest_articles(5)
    chan = rig.news
    return chan, stored


def filled_sections(stored: StoredArticle) -> str:
    """What ``{sections}`` stands for: each section's name in bold over its summary."""
    return "\n\n".join(f"**{safe_text(s.title)}**\n{safe_text(s.summary)}" for s in stored.article.sections)


async def test_template_layout_posts_the_filled_template_once(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    template = "**{title}**\n{summary}\n\n{sections}\n\nSections: {section_names}\n<{url}> {{#news}}"
    chan, stored = await post_through_template(emu, server, tmp_path, template, sectioned_body(3))

    article = stored.article
    assert [s.title for s in article.sections] == ["Part 0", "Part 1", "Part 2"]
    assert article.summary and all(s.summary for s in article.sections)
    expected = (
        f"**Harbour reopens after storm**\n{safe_text(article.summary)}\n\n{filled_sections(stored)}\n\n"
        "Sections: Part 0, Part 1, Part 2\n<http://a.test/h1> {#news}"
    )
    messages = emu.messages(chan)
    assert [m["content"] for m in messages] == [expected]
    assert not LEFTOVER_PLACEHOLDER.search(messages[0]["content"])
    assert not messages[0].get("embeds")
    assert messages[0].get("nonce")


async def test_template_longer_than_a_message_is_cut_to_one_message_within_the_limit(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    template = "**{title}**\n{summary}\n\n{sections}\n\nAgain:\n{sections}\n<{url}>"
    chan, stored = await post_through_template(emu, server, tmp_path, template, sectioned_body(12))

    uncut_at_least = 2 * len(filled_sections(stored)) + len(stored.article.summary)
    assert uncut_at_least > CONTENT_LIMIT  # the story really does overflow one message
    messages = emu.messages(chan)
    assert len(messages) == 1  # delivered (not refused by Discord), once
    assert all(len(m["content"]) <= CONTENT_LIMIT for m in messages)
    content = messages[0]["content"]
    assert content.startswith("**Harbour reopens after storm**\n")
    assert content.endswith("\n<http://a.test/h1>")  # a URL is never cut
    assert ELLIPSIS in content and not LEFTOVER_PLACEHOLDER.search(content)


async def test_403_channel_is_paused_reported_and_resumed(rig: Rig) -> None:
    from tests.emulator import DEFAULT_BOT_PERMISSIONS

    emu, app, news = rig.emu, rig.app, rig.news
    emu.set_bot_permissions(news, DEFAULT_BOT_PERMISSIONS & ~(1 << 11))  # no Send Messages
    await emu.settle()
    rig.server.set("/world.xml", rss([Item("Bridge closed", body_text("bridge"), guid="b1")]), content_type="application/rss+xml")
    await cycle(app, rig.clock, advance_minutes=2)
    assert emu.messages(news) == []
    state = await app.store.get_subscription("news")
    assert state.paused
    assert any("Send Messages" in m.get("content", "") for m in emu.messages(rig.admin))
    counts = await app.store.outbox_counts()
    assert counts.get("pending") == 1  # nothing dropped

    emu.set_bot_permissions(news, DEFAULT_BOT_PERMISSIONS)
    await emu.settle()
    for _ in range(50):
        if not (await app.store.get_subscription("news")).paused:
            break
        await asyncio.sleep(0.05)
    assert not (await app.store.get_subscription("news")).paused
    while await app.deliverer.run_once():
        pass
    assert len(emu.messages(news)) == 1


async def test_digest_fires_with_its_stories_and_a_second_firing_posts_nothing(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    guild = emu.add_guild("news")
    chan = emu.add_channel(guild, "digest")
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", simple_config(emu, server, tmp_path / "db.sqlite", f"""
      - name: morning
        feeds: [world]
        channel: {chan}
        mode: digest
        schedule: "0 9 * * *"
        timezone: Europe/London
    """))
    clock = Clock()
    async with running_app(cfg, emu, clock) as app:
        await cycle(app, clock)
        items = [Item("Ferry strike ends", body_text("ferry"), guid="f"), Item("New library opens", body_text("library"), guid="l")]
        server.set("/world.xml", rss(items), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        assert emu.messages(chan) == []  # held for the digest
        assert await app.fire_digest("morning") is not None
        while await app.deliverer.run_once():
            pass
        posted = str(emu.messages(chan))
        assert len(emu.messages(chan)) == 1 and "Ferry strike ends" in posted and "New library opens" in posted
        clock.advance(days=1)
        assert await app.fire_digest("morning") is None
        while await app.deliverer.run_once():
            pass
        assert len(emu.messages(chan)) == 1


#: A schedule whose weekdays APScheduler's own crontab parsing would get wrong (Tuesday to Saturday).
WEEKDAYS_AT_9 = "0 9 * * 1-5"


async def test_digest_cron_job_fires_through_the_scheduler_and_posts_once(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    stop = asyncio.Event()
    options = {"mode": "digest", "schedule": f'"{WEEKDAYS_AT_9}"', "timezone": "Europe/London"}
    async with rigged(emu, server, tmp_path, **options) as rig:
        app, clock, chan = rig.app, rig.clock, rig.news
        items = [Item("Ferry strike ends", body_text("ferry"), guid="f"), Item("New library opens", body_text("library"), guid="l")]
        server.set("/world.xml", rss(items), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        assert emu.messages(chan) == []  # held for the digest
        assert (await app.store.get_subscription("news")).last_digest_at is None

        scheduler, store, deliverer = app.scheduler, app.store, app.deliverer
        assert scheduler is not None and store is not None and deliverer is not None
        job = scheduler.get_job("digest:news")
        assert str(job.trigger) == str(cron_trigger(WEEKDAYS_AT_9, "Europe/London"))
        # The job App._schedule_digests made, untouched but for its first firing: now, not at 09:00.
        scheduler.modify_job(job.id, next_run_time=datetime.now(timezone.utc) + timedelta(seconds=0.2))
        scheduler.pause_job("poll")  # this test polls by hand
        done = asyncio.Event()
        runs: list[JobExecutionEvent] = []

        def job_finished(event: JobExecutionEvent) -> None:
            runs.append(event)
            done.set()

        scheduler.add_listener(job_finished, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        delivery = asyncio.create_task(deliverer.run_forever(stop))
        try:
            scheduler.start()
            await asyncio.wait_for(done.wait(), timeout=5)
            posted = await emu.wait_for_messages(chan, 1, timeout=5)

            async def digest_sent() -> bool:
                counts = await store.outbox_counts()
                return counts["sent"] == 1 and counts["pending"] == 0

            await eventually(digest_sent, 5, "the digest to be recorded as sent")
        finally:
            stop.set()
            await delivery

        assert [(e.job_id, e.exception) for e in runs] == [("digest:news", None)]
        assert isinstance(runs[0].retval, int)  # fire_digest made an outbox row
        assert len(emu.messages(chan)) == 1 == len(posted)
        assert "Ferry strike ends" in str(posted) and "New library opens" in str(posted)
        assert (await store.get_subscription("news")).last_digest_at == clock.now
        next_run = scheduler.get_job("digest:news").next_run_time.astimezone(ZoneInfo("Europe/London"))
        # Re-armed by the cron trigger: 09:00 London on a weekday (crontab's 1-5 is Monday to Friday).
        assert (next_run.hour, next_run.minute) == (9, 0) and next_run.weekday() < 5
        assert next_run > datetime.now(timezone.utc)


async def test_burst_of_200_posts_to_10_channels_none_lost_none_doubled(server: FeedServer, tmp_path: Path) -> None:
    async with DiscordEmulator(message_rate=(5, 0.5)) as emu:
        with point_discord_py_at(emu):
            guild = emu.add_guild("news")
            channels = [emu.add_channel(guild, f"c{i}") for i in range(10)]
            server.set("/world.xml", rss([]), content_type="application/rss+xml")
            subs = "".join(f"""
      - name: s{i}
        feeds: [world]
        channel: {ch}
        layout: compact""" for i, ch in enumerate(channels))
            cfg = write_config(tmp_path / "newsbot.yaml", simple_config(emu, server, tmp_path / "db.sqlite", subs))
            clock = Clock()
            async with running_app(cfg, emu, clock) as app:
                await cycle(app, clock)
                items = [Item(f"Story number {i}", body_text(f"subject{i}"), guid=f"g{i}") for i in range(20)]
                server.set("/world.xml", rss(items), content_type="application/rss+xml")
                await cycle(app, clock, advance_minutes=2)
                for ch in channels:
                    contents = [m["content"] for m in emu.messages(ch)]
                    assert len(contents) == 20 and len(set(contents)) == 20
                assert emu.rate_limited_count == 0


async def test_webhook_subscription_posts_under_the_feed_name(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    guild = emu.add_guild("news")
    chan = emu.add_channel(guild, "hooked")
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", simple_config(emu, server, tmp_path / "db.sqlite", f"""
      - name: hooked
        feeds: [world]
        channel: {chan}
        webhook:
          name: World Desk
    """))
    clock = Clock()
    async with running_app(cfg, emu, clock) as app:
        await cycle(app, clock)
        items = [Item(f"Hooked story {i}", body_text(f"hook{i}"), guid=f"h{i}") for i in range(2)]
        server.set("/world.xml", rss(items), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        messages = emu.messages(chan)
        assert len(messages) == 2
        assert all(m.get("webhook_id") and m["author"]["username"] == "World Desk" for m in messages)
        assert len({m["webhook_id"] for m in messages}) == 1  # created once, reused

        # An admin deletes the webhook in the channel's settings: the next story goes through a
        # new one, at once — no pause, no error for the admins, nothing posted twice.
        assert app.discord is not None
        [hook] = await app.discord.client.get_channel(chan).webhooks()  # type: ignore[union-attr]
        await hook.delete()
        server.set("/world.xml", rss([*items, Item("After the deletion", body_text("late"), guid="h9")]),
                   content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        messages = emu.messages(chan)
        assert len(messages) == 3 and messages[-1]["author"]["username"] == "World Desk"
        assert messages[-1]["webhook_id"] not in {m["webhook_id"] for m in messages[:2]}
        assert app.store is not None and not (await app.store.get_subscription("hooked")).paused


async def test_a_subscription_color_paints_its_embeds(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    guild = emu.add_guild("news")
    painted, plain = emu.add_channel(guild, "painted"), emu.add_channel(guild, "plain")
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", simple_config(emu, server, tmp_path / "db.sqlite", f"""
      - feeds: [world]
        channel: {painted}
        color: "#1E90FF"
      - feeds: [world]
        channel: {plain}
    """))
    clock = Clock()
    async with running_app(cfg, emu, clock) as app:
        await cycle(app, clock)
        server.set("/world.xml", rss([Item("Painted story", body_text("paint"), guid="p1")]),
                   content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        [colored] = emu.messages(painted)
        [uncolored] = emu.messages(plain)
        assert {embed.get("color") for embed in colored["embeds"]} == {0x1E90FF}
        assert all(embed.get("color") is None for embed in uncolored["embeds"])
