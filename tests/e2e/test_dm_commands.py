"""Slash commands in a user's DM with the bot, through the emulator (context BOT_DM).

A member reads the stories of the server channels they can view (bot.discord.commands,
``readable_channel_ids``); a DM is in no server, so the story commands are ``guild_only`` and Discord
offers only /help there — in a bot in one server too, where a DM once read every story, so that
anyone with a DM open to the bot (someone who left the server, say) could read a staff-only
channel's.  /help in a DM lists the member commands and says to run them in a server; the admin
groups are left out.  The commands must be synced globally for a DM to have /help: guild commands
(``command_guilds``) are offered in their guild only.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.discord_rig import running_app
from tests.e2e.harness import Clock, Item, body_text, cycle, rss, write_config
from tests.emulator import DiscordEmulator, EmulatorUsageError
from tests.support.feedserver import FeedServer

from bot.app import App

HARBOUR = Item("Harbour reopens after storm", body_text("harbour"), guid="a1")
BRIDGE = Item("Bridge closes for repairs", body_text("bridge"), guid="b1")
MEMBER_COMMANDS = ["/article", "/section", "/latest", "/search", "/help"]


@dataclass
class Bot:
    app: App
    guilds: list[int]
    channels: list[int]
    user: int


@contextlib.asynccontextmanager
async def _running(emu: DiscordEmulator, server: FeedServer, tmp_path: Path, names: list[str], items: list[Item], *,
                   command_guilds: bool = False) -> AsyncIterator[tuple[App, list[int], list[int]]]:
    """The bot in one server per name, the i-th server's ``news`` channel following a feed of items[i],
    polled once; its commands synced globally, or to each server (``command_guilds``)."""
    guilds = [emu.add_guild(name) for name in names]
    channels = [emu.add_channel(guild, "news") for guild in guilds]
    extra_yaml = f"\n      command_guilds: [{', '.join(map(str, guilds))}]" if command_guilds else ""
    feeds, subs = "", ""
    for index, (channel, item) in enumerate(zip(channels, items, strict=True)):
        server.set(f"/{index}.xml", rss([item]), content_type="application/rss+xml")
        feeds += f"\n      - name: wire-{index}\n        url: {server.url(f'/{index}.xml')}"
        subs += f"\n      - name: news-{index}\n        feeds: [wire-{index}]\n        channel: {channel}"
    cfg = write_config(tmp_path / "newsbot.yaml", f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}{extra_yaml}
    storage:
      url: sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}
    defaults:
      backfill: 5
      fetch_article: false
    feeds:{feeds}
    subscriptions:{subs}
    """)
    clock = Clock()
    async with running_app(cfg, emu, clock) as app:
        await cycle(app, clock)
        yield app, guilds, channels


@pytest.fixture
async def bot(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> AsyncIterator[Bot]:
    """The bot in two servers, each with a story posted to its channel; a user outside both."""
    async with _running(emu, server, tmp_path, ["alpha", "beta"], [HARBOUR, BRIDGE]) as (app, guilds, channels):
        await emu.wait_for_commands()
        yield Bot(app, guilds, channels, emu.add_user("dora"))


def _text(message: dict[str, Any]) -> str:
    """Everything a user can read in a message: content, embeds, components."""
    return " ".join(str(message.get(key) or "") for key in ("content", "embeds", "components"))


async def _dm(emu: DiscordEmulator, user: int, command: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The first message the bot answers ``command`` with in ``user``'s DM."""
    handle = await emu.invoke_dm_command(user, command, options or {})
    return await handle.wait_original(lambda m: bool(m.get("content") or m.get("embeds")), timeout=10)


def _no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing crashed: no error and no traceback in the bot's log."""
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]


async def test_help_in_a_dm_lists_the_member_commands_and_where_to_run_them(
    emu: DiscordEmulator, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    reply = await _dm(emu, bot.user, "help")
    assert reply["flags"] & 64
    text = "\n".join(e.get("description", "") for e in reply["embeds"])
    assert text.startswith("*In a direct message I only answer /help: run these commands in a channel of a server")
    for name in MEMBER_COMMANDS:
        assert f"`{name}" in text, name
    assert "**`/latest [feed] [count]`** — The newest stories" in text
    assert "/feeds" not in text and "/digest" not in text and "For admins" not in text
    _no_errors_logged(caplog)


async def _refused_in_a_dm(emu: DiscordEmulator, user: int) -> None:
    """Discord offers no story command and no admin group in a DM (the emulator refuses as it would)."""
    registered = {c["name"]: c for c in emu.registered_commands()}
    assert set(registered) == {name.lstrip("/") for name in MEMBER_COMMANDS} | {"feeds", "digest"}
    for command, options in [("article", {}), ("section", {"article": "#1", "section": "1"}),
                             ("latest", {}), ("search", {"query": "harbour"})]:
        with pytest.raises(EmulatorUsageError, match="without BOT_DM"):
            await emu.invoke_dm_command(user, command, options)
    with pytest.raises(EmulatorUsageError, match="without BOT_DM"):
        await emu.dm_autocomplete(user, "article", focused="query", options={"query": "Harb"})
    for group in ("feeds", "digest"):
        with pytest.raises(EmulatorUsageError, match="dm_permission false"):
            await emu.invoke_dm_command(user, f"{group} {registered[group]['options'][0]['name']}")


async def test_a_dm_is_offered_no_story_command(emu: DiscordEmulator, bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    for channel, item in zip(bot.channels, (HARBOUR, BRIDGE), strict=True):  # stories there are to read
        assert item.title in str(emu.messages(channel))
    await _refused_in_a_dm(emu, bot.user)
    reader = emu.add_member(bot.guilds[0], "reader")  # a member of a server, in a DM
    await emu.settle()
    await _refused_in_a_dm(emu, reader)
    in_server = await emu.invoke_command(bot.guilds[0], bot.channels[0], reader, "latest", {})
    assert HARBOUR.title in _text(await in_server.wait_original(lambda m: bool(m.get("embeds")), timeout=10))
    _no_errors_logged(caplog)


async def test_a_bot_in_one_server_offers_no_story_command_in_a_dm_either(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with _running(emu, server, tmp_path, ["alpha"], [HARBOUR]) as (_, _, channels):
        await emu.wait_for_commands()
        assert HARBOUR.title in str(emu.messages(channels[0]))
        user = emu.add_user("dora")
        await _refused_in_a_dm(emu, user)
        text = str((await _dm(emu, user, "help"))["embeds"])
        assert "run these commands in a channel of a server" in text and HARBOUR.title not in text


async def test_with_command_guilds_a_dm_is_offered_no_command(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    """``command_guilds`` syncs copies to those servers and nothing globally, so Discord offers a DM none."""
    async with _running(emu, server, tmp_path, ["alpha"], [HARBOUR], command_guilds=True) as (_, guilds, _):
        assert {c["name"] for c in await emu.wait_for_commands(guilds[0])} >= {"help", "article"}
        assert emu.registered_commands() == []
        with pytest.raises(EmulatorUsageError, match="a DM offers only global commands"):
            await emu.invoke_dm_command(emu.add_user("dora"), "help")
