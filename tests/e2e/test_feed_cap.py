"""discord.max_feeds_per_server: each server's admins add feeds up to the operator's cap, no further.

One bot in servers A and B, cap 2.  ``a-wire`` (the YAML's) posts to A only, so A has 1 feed;
``b-wire`` (the YAML's) posts to B only, so B has 1; ``shared`` posts to both and counts for neither.
At the cap ``/feeds add`` is refused and writes nothing; ``/feeds import`` (and its dry run) adds in
file order up to it and reports the rest on one line; one server's feeds never use up the other's room.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.config.test_opml import opml
from tests.e2e.harness import Clock, cycle, rss, write_config
from tests.emulator import DiscordEmulator
from tests.emulator.interactions import Upload
from tests.support.feedserver import FeedServer

from bot.app import App

MANAGE_GUILD = 1 << 5
AT_CAP = "the most this bot allows (max_feeds_per_server); remove one with /feeds remove first"


@dataclass
class Server:
    guild: int
    channel: int
    admin: int


@dataclass
class Capped:
    app: App
    managed: Path
    a: Server
    b: Server


def _config(emu: DiscordEmulator, server: FeedServer, tmp_path: Path, guilds: list[int], channels: list[int]) -> str:
    subscriptions = f"""
      - feeds: [a-wire, shared]
        channel: {channels[0]}
    """ + (f"""
      - feeds: [b-wire, shared]
        channel: {channels[1]}
    """ if len(channels) > 1 else "")
    return f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}
      command_guilds: [{', '.join(map(str, guilds))}]
      max_feeds_per_server: 2
    storage:
      url: sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}
    defaults:
      fetch_article: false
    feeds:
      - name: a-wire
        url: {server.url('/a.xml')}
      - name: b-wire
        url: {server.url('/b.xml')}
      - name: shared
        url: {server.url('/shared.xml')}
    subscriptions:{subscriptions}
    """


@pytest.fixture
async def capped(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> AsyncIterator[Capped]:
    guilds = [emu.add_guild(name) for name in ("alpha", "beta")]
    channels = [emu.add_channel(guild, "news") for guild in guilds]
    for path in ("/a.xml", "/b.xml", "/shared.xml", *(f"/new{n}.xml" for n in range(1, 6))):
        server.set(path, rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", _config(emu, server, tmp_path, guilds, channels))
    clock = Clock()
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
    await app.start()
    try:
        await cycle(app, clock)
        a, b = (
            Server(guild, channel, emu.add_member(guild, "admin", permissions=MANAGE_GUILD))
            for guild, channel in zip(guilds, channels, strict=True)
        )
        await emu.settle()
        yield Capped(app, tmp_path / "newsbot.managed.yaml", a, b)
    finally:
        await app.stop()


async def _reply(emu: DiscordEmulator, where: Server, command: str, options: dict) -> dict:
    handle = await emu.invoke_command(where.guild, where.channel, where.admin, command, options)
    return await handle.wait_original(lambda m: bool(m.get("content") or m.get("embeds")), timeout=10)


def _managed(capped: Capped) -> str:
    return capped.managed.read_text() if capped.managed.exists() else ""


async def test_feeds_add_is_refused_at_the_cap_and_each_server_has_its_own_count(
    emu: DiscordEmulator, server: FeedServer, capped: Capped
) -> None:
    a, b, app = capped.a, capped.b, capped.app
    reply = await _reply(emu, b, "feeds add", {"url": server.url("/new1.xml"), "name": "b-one"})
    assert reply["content"].startswith(f"Added **b-one** → <#{b.channel}>.")  # b-wire + b-one: 2 of 2
    before = _managed(capped)

    reply = await _reply(emu, b, "feeds add", {"url": server.url("/new2.xml"), "name": "b-two"})
    assert reply["flags"] & 64
    assert reply["content"] == f"This server follows 2 feeds, {AT_CAP}."
    assert _managed(capped) == before and app.config.feed("b-two") is None
    assert server.requests_for("/new2.xml") == []  # refused before the URL was fetched

    reply = await _reply(emu, a, "feeds add", {"url": server.url("/new3.xml"), "name": "a-one"})
    assert reply["content"].startswith(f"Added **a-one** → <#{a.channel}>.")  # A had 1 (a-wire): B's count is not A's
    reply = await _reply(emu, a, "feeds add", {"url": server.url("/new4.xml"), "name": "a-two"})
    assert reply["content"] == f"This server follows 2 feeds, {AT_CAP}."


async def test_two_adds_at_once_with_room_for_one_add_one(emu: DiscordEmulator, server: FeedServer, capped: Capped) -> None:
    """Both pass the first check (B has 1 of 2) and fetch at the same time; the one that writes
    second counts again, on the config the first one left, and is refused."""
    b, app = capped.b, capped.app
    for path in ("/new1.xml", "/new2.xml"):
        server.set(path, rss([]), content_type="application/rss+xml", delay=0.3)
    handles = [
        await emu.invoke_command(b.guild, b.channel, b.admin, "feeds add", {"url": server.url(path), "name": name})
        for path, name in (("/new1.xml", "b-one"), ("/new2.xml", "b-two"))
    ]
    replies = [await h.wait_original(lambda m: bool(m.get("content")), timeout=10) for h in handles]
    assert len(server.requests_for("/new1.xml")) == 1 and len(server.requests_for("/new2.xml")) == 1  # both fetched
    added = [r["content"] for r in replies if r["content"].startswith("Added ")]
    refused = [r["content"] for r in replies if not r["content"].startswith("Added ")]
    assert len(added) == 1 and refused == [f"This server follows 2 feeds, {AT_CAP}."]
    assert [name for name in ("b-one", "b-two") if app.config.feed(name) is not None] == [added[0].split("**")[1]]


async def test_feeds_import_adds_up_to_the_cap_and_its_dry_run_says_the_same_without_writing(
    emu: DiscordEmulator, server: FeedServer, capped: Capped
) -> None:
    a, b, app = capped.a, capped.b, capped.app
    urls = [server.url(f"/new{n}.xml") for n in range(1, 4)]
    data = opml("".join(f'<outline text="Wire {n}" xmlUrl="{url}"/>' for n, url in enumerate(urls, start=1)))

    def expected(head: str, verb: str, follows: str, summary: str) -> list[str]:
        return [
            f"{head} **feeds.opml** → <#{b.channel}>:",
            "```",
            f"{verb}: wire-1 — {urls[0]} → channel {b.channel}",
            f"skipped 2 feeds (wire-2, wire-3): this server {follows} 2 feeds, {AT_CAP}",
            summary,
            "```",
        ]

    reply = await _reply(emu, b, "feeds import", {"file": Upload("feeds.opml", data), "dry_run": True})
    assert reply["content"].splitlines() == expected(
        "Dry run of", "would add", "would follow",
        f"dry run: 1 would be added to {capped.managed}, 2 skipped; nothing was written",
    )
    assert not capped.managed.exists() and app.config.feed("wire-1") is None

    reply = await _reply(emu, b, "feeds import", {"file": Upload("feeds.opml", data)})
    assert reply["content"].splitlines() == expected("Imported", "added", "follows", f"1 added to {capped.managed}, 2 skipped")
    assert app.config.feed("wire-1") is not None and app.config.feed("wire-2") is None and app.config.feed("wire-3") is None
    before = _managed(capped)

    reply = await _reply(emu, b, "feeds import", {"file": Upload("feeds.opml", data)})  # at the cap: nothing more
    lines = reply["content"].splitlines()
    assert f"skipped 2 feeds (wire-2, wire-3): this server follows 2 feeds, {AT_CAP}" in lines
    assert "0 added, 3 skipped; nothing to write" in lines and _managed(capped) == before

    # A has room for one too: B's wire-1 is not A's to see, so its URL becomes A's own feed under a free name.
    reply = await _reply(emu, a, "feeds import", {"file": Upload("feeds.opml", data)})
    lines = reply["content"].splitlines()
    assert lines[2:4] == [
        f"added: wire-1-2 — {urls[0]} → channel {a.channel}",
        f"skipped 2 feeds (wire-2, wire-3): this server follows 2 feeds, {AT_CAP}",
    ]
    assert app.config.feed("wire-1-2") is not None


async def test_the_cap_applies_in_the_bots_only_server_counting_the_yamls_feeds(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    guild = emu.add_guild("solo")
    channel = emu.add_channel(guild, "news")
    for path in ("/a.xml", "/b.xml", "/shared.xml", "/new1.xml"):
        server.set(path, rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", _config(emu, server, tmp_path, [guild], [channel]))
    clock = Clock()
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
    await app.start()
    try:
        await cycle(app, clock)
        solo = Server(guild, channel, emu.add_member(guild, "admin", permissions=MANAGE_GUILD))
        await emu.settle()
        reply = await _reply(emu, solo, "feeds add", {"url": server.url("/new1.xml"), "name": "more"})
        # The only server sees all three YAML feeds (b-wire has no subscription): 3, over the cap of 2.
        assert reply["content"] == (
            "This server follows 3 feeds, more than the 2 this bot allows (max_feeds_per_server); "
            "remove 2 with /feeds remove first."
        )
        assert app.config.feed("more") is None and not (tmp_path / "newsbot.managed.yaml").exists()
    finally:
        await app.stop()
