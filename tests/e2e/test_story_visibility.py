"""A member reads only the stories posted in the channels they can view, in the bot's only server too.

One server: ``news`` (everyone sees it) follows ``public-wire``; ``staff`` (@everyone denied View
Channel, one member allowed) follows ``staff-wire``.  A reader who cannot open ``staff`` finds none
of its stories with /article, /section, /latest, /search or their autocompletes, and does not learn
that ``staff-wire`` exists; the staff member, who can open it, reads both channels' stories.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.discord_rig import running_app
from tests.e2e.harness import Clock, Item, body_text, cycle, rss, write_config
from tests.emulator import DiscordEmulator, Permission as P
from tests.emulator.permissions import DEFAULT_BOT_PERMISSIONS
from tests.support.feedserver import FeedServer

from bot.app import App

HARBOUR = Item("Harbour reopens after storm", body_text("harbour"), guid="h1")
PAYROLL = Item("Payroll system moves to new vendor", body_text("payroll"), guid="p1")
SECRET_WORDS = ("Payroll", "payroll", "vendor", "staff-wire")


@dataclass
class Server:
    guild: int
    news: int
    staff: int
    reader: int
    staffer: int
    app: App

    async def article_id(self, words: str) -> int:
        [(article_id, _)] = await self.app.store.title_suggestions(words)
        return article_id


@asynccontextmanager
async def posting(emu: DiscordEmulator, server: FeedServer, tmp_path: Path, guild: int, news: int, staff: int,
                  reader: int, staffer: int) -> AsyncIterator[Server]:
    """The bot running, with public-wire's story posted in ``news`` and staff-wire's in ``staff``."""
    server.set("/public.xml", rss([HARBOUR]), content_type="application/rss+xml")
    server.set("/staff.xml", rss([PAYROLL]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}
    storage:
      url: sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}
    defaults:
      backfill: 5
      fetch_article: false
    feeds:
      - name: public-wire
        url: {server.url('/public.xml')}
      - name: staff-wire
        url: {server.url('/staff.xml')}
    subscriptions:
      - name: public
        feeds: [public-wire]
        channel: {news}
      - name: staff-only
        feeds: [staff-wire]
        channel: {staff}
    """)
    clock = Clock()
    async with running_app(cfg, emu, clock) as app:
        await cycle(app, clock)
        await emu.wait_for_commands()
        await emu.settle()
        assert PAYROLL.title in str(emu.messages(staff)) and HARBOUR.title in str(emu.messages(news))
        yield Server(guild, news, staff, reader, staffer, app)


@pytest.fixture
async def world(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> AsyncIterator[Server]:
    guild = emu.add_guild("alpha")
    news = emu.add_channel(guild, "news")
    staff = emu.add_channel(guild, "staff")
    reader, staffer = emu.add_member(guild, "reader"), emu.add_member(guild, "sam")
    emu.set_overwrite(staff, guild, deny=P.VIEW_CHANNEL)  # @everyone's id is the guild's
    emu.set_overwrite(staff, staffer, allow=P.VIEW_CHANNEL)
    emu.set_overwrite(staff, emu.bot_user_id, allow=DEFAULT_BOT_PERMISSIONS)  # the bot posts there
    async with posting(emu, server, tmp_path, guild, news, staff, reader, staffer) as world:
        yield world


def _text(message: dict[str, Any]) -> str:
    return " ".join(str(message.get(key) or "") for key in ("content", "embeds", "components"))


async def _reply(emu: DiscordEmulator, world: Server, who: int, command: str, options: dict[str, Any] | None = None) -> str:
    handle = await emu.invoke_command(world.guild, world.news, who, command, options or {})
    return _text(await handle.wait_original(lambda m: bool(m.get("content") or m.get("embeds")), timeout=10))


async def test_a_member_who_cannot_open_a_channel_reads_none_of_its_stories(emu: DiscordEmulator, world: Server) -> None:
    payroll = await world.article_id("Payroll")
    latest = await _reply(emu, world, world.reader, "latest", {"count": 10})
    assert HARBOUR.title in latest and PAYROLL.title not in latest
    for command, options in [
        ("article", {"query": "payroll"}),
        ("article", {"query": f"#{payroll}"}),
        ("section", {"article": f"#{payroll}", "section": "1"}),
        ("search", {"query": "payroll vendor"}),
        ("latest", {"feed": "staff-wire"}),
    ]:
        answer = await _reply(emu, world, world.reader, command, options)
        assert not any(word in answer for word in SECRET_WORDS if word not in str(options)), (command, options, answer)
        assert PAYROLL.title not in answer, (command, options)
    newest = await _reply(emu, world, world.reader, "article")
    assert HARBOUR.title in newest  # the newest story *they* can read
    for command, focused, options in [
        ("article", "query", {"query": "Pay"}),
        ("section", "article", {"article": "Pay", "section": ""}),
        ("section", "section", {"article": f"#{payroll}", "section": ""}),
        ("latest", "feed", {"feed": ""}),
    ]:
        choices = await emu.autocomplete(world.guild, world.news, world.reader, command, focused=focused, options=options)
        assert not any(word in str(choices) for word in SECRET_WORDS), (command, focused, choices)
    feeds = await emu.autocomplete(world.guild, world.news, world.reader, "latest", focused="feed", options={"feed": ""})
    assert [c["value"] for c in feeds] == ["public-wire"]


async def test_a_member_who_can_open_it_reads_its_stories(emu: DiscordEmulator, world: Server) -> None:
    payroll = await world.article_id("Payroll")
    latest = await _reply(emu, world, world.staffer, "latest", {"count": 10})
    assert HARBOUR.title in latest and PAYROLL.title in latest
    assert PAYROLL.title in await _reply(emu, world, world.staffer, "article", {"query": f"#{payroll}"})
    assert PAYROLL.title in await _reply(emu, world, world.staffer, "search", {"query": "payroll vendor"})
    assert PAYROLL.title in await _reply(emu, world, world.staffer, "latest", {"feed": "staff-wire"})
    feeds = await emu.autocomplete(world.guild, world.news, world.staffer, "latest", focused="feed", options={"feed": ""})
    assert [c["value"] for c in feeds] == ["public-wire", "staff-wire"]


async def test_losing_access_to_a_channel_hides_its_stories_at_once(emu: DiscordEmulator, world: Server) -> None:
    assert PAYROLL.title in await _reply(emu, world, world.staffer, "latest", {"count": 10})
    emu.set_overwrite(world.staff, world.staffer, deny=P.VIEW_CHANNEL)
    await emu.settle()
    assert PAYROLL.title not in await _reply(emu, world, world.staffer, "latest", {"count": 10})


async def test_a_private_threads_stories_are_read_by_its_members_and_moderators_only(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    """A subscription may post in a thread (its id in the YAML).  discord.py's permissions_for
    gives a private thread its channel's permissions, membership aside: a member who can open
    the channel, but was never added to the thread, must not read its stories either.  Who was
    added, only Discord knows (the bot has no members intent): the bot asks it, once a minute at
    most per member and thread."""
    guild = emu.add_guild("alpha")
    news = emu.add_channel(guild, "news")
    reader, owner, added = emu.add_member(guild, "reader"), emu.add_member(guild, "sam"), emu.add_member(guild, "pat")
    moderator = emu.add_member(guild, "mod", permissions=P.MANAGE_THREADS)
    thread = emu.add_thread(news, "Payroll", owner_id=owner, private=True)
    emu.add_thread_member(thread, emu.bot_user_id)
    emu.add_thread_member(thread, added)
    async with posting(emu, server, tmp_path, guild, news, thread, reader, owner) as world:
        payroll = await world.article_id("Payroll")
        for who, sees in ((reader, False), (owner, True), (moderator, True), (added, True)):
            latest = await _reply(emu, world, who, "latest", {"count": 10})
            assert HARBOUR.title in latest and (PAYROLL.title in latest) == sees, (who, latest)
            article = await _reply(emu, world, who, "article", {"query": f"#{payroll}"})
            assert (PAYROLL.title in article) == sees, (who, article)
        # Two commands each, and Discord was asked once for each member it had to ask about.
        assert emu.request_count["GET /channels/{channel_id}/thread-members/{user_id}"] == 2


@pytest.mark.parametrize("private", [False, True])
async def test_a_threads_stories_stay_readable_once_it_archives(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path, private: bool
) -> None:
    """An archived thread leaves discord.py's cache; its stories stay where they were posted:
    whoever could read them there still does (a private thread's members, not everyone)."""
    guild = emu.add_guild("alpha")
    news = emu.add_channel(guild, "news")
    reader, owner, outsider = (emu.add_member(guild, name) for name in ("reader", "sam", "kim"))
    thread = emu.add_thread(news, "Payroll", owner_id=owner, private=private)
    if private:
        emu.add_thread_member(thread, emu.bot_user_id)
        emu.add_thread_member(thread, reader)
    async with posting(emu, server, tmp_path, guild, news, thread, reader, owner) as world:
        client = world.app.discord.client
        emu.archive_thread(thread)
        await emu.wait_until(lambda: client.get_channel(thread) is None, 5, "the archived thread out of the cache")
        for who, sees in ((reader, True), (owner, True), (outsider, not private)):
            latest = await _reply(emu, world, who, "latest", {"count": 10})
            assert HARBOUR.title in latest and (PAYROLL.title in latest) == sees, (who, latest)
