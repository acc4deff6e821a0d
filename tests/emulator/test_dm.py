"""Slash commands in a user's DM with the bot: the payload Discord sends there, the answers recorded as in a
guild, and the commands Discord does not offer in DMs refused (Receiving and Responding > Interaction
Object; Application Commands > Contexts)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord
import pytest
from discord import app_commands

from tests.emulator import DiscordEmulator, EmulatorUsageError, Permission as P

from .conftest import Api, BotStarter, RawGateway, new_bot
from .test_interactions import callback

#: What Discord documents as the app's permissions in a DM with its bot user.
DM_APP_PERMISSIONS = P.ATTACH_FILES | P.EMBED_LINKS | P.MENTION_EVERYONE | P.USE_EXTERNAL_EMOJIS
INTENT_GUILDS, INTENT_GUILD_MESSAGES, INTENT_DIRECT_MESSAGES = 1, 1 << 9, 1 << 12

COMMANDS = [
    {"name": "help", "description": "What the bot does", "type": 1},
    {"name": "whois", "description": "A user", "type": 1,
     "options": [{"type": 6, "name": "who", "description": "Who", "required": True}]},
    {"name": "purge", "description": "Admins only", "type": 1, "default_member_permissions": str(1 << 5)},
    {"name": "both", "description": "contexts win", "type": 1, "contexts": [0, 1], "dm_permission": False},
    {"name": "feeds", "description": "Servers only (old style)", "type": 1, "dm_permission": False},
    {"name": "server", "description": "Servers only", "type": 1, "contexts": [0], "dm_permission": True},
    {"name": "dmonly", "description": "DMs only", "type": 1, "contexts": [1]},
    {"name": "mine", "description": "User installs only", "type": 1, "integration_types": [1], "contexts": [0, 1, 2]},
]


@pytest.fixture
async def bot(emu: DiscordEmulator, world: dict[str, int], api: Api,
              raw_gateway: Callable[..., RawGateway]) -> RawGateway:
    status, _, _ = await api.call("PUT", f"/applications/{emu.application_id}/commands", COMMANDS)
    assert status == 200
    local = {"name": "local", "description": "This guild's own", "type": 1}
    status, _, _ = await api.call("PUT", f"/applications/{emu.application_id}/guilds/{world['guild']}/commands", [local])
    assert status == 200
    gw = raw_gateway()
    await gw.connect()
    await gw.identify(emu.token, intents=INTENT_GUILDS | INTENT_GUILD_MESSAGES)
    await gw.recv_until("GUILD_CREATE")
    return gw


async def test_a_dm_command_carries_the_user_and_the_dm_channel_and_no_guild(
        emu: DiscordEmulator, world: dict[str, int], bot: RawGateway) -> None:
    carol = emu.add_user("carol")
    handle = await emu.invoke_dm_command(carol, "help")
    data = (await bot.recv_until("INTERACTION_CREATE"))["d"]
    assert data == handle.payload
    dm = emu.open_dm(carol)
    assert {"guild_id", "guild", "member", "guild_locale"}.isdisjoint(data)
    assert data["user"]["id"] == str(carol) and data["user"]["username"] == "carol"
    assert data["channel_id"] == data["channel"]["id"] == str(dm)
    assert data["channel"]["type"] == 1 and [u["id"] for u in data["channel"]["recipients"]] == [str(carol)]
    assert (data["context"], data["authorizing_integration_owners"]) == (1, {"0": "0"})
    assert int(data["app_permissions"]) == DM_APP_PERMISSIONS
    assert data["data"]["name"] == "help" and "guild_id" not in data["data"]

    again = await emu.invoke_dm_command(carol, "help")
    assert again.payload["channel_id"] == str(dm), "one DM per user"
    member = await emu.invoke_dm_command(world["member"], "help")
    assert member.payload["user"]["id"] == str(world["member"]) and "member" not in member.payload
    assert member.payload["channel_id"] != str(dm)


async def test_a_user_option_resolves_to_the_user_alone(emu: DiscordEmulator, world: dict[str, int],
                                                        bot: RawGateway) -> None:
    carol = emu.add_user("carol")
    handle = await emu.invoke_dm_command(carol, "whois", {"who": world["member"]})
    data = handle.payload["data"]
    assert data["options"] == [{"type": 6, "name": "who", "value": str(world["member"])}]
    assert list(data["resolved"]) == ["users"] and str(world["member"]) in data["resolved"]["users"]


@pytest.mark.parametrize(("name", "complaint"), [
    ("local", "no slash command /local globally"),
    ("feeds", "dm_permission false"),
    ("server", r"contexts \[0\] without BOT_DM"),
    ("mine", "only for user installs"),
])
async def test_commands_discord_does_not_offer_in_a_dm_are_refused(
        emu: DiscordEmulator, world: dict[str, int], bot: RawGateway, name: str, complaint: str) -> None:
    with pytest.raises(EmulatorUsageError, match=complaint):
        await emu.invoke_dm_command(emu.add_user("carol"), name)
    assert emu.interactions == {}, "nothing was sent"


async def test_what_decides_where_a_command_is_offered(emu: DiscordEmulator, world: dict[str, int],
                                                       bot: RawGateway) -> None:
    carol = emu.add_user("carol")
    g, c, m = world["guild"], world["channel"], world["member"]
    # default_member_permissions does not apply in DMs; contexts win over dm_permission.
    for name in ("purge", "both", "dmonly"):
        assert (await emu.invoke_dm_command(carol, name)).payload["context"] == 1
    for name in ("both", "feeds", "server", "local"):
        assert (await emu.invoke_command(g, c, m, name)).payload["context"] == 0
    with pytest.raises(EmulatorUsageError, match=r"contexts \[1\] without GUILD"):
        await emu.invoke_command(g, c, m, "dmonly")
    with pytest.raises(EmulatorUsageError, match="no user"):
        await emu.invoke_dm_command(123, "help")
    with pytest.raises(EmulatorUsageError, match="is a bot"):
        await emu.invoke_dm_command(emu.bot_user_id, "help")


async def test_answers_in_a_dm_are_recorded_like_a_guilds_and_ephemeral_ones_stay_private(
        emu: DiscordEmulator, world: dict[str, int], api: Api, bot: RawGateway) -> None:
    carol = emu.add_user("carol")
    handle = await emu.invoke_dm_command(carol, "help")
    interaction = (await bot.recv_until("INTERACTION_CREATE"))["d"]
    assert (await callback(api, interaction, {"type": 5, "data": {"flags": 64}}))[0] == 204
    followup = f"/webhooks/{emu.application_id}/{interaction['token']}"
    status, first, _ = await api.call("POST", followup, {"content": "Only for you", "flags": 64}, token=None)
    assert status == 200 and first["channel_id"] == str(emu.open_dm(carol)) and "guild_id" not in first
    assert first["interaction_metadata"]["user"]["id"] == str(carol)
    assert first["interaction_metadata"]["authorizing_integration_owners"] == {"0": "0"}
    _, second, _ = await api.call("POST", followup, {"content": "For the record"}, token=None)
    assert (await handle.wait_response()) == {"type": 5, "data": {"flags": 64}}
    assert handle.original is not None and handle.original["content"] == "Only for you"
    assert handle.original["flags"] & 64
    assert [m["content"] for m in handle.followups] == ["Only for you", "For the record"]
    assert [m["content"] for m in emu.messages(emu.open_dm(carol))] == ["For the record"]
    # GUILD_MESSAGES without DIRECT_MESSAGES: no message event from a DM, the next event is the channel's.
    emu.add_channel(world["guild"], "later")
    seen = await bot.collect_until("CHANNEL_CREATE")
    assert "MESSAGE_CREATE" not in [p.get("t") for p in seen]
    assert second["id"] == emu.messages(emu.open_dm(carol))[0]["id"]


async def test_dm_message_events_need_direct_messages_and_carry_no_guild(
        emu: DiscordEmulator, world: dict[str, int], api: Api, raw_gateway: Callable[..., RawGateway]) -> None:
    await api.call("PUT", f"/applications/{emu.application_id}/commands", COMMANDS)
    gw = raw_gateway()
    await gw.connect()
    await gw.identify(emu.token, intents=INTENT_GUILDS | INTENT_DIRECT_MESSAGES)
    await gw.recv_until("GUILD_CREATE")
    carol = emu.add_user("carol")
    await emu.invoke_dm_command(carol, "help")
    interaction = (await gw.recv_until("INTERACTION_CREATE"))["d"]
    await callback(api, interaction, {"type": 4, "data": {"content": "Hello"}})
    created = (await gw.recv_until("MESSAGE_CREATE"))["d"]
    assert created["channel_id"] == str(emu.open_dm(carol)) and created["content"] == "Hello"
    assert "guild_id" not in created and "member" not in created
    original = f"/webhooks/{emu.application_id}/{interaction['token']}/messages/@original"
    assert (await api.call("DELETE", original, token=None))[0] == 204
    deleted = (await gw.recv_until("MESSAGE_DELETE"))["d"]
    assert deleted == {"id": created["id"], "channel_id": created["channel_id"]}


# --- the real discord.py client -----------------------------------------------------------------


class Again(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Again", custom_id="again")
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message(f"again in {type(interaction.channel).__name__}", ephemeral=True)


def dm_bot(seen: list[discord.Interaction]) -> discord.ext.commands.Bot:
    bot = new_bot()

    @bot.tree.command(name="where", description="Where am I")
    async def where(interaction: discord.Interaction, topic: str | None = None) -> None:
        seen.append(interaction)
        await interaction.response.send_message(f"guild={interaction.guild} topic={topic}", ephemeral=True)

    @where.autocomplete("topic")
    async def topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        seen.append(interaction)
        return [app_commands.Choice(name=f"{current} news", value=current)]

    @bot.tree.command(name="slow", description="Defers")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("done", view=Again())

    @bot.tree.command(name="server", description="Servers only")
    @app_commands.guild_only()
    async def server(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("in a server")

    admin = app_commands.Group(name="admin", description="Admins", guild_only=True,
                               default_permissions=discord.Permissions(manage_guild=True))

    @admin.command(name="list", description="List")
    async def admin_list(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("listed")

    bot.tree.add_command(admin)

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def test_discord_py_sees_a_user_in_a_dm_and_its_answers_are_recorded(
        emu: DiscordEmulator, world: dict[str, int], start_bot: BotStarter, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="discord")
    seen: list[discord.Interaction] = []
    await start_bot(dm_bot(seen))
    carol = emu.add_user("carol")
    dm = emu.open_dm(carol)

    handle = await emu.invoke_dm_command(carol, "where", {"topic": "rain"})
    response = await handle.wait_response()
    assert response["type"] == 4 and response["data"]["flags"] == 64
    assert response["data"]["content"] == "guild=None topic=rain"
    interaction = seen[-1]
    assert interaction.guild is None and interaction.guild_id is None
    assert isinstance(interaction.user, discord.User) and not isinstance(interaction.user, discord.Member)
    assert interaction.user.id == carol and interaction.user.name == "carol"
    assert isinstance(interaction.channel, discord.DMChannel) and interaction.channel.id == dm
    assert interaction.channel.recipient is not None and interaction.channel.recipient.id == carol
    assert interaction.context.dm_channel and not interaction.context.guild
    assert interaction.app_permissions.value == DM_APP_PERMISSIONS and interaction.permissions.value == 0
    assert emu.messages(dm) == [], "an ephemeral answer stays out of the DM's history"

    choices = await emu.dm_autocomplete(carol, "where", focused="topic", options={"topic": "sun"})
    assert choices == [{"name": "sun news", "value": "sun"}] and seen[-1].guild is None

    slow = await emu.invoke_dm_command(carol, "slow")
    [done] = await slow.wait_followups(1)
    assert done["content"] == "done" and slow.original is not None and slow.original["id"] == done["id"]
    assert [m["content"] for m in emu.messages(dm)] == ["done"]
    with pytest.raises(EmulatorUsageError, match="cannot see it"):
        await emu.click(done, "again", member_id=world["member"])
    click = await emu.click(done, "again", member_id=carol)
    assert (await click.wait_response())["data"]["content"] == "again in DMChannel"

    registered = {c["name"]: c for c in emu.registered_commands()}
    assert (registered["admin"]["dm_permission"], registered["admin"]["contexts"]) == (False, None)
    assert registered["server"]["contexts"] == [0]
    with pytest.raises(EmulatorUsageError, match="dm_permission false"):
        await emu.invoke_dm_command(carol, "admin list")
    with pytest.raises(EmulatorUsageError, match="without BOT_DM"):
        await emu.invoke_dm_command(carol, "server")
    in_guild = await emu.invoke_command(world["guild"], world["channel"], world["member"], "admin list")
    assert (await in_guild.wait_response())["data"]["content"] == "listed"
    problems = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert problems == [], [r.getMessage() for r in problems]

