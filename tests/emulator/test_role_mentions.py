"""Discord's rule for role pings: a role mention pings only a ``mentionable`` role, or any role when the
sender has MENTION_EVERYONE in the channel; the message is posted either way."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from tests.emulator import DEFAULT_BOT_PERMISSIONS, DiscordEmulator, Permission as P
from tests.emulator.messages import build_message
from tests.emulator.state import World

from .conftest import Api, BotStarter, RawGateway, new_bot


def ping(role: int) -> dict[str, Any]:
    """A message that mentions ``role`` and allows exactly that ping (what newsbot sends)."""
    return {"content": f"<@&{role}> news", "allowed_mentions": {"parse": [], "roles": [str(role)]}}


@pytest.mark.parametrize(("mentionable", "may_mention_everyone", "webhook", "pinged"), [
    (True, False, False, True),
    (False, True, False, True),
    (False, False, False, False),
    # Executed webhooks and interaction responses (posted through the application's webhook) keep
    # pinging any allowed role: Discord does not document the rule for them.
    (False, False, True, True),
])
def test_a_role_pings_if_mentionable_or_the_sender_may_mention_everyone(
    mentionable: bool, may_mention_everyone: bool, webhook: bool, pinged: bool
) -> None:
    world = World()
    guild = world.add_guild("news")
    role = world.add_role(guild, "readers", mentionable=mentionable)
    message = build_message(world, message_id=world.ids.next(), channel_id=1, guild=guild, author={},
                            body=ping(role.id), may_mention_everyone=may_mention_everyone,
                            webhook_id=world.ids.next() if webhook else None)
    assert message["mention_roles"] == ([str(role.id)] if pinged else [])
    assert message["content"] == f"<@&{role.id}> news"  # posted either way


async def test_the_bot_pings_a_role_that_is_not_mentionable_only_with_mention_everyone(
    emu: DiscordEmulator, api: Api, world: dict[str, int]
) -> None:
    channel = world["channel"]
    quiet = emu.add_role(world["guild"], "quiet")
    open_ = emu.add_role(world["guild"], "open", mentionable=True)

    status, unpinged, _ = await api.post_message(channel, ping(quiet))
    assert status == 200 and unpinged["mention_roles"] == []
    status, pinged, _ = await api.post_message(channel, ping(open_))
    assert status == 200 and pinged["mention_roles"] == [str(open_)]
    # An edit is held to the same rule.
    status, edited, _ = await api.call("PATCH", f"/channels/{channel}/messages/{pinged['id']}", ping(quiet))
    assert status == 200 and edited["mention_roles"] == []

    emu.set_bot_permissions(channel, DEFAULT_BOT_PERMISSIONS | P.MENTION_EVERYONE)
    status, granted, _ = await api.post_message(channel, ping(quiet))
    assert status == 200 and granted["mention_roles"] == [str(quiet)]


async def test_an_executed_webhook_pings_a_role_that_is_not_mentionable(
    emu: DiscordEmulator, api: Api, world: dict[str, int]
) -> None:
    quiet = emu.add_role(world["guild"], "quiet")
    _, hook, _ = await api.call("POST", f"/channels/{world['channel']}/webhooks", {"name": "Feeds"})
    status, executed, _ = await api.call("POST", f"/webhooks/{hook['id']}/{hook['token']}", ping(quiet),
                                         token=None, params={"wait": "true"})
    assert status == 200 and executed["mention_roles"] == [str(quiet)]


async def test_role_objects_say_whether_the_role_is_mentionable(
    emu: DiscordEmulator, api: Api, world: dict[str, int], raw_gateway: Any
) -> None:
    quiet = emu.add_role(world["guild"], "quiet")
    open_ = emu.add_role(world["guild"], "open", mentionable=True)
    expected = {str(quiet): False, str(open_): True}

    _, guild, _ = await api.call("GET", f"/guilds/{world['guild']}")
    assert {r["id"]: r["mentionable"] for r in guild["roles"] if r["id"] in expected} == expected
    gw: RawGateway = raw_gateway()
    await gw.connect()
    await gw.identify(emu.token, intents=1)
    created = (await gw.recv_until("GUILD_CREATE"))["d"]
    assert {r["id"]: r["mentionable"] for r in created["roles"] if r["id"] in expected} == expected


async def test_discord_py_sees_mentionable_on_roles_it_was_sent_and_roles_created_later(
    emu: DiscordEmulator, world: dict[str, int], start_bot: BotStarter
) -> None:
    quiet = emu.add_role(world["guild"], "quiet")
    bot = await start_bot(new_bot())
    later = emu.add_role(world["guild"], "later", mentionable=True)
    await emu.settle()
    guild = bot.get_guild(world["guild"])
    assert guild is not None
    await emu.wait_until(lambda: guild.get_role(later), 5, "GUILD_ROLE_CREATE")
    roles = [guild.get_role(quiet), guild.get_role(later)]
    assert [r.mentionable if isinstance(r, discord.Role) else None for r in roles] == [False, True]
