"""/help through the emulator: it lists the commands the bot registered, the admin ones to admins only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import Clock, write_config
from tests.emulator import DiscordEmulator

from bot.app import App

MANAGE_GUILD = 1 << 5
SUB_COMMAND = 1


@pytest.fixture
async def bot(emu: DiscordEmulator, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    guild = emu.add_guild("news")
    channel = emu.add_channel(guild, "news")
    (tmp_path / "articles").mkdir()
    cfg = write_config(tmp_path / "newsbot.yaml", f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}
      command_guilds: [{guild}]
    storage:
      url: sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}
    feeds:
      - name: local
        folder: {tmp_path / 'articles'}
    subscriptions:
      - name: local-news
        feeds: [local]
        channel: {channel}
    """)
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=Clock(), loops=False)
    await app.start()
    try:
        member = emu.add_member(guild, "reader", permissions=0)
        admin = emu.add_member(guild, "admin", permissions=MANAGE_GUILD)
        await emu.settle()
        yield {"guild": guild, "channel": channel, "member": member, "admin": admin}
    finally:
        await app.stop()


async def _help(emu: DiscordEmulator, bot: dict[str, Any], who: int) -> str:
    """The text of the /help reply ``who`` gets (all its embeds); it must be ephemeral."""
    handle = await emu.invoke_command(bot["guild"], bot["channel"], who, "help", {})
    reply = await handle.wait_original(lambda m: bool(m.get("embeds")))
    assert reply["flags"] & 64
    messages = [reply, *handle.followups]
    return "\n".join(e.get("description", "") for m in messages for e in m["embeds"])


def _registered(emu: DiscordEmulator, guild: int) -> tuple[list[str], list[str]]:
    """(member commands, admin sub-commands) as the bot registered them with Discord."""
    members, admins = [], []
    for command in emu.registered_commands(guild):
        subs = [o["name"] for o in command.get("options") or [] if o["type"] == SUB_COMMAND]
        if command.get("default_member_permissions") is None:
            members.append(f"/{command['name']}")
        else:
            admins += [f"/{command['name']} {sub}" for sub in subs]
    return members, admins


async def test_a_member_sees_every_member_command_with_its_options_and_no_admin_command(
    emu: DiscordEmulator, bot: dict[str, Any]
) -> None:
    text = await _help(emu, bot, bot["member"])
    members, admins = _registered(emu, bot["guild"])
    assert {"/article", "/section", "/latest", "/search", "/help"} <= set(members)
    for name in members:
        assert f"`{name}" in text
    assert "**`/section article section`** — Show one section of a story" in text
    assert "**`/latest [feed] [count]`** — The newest stories\n• `feed`: Only from this feed\n• `count`: How many (1–10)" in text
    assert "/feeds" not in text and "/digest" not in text and "For admins" not in text
    assert admins  # there are admin commands, hidden from this member


async def test_an_admin_also_sees_each_feeds_and_digest_sub_command_on_one_line(emu: DiscordEmulator, bot: dict[str, Any]) -> None:
    text = await _help(emu, bot, bot["admin"])
    members, admins = _registered(emu, bot["guild"])
    assert {"/feeds list", "/feeds add", "/feeds remove", "/digest now"} <= set(admins)
    for name in members:
        assert f"`{name}" in text
    lines = text.split("**For admins** (Manage Server)\n")[1].splitlines()
    assert len(lines) == len(admins)
    for name, line in zip(admins, lines, strict=True):
        assert line.startswith(f"`{name}"), (name, line)
    assert "`/feeds add url [name] [channel]` — Follow a feed in a channel (it is fetched once to check it)" in lines
    assert "`/digest now [subscription]` — Send the digests of this channel (or one subscription) now" in lines
