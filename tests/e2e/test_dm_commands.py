"""The member commands run in a user's DM with the bot, through the emulator (context BOT_DM).

A DM belongs to no server, so its commands see no server's stories (bot.config.scope; the cog's
``server_channel_ids(None)`` is empty) and /help lists only the commands Discord offers there: the
``/feeds`` and ``/digest`` groups are ``guild_only``.  The one exception is the scope rule's own: a bot
in a single server treats everything as that server's, in a DM too.  The commands must be synced
globally for a DM to have them: guild commands (``command_guilds``) are offered in their guild only.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import Clock, Item, body_text, cycle, rss, write_config
from tests.emulator import DiscordEmulator, EmulatorUsageError
from tests.support.feedserver import FeedServer

from bot.app import App

HARBOUR = Item("Harbour reopens after storm", body_text("harbour"), guid="a1")
BRIDGE = Item("Bridge closes for repairs", body_text("bridge"), guid="b1")
MEMBER_COMMANDS = ["/article", "/section", "/latest", "/search", "/help"]
#: Words that only a story (its title or body) could bring into an answer.
STORY_WORDS = ("Harbour", "harbour", "Bridge", "bridge", "storm", "repairs")


@dataclass
class Bot:
    app: App
    guilds: list[int]
    channels: list[int]
    user: int

    async def article_id(self, words: str) -> int:
        [(article_id, _)] = await self.app.store.title_suggestions(words)
        return article_id


async def _start(emu: DiscordEmulator, server: FeedServer, tmp_path: Path, names: list[str], items: list[Item], *,
                 command_guilds: bool = False) -> tuple[App, list[int], list[int]]:
    """The bot in one server per name, the i-th server's ``news`` channel following a feed of items[i];
    its commands synced globally, or to each server (``command_guilds``)."""
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
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
    await app.start()
    await cycle(app, clock)
    return app, guilds, channels


@pytest.fixture
async def bot(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> AsyncIterator[Bot]:
    """The bot in two servers, each with a story posted to its channel; a user outside both."""
    app, guilds, channels = await _start(emu, server, tmp_path, ["alpha", "beta"], [HARBOUR, BRIDGE])
    try:
        await emu.wait_for_commands()
        yield Bot(app, guilds, channels, emu.add_user("dora"))
    finally:
        await app.stop()


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


async def test_help_in_a_dm_lists_only_the_member_commands(
    emu: DiscordEmulator, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    reply = await _dm(emu, bot.user, "help")
    assert reply["flags"] & 64
    text = "\n".join(e.get("description", "") for e in reply["embeds"])
    for name in MEMBER_COMMANDS:
        assert f"`{name}" in text, name
    assert "**`/latest [feed] [count]`** — The newest stories" in text
    assert "/feeds" not in text and "/digest" not in text and "For admins" not in text
    registered = {c["name"]: c for c in emu.registered_commands()}
    assert set(registered) == {name.lstrip("/") for name in MEMBER_COMMANDS} | {"feeds", "digest"}
    for group in ("feeds", "digest"):  # as Discord does, the emulator never offers them in a DM
        with pytest.raises(EmulatorUsageError, match="dm_permission false"):
            await emu.invoke_dm_command(bot.user, f"{group} {registered[group]['options'][0]['name']}")
    _no_errors_logged(caplog)


async def test_a_dm_reads_no_servers_story(emu: DiscordEmulator, bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    harbour, bridge = await bot.article_id("Harbour"), await bot.article_id("Bridge")
    for channel, item in zip(bot.channels, (HARBOUR, BRIDGE), strict=True):  # posted in its server
        assert item.title in str(emu.messages(channel))
    asked = [
        ("article", {}),
        ("article", {"query": "harbour"}),
        ("article", {"query": f"#{bridge}"}),
        ("section", {"article": f"#{harbour}", "section": "0"}),
        ("latest", {}),
        ("latest", {"feed": "wire-0", "count": 10}),
        ("search", {"query": "harbour"}),
        ("search", {"query": "bridge repairs"}),
    ]
    for command, options in asked:
        reply = await _dm(emu, bot.user, command, options)
        where = f"/{command} {options}"
        assert reply["flags"] & 64 and not reply.get("embeds") and not reply.get("components"), where
        assert reply["content"] and "went wrong" not in reply["content"], where
        assert not any(word in _text(reply) for word in STORY_WORDS if word not in str(options)), where
        assert HARBOUR.title not in _text(reply) and BRIDGE.title not in _text(reply), where
    for command, focused, options in [
        ("article", "query", {"query": ""}),
        ("article", "query", {"query": "Harb"}),
        ("section", "article", {"article": "Bri", "section": ""}),
        ("section", "section", {"article": f"#{harbour}", "section": ""}),
        ("latest", "feed", {"feed": ""}),
    ]:
        choices = await emu.dm_autocomplete(bot.user, command, focused=focused, options=options)
        assert choices == [], (command, focused, choices)
    assert emu.messages(emu.open_dm(bot.user)) == [], "every answer was ephemeral: nothing stays in the DM"
    _no_errors_logged(caplog)


async def test_a_server_member_in_a_dm_reads_no_story_either(emu: DiscordEmulator, bot: Bot) -> None:
    reader = emu.add_member(bot.guilds[0], "reader")
    await emu.settle()
    in_server = await emu.invoke_command(bot.guilds[0], bot.channels[0], reader, "latest", {})
    assert HARBOUR.title in _text(await in_server.wait_original(lambda m: bool(m.get("embeds")), timeout=10))
    reply = await _dm(emu, reader, "latest")
    assert reply["flags"] & 64 and HARBOUR.title not in _text(reply) and BRIDGE.title not in _text(reply)


async def test_a_bot_in_one_server_shows_that_servers_stories_in_a_dm(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The scope rule "a bot in one server sees everything" holds in a DM too (``_scope``: "in a DM,
    in at most one server"), so a DM reads the only server's stories, menu included."""
    caplog.set_level(logging.WARNING)
    app, _, channels = await _start(emu, server, tmp_path, ["alpha"], [HARBOUR])
    try:
        await emu.wait_for_commands()
        user = emu.add_user("dora")
        latest = await _dm(emu, user, "latest")
        assert HARBOUR.title in _text(latest) and HARBOUR.title in str(emu.messages(channels[0]))
        card = await _dm(emu, user, "article", {"query": "harbour"})
        assert HARBOUR.title in _text(card) and not card["flags"] & 64
        assert [m["id"] for m in emu.messages(emu.open_dm(user))] == [latest["id"], card["id"]]
        menu = card["components"][0]["components"][0]
        click = await emu.click(card, menu["custom_id"], [menu["options"][0]["value"]], member_id=user)
        section = (await click.wait_response())["data"]
        assert section["flags"] & 64 and section.get("embeds"), section
        _no_errors_logged(caplog)
    finally:
        await app.stop()


async def test_with_command_guilds_a_dm_is_offered_no_command(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    """``command_guilds`` syncs copies to those servers and nothing globally, so Discord offers a DM none."""
    app, guilds, _ = await _start(emu, server, tmp_path, ["alpha"], [HARBOUR], command_guilds=True)
    try:
        assert {c["name"] for c in await emu.wait_for_commands(guilds[0])} >= {"help", "article"}
        assert emu.registered_commands() == []
        with pytest.raises(EmulatorUsageError, match="a DM offers only global commands"):
            await emu.invoke_dm_command(emu.add_user("dora"), "help")
    finally:
        await app.stop()
