"""Forum and media channels: every post is a thread made with its first message, nothing is sent to the
channel itself (Resources > Channel "Start Thread in Forum or Media Channel")."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import discord
import pytest

from tests.emulator import DiscordEmulator, Permission as P
from tests.emulator.errors import EmulatorUsageError
from tests.emulator.gateway import INTENT_GUILDS
from tests.emulator.permissions import DEFAULT_BOT_PERMISSIONS

from .conftest import Api, BotStarter, RawGateway, assert_form_error, new_bot

INTENT_GUILD_MESSAGES = 1 << 9


@pytest.fixture
def forum(emu: DiscordEmulator, world: dict[str, int]) -> int:
    return emu.add_channel(world["guild"], "announcements", kind="forum")


async def post(api: Api, forum_id: int, body: dict[str, Any]) -> tuple[int, Any, Any]:
    return await api.call("POST", f"/channels/{forum_id}/threads", body)


async def test_a_forum_post_is_a_public_thread_whose_first_message_has_its_id(
    emu: DiscordEmulator, api: Api, forum: int
) -> None:
    status, thread, _ = await post(api, forum, {"name": "Harbour reopens", "auto_archive_duration": 1440,
                                                "message": {"embeds": [{"title": "Harbour reopens"}]}})
    assert status == 201
    assert (thread["type"], thread["parent_id"], thread["owner_id"], thread["name"]) == (
        11, str(forum), str(emu.bot_user_id), "Harbour reopens")
    starter = thread["message"]
    assert starter["id"] == thread["id"] and starter["channel_id"] == thread["id"]
    assert starter["embeds"][0]["title"] == "Harbour reopens" and starter["author"]["id"] == str(emu.bot_user_id)
    assert thread["message_count"] == 0, "the starter message is not counted"
    assert emu.messages(forum) == [] and emu.messages(int(thread["id"])) == [starter]
    assert [(p["id"], p["message"]) for p in emu.forum_posts(forum)] == [(thread["id"], starter)]

    status, reply, _ = await api.post_message(int(thread["id"]), {"content": "Section 1"})
    assert status == 200 and reply["channel_id"] == thread["id"]
    _, fetched, _ = await api.call("GET", f"/channels/{thread['id']}")
    assert fetched["message_count"] == 1
    _, parent, _ = await api.call("GET", f"/channels/{forum}")
    assert parent["last_message_id"] == thread["id"], "a forum's last message id is its newest post"


@pytest.mark.parametrize(("body", "code", "error_path"), [
    ({"message": {"content": "x"}}, 50035, ["name"]),
    ({"name": "", "message": {"content": "x"}}, 50035, ["name"]),
    ({"name": "n" * 101, "message": {"content": "x"}}, 50035, ["name"]),
    ({"name": "ok", "auto_archive_duration": 30, "message": {"content": "x"}}, 50035, ["auto_archive_duration"]),
    ({"name": "ok"}, 50035, ["message"]),
    ({"name": "ok", "message": "x"}, 50035, ["message"]),
    ({"name": "ok", "message": {"content": "x" * 2001}}, 50035, ["message", "content"]),
    ({"name": "ok", "message": {"embeds": [{"title": "t" * 257}]}}, 50035, ["message", "embeds", "0", "title"]),
    ({"name": "ok", "message": {"content": "x", "flags": 1 << 6}}, 50035, ["message", "flags"]),
    ({"name": "ok", "message": {"content": "  "}}, 50006, None),
    ({"name": "ok", "message": {}}, 50006, None),
])
async def test_invalid_forum_posts_are_refused_and_create_nothing(
    emu: DiscordEmulator, api: Api, forum: int, body: dict[str, Any], code: int, error_path: list[str] | None
) -> None:
    status, error, _ = await post(api, forum, body)
    assert (status, error["code"]) == (400, code)
    assert_form_error(error, error_path)
    assert emu.forum_posts(forum) == []


async def test_a_forum_post_needs_send_messages_not_create_public_threads(
    emu: DiscordEmulator, api: Api, world: dict[str, int], forum: int
) -> None:
    body = {"name": "Story", "message": {"content": "text", "embeds": [{"title": "Story"}]}}
    emu.set_bot_permissions(forum, DEFAULT_BOT_PERMISSIONS & ~P.SEND_MESSAGES)
    status, error, _ = await post(api, forum, body)
    assert (status, error) == (403, {"message": "Missing Permissions", "code": 50013})
    emu.set_bot_permissions(forum, DEFAULT_BOT_PERMISSIONS & ~P.CREATE_PUBLIC_THREADS & ~P.EMBED_LINKS)
    status, thread, _ = await post(api, forum, body)
    assert status == 201 and thread["message"]["embeds"] == [], "embeds are dropped without Embed Links"
    hidden = emu.add_channel(world["guild"], "staff", kind="forum", bot_permissions=0)
    status, error, _ = await post(api, hidden, body)
    assert (status, error["code"]) == (403, 50001)
    assert len(emu.forum_posts(forum)) == 1 and emu.forum_posts(hidden) == []


@pytest.mark.parametrize("kind", ["forum", "media"])
async def test_a_message_cannot_be_sent_to_a_forum_or_media_channel(
    emu: DiscordEmulator, api: Api, world: dict[str, int], kind: str
) -> None:
    channel = emu.add_channel(world["guild"], "posts", kind=kind)
    status, error, _ = await api.post_message(channel, {"content": "hi"})
    assert (status, error) == (400, {"message": "Cannot send messages in a non-text channel", "code": 50008})
    status, thread, _ = await post(api, channel, {"name": "A post", "message": {"content": "hi"}})
    assert status == 201 and emu.messages(int(thread["id"]))[0]["content"] == "hi"


async def test_a_forum_post_has_no_nonce_so_the_same_post_twice_is_two_posts(
    emu: DiscordEmulator, api: Api, forum: int
) -> None:
    body = {"name": "Story", "message": {"content": "once", "nonce": "story-1", "enforce_nonce": True}}
    _, first, _ = await post(api, forum, body)
    _, second, _ = await post(api, forum, body)
    assert first["id"] != second["id"] and len(emu.forum_posts(forum)) == 2
    assert "nonce" not in first["message"] and emu.nonce_hits == 0


async def test_threads_route_on_other_channels(emu: DiscordEmulator, api: Api, world: dict[str, int]) -> None:
    status, error, _ = await post(api, world["channel"], {"name": "x", "message": {"content": "x"}})
    assert status == 400 and "does not implement" in error["message"]
    voice = emu.add_channel(world["guild"], "talk", kind="voice")
    status, error, _ = await post(api, voice, {"name": "x", "message": {"content": "x"}})
    assert (status, error["code"]) == (400, 50024)


async def test_active_threads_list_forum_posts_and_message_threads_the_bot_can_see(
    emu: DiscordEmulator, api: Api, world: dict[str, int], forum: int
) -> None:
    _, in_forum, _ = await post(api, forum, {"name": "Post", "message": {"content": "x"}})
    _, message, _ = await api.post_message(world["channel"], {"content": "article"})
    _, from_message, _ = await api.call("POST", f"/channels/{world['channel']}/messages/{message['id']}/threads",
                                        {"name": "Sections"})
    hidden = emu.add_channel(world["guild"], "staff", kind="forum")
    _, secret, _ = await post(api, hidden, {"name": "Secret", "message": {"content": "x"}})
    emu.set_bot_permissions(hidden, 0)
    status, active, _ = await api.call("GET", f"/guilds/{world['guild']}/threads/active")
    assert status == 200
    assert [(t["id"], t["parent_id"], t["name"]) for t in active["threads"]] == [
        (in_forum["id"], str(forum), "Post"), (from_message["id"], str(world["channel"]), "Sections")]
    assert [m["id"] for m in active["members"]] == [in_forum["id"], from_message["id"]]
    assert all(m["user_id"] == str(emu.bot_user_id) for m in active["members"])
    status, error, _ = await api.call("GET", "/guilds/1/threads/active")
    assert (status, error["code"]) == (404, 10004)


async def test_a_forum_post_dispatches_thread_create_then_message_create(
    emu: DiscordEmulator, api: Api, forum: int, raw_gateway: Callable[..., RawGateway]
) -> None:
    gw = raw_gateway()
    await gw.connect()
    await gw.identify(emu.token, intents=INTENT_GUILDS | INTENT_GUILD_MESSAGES)
    _, thread, _ = await post(api, forum, {"name": "Post", "message": {"content": "first"}})
    events = [p for p in await gw.collect_until("MESSAGE_CREATE") if p.get("t") in ("THREAD_CREATE", "MESSAGE_CREATE")]
    assert [e["t"] for e in events] == ["THREAD_CREATE", "MESSAGE_CREATE"]
    assert events[0]["d"]["id"] == thread["id"] and events[0]["d"]["newly_created"] is True
    assert events[1]["d"]["id"] == thread["id"] and events[1]["d"]["content"] == "first"


async def test_discord_py_creates_forum_posts_with_files_and_sees_them(
    emu: DiscordEmulator, world: dict[str, int], forum: int, start_bot: BotStarter
) -> None:
    bot = await start_bot(new_bot())
    channel = bot.get_channel(forum)
    assert isinstance(channel, discord.ForumChannel)
    created = await channel.create_thread(name="Harbour reopens", embed=discord.Embed(title="Harbour reopens"),
                                          file=discord.File(io.BytesIO(b"a,b\n"), filename="data.csv"))
    assert created.thread.id == created.message.id and created.thread.parent_id == forum
    assert created.message.embeds[0].title == "Harbour reopens"
    assert created.message.attachments[0].filename == "data.csv"
    await created.thread.send("Section 1")
    assert [m["content"] for m in emu.messages(created.thread.id)] == ["", "Section 1"]
    active = await channel.guild.active_threads()
    assert [t.id for t in active] == [created.thread.id]
    await emu.wait_until(lambda: channel.guild.get_thread(created.thread.id), 5, "THREAD_CREATE in discord.py's cache")


async def test_a_thread_a_member_opens_is_in_discord_pys_cache_until_archived_and_a_post_unarchives_it(
    emu: DiscordEmulator, world: dict[str, int], start_bot: BotStarter
) -> None:
    bot = await start_bot(new_bot())
    member = emu.add_member(world["guild"], "mod", permissions=0)
    thread_id = emu.add_thread(world["channel"], "Staff alerts", owner_id=member)
    thread = await emu.wait_until(lambda: bot.get_channel(thread_id), 5, "THREAD_CREATE in discord.py's cache")
    assert isinstance(thread, discord.Thread)
    assert (thread.parent_id, thread.owner_id, thread.type) == (world["channel"], member, discord.ChannelType.public_thread)

    emu.archive_thread(thread_id)
    await emu.wait_until(lambda: bot.get_channel(thread_id) is None, 5, "the archived thread out of the cache")
    fetched = await bot.fetch_channel(thread_id)
    assert isinstance(fetched, discord.Thread) and fetched.archived
    await fetched.send("Feed failing")
    assert [m["content"] for m in emu.messages(thread_id)] == ["Feed failing"]
    assert not emu.world.channels[thread_id].archived

    deleted: list[discord.RawThreadDeleteEvent] = []

    async def on_raw_thread_delete(payload: discord.RawThreadDeleteEvent) -> None:
        deleted.append(payload)

    bot.add_listener(on_raw_thread_delete)
    await emu.wait_until(lambda: bot.get_channel(thread_id), 5, "the unarchived thread back in the cache")
    emu.delete_channel(thread_id)  # THREAD_DELETE, not CHANNEL_DELETE
    await emu.wait_until(lambda: deleted, 5, "THREAD_DELETE")
    assert (deleted[0].thread_id, deleted[0].parent_id) == (thread_id, world["channel"])
    assert bot.get_channel(thread_id) is None
    with pytest.raises(discord.NotFound):
        await bot.fetch_channel(thread_id)

    news = emu.add_channel(world["guild"], "news", kind="announcement")
    assert emu.world.channels[emu.add_thread(news, "Follow-ups")].type == 10
    with pytest.raises(EmulatorUsageError, match="not a text or announcement channel"):
        emu.add_thread(emu.add_channel(world["guild"], "forum", kind="forum"), "Post")


async def test_a_private_thread_is_there_for_the_bot_only_once_added_or_with_manage_threads(
    emu: DiscordEmulator, api: Api, world: dict[str, int], start_bot: BotStarter
) -> None:
    bot = await start_bot(new_bot())
    member = emu.add_member(world["guild"], "mod", permissions=0)
    thread_id = emu.add_thread(world["channel"], "Staff only", owner_id=member, private=True)
    await emu.settle()
    assert bot.get_channel(thread_id) is None  # no THREAD_CREATE for a thread the bot cannot see
    for method, path, body in (("GET", f"/channels/{thread_id}", None),
                               ("POST", f"/channels/{thread_id}/messages", {"content": "Feed failing"})):
        status, error, _ = await api.call(method, path, body)
        assert (status, error["code"]) == (403, 50001), (method, path)
    status, active, _ = await api.call("GET", f"/guilds/{world['guild']}/threads/active")
    assert status == 200 and str(thread_id) not in [t["id"] for t in active["threads"]]

    emu.add_thread_member(thread_id, emu.world.bot.id)  # a member mentions the bot in it
    thread = await emu.wait_until(lambda: bot.get_channel(thread_id), 5, "THREAD_CREATE in discord.py's cache")
    assert isinstance(thread, discord.Thread) and thread.type == discord.ChannelType.private_thread
    await thread.send("Feed failing")
    assert [m["content"] for m in emu.messages(thread_id)] == ["Feed failing"]

    # Get Thread Member: the owner and the members added are members; anyone else is Unknown Member.
    status, own, _ = await api.call("GET", f"/channels/{thread_id}/thread-members/{member}")
    assert status == 200 and (own["id"], own["user_id"]) == (str(thread_id), str(member))
    outsider = emu.add_member(world["guild"], "reader")
    status, error, _ = await api.call("GET", f"/channels/{thread_id}/thread-members/{outsider}")
    assert (status, error["code"]) == (404, 10007)
    emu.add_thread_member(thread_id, outsider)
    status, _, _ = await api.call("GET", f"/channels/{thread_id}/thread-members/{outsider}")
    assert status == 200
    status, error, _ = await api.call("GET", f"/channels/{world['channel']}/thread-members/{member}")
    assert (status, error["code"]) == (400, 50024)

    removed: list[int] = []

    async def on_thread_remove(gone: discord.Thread) -> None:
        removed.append(gone.id)

    bot.add_listener(on_thread_remove)
    emu.remove_thread_member(thread_id, emu.world.bot.id)  # a moderator removes the bot from it
    await emu.wait_until(lambda: removed, 5, "THREAD_MEMBERS_UPDATE naming the bot")
    assert removed == [thread_id] and bot.get_channel(thread_id) is thread  # discord.py keeps it cached
    for path in (f"/channels/{thread_id}", f"/channels/{thread_id}/thread-members/{member}"):
        status, error, _ = await api.call("GET", path)
        assert (status, error["code"]) == (403, 50001), path
    with pytest.raises(EmulatorUsageError, match="is not a member of thread"):
        emu.remove_thread_member(thread_id, emu.world.bot.id)

    # Another private thread: a bot with Manage Threads in the channel sees it without being added.
    other = emu.add_thread(world["channel"], "Mods", owner_id=member, private=True)
    status, _, _ = await api.call("GET", f"/channels/{other}")
    assert status == 403
    emu.set_bot_permissions(world["channel"], DEFAULT_BOT_PERMISSIONS | P.MANAGE_THREADS)
    status, fetched, _ = await api.call("GET", f"/channels/{other}")
    assert status == 200 and fetched["type"] == 12 and fetched["thread_metadata"]["invitable"] is True

    with pytest.raises(EmulatorUsageError, match="not a private thread"):
        emu.add_thread_member(emu.add_thread(world["channel"], "Open"), member)
    news = emu.add_channel(world["guild"], "news", kind="announcement")
    with pytest.raises(EmulatorUsageError, match="only those have private threads"):
        emu.add_thread(news, "Secret", private=True)


# -- forum posts made through a webhook (Resources > Webhook "Execute Webhook": thread_name, thread_id) --


async def hook_in(api: Api, channel_id: int) -> tuple[str, str]:
    """A new webhook of ``channel_id``: (its id, its execute path)."""
    status, hook, _ = await api.call("POST", f"/channels/{channel_id}/webhooks", {"name": "Feeds"})
    assert status == 200
    return hook["id"], f"/webhooks/{hook['id']}/{hook['token']}"


@pytest.mark.parametrize("kind", ["forum", "media"])
async def test_a_webhook_opens_a_forum_post_with_thread_name_and_posts_into_it_with_thread_id(
    emu: DiscordEmulator, api: Api, world: dict[str, int], kind: str
) -> None:
    channel = emu.add_channel(world["guild"], "posts", kind=kind)
    hook_id, execute = await hook_in(api, channel)
    status, starter, _ = await api.call("POST", execute, {"thread_name": "Harbour reopens", "username": "World Desk",
                                                          "embeds": [{"title": "Harbour reopens"}]},
                                        token=None, params={"wait": "true"})
    assert status == 200
    [post] = emu.forum_posts(channel)
    # The webhook owns the post, and its message is the post's first: it has the thread's id.
    assert (post["type"], post["parent_id"], post["owner_id"], post["name"]) == (11, str(channel), hook_id,
                                                                                "Harbour reopens")
    assert starter["id"] == starter["channel_id"] == post["id"] and post["message"] == starter
    assert (starter["webhook_id"], starter["author"]["id"], starter["author"]["username"]) == (
        hook_id, hook_id, "World Desk")
    assert "thread_name" not in starter and emu.messages(channel) == []

    status, inside, _ = await api.call("POST", execute, {"content": "Section 1", "username": "World Desk"},
                                       token=None, params={"wait": "true", "thread_id": post["id"]})
    assert status == 200 and inside["channel_id"] == post["id"] and inside["webhook_id"] == hook_id
    assert [m["id"] for m in emu.messages(int(post["id"]))] == [starter["id"], inside["id"]]
    _, thread, _ = await api.call("GET", f"/channels/{post['id']}")
    assert thread["message_count"] == 1, "the starter message is not counted"
    _, parent, _ = await api.call("GET", f"/channels/{channel}")
    assert parent["last_message_id"] == post["id"]
    _, active, _ = await api.call("GET", f"/guilds/{world['guild']}/threads/active")
    assert [(t["id"], t["owner_id"]) for t in active["threads"]] == [(post["id"], hook_id)]
    assert active["members"] == [], "the bot did not join a post the webhook made"


@pytest.mark.parametrize(("where", "body", "thread", "status", "code", "error_path"), [
    ("forum", {"content": "x"}, None, 400, 220001, None),
    ("forum", {"content": "x", "thread_name": "Post"}, "post", 400, 220002, None),
    ("text", {"content": "x", "thread_name": "Post"}, None, 400, 220003, None),
    ("forum", {"content": "x", "thread_name": ""}, None, 400, 50035, ["thread_name"]),
    ("forum", {"content": "x", "thread_name": "n" * 101}, None, 400, 50035, ["thread_name"]),
    ("forum", {"content": "x" * 2001, "thread_name": "Post"}, None, 400, 50035, ["content"]),
    ("forum", {"content": "  ", "thread_name": "Post"}, None, 400, 50006, None),
    ("forum", {"content": "x"}, "elsewhere", 404, 10003, None),
])
async def test_webhook_executions_discord_refuses_around_forums_create_nothing(
    emu: DiscordEmulator, api: Api, world: dict[str, int], forum: int, where: str, body: dict[str, Any],
    thread: str | None, status: int, code: int, error_path: list[str] | None,
) -> None:
    _, execute = await hook_in(api, forum if where == "forum" else world["channel"])
    _, ours, _ = await post(api, forum, {"name": "Post", "message": {"content": "first"}})
    _, elsewhere, _ = await post(api, emu.add_channel(world["guild"], "other", kind="forum"),
                                 {"name": "Other", "message": {"content": "first"}})
    params = {"wait": "true"}
    if thread is not None:
        params["thread_id"] = (ours if thread == "post" else elsewhere)["id"]
    before = emu.all_messages()

    answer, error, _ = await api.call("POST", execute, body, token=None, params=params)
    assert (answer, error["code"]) == (status, code)
    assert_form_error(error, error_path)
    assert emu.all_messages() == before and len(emu.forum_posts(forum)) == 1


async def test_discord_py_opens_a_forum_post_through_a_webhook_and_sends_into_it(
    emu: DiscordEmulator, world: dict[str, int], forum: int, start_bot: BotStarter
) -> None:
    bot = await start_bot(new_bot())
    channel = bot.get_channel(forum)
    assert isinstance(channel, discord.ForumChannel)
    hook = await channel.create_webhook(name="Feeds")
    first = await hook.send("Harbour reopens", username="World Desk", thread_name="Harbour reopens", wait=True)
    thread = await emu.wait_until(lambda: channel.guild.get_thread(first.channel.id), 5,
                                  "THREAD_CREATE in discord.py's cache")
    assert first.id == first.channel.id == thread.id and thread.owner_id == hook.id and thread.parent_id == forum
    second = await hook.send("Section 1", username="World Desk", thread=thread, wait=True)
    assert second.channel.id == thread.id
    assert [(m["content"], m["author"]["id"]) for m in emu.messages(thread.id)] == [
        ("Harbour reopens", str(hook.id)), ("Section 1", str(hook.id))]


# -- archived posts (Topics > Threads "Active & Archived Threads"; Resources > Channel "List Public Archived
# Threads") --

ARCHIVED = "/channels/{}/threads/archived/public"


def hours_ago(hours: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(hours=hours)


async def test_an_archived_post_leaves_the_active_list_and_is_listed_newest_archived_first_in_pages(
    emu: DiscordEmulator, api: Api, world: dict[str, int], forum: int
) -> None:
    oldest, newest, middle, active = [(await post(api, forum, {"name": n, "message": {"content": n}}))[1]
                                      for n in ("oldest", "newest", "middle", "active")]
    other = emu.add_channel(world["guild"], "other", kind="forum")
    _, elsewhere, _ = await post(api, other, {"name": "elsewhere", "message": {"content": "x"}})
    for thread, hours in ((oldest, 3), (newest, 1), (middle, 2), (elsewhere, 0.5)):
        archived = emu.archive_thread(int(thread["id"]), at=hours_ago(hours))
        assert archived["thread_metadata"]["archived"] is True
    _, listed, _ = await api.call("GET", f"/guilds/{world['guild']}/threads/active")
    assert [t["id"] for t in listed["threads"]] == [active["id"]]

    status, page, _ = await api.call("GET", ARCHIVED.format(forum), params={"limit": "2"})
    assert status == 200 and page["has_more"] is True
    assert [t["id"] for t in page["threads"]] == [newest["id"], middle["id"]]
    assert all(t["thread_metadata"]["archived"] and t["parent_id"] == str(forum) for t in page["threads"])
    assert [m["id"] for m in page["members"]] == [newest["id"], middle["id"]], "the bot joined the posts it made"
    before = page["threads"][-1]["thread_metadata"]["archive_timestamp"]
    status, rest, _ = await api.call("GET", ARCHIVED.format(forum), params={"limit": "2", "before": before})
    assert (status, [t["id"] for t in rest["threads"]], rest["has_more"]) == (200, [oldest["id"]], False)
    _, fetched, _ = await api.call("GET", f"/channels/{oldest['id']}")
    assert fetched["thread_metadata"]["archived"] is True
    assert datetime.fromisoformat(fetched["thread_metadata"]["archive_timestamp"]) < hours_ago(2.9)


@pytest.mark.parametrize(("params", "error_path"), [
    ({"limit": "1"}, ["limit"]),
    ({"limit": "101"}, ["limit"]),
    ({"limit": "many"}, ["limit"]),
    ({"before": "yesterday"}, ["before"]),
])
async def test_archived_threads_refuse_a_bad_limit_or_before(
    api: Api, forum: int, params: dict[str, str], error_path: list[str]
) -> None:
    status, error, _ = await api.call("GET", ARCHIVED.format(forum), params=params)
    assert (status, error["code"]) == (400, 50035)
    assert_form_error(error, error_path)


async def test_archived_threads_need_read_message_history_in_a_channel_that_has_threads(
    emu: DiscordEmulator, api: Api, world: dict[str, int], forum: int
) -> None:
    emu.set_bot_permissions(forum, DEFAULT_BOT_PERMISSIONS & ~P.READ_MESSAGE_HISTORY)
    status, error, _ = await api.call("GET", ARCHIVED.format(forum))
    assert (status, error) == (403, {"message": "Missing Permissions", "code": 50013})
    emu.set_bot_permissions(forum, 0)
    status, error, _ = await api.call("GET", ARCHIVED.format(forum))
    assert (status, error["code"]) == (403, 50001)
    voice = emu.add_channel(world["guild"], "talk", kind="voice")
    status, error, _ = await api.call("GET", ARCHIVED.format(voice))
    assert (status, error["code"]) == (400, 50024)
    status, empty, _ = await api.call("GET", ARCHIVED.format(world["channel"]))
    assert (status, empty) == (200, {"threads": [], "members": [], "has_more": False})


async def test_sending_into_an_archived_post_unarchives_it_unless_a_moderator_locked_it(
    emu: DiscordEmulator, api: Api, world: dict[str, int], forum: int, raw_gateway: Callable[..., RawGateway]
) -> None:
    _, thread, _ = await post(api, forum, {"name": "Post", "message": {"content": "first"}})
    thread_id = int(thread["id"])
    emu.archive_thread(thread_id, at=hours_ago(1))
    gw = raw_gateway()
    await gw.connect()
    await gw.identify(emu.token, intents=INTENT_GUILDS)

    status, _, _ = await api.post_message(thread_id, {"content": "Section 1"})
    assert status == 200
    update = await gw.recv_until("THREAD_UPDATE")
    assert update["d"]["id"] == thread["id"] and update["d"]["thread_metadata"]["archived"] is False
    _, active, _ = await api.call("GET", f"/guilds/{world['guild']}/threads/active")
    assert [t["id"] for t in active["threads"]] == [thread["id"]]
    metadata = active["threads"][0]["thread_metadata"]
    assert datetime.fromisoformat(metadata["archive_timestamp"]) > hours_ago(0.5), "unarchiving moves it"
    _, archived, _ = await api.call("GET", ARCHIVED.format(forum))
    assert archived["threads"] == []

    emu.archive_thread(thread_id, locked=True)
    status, error, _ = await api.post_message(thread_id, {"content": "Section 2"})
    assert (status, error["code"]) == (400, 50083)
    _, execute = await hook_in(api, forum)
    status, error, _ = await api.call("POST", execute, {"content": "Section 2"}, token=None,
                                      params={"wait": "true", "thread_id": thread["id"]})
    assert (status, error["code"]) == (400, 50083)
    assert [m["content"] for m in emu.messages(thread_id)] == ["first", "Section 1"]
    reopened = emu.reopen_thread(thread_id)  # a moderator unlocks it: anyone's post goes in again
    assert reopened["thread_metadata"]["locked"] is False and reopened["thread_metadata"]["archived"] is False
    locking, reopening = await gw.recv_until("THREAD_UPDATE"), await gw.recv_until("THREAD_UPDATE")
    assert [u["d"]["thread_metadata"]["locked"] for u in (locking, reopening)] == [True, False]
    emu.archive_thread(thread_id, locked=True)
    emu.set_bot_permissions(forum, DEFAULT_BOT_PERMISSIONS | P.MANAGE_THREADS)
    status, _, _ = await api.post_message(thread_id, {"content": "Section 2"})
    assert status == 200 and not emu.forum_posts(forum)[0]["thread_metadata"]["archived"]


async def test_a_webhook_posting_into_its_archived_forum_post_unarchives_it(
    emu: DiscordEmulator, api: Api, forum: int
) -> None:
    hook_id, execute = await hook_in(api, forum)
    _, starter, _ = await api.call("POST", execute, {"thread_name": "Post", "content": "first"}, token=None,
                                   params={"wait": "true"})
    emu.archive_thread(int(starter["id"]))
    _, archived, _ = await api.call("GET", ARCHIVED.format(forum))
    assert [(t["id"], t["owner_id"]) for t in archived["threads"]] == [(starter["id"], hook_id)]
    assert archived["members"] == [], "the bot did not join a post the webhook made"
    status, inside, _ = await api.call("POST", execute, {"content": "Section 1"}, token=None,
                                       params={"wait": "true", "thread_id": starter["id"]})
    assert status == 200 and inside["channel_id"] == starter["id"]
    [post_now] = emu.forum_posts(forum)
    assert post_now["thread_metadata"]["archived"] is False


async def test_discord_py_lists_archived_posts_newest_archived_first_and_drops_them_from_its_cache(
    emu: DiscordEmulator, world: dict[str, int], forum: int, start_bot: BotStarter
) -> None:
    bot = await start_bot(new_bot())
    channel = bot.get_channel(forum)
    assert isinstance(channel, discord.ForumChannel)
    created = [await channel.create_thread(name=f"Post {i}", content=f"post {i}") for i in range(3)]
    for i, made in enumerate(created):
        await emu.wait_until(lambda: channel.guild.get_thread(made.thread.id), 5, "THREAD_CREATE in the cache")
        emu.archive_thread(made.thread.id, at=hours_ago(3 - i))
    await emu.wait_until(lambda: all(channel.guild.get_thread(m.thread.id) is None for m in created), 5,
                         "THREAD_UPDATE (archived) to drop the posts from discord.py's cache")
    archived = [t async for t in channel.archived_threads(limit=None)]
    assert [t.id for t in archived] == [m.thread.id for m in reversed(created)]
    assert all(t.archived for t in archived)
    assert await channel.guild.active_threads() == []
