"""The unmodified discord.py client (2.7) against the emulator: everything the bot will rely on."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import discord
import pytest
from discord import app_commands

from tests.emulator import DiscordEmulator, EmulatorUsageError, Permission as P
from tests.emulator.permissions import DEFAULT_BOT_PERMISSIONS

from .conftest import BotStarter, new_bot


async def test_login_ready_guilds_and_permissions(emu: DiscordEmulator, world: dict[str, int],
                                                  start_bot: BotStarter) -> None:
    emu.add_channel(world["guild"], "read-only", bot_permissions=DEFAULT_BOT_PERMISSIONS & ~P.SEND_MESSAGES)
    bot = await start_bot(new_bot())
    assert bot.user is not None and bot.user.id == emu.bot_user_id
    assert bot.application_id == emu.application_id
    [guild] = bot.guilds
    assert guild.id == world["guild"] and guild.me is not None
    news, read_only = guild.get_channel(world["channel"]), discord.utils.get(guild.channels, name="read-only")
    assert isinstance(news, discord.TextChannel) and isinstance(read_only, discord.TextChannel)
    assert news.permissions_for(guild.me).send_messages
    assert not read_only.permissions_for(guild.me).send_messages
    assert read_only.permissions_for(guild.me).read_message_history
    assert not read_only.permissions_for(guild.me).embed_links, "implicitly lost with Send Messages"
    assert emu.bot_permissions(read_only.id) == read_only.permissions_for(guild.me).value


async def test_send_read_back_edit_delete(emu: DiscordEmulator, world: dict[str, int],
                                          start_bot: BotStarter) -> None:
    bot = await start_bot(new_bot())
    channel = bot.get_channel(world["channel"])
    assert isinstance(channel, discord.TextChannel)
    embed = discord.Embed(title="Headline", description="Summary", url="https://example.com/a")
    embed.add_field(name="Section", value="Text")
    sent = await channel.send("New article", embed=embed, allowed_mentions=discord.AllowedMentions.none())
    [stored] = emu.messages(world["channel"])
    assert stored["id"] == str(sent.id) and stored["embeds"][0]["fields"] == [{"name": "Section", "value": "Text",
                                                                               "inline": True}]
    fetched = await channel.fetch_message(sent.id)
    assert fetched.embeds[0].title == "Headline" and fetched.content == "New article"
    assert [m.id async for m in channel.history(limit=5)] == [sent.id]
    report = await channel.send("Attached", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), filename="feeds.csv"))
    assert report.attachments[0].filename == "feeds.csv" and report.attachments[0].size == 8
    await report.delete()
    edited = await sent.edit(content="Updated")
    assert edited.content == "Updated" and emu.messages(world["channel"])[0]["content"] == "Updated"
    await sent.delete()
    assert emu.messages(world["channel"]) == []


async def test_over_long_embed_is_a_400(emu: DiscordEmulator, world: dict[str, int], start_bot: BotStarter) -> None:
    bot = await start_bot(new_bot())
    channel = bot.get_channel(world["channel"])
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send(embed=discord.Embed(title="t" * 257))
    assert (caught.value.status, caught.value.code) == (400, 50035)
    assert "embeds.0.title" in caught.value.text
    too_big = [discord.Embed(description="d" * 4096), discord.Embed(description="d" * 1905)]
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send(embeds=too_big)
    assert caught.value.code == 50035 and emu.messages(world["channel"]) == []


async def test_forbidden_and_deleted_channels(emu: DiscordEmulator, world: dict[str, int],
                                              start_bot: BotStarter) -> None:
    bot = await start_bot(new_bot())
    channel = bot.get_channel(world["channel"])
    assert isinstance(channel, discord.TextChannel)
    emu.set_bot_permissions(world["channel"], DEFAULT_BOT_PERMISSIONS & ~P.SEND_MESSAGES)
    await emu.settle()
    await emu.wait_until(lambda: not channel.permissions_for(channel.guild.me).send_messages, 5, "CHANNEL_UPDATE")
    with pytest.raises(discord.Forbidden) as forbidden:
        await channel.send("hi")
    assert forbidden.value.code == 50013
    emu.delete_channel(world["channel"])
    with pytest.raises(discord.NotFound) as missing:
        await channel.send("hi")
    assert missing.value.code == 10003
    await emu.wait_until(lambda: bot.get_channel(world["channel"]) is None, 5, "CHANNEL_DELETE")


async def test_nonce_deduplicates_a_resend(emu: DiscordEmulator, world: dict[str, int],
                                           start_bot: BotStarter) -> None:
    bot = await start_bot(new_bot())
    channel = bot.get_channel(world["channel"])
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("article 7", nonce=123456789)
    again = await channel.send("article 7", nonce=123456789)
    assert again.id == first.id and len(emu.messages(world["channel"])) == 1


def feeds_bot(calls: list[Any]) -> Any:
    bot = new_bot()
    feeds = app_commands.Group(name="feeds", description="Manage feeds")

    @feeds.command(name="add", description="Follow a feed")
    @app_commands.describe(url="Feed URL", every="Minutes between polls")
    async def add(interaction: discord.Interaction, url: str, every: app_commands.Range[int, 5, 1440] = 60) -> None:
        calls.append(("add", url, every))
        await interaction.response.send_message(f"Following {url} every {every} min", ephemeral=True)

    @feeds.command(name="remove", description="Unfollow a feed")
    async def remove(interaction: discord.Interaction, url: str) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0)
        await interaction.followup.send(f"Removed {url}")
        await interaction.followup.send("Anything else?")

    @remove.autocomplete("url")
    async def remove_url(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        calls.append(("autocomplete", current))
        urls = ["https://arstechnica.com/feed", "https://lwn.net/headlines/rss", "https://example.org/atom"]
        return [app_commands.Choice(name=u, value=u) for u in urls if current in u]

    @app_commands.command(name="ping", description="Health check")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    bot.tree.add_command(feeds)
    bot.tree.add_command(ping)

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def test_slash_commands_sync_invoke_defer_and_autocomplete(emu: DiscordEmulator, world: dict[str, int],
                                                                  start_bot: BotStarter) -> None:
    calls: list[Any] = []
    await start_bot(feeds_bot(calls))
    synced = {c["name"]: c for c in emu.registered_commands()}
    assert set(synced) == {"feeds", "ping"}
    assert [o["name"] for o in synced["feeds"]["options"]] == ["add", "remove"]
    g, c, m = world["guild"], world["channel"], world["member"]

    ping = await emu.invoke_command(g, c, m, "ping")
    assert (await ping.wait_response())["data"]["content"] == "pong"
    assert ping.original is not None and ping.original["type"] == 20

    add = await emu.invoke_command(g, c, m, "feeds add", {"url": "https://lwn.net/headlines/rss", "every": 15})
    response = await add.wait_response()
    assert response["type"] == 4 and response["data"]["flags"] == 64
    assert response["data"]["content"] == "Following https://lwn.net/headlines/rss every 15 min"
    assert calls[-1] == ("add", "https://lwn.net/headlines/rss", 15)

    remove = await emu.invoke_command(g, c, m, "feeds remove", {"url": "https://lwn.net/headlines/rss"})
    assert (await remove.wait_response())["type"] == 5
    followups = await remove.wait_followups(2)
    assert [f["content"] for f in followups] == ["Removed https://lwn.net/headlines/rss", "Anything else?"]
    assert remove.original is not None and remove.original["id"] == followups[0]["id"]
    assert [msg["content"] for msg in emu.messages(c)] == ["pong", "Removed https://lwn.net/headlines/rss",
                                                           "Anything else?"]

    choices = await emu.autocomplete(g, c, m, "feeds remove", focused="url", options={"url": "lwn"})
    assert choices == [{"name": "https://lwn.net/headlines/rss", "value": "https://lwn.net/headlines/rss"}]
    assert calls[-1] == ("autocomplete", "lwn")


async def test_guild_command_sync(emu: DiscordEmulator, world: dict[str, int], start_bot: BotStarter) -> None:
    bot = new_bot()
    guild = discord.Object(id=world["guild"])

    @bot.tree.command(name="local", description="Guild only", guild=guild)
    async def local(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("here")

    async def setup_hook() -> None:
        await bot.tree.sync(guild=guild)

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    await start_bot(bot)
    assert [c["name"] for c in emu.registered_commands(world["guild"])] == ["local"]
    assert emu.registered_commands() == []
    handle = await emu.invoke_command(world["guild"], world["channel"], world["member"], "local")
    assert (await handle.wait_response())["data"]["content"] == "here"


@pytest.mark.emulator(interaction_timeout=0.0)
async def test_too_slow_answer_gets_unknown_interaction(world: dict[str, int], start_bot: BotStarter,
                                                        emu: DiscordEmulator) -> None:
    errors: list[BaseException] = []
    bot = new_bot()

    @bot.tree.command(name="slow", description="Answers late")
    async def slow(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("late")
        except discord.NotFound as exc:
            errors.append(exc)

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    await start_bot(bot)
    handle = await emu.invoke_command(world["guild"], world["channel"], world["member"], "slow")
    await emu.wait_until(lambda: errors, 5, "the bot's NotFound")
    assert isinstance(errors[0], discord.NotFound) and errors[0].code == 10062
    assert handle.callback is None and emu.messages(world["channel"]) == []


class SectionView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.select(custom_id="section", options=[discord.SelectOption(label="Intro", value="0"),
                                                     discord.SelectOption(label="Details", value="1")])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.edit_message(content=f"Section {select.values[0]}")

    @discord.ui.button(label="Thread", custom_id="thread")
    async def thread(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message("Opening a thread", ephemeral=True)


async def test_components_select_and_button(emu: DiscordEmulator, world: dict[str, int],
                                            start_bot: BotStarter) -> None:
    bot = await start_bot(new_bot())
    bot.add_view(SectionView())
    channel = bot.get_channel(world["channel"])
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("Pick one", view=SectionView())
    message = emu.message(sent.id)
    picked = await emu.click(message, "section", ["1"], member_id=world["member"])
    assert (await picked.wait_response())["type"] == 7
    assert emu.message(sent.id)["content"] == "Section 1"
    pressed = await emu.click(message, "thread", member_id=world["member"])
    response = await pressed.wait_response()
    assert response["type"] == 4 and response["data"]["flags"] == 64
    assert [m["content"] for m in emu.messages(world["channel"])] == ["Section 1"]


async def test_threads_and_webhooks(emu: DiscordEmulator, world: dict[str, int], start_bot: BotStarter) -> None:
    bot = await start_bot(new_bot())
    channel = bot.get_channel(world["channel"])
    assert isinstance(channel, discord.TextChannel)
    article = await channel.send("Article")
    thread = await article.create_thread(name="Sections")
    await thread.send("Section 1")
    assert [t["name"] for t in emu.threads(world["channel"])] == ["Sections"]
    assert [m["content"] for m in emu.messages(thread.id)] == ["Section 1"]
    hook = await channel.create_webhook(name="Feeds")
    posted = await hook.send("From the feed", username="Ars Technica", wait=True)
    assert posted.author.name == "Ars Technica"
    in_thread = await hook.send("Into the thread", username="Ars Technica", thread=thread, wait=True)
    assert in_thread.channel.id == thread.id
    assert [m["content"] for m in emu.messages(world["channel"])] == ["Article", "From the feed"]
    with pytest.raises(discord.HTTPException) as caught:
        await channel.create_webhook(name="Discord Feeds")
    assert caught.value.code == 50035


@pytest.mark.emulator(global_rate=(3, 0.5))
async def test_429_is_honoured_and_retried(world: dict[str, int], start_bot: BotStarter,
                                           emu: DiscordEmulator) -> None:
    bot = await start_bot(new_bot())
    channel_ids = [world["channel"]] + [emu.add_channel(world["guild"], f"c{i}") for i in range(7)]
    await emu.settle()
    await emu.wait_until(lambda: all(bot.get_channel(c) for c in channel_ids), 5, "CHANNEL_CREATE")
    targets = [bot.get_channel(c) for c in channel_ids]
    # Eight channels, eight route buckets with room to spare: only the global limit (3 per 0.5 s) can
    # refuse, and eight sends at once exceed it even if they straddle two windows.
    await asyncio.gather(*(t.send(f"burst {i}") for i, t in enumerate(targets)))  # type: ignore[union-attr]
    assert emu.rate_limited_count > 0, "the global limit was exceeded"
    assert [len(emu.messages(c)) for c in channel_ids] == [1] * 8, "every refused send was retried"


@pytest.mark.emulator(message_rate=(3, 0.3))
async def test_route_headers_prevent_429s_and_injected_429_is_retried(world: dict[str, int],
                                                                       start_bot: BotStarter,
                                                                       emu: DiscordEmulator) -> None:
    bot = await start_bot(new_bot())
    channel = bot.get_channel(world["channel"])
    assert isinstance(channel, discord.TextChannel)
    for i in range(7):
        await channel.send(f"burst {i}")
    assert emu.rate_limited_count == 0, "discord.py waits on X-RateLimit-Remaining: 0, so no 429 was needed"
    emu.fail_next("POST /channels/*/messages", status=429, retry_after=0.05)
    await channel.send("after a shared 429")
    assert emu.rate_limited_count == 1
    assert emu.request_count["POST /channels/{channel_id}/messages"] == 9
    assert len(emu.messages(world["channel"])) == 8


async def test_server_error_is_retried(world: dict[str, int], start_bot: BotStarter, emu: DiscordEmulator) -> None:
    bot = await start_bot(new_bot())
    channel = bot.get_channel(world["channel"])
    assert isinstance(channel, discord.TextChannel)
    emu.fail_next("POST /channels/*/messages", status=502)
    await channel.send("survives a 502")
    assert emu.request_count["POST /channels/{channel_id}/messages"] == 2
    assert [m["content"] for m in emu.messages(world["channel"])] == ["survives a 502"]


async def test_dropped_gateway_is_resumed(emu: DiscordEmulator, world: dict[str, int],
                                          start_bot: BotStarter) -> None:
    bot = new_bot()
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed)
    await start_bot(bot)
    assert await emu.drop_gateway() == 1
    later = emu.add_channel(world["guild"], "created-while-away")
    await asyncio.wait_for(resumed.wait(), 10)
    await emu.wait_until(lambda: bot.get_channel(later), 5, "the missed CHANNEL_CREATE")
    kinds = [(r.kind, r.path) for r in emu.gateway.records]
    assert kinds == [("identify", "/gateway"), ("resume", "/gateway/resume")]
    # discord.py asks for zstd-stream when the zstandard package is importable, zlib-stream otherwise.
    wanted = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE  # noqa: SLF001
    assert {r.query.get("compress") for r in emu.gateway.records} == {wanted}
    assert emu.gateway.identify_count == 1


async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
    """discord.py waits 5 s before every re-IDENTIFY by default; the emulator needs no such care."""


async def test_reconnect_op_and_invalid_session(emu: DiscordEmulator, world: dict[str, int],
                                                start_bot: BotStarter) -> None:
    bot = new_bot()
    bot.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
    readies: list[int] = []

    async def on_ready() -> None:
        readies.append(1)

    bot.add_listener(on_ready)
    await start_bot(bot)
    await emu.reconnect()
    await emu.wait_until(lambda: emu.gateway.resume_count == 1 and emu.gateway.connected(), 10, "resume after op 7")
    await emu.invalidate_session(resumable=False)
    await emu.wait_until(lambda: emu.gateway.identify_count == 2 and emu.gateway.connected(), 15, "re-identify")
    await emu.wait_until(lambda: len(readies) == 2, 10, "a second on_ready")
    handle_channel = bot.get_channel(world["channel"])
    assert isinstance(handle_channel, discord.TextChannel)
    await handle_channel.send("still here")
    assert emu.messages(world["channel"])[0]["content"] == "still here"


async def test_the_api_base_alone_is_enough(emu: DiscordEmulator, world: dict[str, int]) -> None:
    """The recipe in README.md: set Route.BASE, take the gateway URL from GET /gateway/bot in setup_hook."""
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = emu.api_base
    bot = new_bot()

    async def setup_hook() -> None:
        _, url, _ = await bot.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    task = asyncio.create_task(bot.start(emu.token))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        assert [g.id for g in bot.guilds] == [world["guild"]]
        assert emu.request_count["GET /gateway/bot"] == 1
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway


async def test_a_private_channel_by_overwrites_agrees_with_discord_py(emu: DiscordEmulator, world: dict[str, int],
                                                                     start_bot: BotStarter) -> None:
    staff = emu.add_member(world["guild"], "sam")
    private = emu.add_channel(world["guild"], "staff")
    emu.set_overwrite(private, world["guild"], deny=P.VIEW_CHANNEL)  # @everyone's id is the guild's
    emu.set_overwrite(private, staff, allow=P.VIEW_CHANNEL)
    assert not emu.member_permissions(world["guild"], world["member"], private) & P.VIEW_CHANNEL
    assert emu.member_permissions(world["guild"], staff, private) & P.VIEW_CHANNEL
    assert emu.member_permissions(world["guild"], world["member"], world["channel"]) & P.VIEW_CHANNEL
    bot = await start_bot(new_bot())
    [guild] = bot.guilds
    channel = guild.get_channel(private)
    assert isinstance(channel, discord.TextChannel)
    assert not channel.permissions_for(guild.default_role).view_channel
    member_overwrite = {target.id: ow for target, ow in channel.overwrites.items()}[staff]
    assert member_overwrite.view_channel is True
    with pytest.raises(EmulatorUsageError, match="neither a role nor a member"):
        emu.set_overwrite(private, 12345, allow=P.VIEW_CHANNEL)
