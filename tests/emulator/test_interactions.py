"""Interactions end to end with a bare client: payloads sent, callbacks accepted or refused as Discord does."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
import pytest

from tests.emulator import DiscordEmulator, EmulatorUsageError
from tests.emulator.interactions import Upload

from .conftest import Api, BotStarter, RawGateway, new_bot

FEEDS = {
    "name": "feeds", "description": "Manage feeds", "type": 1, "options": [
        {"type": 1, "name": "add", "description": "Follow a feed", "options": [
            {"type": 3, "name": "url", "description": "Feed URL", "required": True},
            {"type": 4, "name": "every", "description": "Minutes", "min_value": 5, "max_value": 1440},
            {"type": 3, "name": "style", "description": "Style", "choices": [
                {"name": "Full", "value": "full"}, {"name": "Digest", "value": "digest"}]},
        ]},
        {"type": 1, "name": "remove", "description": "Unfollow", "options": [
            {"type": 3, "name": "url", "description": "Feed URL", "required": True, "autocomplete": True}]},
    ]}
ADMIN = {"name": "purge", "description": "Admins only", "type": 1, "default_member_permissions": str(1 << 5)}


@pytest.fixture
async def bot(emu: DiscordEmulator, world: dict[str, int], api: Api,
              raw_gateway: Callable[..., RawGateway]) -> RawGateway:
    status, _, _ = await api.call("PUT", f"/applications/{emu.application_id}/commands", [FEEDS, ADMIN])
    assert status == 200
    gw = raw_gateway()
    await gw.connect()
    await gw.identify(emu.token, intents=1)
    await gw.recv_until("GUILD_CREATE")
    return gw


async def callback(api: Api, interaction: dict[str, Any], body: dict[str, Any], **params: str
                   ) -> tuple[int, Any, Any]:
    return await api.call("POST", f"/interactions/{interaction['id']}/{interaction['token']}/callback", body,
                          token=None, params=params or None)


async def test_command_interaction_payload(emu: DiscordEmulator, world: dict[str, int], bot: RawGateway) -> None:
    handle = await emu.invoke_command(world["guild"], world["channel"], world["member"], "feeds add",
                                      {"url": "https://example.com/rss", "every": 30, "style": "digest"})
    event = await bot.recv_until("INTERACTION_CREATE")
    data = event["d"]
    assert data == handle.payload
    assert (data["type"], data["guild_id"], data["channel_id"]) == (2, str(world["guild"]), str(world["channel"]))
    assert data["member"]["user"]["id"] == str(world["member"])
    assert int(data["member"]["permissions"]) & (1 << 5)
    assert data["data"]["name"] == "feeds"
    assert data["data"]["options"] == [{"type": 1, "name": "add", "options": [
        {"type": 3, "name": "url", "value": "https://example.com/rss"},
        {"type": 4, "name": "every", "value": 30},
        {"type": 3, "name": "style", "value": "digest"}]}]


@pytest.mark.parametrize(("name", "options", "member_key", "complaint"), [
    ("nope", None, "member", "no slash command /nope"),
    ("feeds", None, "member", "needs a sub-command"),
    ("feeds add", {}, "member", "required option 'url'"),
    ("feeds add", {"url": "u", "bogus": 1}, "member", "no option(s) ['bogus']"),
    ("feeds add", {"url": "u", "every": 1}, "member", "outside [5, 1440]"),
    ("feeds add", {"url": "u", "style": "loud"}, "member", "not one of the declared choices"),
    ("feeds add", {"url": "u", "every": "30"}, "member", "is an integer"),
    ("purge", None, "stranger", "would not show them the command"),
])
async def test_what_discords_client_would_not_send_is_refused(emu: DiscordEmulator, world: dict[str, int],
                                                              bot: RawGateway, name: str, options: Any,
                                                              member_key: str, complaint: str) -> None:
    member = world["member"] if member_key == "member" else emu.add_member(world["guild"], "bob", permissions=0)
    with pytest.raises(EmulatorUsageError, match=complaint.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        await emu.invoke_command(world["guild"], world["channel"], member, name, options)


async def test_immediate_response_and_its_errors(emu: DiscordEmulator, world: dict[str, int], api: Api,
                                                 bot: RawGateway) -> None:
    handle = await emu.invoke_command(world["guild"], world["channel"], world["member"], "purge")
    interaction = (await bot.recv_until("INTERACTION_CREATE"))["d"]
    status, body, _ = await callback(api, interaction, {"type": 4, "data": {"content": "done"}}, with_response="true")
    assert status == 200
    assert body["interaction"]["response_message_id"] == body["resource"]["message"]["id"]
    assert body["resource"]["message"]["content"] == "done"
    assert (await handle.wait_response()) == {"type": 4, "data": {"content": "done"}}
    assert emu.messages(world["channel"])[-1]["content"] == "done"
    status, error, _ = await callback(api, interaction, {"type": 4, "data": {"content": "again"}})
    assert (status, error) == (400, {"message": "Interaction has already been acknowledged.", "code": 40060})
    status, error, _ = await callback(api, interaction | {"token": "forged"}, {"type": 4, "data": {"content": "x"}})
    assert (status, error["code"]) == (404, 10062)


async def test_wrong_callback_type_and_empty_message(emu: DiscordEmulator, world: dict[str, int], api: Api,
                                                     bot: RawGateway) -> None:
    await emu.invoke_command(world["guild"], world["channel"], world["member"], "purge")
    interaction = (await bot.recv_until("INTERACTION_CREATE"))["d"]
    status, error, _ = await callback(api, interaction, {"type": 7, "data": {"content": "x"}})
    assert (status, error["code"]) == (400, 50035) and "type" in error["errors"]
    status, error, _ = await callback(api, interaction, {"type": 4, "data": {"content": ""}})
    assert (status, error["code"]) == (400, 50006)


@pytest.mark.emulator(interaction_timeout=0.0)
async def test_late_answer_is_unknown_interaction(emu: DiscordEmulator, world: dict[str, int], api: Api,
                                                  bot: RawGateway) -> None:
    handle = await emu.invoke_command(world["guild"], world["channel"], world["member"], "feeds remove",
                                      {"url": "u"})
    interaction = (await bot.recv_until("INTERACTION_CREATE"))["d"]
    status, error, _ = await callback(api, interaction, {"type": 5})
    assert (status, error) == (404, {"message": "Unknown interaction", "code": 10062})
    assert [r["kind"] for r in handle.responses] == ["expired"]


async def test_deferred_then_followups(emu: DiscordEmulator, world: dict[str, int], api: Api,
                                       bot: RawGateway) -> None:
    handle = await emu.invoke_command(world["guild"], world["channel"], world["member"], "purge")
    interaction = (await bot.recv_until("INTERACTION_CREATE"))["d"]
    followup = f"/webhooks/{emu.application_id}/{interaction['token']}"
    status, error, _ = await api.call("POST", followup, {"content": "too early"}, token=None)
    assert (status, error["code"]) == (404, 10015)
    assert (await callback(api, interaction, {"type": 5}))[0] == 204
    loading = handle.original
    assert loading is not None and loading["flags"] & 128 and loading["content"] == ""
    status, first, _ = await api.call("POST", followup, {"content": "result"}, token=None)
    assert status == 200 and first["id"] == loading["id"], "the first follow-up replaces the loading message"
    assert not first["flags"] & 128
    _, second, _ = await api.call("POST", followup, {"content": "more", "flags": 64}, token=None)
    assert second["id"] != first["id"]
    _, edited, _ = await api.call("PATCH", f"{followup}/messages/@original", {"content": "final"}, token=None)
    assert edited["id"] == first["id"] and handle.original["content"] == "final"
    assert [m["content"] for m in handle.followups] == ["final", "more"]
    assert [m["content"] for m in emu.messages(world["channel"])] == ["final"], "ephemeral follow-up is private"
    assert [r["kind"] for r in emu.interaction_responses(handle.id)] == ["callback", "followup", "followup", "edit"]


async def test_autocomplete_round_trip(emu: DiscordEmulator, world: dict[str, int], api: Api,
                                       bot: RawGateway) -> None:
    async def answer(choices: list[dict[str, Any]]) -> tuple[int, Any, Any]:
        event = await bot.recv_until("INTERACTION_CREATE")
        return await callback(api, event["d"], {"type": 8, "data": {"choices": choices}})

    good = [{"name": "Ars Technica", "value": "https://arstechnica.com/feed"}]
    replier = asyncio.create_task(answer(good))
    choices = await emu.autocomplete(world["guild"], world["channel"], world["member"], "feeds remove",
                                     focused="url", options={"url": "ars"})
    assert choices == good and (await replier)[0] == 204
    sent = next(iter(emu.interactions.values())).payload
    assert sent["type"] == 4
    assert sent["data"]["options"][0]["options"] == [{"type": 3, "name": "url", "value": "ars", "focused": True}]
    too_many = [{"name": f"c{i}", "value": f"v{i}"} for i in range(26)]
    replier = asyncio.create_task(answer(too_many))
    with pytest.raises(TimeoutError):
        await emu.autocomplete(world["guild"], world["channel"], world["member"], "feeds remove", focused="url",
                               options={"url": "a"}, timeout=0.5)
    status, error, _ = await replier
    assert (status, error["code"]) == (400, 50035)


async def test_component_click_and_update(emu: DiscordEmulator, world: dict[str, int], api: Api,
                                          bot: RawGateway) -> None:
    menu = {"type": 1, "components": [{"type": 3, "custom_id": "section", "options": [
        {"label": "Intro", "value": "0"}, {"label": "Details", "value": "1"}]}]}
    _, message, _ = await api.post_message(world["channel"], {"content": "Pick a section", "components": [menu]})
    with pytest.raises(EmulatorUsageError, match="does not offer"):
        await emu.click(message, "section", ["7"], member_id=world["member"])
    with pytest.raises(EmulatorUsageError, match="no component"):
        await emu.click(message, "missing", member_id=world["member"])
    handle = await emu.click(message, "section", ["1"], member_id=world["member"])
    interaction = (await bot.recv_until("INTERACTION_CREATE"))["d"]
    assert interaction["type"] == 3 and interaction["message"]["id"] == message["id"]
    assert interaction["data"] == {"custom_id": "section", "component_type": 3, "values": ["1"]}
    status, _, _ = await callback(api, interaction, {"type": 7, "data": {"content": "Details: ..."}})
    assert status == 204
    assert emu.message(int(message["id"]))["content"] == "Details: ..."
    assert handle.original is not None and handle.original["id"] == message["id"]
    later = await emu.click(message, "section", ["0"], member_id=world["member"])
    interaction = (await bot.recv_until("INTERACTION_CREATE"))["d"]
    assert (await callback(api, interaction, {"type": 6}))[0] == 204
    edit = f"/webhooks/{emu.application_id}/{interaction['token']}/messages/@original"
    status, edited, _ = await api.call("PATCH", edit, {"content": "Intro: ..."}, token=None)
    assert status == 200 and edited["id"] == message["id"]
    assert later.original is not None and later.original["content"] == "Intro: ..."
    assert [m["content"] for m in emu.all_messages()] == ["Intro: ..."]


# --- attachment options and files in responses ------------------------------------------------------


async def test_an_attachment_option_reaches_discord_py_and_files_come_back_in_responses(
        emu: DiscordEmulator, world: dict[str, int], start_bot: BotStarter) -> None:
    bot = new_bot()
    read: list[tuple[str, int, bytes]] = []

    @bot.tree.command(name="upload", description="Echo a file")
    async def upload(interaction: discord.Interaction, file: discord.Attachment, later: bool = False) -> None:
        read.append((file.filename, file.size, await file.read()))
        echo = discord.File(io.BytesIO(read[-1][2].upper()), filename="echo.txt")
        if later:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("echoed", file=echo, ephemeral=True)
        else:
            await interaction.response.send_message("echoed", file=echo, ephemeral=True)

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    await start_bot(bot)
    g, c, m = world["guild"], world["channel"], world["member"]
    with pytest.raises(EmulatorUsageError, match="pass an Upload"):
        await emu.invoke_command(g, c, m, "upload", {"file": "feeds.opml"})

    handle = await emu.invoke_command(g, c, m, "upload", {"file": Upload("feeds.opml", b"<opml/>", "text/x-opml")})
    [option] = handle.payload["data"]["options"]
    attachment = handle.payload["data"]["resolved"]["attachments"][option["value"]]
    assert option["type"] == 11 and attachment["filename"] == "feeds.opml" and attachment["size"] == 7
    assert attachment["content_type"] == "text/x-opml" and attachment["ephemeral"] is True
    original = await handle.wait_original()
    assert read == [("feeds.opml", 7, b"<opml/>")] and emu.world.file_downloads == {int(attachment["id"]): 1}
    assert original["content"] == "echoed" and original["flags"] & 64
    [echo] = original["attachments"]
    assert echo["filename"] == "echo.txt" and emu.world.files[int(echo["id"])] == b"<OPML/>"
    async with aiohttp.ClientSession() as session:  # served without a token, as Discord's CDN does
        async with session.get(echo["url"]) as resp:
            assert (resp.status, await resp.read()) == (200, b"<OPML/>")
        async with session.get(f"{emu.base_url}/attachments/1/nothing.txt") as resp:
            assert resp.status == 404

    deferred = await emu.invoke_command(g, c, m, "upload", {"file": Upload("b.txt", b"later"), "later": True})
    message = await deferred.wait_original(lambda m: bool(m["attachments"]))
    assert message["content"] == "echoed" and not message["flags"] & 128, "the follow-up replaced the loading message"
    assert emu.world.files[int(message["attachments"][0]["id"])] == b"LATER"
