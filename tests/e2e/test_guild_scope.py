"""One bot in two servers, A and B: each server's slash commands see and change only its own feeds and stories.

``a-wire`` posts to A, ``b-wire`` (its URL carries a secret) to B, ``shared`` to A and to B's digest;
B's admin adds ``b-extra`` from Discord.  A's admins list and export only A's feeds, cannot change
B's (it is an "unknown feed") nor the shared one (it "also posts to another server"), nor fire B's
digest; A's members cannot read B-only stories.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.config.test_opml import opml
from tests.e2e.harness import Clock, Item, body_text, cycle, rss, write_config
from tests.emulator import DiscordEmulator
from tests.emulator.interactions import Upload
from tests.support.feedserver import FeedServer

from bot.app import App
from bot.config.opml import parse_opml

MANAGE_GUILD = 1 << 5
SECRET = "sekrit-token-123"
HARBOUR = Item("Harbour reopens after storm", body_text("harbour"), guid="a1")
BRIDGE = Item("Bridge closes for repairs", body_text("bridge"), guid="b1")
FESTIVAL = Item("Festival draws record crowds", body_text("festival"), guid="s1")


@dataclass
class Server:
    """One Discord server of the test: its id, its news channel, a member and an admin."""

    guild: int
    channel: int
    member: int
    admin: int


@dataclass
class Bot:
    app: App
    cfg: Path
    a: Server
    b: Server


@pytest.fixture
async def bot(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> AsyncIterator[Bot]:
    guilds = [emu.add_guild(name) for name in ("alpha", "beta")]
    channels = [emu.add_channel(guild, "news") for guild in guilds]
    server.set("/a.xml", rss([HARBOUR]), content_type="application/rss+xml")
    server.set("/b.xml", rss([BRIDGE]), content_type="application/rss+xml")
    server.set("/shared.xml", rss([FESTIVAL]), content_type="application/rss+xml")
    server.set("/extra.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}
      command_guilds: [{guilds[0]}, {guilds[1]}]
    storage:
      url: sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}
    defaults:
      backfill: 5
      fetch_article: false
    feeds:
      - name: a-wire
        url: {server.url('/a.xml')}
      - name: b-wire
        url: {server.url('/b.xml')}?token={SECRET}
      - name: shared
        url: {server.url('/shared.xml')}
    subscriptions:
      - name: a-news
        feeds: [a-wire, shared]
        channel: {channels[0]}
      - name: b-news
        feeds: [b-wire]
        channel: {channels[1]}
      - name: b-digest
        feeds: [shared]
        channel: {channels[1]}
        mode: digest
        schedule: "0 9 * * *"
    """)
    clock = Clock()
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
    await app.start()
    try:
        await cycle(app, clock)
        a, b = (
            Server(guild, channel, emu.add_member(guild, "reader"), emu.add_member(guild, "admin", permissions=MANAGE_GUILD))
            for guild, channel in zip(guilds, channels, strict=True)
        )
        await emu.settle()
        handle = await emu.invoke_command(b.guild, b.channel, b.admin, "feeds add", {"url": server.url("/extra.xml"), "name": "b-extra"})
        await handle.wait_original(lambda m: "Added" in (m.get("content") or ""))
        yield Bot(app, cfg, a, b)
    finally:
        await app.stop()


async def _reply(emu: DiscordEmulator, where: Server, who: int, command: str, options: dict | None = None) -> dict:
    """The (first) message the bot answers ``command`` with."""
    handle = await emu.invoke_command(where.guild, where.channel, who, command, options or {})
    return await handle.wait_original(lambda m: bool(m.get("content") or m.get("embeds")), timeout=10)


async def test_each_servers_admins_list_and_export_only_the_feeds_that_post_there(emu: DiscordEmulator, bot: Bot) -> None:
    listing = str((await _reply(emu, bot.a, bot.a.admin, "feeds list"))["embeds"])
    assert "a-wire" in listing and "shared" in listing and "a-news" in listing
    assert "b-wire" not in listing and "b-extra" not in listing and "b-digest" not in listing and SECRET not in listing
    listing = str((await _reply(emu, bot.b, bot.b.admin, "feeds list"))["embeds"])
    assert "b-wire" in listing and "b-extra" in listing and "shared" in listing and "a-wire" not in listing

    handle = await emu.invoke_command(bot.a.guild, bot.a.channel, bot.a.admin, "feeds export", {})
    reply = await handle.wait_original(lambda m: bool(m.get("attachments")))
    [attachment] = reply["attachments"]
    data = emu.world.files[int(attachment["id"])]
    assert SECRET.encode() not in data
    assert sorted(feed.title for feed in parse_opml(data, attachment["filename"]).feeds) == ["a-wire", "shared"]


async def test_a_servers_subscriptions_stay_its_own_once_their_channel_is_deleted(emu: DiscordEmulator, bot: Bot) -> None:
    """Gone from discord.py's cache, the channel is still known to be B's (the bot stores each
    subscription channel's server): B's admins still see and remove what posted there."""
    b = bot.b
    general = emu.add_channel(b.guild, "general")
    emu.delete_channel(b.channel)
    await emu.wait_until(lambda: bot.app.discord.client.get_channel(b.channel) is None, 5, "the channel out of the cache")
    elsewhere = Server(b.guild, general, b.member, b.admin)
    listing = str((await _reply(emu, elsewhere, b.admin, "feeds list"))["embeds"])
    assert all(name in listing for name in ("b-wire", "b-news", "b-digest", "b-extra"))
    assert "a-wire" not in listing and "a-news" not in listing
    reply = (await _reply(emu, elsewhere, b.admin, "feeds remove", {"name": "b-extra"}))["content"]
    assert "b-extra" in reply and "b-extra" not in [feed.name for feed in bot.app.config.feeds]


async def test_a_server_cannot_change_another_servers_feed_nor_a_shared_one(emu: DiscordEmulator, bot: Bot) -> None:
    a, b, app = bot.a, bot.b, bot.app
    managed = bot.cfg.parent / "newsbot.managed.yaml"
    before = managed.read_text()
    for command, options in [
        ("feeds remove", {"name": "b-extra"}),
        ("feeds edit", {"name": "b-extra", "layout": "compact"}),
        ("feeds pause", {"name": "b-wire"}),
    ]:
        reply = await _reply(emu, a, a.admin, command, options)
        assert reply["flags"] & 64 and reply["content"].startswith(f"unknown feed “{options['name']}”"), command
        assert "b-wire" not in reply["content"].replace(f"“{options['name']}”", "")  # no list of known feeds
    for server in (a, b):
        reply = await _reply(emu, server, server.admin, "feeds pause", {"name": "shared"})
        assert "“shared” also posts to another server; ask the bot's operator or edit the YAML" in reply["content"]
    assert managed.read_text() == before
    assert app.config.feed("b-extra") is not None and not any(feed.paused for feed in app.config.feeds)

    for command in ("feeds pause", "feeds remove", "feeds edit"):
        choices = await emu.autocomplete(a.guild, a.channel, a.admin, command, focused="name", options={"name": ""})
        assert [choice["value"] for choice in choices] == ["a-wire"], command
    choices = await emu.autocomplete(b.guild, b.channel, b.admin, "feeds remove", focused="name", options={"name": ""})
    assert [choice["value"] for choice in choices] == ["b-wire", "b-extra"]

    reply = await _reply(emu, a, a.admin, "digest now", {"subscription": "b-digest"})
    assert reply["content"].startswith("no digest subscription called “b-digest”")
    assert await emu.autocomplete(a.guild, a.channel, a.admin, "digest now", focused="subscription", options={"subscription": ""}) == []
    choices = await emu.autocomplete(b.guild, b.channel, b.admin, "digest now", focused="subscription", options={"subscription": ""})
    assert [choice["value"] for choice in choices] == ["b-digest"]

    reply = await _reply(emu, a, a.admin, "feeds pause", {"name": "a-wire"})
    assert "**a-wire** is paused" in reply["content"] and app.config.feed("a-wire").paused


async def test_a_servers_members_read_only_the_stories_posted_there(emu: DiscordEmulator, bot: Bot) -> None:
    a, b = bot.a, bot.b
    [(bridge, _)] = await bot.app.store.title_suggestions("Bridge")
    latest = str((await _reply(emu, a, a.member, "latest"))["embeds"])
    assert HARBOUR.title in latest and FESTIVAL.title in latest and BRIDGE.title not in latest
    latest = str((await _reply(emu, b, b.member, "latest"))["embeds"])  # the shared story is held for B's digest
    assert BRIDGE.title in latest and FESTIVAL.title in latest and HARBOUR.title not in latest
    reply = await _reply(emu, a, a.member, "latest", {"feed": "b-wire"})
    assert reply["flags"] & 64 and "no feed called" in reply["content"]
    choices = await emu.autocomplete(a.guild, a.channel, a.member, "latest", focused="feed", options={"feed": ""})
    assert [choice["value"] for choice in choices] == ["a-wire", "shared"]

    reply = await _reply(emu, a, a.member, "search", {"query": "bridge"})
    assert reply["flags"] & 64 and reply["content"].startswith("Nothing matches")
    assert "Bridge closes" in str((await _reply(emu, b, b.member, "search", {"query": "bridge"}))["embeds"])
    for query in (f"#{bridge}", "Bridge closes"):
        reply = await _reply(emu, a, a.member, "article", {"query": query})
        assert reply["flags"] & 64 and reply["content"].startswith("No story matches"), query
    reply = await _reply(emu, a, a.member, "section", {"article": f"#{bridge}", "section": "0"})
    assert reply["content"].startswith("No story matches")
    titles = await emu.autocomplete(a.guild, a.channel, a.member, "article", focused="query", options={"query": ""})
    assert sorted(choice["name"] for choice in titles) == sorted([HARBOUR.title, FESTIVAL.title])

    # A section menu whose custom id names B's story (as a forged client could send) opens nothing.
    card = await _reply(emu, a, a.member, "article", {"query": "Harbour"})
    menu = card["components"][0]["components"][0]
    stored = emu.world.messages[int(card["id"])].data["components"][0]["components"][0]
    stored["custom_id"] = menu["custom_id"] = f"newsbot:sec:{bridge}:0"
    click = await emu.click(card, menu["custom_id"], ["0"], member_id=a.member)
    reply = (await click.wait_response())["data"]
    assert reply["flags"] & 64 and reply["content"].startswith("That story is no longer stored")


# --- /feeds import and /feeds add look only at the feeds the invoking server sees -------------------

FERRY = Item("Ferry timetable changes", body_text("ferry"), guid="a2")


async def test_importing_a_url_only_another_server_follows_gives_this_server_its_own_feed(
    emu: DiscordEmulator, bot: Bot, server: FeedServer
) -> None:
    a, b, app = bot.a, bot.b, bot.app
    a_url, shared_url = app.config.feed("a-wire").url, app.config.feed("shared").url
    data = opml(f'<outline text="Harbour" xmlUrl="{a_url}"/><outline text="Festival" xmlUrl="{shared_url}"/>')
    reply = await _reply(emu, b, b.admin, "feeds import", {"file": Upload("feeds.opml", data)})
    managed = bot.cfg.parent / "newsbot.managed.yaml"
    assert reply["content"].splitlines() == [
        f"Imported **feeds.opml** → <#{b.channel}>:",
        "```",
        f"added: harbour — {a_url} → channel {b.channel}",
        f"skipped: festival — {shared_url}: its URL is already feed 'shared' in newsbot.yaml",  # B's own: it may be named
        f"1 added to {managed}, 1 skipped",
        "```",
    ]
    assert "a-wire" not in reply["content"]
    assert app.config.feed("harbour").url == a_url and app.config.subscription(f"{b.channel}:harbour") is not None

    # The second feed polling A's URL routes its stories to B's subscription, each story stored once.
    await cycle(app, app.clock, advance_minutes=1)  # its first poll backfills the story A already has
    server.set("/a.xml", rss([HARBOUR, FERRY]), content_type="application/rss+xml")
    await cycle(app, app.clock, advance_minutes=16)  # past the default 15-minute interval
    for channel in (a.channel, b.channel):
        for item in (HARBOUR, FERRY):
            assert sum(item.title in str(m) for m in emu.messages(channel)) == 1, (channel, item.title)
    assert len(await app.store.title_suggestions("Ferry timetable")) == 1


async def test_feeds_add_with_a_name_only_another_server_uses_takes_a_free_variant_and_says_so(
    emu: DiscordEmulator, bot: Bot, server: FeedServer
) -> None:
    a, b, app = bot.a, bot.b, bot.app
    server.set("/b2.xml", rss([]), content_type="application/rss+xml")
    reply = await _reply(emu, b, b.admin, "feeds add", {"url": server.url("/b2.xml"), "name": "a-wire"})
    assert reply["content"].startswith(f"Added **a-wire-2** → <#{b.channel}>. “a-wire” was taken, so it is called “a-wire-2”. ")
    assert "another server" not in reply["content"]
    assert app.config.feed("a-wire-2").url == server.url("/b2.xml")  # type: ignore[union-attr]
    assert app.config.subscription(f"{b.channel}:a-wire-2") is not None
    assert app.config.feed("a-wire").url == server.url("/a.xml")  # type: ignore[union-attr]

    managed = bot.cfg.parent / "newsbot.managed.yaml"
    before = managed.read_text()
    server.set("/b3.xml", rss([]), content_type="application/rss+xml")
    for server_, name in ((a, "a-wire"), (b, "shared"), (b, "b-extra")):  # a feed the server sees: refused as before
        reply = await _reply(emu, server_, server_.admin, "feeds add", {"url": server.url("/b3.xml"), "name": name})
        assert reply["flags"] & 64 and reply["content"].startswith(f"a feed called “{name}” already exists"), name
    assert managed.read_text() == before


async def test_feeds_add_of_a_url_already_followed_in_that_channel_is_refused(
    emu: DiscordEmulator, bot: Bot, server: FeedServer
) -> None:
    a, b, app = bot.a, bot.b, bot.app
    extra = server.url("/extra.xml")
    managed = bot.cfg.parent / "newsbot.managed.yaml"
    before = managed.read_text()
    reply = await _reply(emu, b, b.admin, "feeds add", {"url": extra, "name": "again"})
    assert reply["content"] == (f"{extra} is already followed as **b-extra** in <#{b.channel}> — "
                                "use `/feeds edit name:b-extra` to change how it posts there; nothing was added.")
    assert managed.read_text() == before and app.config.feed("again") is None

    other = emu.add_channel(b.guild, "more-news")
    await emu.settle()
    reply = await _reply(emu, b, b.admin, "feeds add", {"url": extra, "name": "again", "channel": other})
    assert reply["content"].startswith(f"Added **again** → <#{other}>.")  # another channel: a second feed, as before
    reply = await _reply(emu, a, a.admin, "feeds add", {"url": extra, "name": "extra"})  # B's URL, in A
    assert reply["content"].startswith(f"Added **extra** → <#{a.channel}>.") and "b-extra" not in reply["content"]
