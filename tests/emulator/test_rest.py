"""The REST API spoken to directly: Discord's answers, error bodies, permissions, nonces, webhooks, threads."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.emulator import DiscordEmulator, Permission as P
from tests.emulator.permissions import DEFAULT_BOT_PERMISSIONS

from .conftest import Api, assert_form_error

WITHOUT_SEND = DEFAULT_BOT_PERMISSIONS & ~P.SEND_MESSAGES


async def test_bad_token_gets_401_in_discords_shape(emu: DiscordEmulator, api: Api) -> None:
    status, body, headers = await api.call("GET", "/users/@me", token="Bot wrong")
    assert (status, body) == (401, {"message": "401: Unauthorized", "code": 0})
    assert headers["Via"] == "1.1 google"


async def test_identity_and_gateway_endpoints(emu: DiscordEmulator, api: Api) -> None:
    status, me, _ = await api.call("GET", "/users/@me")
    assert status == 200 and me["id"] == str(emu.bot_user_id) and me["bot"] is True
    status, app, _ = await api.call("GET", "/oauth2/applications/@me")
    assert app["id"] == str(emu.application_id)
    status, gateway, _ = await api.call("GET", "/gateway/bot")
    assert gateway["url"] == emu.gateway_url
    assert gateway["session_start_limit"] == {"total": 1000, "remaining": 1000, "reset_after": 86_400_000,
                                              "max_concurrency": 1}
    status, open_gateway, _ = await api.call("GET", "/gateway", token=None)
    assert (status, open_gateway) == (200, {"url": emu.gateway_url})


async def test_unknown_route_is_a_json_404_and_wrong_method_a_405(api: Api) -> None:
    status, body, _ = await api.call("GET", "/nothing/here")
    assert (status, body) == (404, {"message": "404: Not Found", "code": 0})
    status, body, _ = await api.call("DELETE", "/users/@me")
    assert (status, body) == (405, {"message": "405: Method Not Allowed", "code": 0})


async def test_channel_and_guild_are_readable(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    status, channel, _ = await api.call("GET", f"/channels/{world['channel']}")
    assert (status, channel["name"], channel["type"], channel["guild_id"]) == (200, "news", 0, str(world["guild"]))
    status, guild, _ = await api.call("GET", f"/guilds/{world['guild']}")
    assert guild["name"] == "News Guild" and guild["roles"][0]["name"] == "@everyone"


async def test_message_is_stored_and_read_back(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    body = {"content": "hello", "embeds": [{"title": "T", "fields": [{"name": "a", "value": "b"}]}],
            "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Open", "custom_id": "o"}]}]}
    status, message, headers = await api.post_message(world["channel"], body)
    assert status == 200
    assert message["content"] == "hello" and message["embeds"][0]["type"] == "rich"
    assert message["author"]["id"] == str(emu.bot_user_id)
    assert headers["X-RateLimit-Limit"] == "5" and headers["X-RateLimit-Remaining"] == "4"
    assert emu.messages(world["channel"]) == [message]
    status, history, _ = await api.call("GET", f"/channels/{world['channel']}/messages")
    assert history == [message]
    status, fetched, _ = await api.call("GET", f"/channels/{world['channel']}/messages/{message['id']}")
    assert fetched == message


@pytest.mark.parametrize(("body", "status", "code", "error_path"), [
    ({"content": "x" * 2001}, 400, 50035, ["content"]),
    ({"embeds": [{"title": "t" * 257}]}, 400, 50035, ["embeds", "0", "title"]),
    ({"embeds": [{"description": "d" * 4096}, {"description": "d" * 1905}]}, 400, 50035, ["embeds"]),
    ({"content": "   "}, 400, 50006, None),
    ({}, 400, 50006, None),
])
async def test_invalid_messages_are_refused_like_discord(api: Api, world: dict[str, int], body: dict[str, Any],
                                                          status: int, code: int, error_path: list[str] | None
                                                          ) -> None:
    got_status, error, _ = await api.post_message(world["channel"], body)
    assert (got_status, error["code"]) == (status, code)
    assert_form_error(error, error_path)


async def test_invalid_json_is_50109(api: Api, world: dict[str, int]) -> None:
    async with api.session.post(f"{api.emu.api_base}/channels/{world['channel']}/messages", data="{nope",
                                headers={"Authorization": f"Bot {api.emu.token}",
                                         "Content-Type": "application/json"}) as resp:
        assert resp.status == 400 and (await resp.json())["code"] == 50109


async def test_missing_send_messages_is_403_50013(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    emu.set_bot_permissions(world["channel"], WITHOUT_SEND)
    status, error, _ = await api.post_message(world["channel"], {"content": "hi"})
    assert (status, error) == (403, {"message": "Missing Permissions", "code": 50013})
    hidden = emu.add_channel(world["guild"], "secret", bot_permissions=0)
    status, error, _ = await api.post_message(hidden, {"content": "hi"})
    assert (status, error["code"]) == (403, 50001)
    assert emu.messages(world["channel"]) == []


async def test_deleted_channel_is_404_10003(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    emu.delete_channel(world["channel"])
    status, error, _ = await api.post_message(world["channel"], {"content": "hi"})
    assert (status, error) == (404, {"message": "Unknown Channel", "code": 10003})


async def test_non_text_channel_is_50008(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    category = emu.add_channel(world["guild"], "group", kind="category")
    status, error, _ = await api.post_message(category, {"content": "hi"})
    assert (status, error["code"]) == (400, 50008)


async def test_embeds_are_dropped_without_embed_links(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    emu.set_bot_permissions(world["channel"], DEFAULT_BOT_PERMISSIONS & ~P.EMBED_LINKS)
    status, message, _ = await api.post_message(world["channel"], {"content": "x", "embeds": [{"title": "t"}]})
    assert status == 200 and message["embeds"] == []


@pytest.mark.parametrize(("allowed", "with_permission", "pings_everyone", "pings_alice"), [
    (None, False, False, True),
    (None, True, True, True),
    ({"parse": []}, True, False, False),
    ({"parse": ["everyone"]}, True, True, False),
    ({"users": ["ALICE"]}, True, False, True),
])
async def test_mentions_follow_allowed_mentions(emu: DiscordEmulator, api: Api, world: dict[str, int],
                                                allowed: dict[str, Any] | None, with_permission: bool,
                                                pings_everyone: bool, pings_alice: bool) -> None:
    if with_permission:
        emu.set_bot_permissions(world["channel"], DEFAULT_BOT_PERMISSIONS | P.MENTION_EVERYONE)
    body: dict[str, Any] = {"content": f"@everyone look, <@{world['member']}>"}
    if allowed is not None:
        body["allowed_mentions"] = {k: [str(world["member"]) if v == "ALICE" else v for v in vs]
                                    for k, vs in allowed.items()}
    _, message, _ = await api.post_message(world["channel"], body)
    assert message["mention_everyone"] is pings_everyone
    assert [u["id"] for u in message["mentions"]] == ([str(world["member"])] if pings_alice else [])


async def test_enforce_nonce_returns_the_original_message(emu: DiscordEmulator, api: Api,
                                                          world: dict[str, int]) -> None:
    body = {"content": "once", "nonce": "article-42", "enforce_nonce": True}
    _, first, _ = await api.post_message(world["channel"], body)
    status, second, _ = await api.post_message(world["channel"], body | {"content": "twice"})
    assert status == 200 and second["id"] == first["id"] and second["content"] == "once"
    assert len(emu.messages(world["channel"])) == 1 and emu.nonce_hits == 1
    _, third, _ = await api.post_message(world["channel"], {"content": "again", "nonce": "article-42"})
    assert third["id"] != first["id"], "without enforce_nonce the nonce is only echoed"
    other = emu.add_channel(world["guild"], "other")
    _, elsewhere, _ = await api.post_message(other, body)
    assert elsewhere["id"] == first["id"], "the key is (author, nonce), as documented"
    assert emu.messages(other) == []


@pytest.mark.emulator(nonce_window=0.0)
async def test_nonce_window_expires(api: Api, world: dict[str, int]) -> None:
    body = {"content": "x", "nonce": "n", "enforce_nonce": True}
    _, first, _ = await api.post_message(world["channel"], body)
    _, second, _ = await api.post_message(world["channel"], body)
    assert first["id"] != second["id"]


async def test_edit_and_delete(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    _, message, _ = await api.post_message(world["channel"], {"content": "v1"})
    path = f"/channels/{world['channel']}/messages/{message['id']}"
    status, edited, _ = await api.call("PATCH", path, {"content": "v2", "embeds": [{"title": "t"}]})
    assert status == 200 and edited["content"] == "v2" and edited["edited_timestamp"]
    status, error, _ = await api.call("PATCH", path, {"content": "", "embeds": []})
    assert (status, error["code"]) == (400, 50006)
    status, _, _ = await api.call("DELETE", path)
    assert status == 204 and emu.messages(world["channel"]) == []
    status, error, _ = await api.call("GET", path)
    assert (status, error["code"]) == (404, 10008)


async def test_threads_from_messages(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    _, message, _ = await api.post_message(world["channel"], {"content": "article"})
    path = f"/channels/{world['channel']}/messages/{message['id']}/threads"
    status, error, _ = await api.call("POST", path, {"name": "t" * 101})
    assert (status, error["code"]) == (400, 50035) and "name" in error["errors"]
    status, thread, _ = await api.call("POST", path, {"name": "Sections"})
    assert status == 201 and thread["id"] == message["id"] and thread["type"] == 11
    assert thread["parent_id"] == str(world["channel"])
    status, error, _ = await api.call("POST", path, {"name": "again"})
    assert (status, error["code"]) == (400, 160004)
    status, reply, _ = await api.post_message(int(thread["id"]), {"content": "section 1"})
    assert status == 200
    assert [t["id"] for t in emu.threads(world["channel"])] == [thread["id"]]
    assert emu.messages(int(thread["id"])) == [reply]
    emu.set_bot_permissions(world["channel"], DEFAULT_BOT_PERMISSIONS & ~P.SEND_MESSAGES_IN_THREADS)
    status, error, _ = await api.post_message(int(thread["id"]), {"content": "section 2"})
    assert (status, error["code"]) == (403, 50013)


async def test_thread_needs_create_public_threads(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    _, message, _ = await api.post_message(world["channel"], {"content": "article"})
    emu.set_bot_permissions(world["channel"], DEFAULT_BOT_PERMISSIONS & ~P.CREATE_PUBLIC_THREADS)
    status, error, _ = await api.call("POST", f"/channels/{world['channel']}/messages/{message['id']}/threads",
                                      {"name": "x"})
    assert (status, error["code"]) == (403, 50013)


async def test_webhooks(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    channel = world["channel"]
    status, error, _ = await api.call("POST", f"/channels/{channel}/webhooks", {"name": "Discord news"})
    assert (status, error["code"]) == (400, 50035)
    status, hook, _ = await api.call("POST", f"/channels/{channel}/webhooks", {"name": "Feeds"})
    assert status == 200 and hook["token"] and hook["application_id"] == str(emu.application_id)
    _, listed, _ = await api.call("GET", f"/channels/{channel}/webhooks")
    assert [h["id"] for h in listed] == [hook["id"]]
    execute = f"/webhooks/{hook['id']}/{hook['token']}"
    status, message, _ = await api.call("POST", execute, {"content": "via hook", "username": "Ars Technica",
                                                          "avatar_url": "https://example.com/a.png"},
                                        token=None, params={"wait": "true"})
    assert status == 200 and message["author"]["username"] == "Ars Technica"
    assert message["webhook_id"] == hook["id"]
    status, body, _ = await api.call("POST", execute, {"content": "no wait"}, token=None)
    assert (status, body) == (204, "")
    status, error, _ = await api.call("POST", execute, {"content": "x", "username": "clyde"}, token=None)
    assert (status, error["code"]) == (400, 50035)
    status, error, _ = await api.call("POST", f"/webhooks/{hook['id']}/wrong", {"content": "x"}, token=None)
    assert (status, error["code"]) == (401, 50027)
    status, error, _ = await api.call("POST", f"/webhooks/1/{hook['token']}", {"content": "x"}, token=None)
    assert (status, error["code"]) == (404, 10015)
    status, error, _ = await api.call("PATCH", f"/channels/{channel}/messages/{message['id']}", {"content": "y"})
    assert (status, error["code"]) == (403, 50005)
    assert [m["content"] for m in emu.messages(channel)] == ["via hook", "no wait"]


async def test_webhook_messages_are_in_the_channel_history_with_their_webhook_id(
    emu: DiscordEmulator, api: Api, world: dict[str, int]
) -> None:
    channel = world["channel"]
    _, hook, _ = await api.call("POST", f"/channels/{channel}/webhooks", {"name": "Feeds"})
    _, own, _ = await api.post_message(channel, {"content": "from the bot"})
    _, executed, _ = await api.call("POST", f"/webhooks/{hook['id']}/{hook['token']}",
                                    {"content": "from the hook", "username": "World Desk"},
                                    token=None, params={"wait": "true"})
    status, history, _ = await api.call("GET", f"/channels/{channel}/messages", params={"limit": "50"})
    assert status == 200 and [m["id"] for m in history] == [executed["id"], own["id"]]  # newest first
    listed = history[0]
    assert listed["webhook_id"] == hook["id"] and listed["author"]["id"] == hook["id"]
    assert listed["author"]["username"] == "World Desk" and "webhook_id" not in history[1]
    # "If the current user is missing the READ_MESSAGE_HISTORY permission … no messages will be returned."
    emu.set_bot_permissions(channel, DEFAULT_BOT_PERMISSIONS & ~P.READ_MESSAGE_HISTORY)
    assert (await api.call("GET", f"/channels/{channel}/messages"))[:2] == (200, [])


async def test_clear_faults_lets_a_held_answer_go_at_once(emu: DiscordEmulator, api: Api,
                                                          world: dict[str, int]) -> None:
    channel = world["channel"]
    emu.slow("POST /channels/*/messages", 600, count=1, after=True)
    posting = asyncio.create_task(api.post_message(channel, {"content": "stored, answer held"}))
    [stored] = await emu.wait_until(lambda: emu.messages(channel) or None, 10, "the stored message")
    assert not posting.done()
    emu.clear_faults()
    status, message, _ = await asyncio.wait_for(posting, 10)  # not the 600 s the rule asked for
    assert (status, message["id"]) == (200, stored["id"])


async def test_webhook_into_a_thread_and_after_channel_deletion(emu: DiscordEmulator, api: Api,
                                                                world: dict[str, int]) -> None:
    channel = world["channel"]
    _, hook, _ = await api.call("POST", f"/channels/{channel}/webhooks", {"name": "Feeds"})
    _, message, _ = await api.post_message(channel, {"content": "article"})
    _, thread, _ = await api.call("POST", f"/channels/{channel}/messages/{message['id']}/threads", {"name": "s"})
    execute = f"/webhooks/{hook['id']}/{hook['token']}"
    status, posted, _ = await api.call("POST", execute, {"content": "in thread"}, token=None,
                                       params={"wait": "1", "thread_id": thread["id"]})
    assert status == 200 and posted["channel_id"] == thread["id"]
    emu.delete_channel(channel)
    status, error, _ = await api.call("POST", execute, {"content": "x"}, token=None)
    assert (status, error["code"]) == (404, 10015)


async def test_webhook_creation_needs_manage_webhooks(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    emu.set_bot_permissions(world["channel"], DEFAULT_BOT_PERMISSIONS & ~P.MANAGE_WEBHOOKS)
    status, error, _ = await api.call("POST", f"/channels/{world['channel']}/webhooks", {"name": "Feeds"})
    assert (status, error["code"]) == (403, 50013)


async def test_command_sync_validates_and_keeps_ids(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    path = f"/applications/{emu.application_id}/commands"
    bad = [{"name": "Feeds", "description": "x"}, {"name": "ok", "description": "d" * 101}]
    status, error, _ = await api.call("PUT", path, bad)
    assert (status, error["code"]) == (400, 50035)
    assert set(error["errors"]) == {"0", "1"}
    good = [{"name": "feeds", "description": "Manage feeds", "type": 1}]
    _, first, _ = await api.call("PUT", path, good)
    _, second, _ = await api.call("PUT", path, good + [{"name": "digest", "description": "Digest"}])
    assert first[0]["id"] == second[0]["id"]
    assert [c["name"] for c in emu.registered_commands()] == ["feeds", "digest"]
    guild_path = f"/applications/{emu.application_id}/guilds/{world['guild']}/commands"
    _, guild_commands, _ = await api.call("PUT", guild_path, [{"name": "local", "description": "Guild only"}])
    assert guild_commands[0]["guild_id"] == str(world["guild"])
    assert [c["name"] for c in emu.registered_commands(world["guild"])] == ["local"]


@pytest.mark.emulator(message_rate=(2, 60.0))
async def test_route_buckets_answer_429_with_discords_headers(emu: DiscordEmulator, api: Api,
                                                              world: dict[str, int]) -> None:
    channel = world["channel"]
    for _ in range(2):
        assert (await api.post_message(channel, {"content": "x"}))[0] == 200
    status, body, headers = await api.post_message(channel, {"content": "x"})
    assert status == 429
    assert body["global"] is False and 59 < body["retry_after"] <= 60
    assert headers["X-RateLimit-Scope"] == "user" and headers["X-RateLimit-Remaining"] == "0"
    assert headers["Retry-After"] == "60" and headers["Via"] == "1.1 google"
    assert emu.rate_limited_count == 1 and len(emu.messages(channel)) == 2
    other = emu.add_channel(world["guild"], "other")
    assert (await api.post_message(other, {"content": "x"}))[0] == 200, "buckets are per channel"


@pytest.mark.emulator(global_rate=(3, 60.0))
async def test_global_limit_answers_global_429(api: Api) -> None:
    statuses = [(await api.call("GET", "/users/@me"))[0] for _ in range(3)]
    status, body, headers = await api.call("GET", "/users/@me")
    assert statuses == [200, 200, 200] and status == 429
    assert body["global"] is True and headers["X-RateLimit-Global"] == "true"
    assert headers["X-RateLimit-Scope"] == "global"


async def test_injected_faults(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    emu.fail_next("POST /channels/*/messages", status=500, count=2)
    emu.fail_next("GET /channels/{channel_id}", status=502)
    emu.slow("/users/@me", 0.01, count=1)
    first = await api.post_message(world["channel"], {"content": "x"})
    second = await api.post_message(world["channel"], {"content": "x"})
    third = await api.post_message(world["channel"], {"content": "x"})
    assert [first[0], second[0], third[0]] == [500, 500, 200]
    assert first[1] == {"message": "500: Internal Server Error", "code": 0}
    status, text, headers = await api.call("GET", f"/channels/{world['channel']}")
    assert status == 502 and headers["Content-Type"].startswith("text/html")
    assert (await api.call("GET", "/users/@me"))[0] == 200
    assert emu.request_count["POST /channels/{channel_id}/messages"] == 3
    assert emu.request_count.matching("POST /channels/*/messages") == 3
    assert emu.request_count.total == 5
    assert len(emu.messages(world["channel"])) == 1


async def test_a_role_added_to_a_guild_can_be_mentioned(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    role = emu.add_role(world["guild"], "readers", mentionable=True)
    status, message, _ = await api.post_message(
        world["channel"], {"content": f"<@&{role}> news", "allowed_mentions": {"parse": [], "roles": [str(role)]}}
    )
    assert status == 200 and message["mention_roles"] == [str(role)]
    status, quiet, _ = await api.post_message(world["channel"], {"content": f"<@&{role}> news", "allowed_mentions": {"parse": []}})
    assert status == 200 and quiet["mention_roles"] == []
