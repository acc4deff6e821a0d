"""Issue #9 through the emulator: real discord.py, feeds served on 127.0.0.1, the store on disk."""

from __future__ import annotations

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
