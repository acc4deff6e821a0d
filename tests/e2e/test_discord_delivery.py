"""Issue #9 through the emulator: real discord.py, feeds served on 127.0.0.1, the store on disk."""

from __future__ import annotations

import asyncio

from pathlib import Path

import pytest

from tests.e2e.harness import Clock, Item, body_text, cycle, rss, write_config
from tests.emulator import DiscordEmulator, point_discord_py_at
from tests.support.feedserver import FeedServer

from bot.app import App


@pytest.fixture
async def server():
    async with FeedServer() as srv:
        yield srv


@pytest.fixture
async def emu():
    async with DiscordEmulator() as emulator:
        with point_discord_py_at(emulator):
            yield emulator


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
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
    await app.start()
    try:
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
    finally:
        await app.stop()


def simple_config(emu: DiscordEmulator, server: FeedServer, db: Path, subs: str, *, admin: int | None = None) -> str:
    admin_line = f"\n      admin_log_channel: {admin}" if admin else ""
    return f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}{admin_line}
    storage:
      url: sqlite+aiosqlite:///{db}
    defaults:
      poll_interval: 60s
      max_posts_per_run: 50
    feeds:
      - name: world
        url: {server.url('/world.xml')}
        fetch_article: false
    subscriptions:
    {subs}
    """


async def test_403_channel_is_paused_reported_and_resumed(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    from tests.emulator import DEFAULT_BOT_PERMISSIONS

    guild = emu.add_guild("news")
    news, admin = emu.add_channel(guild, "news"), emu.add_channel(guild, "admin")
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", simple_config(emu, server, tmp_path / "db.sqlite", f"""
      - name: news
        feeds: [world]
        channel: {news}
    """, admin=admin))
    clock = Clock()
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
    await app.start()
    try:
        await cycle(app, clock)
        emu.set_bot_permissions(news, DEFAULT_BOT_PERMISSIONS & ~(1 << 11))  # no Send Messages
        await emu.settle()
        server.set("/world.xml", rss([Item("Bridge closed", body_text("bridge"), guid="b1")]), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        assert emu.messages(news) == []
        state = await app.store.get_subscription("news")
        assert state.paused
        assert any("Send Messages" in m.get("content", "") for m in emu.messages(admin))
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
    finally:
        await app.stop()


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
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
    await app.start()
    try:
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
    finally:
        await app.stop()


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
            app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
            await app.start()
            try:
                await cycle(app, clock)
                items = [Item(f"Story number {i}", body_text(f"subject{i}"), guid=f"g{i}") for i in range(20)]
                server.set("/world.xml", rss(items), content_type="application/rss+xml")
                await cycle(app, clock, advance_minutes=2)
                for ch in channels:
                    contents = [m["content"] for m in emu.messages(ch)]
                    assert len(contents) == 20 and len(set(contents)) == 20
                assert emu.rate_limited_count == 0
            finally:
                await app.stop()


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
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
    await app.start()
    try:
        await cycle(app, clock)
        items = [Item(f"Hooked story {i}", body_text(f"hook{i}"), guid=f"h{i}") for i in range(2)]
        server.set("/world.xml", rss(items), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        messages = emu.messages(chan)
        assert len(messages) == 2
        assert all(m.get("webhook_id") and m["author"]["username"] == "World Desk" for m in messages)
        assert len({m["webhook_id"] for m in messages}) == 1  # created once, reused
    finally:
        await app.stop()
