"""Per-server alert channels through the emulator: one bot in servers A and B, the operator's admin
log in a third.  A's alert channel is written in the YAML (``discord.alert_channels``); B's admins
choose theirs with ``/feeds alerts``.  A notice about B's subscription reaches B's alert channel and
the admin log, never A's; one about a feed both servers follow reaches both; a config reload reaches
the operator alone.  A subscription channel deleted while the bot was down is still told to its
server: the bot stores each channel's server.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.discord_rig import running_app
from tests.e2e.harness import Clock, Item, body_text, cycle, eventually, rss, write_config
from tests.emulator import DEFAULT_BOT_PERMISSIONS, DiscordEmulator, Permission
from tests.support.feedserver import FeedServer

from bot.app import App
from bot.store import Store, StoreError

MANAGE_GUILD = 1 << 5
#: An alert channel in the YAML that is in no server the bot is in.
GONE = 4242
BRIDGE = Item("Bridge closes for repairs", body_text("bridge"), guid="b1")


@dataclass
class Server:
    """One Discord server of the test: its id, its news and alerts channels, and an admin."""

    guild: int
    news: int
    alerts: int
    admin: int


@dataclass
class World:
    """The servers and the config, before a bot runs: a test may start and stop bots on it."""

    cfg: Path
    a: Server
    b: Server
    #: The operator's admin log channel (in a server of its own).
    log: int
    #: A channel of B where the bot may not send messages.
    b_mute: int


@dataclass
class Bot(World):
    app: App
    clock: Clock


@pytest.fixture
def world(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> World:
    guild_a, guild_b, ops = (emu.add_guild(name) for name in ("alpha", "beta", "ops"))
    a_news, a_alerts = emu.add_channel(guild_a, "news"), emu.add_channel(guild_a, "alerts")
    b_news, b_alerts = emu.add_channel(guild_b, "news"), emu.add_channel(guild_b, "alerts")
    b_mute = emu.add_channel(guild_b, "mute", bot_permissions=DEFAULT_BOT_PERMISSIONS & ~Permission.SEND_MESSAGES)
    log = emu.add_channel(ops, "admin-log")
    for path in ("/a.xml", "/b.xml", "/shared.xml"):
        server.set(path, rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}
      admin_log_channel: {log}
      alert_channels: [{a_alerts}, {GONE}]
      command_guilds: [{guild_a}, {guild_b}]
    storage:
      url: sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}
    defaults:
      poll_interval: 60s
      fetch_article: false
    feeds:
      - name: a-wire
        url: {server.url('/a.xml')}
      - name: b-wire
        url: {server.url('/b.xml')}
      - name: shared
        url: {server.url('/shared.xml')}
    subscriptions:
      - name: a-news
        feeds: [a-wire, shared]
        channel: {a_news}
      - name: b-news
        feeds: [b-wire, shared]
        channel: {b_news}
    """)
    a = Server(guild_a, a_news, a_alerts, emu.add_member(guild_a, "admin", permissions=MANAGE_GUILD))
    b = Server(guild_b, b_news, b_alerts, emu.add_member(guild_b, "admin", permissions=MANAGE_GUILD))
    return World(cfg, a, b, log, b_mute)


@pytest.fixture
async def bot(emu: DiscordEmulator, world: World) -> AsyncIterator[Bot]:
    clock = Clock()
    async with running_app(world.cfg, emu, clock) as app:
        await cycle(app, clock)
        await emu.settle()
        yield Bot(world.cfg, world.a, world.b, world.log, world.b_mute, app, clock)


async def _alerts(emu: DiscordEmulator, where: Server, options: dict | None = None) -> str:
    """``/feeds alerts`` run by ``where``'s admin in its news channel: the (ephemeral) reply's text."""
    handle = await emu.invoke_command(where.guild, where.news, where.admin, "feeds alerts", options or {})
    reply = await handle.wait_original(lambda m: bool(m.get("content")), timeout=10)
    assert reply["flags"] & 64, reply
    return reply["content"]


async def _archived_alert_thread(emu: DiscordEmulator, bot: Bot) -> int:
    """A thread of B's alerts channel, chosen as B's alert channel, then archived (so out of
    discord.py's cache): its id."""
    thread = emu.add_thread(bot.b.alerts, "Feed alerts")
    client = bot.app.discord.client
    await emu.wait_until(lambda: client.get_channel(thread), 5, "the thread in discord.py's cache")
    await _alerts(emu, bot.b, {"channel": thread})
    emu.archive_thread(thread)
    await emu.wait_until(lambda: client.get_channel(thread) is None, 5, "the archived thread out of the cache")
    return thread


def _texts(emu: DiscordEmulator, channel: int) -> list[str]:
    return [m["content"] for m in emu.messages(channel)]


async def test_b_chooses_its_alert_channel_and_hears_only_of_its_own_subscription(
    emu: DiscordEmulator, bot: Bot, server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="newsbot.discord")
    a, b, app = bot.a, bot.b, bot.app
    assert (await _alerts(emu, b)).startswith("This server has no alert channel")
    shown = await _alerts(emu, a)
    assert f"go to <#{a.alerts}>." in shown and "written in newsbot.yaml (`discord.alert_channels`)" in shown
    assert str(GONE) not in shown  # not one of A's channels

    reply = await _alerts(emu, b, {"channel": b.alerts})
    assert reply == f"Alerts about this server's feeds and subscriptions now go to <#{b.alerts}>."
    assert (bot.cfg.parent / "newsbot.managed.yaml").read_text().endswith(f"alert_channels:\n- {b.alerts}\n")
    assert app.config.alert_channels == (a.alerts, GONE, b.alerts)  # the live config reloaded
    assert _texts(emu, bot.log) == ["Config reloaded."]  # the operator's business alone
    assert _texts(emu, a.alerts) == [] and _texts(emu, b.alerts) == []

    # B's news channel loses Send Messages: the startup-style check tells B and the operator.
    emu.set_bot_permissions(b.news, DEFAULT_BOT_PERMISSIONS & ~Permission.SEND_MESSAGES)
    [broken] = await emu.wait_for_messages(b.alerts, 1)
    assert "subscription b-news" in broken["content"] and "Send Messages" in broken["content"]
    assert broken["content"] in _texts(emu, bot.log)

    # A story for B is refused (403): the subscription pauses and, again, B and the operator hear it.
    server.set("/b.xml", rss([BRIDGE]), content_type="application/rss+xml")
    await cycle(app, bot.clock, advance_minutes=2)
    notices = [m["content"] for m in await emu.wait_for_messages(b.alerts, 2)]
    assert "Subscription **b-news** is paused" in notices[1] and notices[1] in _texts(emu, bot.log)
    assert "Give me View Channel, Send Messages and Embed Links there (or fix the channel in the config)" in notices[1]
    assert (await app.store.get_subscription("b-news")).paused

    assert _texts(emu, a.alerts) == []  # never another server's notice
    lost = [r for r in caplog.records if f"alert channel {GONE} not found" in r.getMessage()]
    assert len(lost) == 1  # three notices, one log line


async def test_a_shared_feeds_notice_reaches_both_servers_and_off_stops_b(
    emu: DiscordEmulator, bot: Bot, server: FeedServer
) -> None:
    a, b = bot.a, bot.b
    await _alerts(emu, b, {"channel": b.alerts})
    server.set("/shared.xml", "", status=410)
    await cycle(bot.app, bot.clock, advance_minutes=2)
    [a_notice] = _texts(emu, a.alerts)
    assert a_notice.startswith("Feed **shared** was disabled")
    assert _texts(emu, b.alerts) == [a_notice] and a_notice in _texts(emu, bot.log)

    reply = await _alerts(emu, b, {"off": True})
    assert reply.startswith("This server's alert channel is off: notices about its feeds and subscriptions go to the bot's operator only")
    assert bot.app.config.alert_channels == (a.alerts, GONE)
    server.set("/b.xml", "", status=410)
    await cycle(bot.app, bot.clock, advance_minutes=2)
    assert any(text.startswith("Feed **b-wire** was disabled") for text in _texts(emu, bot.log))
    assert _texts(emu, b.alerts) == [a_notice] and _texts(emu, a.alerts) == [a_notice]


async def test_alerts_says_when_the_bot_cannot_post_there_and_refuses_channel_with_off(emu: DiscordEmulator, bot: Bot) -> None:
    b = bot.b
    reply = await _alerts(emu, b, {"channel": bot.b_mute})
    assert reply.startswith(f"Alerts about this server's feeds and subscriptions now go to <#{bot.b_mute}>.\n")
    assert f"I cannot post in <#{bot.b_mute}>: I lack Send Messages there. Grant it to my role" in reply
    assert f"I cannot post in <#{bot.b_mute}>" in await _alerts(emu, b)  # showing it says so too

    reply = await _alerts(emu, b, {"channel": b.alerts, "off": True})
    assert reply == "Give channel or off, not both."
    assert bot.app.config.alert_channels[-1] == bot.b_mute  # unchanged



async def test_b_sends_its_alerts_to_a_thread_which_still_hears_them_once_archived(
    emu: DiscordEmulator, bot: Bot, server: FeedServer
) -> None:
    """A thread leaves discord.py's cache when it archives: the bot asks Discord for it, shows it
    as B's alert channel still, and its notice unarchives it."""
    b = bot.b
    thread = emu.add_thread(b.alerts, "Feed alerts", owner_id=b.admin)
    client = bot.app.discord.client
    await emu.wait_until(lambda: client.get_channel(thread), 5, "the thread in discord.py's cache")
    assert await _alerts(emu, b, {"channel": thread}) == (
        f"Alerts about this server's feeds and subscriptions now go to <#{thread}>.")

    emu.archive_thread(thread)
    await emu.wait_until(lambda: client.get_channel(thread) is None, 5, "the archived thread out of the cache")
    server.set("/b.xml", "", status=410)
    await cycle(bot.app, bot.clock, advance_minutes=2)
    [notice] = await emu.wait_for_messages(thread, 1)
    assert notice["content"].startswith("Feed **b-wire** was disabled") and notice["content"] in _texts(emu, bot.log)
    assert not emu.world.channels[thread].archived  # the post unarchived it
    assert _texts(emu, b.alerts) == [] and _texts(emu, bot.a.alerts) == []

    # Archived again, and the config reloaded (the bot forgets what it looked up): still B's.
    emu.archive_thread(thread)
    await emu.wait_until(lambda: client.get_channel(thread) is None, 5, "the archived thread out of the cache")
    await bot.app.discord.config_changed(bot.app.config)
    assert await _alerts(emu, b) == f"Alerts about this server's feeds and subscriptions go to <#{thread}>."
    # Choosing another channel replaces the archived thread: B has one alert channel.
    await _alerts(emu, b, {"channel": b.alerts})
    assert bot.app.config.alert_channels == (bot.a.alerts, GONE, b.alerts)


async def test_a_failed_look_up_of_an_archived_alert_thread_is_logged_and_tried_again(
    emu: DiscordEmulator, bot: Bot, server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="newsbot.discord")
    b = bot.b
    thread = await _archived_alert_thread(emu, bot)

    emu.fail_next(f"GET /channels/{thread}", 503)  # Discord has a bad moment when the bot asks
    emu.set_bot_permissions(b.news, DEFAULT_BOT_PERMISSIONS & ~Permission.SEND_MESSAGES)
    await emu.wait_until(lambda: [t for t in _texts(emu, bot.log) if "Send Messages" in t], 10,
                         "the notice about b-news's channel in the admin log")
    assert _texts(emu, thread) == []  # that one reached the operator only
    assert any(f"could not look up alert channel {thread}" in r.getMessage() for r in caplog.records)

    server.set("/b.xml", "", status=410)
    await cycle(bot.app, bot.clock, advance_minutes=2)
    [notice] = await emu.wait_for_messages(thread, 1)  # asked again, and found
    assert notice["content"].startswith("Feed **b-wire** was disabled")


async def test_alerts_says_when_the_bot_cannot_post_in_a_thread(emu: DiscordEmulator, bot: Bot) -> None:
    b = bot.b
    thread = emu.add_thread(b.alerts, "Feed alerts")
    emu.set_bot_permissions(b.alerts, DEFAULT_BOT_PERMISSIONS & ~Permission.SEND_MESSAGES_IN_THREADS)
    await emu.settle()
    reply = await _alerts(emu, b, {"channel": thread})
    assert reply.startswith(f"Alerts about this server's feeds and subscriptions now go to <#{thread}>.\n")
    assert (f"I cannot post in <#{thread}>: I lack Send Messages in Threads there. Grant it to my role in "
            f"<#{b.alerts}>, the thread's channel") in reply

    emu.set_bot_permissions(b.alerts, DEFAULT_BOT_PERMISSIONS)
    emu.archive_thread(thread, locked=True)
    await emu.settle()
    assert f"I cannot post in <#{thread}>: the thread is locked." in await _alerts(emu, b)


async def test_a_private_thread_the_bot_was_not_added_to_is_refused_until_it_is(
    emu: DiscordEmulator, bot: Bot, server: FeedServer
) -> None:
    """The admin sees the private thread in the command's picker; the bot does not, so every notice
    would fail there (and the bot could not tell later whose it is): refused, nothing written."""
    b = bot.b
    thread = emu.add_thread(b.alerts, "Staff alerts", owner_id=b.admin, private=True)
    await emu.settle()
    assert await _alerts(emu, b, {"channel": thread}) == (
        f"I cannot see <#{thread}>, so no alert would reach it. It is a private thread I have not been added to: "
        f"mention me in it to add me, or give my role Manage Threads in <#{b.alerts}>. Then choose it again: "
        "nothing was changed.")
    assert bot.app.config.alert_channels == (bot.a.alerts, GONE)
    assert not (bot.cfg.parent / "newsbot.managed.yaml").exists()

    emu.add_thread_member(thread, emu.world.bot.id)  # an admin mentions the bot in the thread
    await emu.wait_until(lambda: bot.app.discord.client.get_channel(thread), 5, "the thread in discord.py's cache")
    assert await _alerts(emu, b, {"channel": thread}) == (
        f"Alerts about this server's feeds and subscriptions now go to <#{thread}>.")
    server.set("/b.xml", "", status=410)
    await cycle(bot.app, bot.clock, advance_minutes=2)
    [notice] = await emu.wait_for_messages(thread, 1)
    assert notice["content"].startswith("Feed **b-wire** was disabled")


async def test_an_alert_thread_the_bot_is_removed_from_is_shown_unseen_until_it_is_added_back(
    emu: DiscordEmulator, bot: Bot
) -> None:
    """discord.py keeps a thread the bot was removed from in its cache, with its channel's
    permissions: the bot drops it, so the command says what Discord would answer a notice."""
    b = bot.b
    client = bot.app.discord.client
    thread = emu.add_thread(b.alerts, "Staff alerts", owner_id=b.admin, private=True)
    emu.add_thread_member(thread, emu.world.bot.id)
    await emu.wait_until(lambda: client.get_channel(thread), 5, "the thread in discord.py's cache")
    await _alerts(emu, b, {"channel": thread})

    emu.remove_thread_member(thread, emu.world.bot.id)
    await emu.wait_until(lambda: client.get_channel(thread) is None, 5, "the thread out of the cache")
    assert await _alerts(emu, b) == (
        f"Alerts about this server's feeds and subscriptions go to <#{thread}>.\n"
        f"⚠️ I cannot see <#{thread}>, so no alert would reach it. Give my role View Channel in its channel "
        "(for a private thread: mention me in it to add me, or give my role Manage Threads in its channel).")

    emu.add_thread_member(thread, emu.world.bot.id)
    await emu.wait_until(lambda: client.get_channel(thread), 5, "the thread back in discord.py's cache")
    assert await _alerts(emu, b) == f"Alerts about this server's feeds and subscriptions go to <#{thread}>."


def _thread_subscription(
    emu: DiscordEmulator, world: World, server: FeedServer, tmp_path: Path, thread: int, layout: str = "embed",
    webhook: bool = False,
) -> Path:
    """A config of its own: B's wire posted by ``night-desk`` in ``thread``; B's alert channel and
    the operator's admin log as in the world's."""
    return write_config(tmp_path / "night.yaml", f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}
      admin_log_channel: {world.log}
      alert_channels: [{world.b.alerts}]
    storage:
      url: sqlite+aiosqlite:///{tmp_path / 'night.sqlite'}
    defaults:
      poll_interval: 60s
      fetch_article: false
    feeds:
      - name: b-wire
        url: {server.url('/b.xml')}
    subscriptions:
      - name: night-desk
        feeds: [b-wire]
        channel: {thread}
        layout: {layout}
        webhook: {str(webhook).lower()}
    """)


@asynccontextmanager
async def _night_desk(
    emu: DiscordEmulator, world: World, server: FeedServer, tmp_path: Path, thread: int, clock: Clock, **options: Any
) -> AsyncIterator[App]:
    """The bot running ``_thread_subscription``'s config, its first poll done, ``thread`` in discord.py's cache."""
    async with running_app(_thread_subscription(emu, world, server, tmp_path, thread, **options), emu, clock) as app:
        await cycle(app, clock)
        await emu.wait_until(lambda: app.discord.client.get_channel(thread), 5, "the thread in discord.py's cache")
        yield app


async def test_a_subscription_thread_that_archives_is_no_false_alarm_and_its_next_story_reopens_it(
    emu: DiscordEmulator, world: World, server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An archived thread leaves discord.py's cache, but is still there to post in (the post
    unarchives it): the channel checks ask Discord for it instead of calling it missing, in the
    run that saw it archive and in the next, which starts with it archived.  Deleted while
    archived, it is told as gone."""
    caplog.set_level(logging.WARNING, logger="newsbot.discord")
    b = world.b
    thread = emu.add_thread(b.news, "Night desk", owner_id=b.admin)
    clock = Clock()
    async with _night_desk(emu, world, server, tmp_path, thread, clock) as app:
        emu.archive_thread(thread)
        await emu.wait_until(lambda: app.discord.client.get_channel(thread) is None, 5, "the archived thread out of the cache")
        assert await app.discord.check_channels() == []
        assert app.store is not None  # as a refused post leaves it, for the next run's check to resume
        await app.store.set_subscription_paused("night-desk", True, "Discord said 'Missing Access' (HTTP 403, code 50001)")

    emu.fail_next(f"GET /channels/{thread}", 503)  # Discord has a bad moment at the next start's check
    async with running_app(_thread_subscription(emu, world, server, tmp_path, thread), emu, clock) as app:
        assert app.store is not None
        await emu.wait_until(lambda: [r for r in caplog.records if f"could not look up channel {thread}" in r.getMessage()],
                             10, "the warning that the thread could not be looked up")
        assert (await app.store.get_subscription("night-desk")).paused  # not known to work: not resumed
        assert await app.discord.check_channels() == []  # asked again, and found
        assert not (await app.store.get_subscription("night-desk")).paused
        server.set("/b.xml", rss([BRIDGE]), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        [story] = await emu.wait_for_messages(thread, 1)
        assert BRIDGE.title in str(story) and not emu.world.channels[thread].archived
        [resumed] = _texts(emu, b.alerts)  # and no false alarm
        assert resumed.startswith("✅ Subscription **night-desk** resumed") and _texts(emu, world.log) == [resumed]

        emu.archive_thread(thread)
        await emu.wait_until(lambda: app.discord.client.get_channel(thread) is None, 5, "the thread archived again")
        assert await app.discord.check_channels() == []
        emu.delete_channel(thread)
        gone = (await emu.wait_for_messages(b.alerts, 2))[1]
        assert gone["content"].startswith(f"⚠️ subscription night-desk: channel {thread}: channel not found")


async def test_a_subscription_thread_a_moderator_locked_holds_its_stories_until_it_is_reopened(
    emu: DiscordEmulator, world: World, server: FeedServer, tmp_path: Path
) -> None:
    """A locked archived thread refuses the bot's post (400/50083): the subscription pauses once,
    holding every story, and resumes when a moderator reopens the thread."""
    b = world.b
    thread = emu.add_thread(b.news, "Night desk", owner_id=b.admin)
    clock = Clock()
    async with _night_desk(emu, world, server, tmp_path, thread, clock) as app:
        emu.archive_thread(thread, locked=True)
        [locked] = await emu.wait_for_messages(b.alerts, 1)  # told at once (the thread's update)
        assert locked["content"] == (
            "⚠️ subscription night-desk: channel {}: #Night desk is a thread a moderator locked, so the bot cannot post "
            "there; unlock it, or grant the bot's role Manage Threads in its channel".format(thread))

        server.set("/b.xml", rss([BRIDGE]), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        paused = (await emu.wait_for_messages(b.alerts, 2))[1]["content"]
        assert paused.startswith(f"Subscription **night-desk** is paused: I cannot post in <#{thread}>") and paused.endswith(
            "The thread is archived and locked: unlock it, or give me Manage Threads in its channel, then `/feeds resume` "
            "— nothing is lost meanwhile.")
        second = Item("Ferry timetable changes", body_text("ferry"), guid="f1")
        server.set("/b.xml", rss([BRIDGE, second]), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        assert len(_texts(emu, b.alerts)) == 2  # held, not failed one by one

        emu.reopen_thread(thread)
        resumed = (await emu.wait_for_messages(b.alerts, 3))[2]["content"]
        assert resumed == f"✅ Subscription **night-desk** resumed: I can post in <#{thread}> again."
        await cycle(app, clock)
        posted = str(await emu.wait_for_messages(thread, 2))
        assert BRIDGE.title in posted and second.title in posted


async def test_a_subscription_thread_is_checked_for_send_messages_in_threads_and_a_layout_it_can_take(
    emu: DiscordEmulator, world: World, server: FeedServer, tmp_path: Path
) -> None:
    """In a thread the bot posts with Send Messages in Threads (granted in the thread's channel), not
    Send Messages; and the thread layout cannot open threads inside one."""
    b = world.b
    thread = emu.add_thread(b.news, "Night desk", owner_id=b.admin)
    emu.set_bot_permissions(b.news, DEFAULT_BOT_PERMISSIONS & ~Permission.SEND_MESSAGES)
    async with _night_desk(emu, world, server, tmp_path, thread, Clock()) as app:
        assert await app.discord.check_channels() == []
    emu.set_bot_permissions(b.news, DEFAULT_BOT_PERMISSIONS & ~Permission.SEND_MESSAGES_IN_THREADS)
    async with _night_desk(emu, world, server, tmp_path, thread, Clock()) as app:
        [problem] = await app.discord.check_channels()
        assert problem.message == (
            f"the bot lacks Embed Links, Send Messages in Threads in #Night desk's channel, <#{b.news}>; grant them to the "
            "bot's role there")  # discord.py: no Embed Links in a thread without Send Messages in Threads
    emu.set_bot_permissions(b.news, DEFAULT_BOT_PERMISSIONS)
    async with _night_desk(emu, world, server, tmp_path, thread, Clock(), layout="thread") as app:
        [problem] = await app.discord.check_channels()
        assert problem.message.startswith("#Night desk is a thread, and the thread layout opens a thread for each story")


async def test_a_webhook_subscription_posts_into_its_thread_through_the_threads_channel_webhook(
    emu: DiscordEmulator, world: World, server: FeedServer, tmp_path: Path
) -> None:
    """A thread has no webhooks of its own: Discord executes its channel's webhook into it."""
    b = world.b
    thread = emu.add_thread(b.news, "Night desk", owner_id=b.admin)
    clock = Clock()
    async with _night_desk(emu, world, server, tmp_path, thread, clock, webhook=True) as app:
        server.set("/b.xml", rss([BRIDGE]), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        [story] = await emu.wait_for_messages(thread, 1)
    [hook] = [w for w in emu.world.webhooks.values() if w.channel_id == b.news]
    assert BRIDGE.title in str(story) and story["webhook_id"] == str(hook.id)
    assert emu.messages(b.news) == [] and _texts(emu, world.log) == []


async def test_a_subscription_in_a_private_thread_the_bot_is_not_in_is_told_with_how_to_fix_it(
    emu: DiscordEmulator, world: World, server: FeedServer, tmp_path: Path
) -> None:
    """Discord answers the bot's lookup with 403: the thread is there, but hidden from it.  Never
    seen, its server is unknown: the operator hears it."""
    b = world.b
    thread = emu.add_thread(b.news, "Night desk", owner_id=b.admin, private=True)
    async with running_app(_thread_subscription(emu, world, server, tmp_path, thread), emu, Clock()):
        [notice] = await emu.wait_for_messages(world.log, 1)
    assert notice["content"] == (
        f"⚠️ subscription night-desk: channel {thread}: Discord will not show this channel to the bot (a thread of "
        "a channel it cannot view, or a private thread it is not in); give its role View Channel there — for a "
        "private thread, mention the bot in it or give its role Manage Threads in the thread's channel")


async def test_a_subscription_thread_the_bot_is_removed_from_is_told_at_once_with_how_to_fix_it(
    emu: DiscordEmulator, world: World, server: FeedServer, tmp_path: Path
) -> None:
    """B's subscription posts in a private thread of its news channel (a config of its own, B's
    alert channel in the YAML); a moderator removes the bot from the thread, then adds it back."""
    b = world.b
    thread = emu.add_thread(b.news, "Night desk", owner_id=b.admin, private=True)
    emu.add_thread_member(thread, emu.world.bot.id)
    clock = Clock()
    async with _night_desk(emu, world, server, tmp_path, thread, clock) as app:
        assert app.discord.channel_problems() == []
        assert app.store is not None
        store = app.store
        await eventually(lambda: _stored_server(store, thread, b.guild), 10, "the start-up check to store the thread's server")

        emu.remove_thread_member(thread, emu.world.bot.id)
        [notice] = await emu.wait_for_messages(b.alerts, 1)
        assert notice["content"] == (
            f"⚠️ subscription night-desk: channel {thread}: the bot was removed from this private thread, so it "
            "cannot post there; mention the bot in the thread to add it back, or give its role Manage Threads in "
            "the thread's channel")
        assert notice["content"] in _texts(emu, world.log)
        server.set("/b.xml", rss([BRIDGE]), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)  # Discord refuses the story: the subscription pauses
        paused = (await emu.wait_for_messages(b.alerts, 2))[1]["content"]
        assert paused.startswith("Subscription **night-desk** is paused: I cannot post in <#") and paused.endswith(
            "Give me View Channel there (in a private thread: mention me in it to add me, or give me Manage Threads in "
            "its channel), or fix the channel in the config, then `/feeds resume` — nothing is lost meanwhile.")
        assert (await app.store.get_subscription("night-desk")).paused

        emu.add_thread_member(thread, emu.world.bot.id)  # added back: checked at once, and resumed
        resumed = await emu.wait_for_messages(b.alerts, 3)
        assert resumed[-1]["content"] == f"✅ Subscription **night-desk** resumed: I can post in <#{thread}> again."
        assert app.discord.channel_problems() == []
        await cycle(app, clock)
        [story] = await emu.wait_for_messages(thread, 1)  # held, not lost
        assert BRIDGE.title in str(story)


async def test_alerts_says_when_discord_did_not_answer_about_an_archived_alert_thread(
    emu: DiscordEmulator, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="newsbot.commands")
    b = bot.b
    thread = await _archived_alert_thread(emu, bot)
    shown = f"Alerts about this server's feeds and subscriptions go to <#{thread}>."
    assert await _alerts(emu, b) == shown  # its server is known from now on; its state is asked each time

    emu.fail_next(f"GET /channels/{thread}", 503)
    assert await _alerts(emu, b) == (
        f"{shown}\n⚠️ I could not check <#{thread}> just now (Discord did not answer); alerts are still tried there.")
    assert any(f"/feeds alerts could not check channel {thread}" in r.getMessage() for r in caplog.records)
    assert await _alerts(emu, b) == shown

    # Choosing it again asks Discord about it once: the check of the choice is the check shown.
    asked = emu.request_count["GET /channels/{channel_id}"]
    assert await _alerts(emu, b, {"channel": thread}) == (
        f"Alerts about this server's feeds and subscriptions now go to <#{thread}>.")
    assert emu.request_count["GET /channels/{channel_id}"] == asked + 1


async def test_a_deleted_alert_channel_is_still_shown_with_what_to_do_and_a_new_choice_replaces_it(
    emu: DiscordEmulator, bot: Bot
) -> None:
    """Gone from discord.py's cache and from Discord, it stays in the managed file until replaced:
    the command shows it (the bot remembers whose it was) so that B's admins know to."""
    b = bot.b
    await _alerts(emu, b, {"channel": b.alerts})
    emu.delete_channel(b.alerts)
    await emu.wait_until(lambda: bot.app.discord.client.get_channel(b.alerts) is None, 5, "the channel out of the cache")
    assert await _alerts(emu, b) == (
        f"Alerts about this server's feeds and subscriptions go to <#{b.alerts}>.\n"
        f"⚠️ I cannot find <#{b.alerts}>, so no alert reaches it — choose another channel.")
    staff = emu.add_channel(b.guild, "staff")
    await emu.settle()
    assert await _alerts(emu, b, {"channel": staff}) == f"Alerts about this server's feeds and subscriptions now go to <#{staff}>."
    assert bot.app.config.alert_channels == (bot.a.alerts, GONE, staff)


async def test_a_private_alert_thread_the_bot_was_removed_from_is_still_shown_after_a_restart_and_replaced(
    emu: DiscordEmulator, world: World
) -> None:
    """The next process never sees the thread (Discord hides it from the bot now); its server is
    known from the database, where the run that chose it stored it."""
    a, b = world.a, world.b
    thread = emu.add_thread(b.alerts, "Staff alerts", owner_id=b.admin, private=True)
    emu.add_thread_member(thread, emu.world.bot.id)
    clock = Clock()
    async with running_app(world.cfg, emu, clock) as app:
        await emu.wait_until(lambda: app.discord.client.get_channel(thread), 5, "the thread in discord.py's cache")
        assert await _alerts(emu, b, {"channel": thread}) == (
            f"Alerts about this server's feeds and subscriptions now go to <#{thread}>.")

    emu.remove_thread_member(thread, emu.world.bot.id)  # a moderator removes the bot from the thread
    async with running_app(world.cfg, emu, clock) as app:
        assert await _alerts(emu, b) == (
            f"Alerts about this server's feeds and subscriptions go to <#{thread}>.\n"
            f"⚠️ I cannot see <#{thread}>, so no alert would reach it. Give my role View Channel in its channel "
            "(for a private thread: mention me in it to add me, or give my role Manage Threads in its channel).")
        assert await _alerts(emu, b, {"channel": b.alerts}) == (
            f"Alerts about this server's feeds and subscriptions now go to <#{b.alerts}>.")
        assert app.config.alert_channels == (a.alerts, GONE, b.alerts)


async def test_an_archived_alert_thread_deleted_while_the_bot_was_down_is_still_shown(
    emu: DiscordEmulator, world: World
) -> None:
    """Chosen while archived (out of the cache), the thread's server is stored when it is chosen:
    no check of cached channels would ever have seen it."""
    b = world.b
    thread = emu.add_thread(b.alerts, "Feed alerts")
    clock = Clock()
    async with running_app(world.cfg, emu, clock) as app:
        client = app.discord.client
        await emu.wait_until(lambda: client.get_channel(thread), 5, "the thread in discord.py's cache")
        emu.archive_thread(thread)
        await emu.wait_until(lambda: client.get_channel(thread) is None, 5, "the archived thread out of the cache")
        await _alerts(emu, b, {"channel": thread})

    emu.delete_channel(thread)
    async with running_app(world.cfg, emu, clock):
        assert await _alerts(emu, b) == (
            f"Alerts about this server's feeds and subscriptions go to <#{thread}>.\n"
            f"⚠️ I cannot find <#{thread}>, so no alert reaches it — choose another channel.")


async def test_a_deleted_subscription_channel_is_told_to_its_servers_alert_channel(emu: DiscordEmulator, bot: Bot) -> None:
    """The channel is gone from discord.py's cache when the notice is routed; its server is still
    known from when it was there."""
    a, b = bot.a, bot.b
    await _alerts(emu, b, {"channel": b.alerts})
    emu.delete_channel(b.news)
    [notice] = await emu.wait_for_messages(b.alerts, 1)
    assert "subscription b-news" in notice["content"] and "not found" in notice["content"]
    assert notice["content"] in _texts(emu, bot.log)
    assert _texts(emu, a.alerts) == []


async def test_a_subscription_channel_deleted_while_the_bot_was_down_is_told_to_its_servers_alert_channel(
    emu: DiscordEmulator, world: World
) -> None:
    """The next process never sees the channel in discord.py's cache: its server is known from the
    database, where the first run stored it."""
    a = world.a
    clock = Clock()
    async with running_app(world.cfg, emu, clock) as app:
        assert app.store is not None
        store = app.store
        await eventually(lambda: _has_server(store, a), 10, "the first run to store a-news's server")
    assert _texts(emu, a.alerts) == []

    emu.delete_channel(a.news)
    async with running_app(world.cfg, emu, clock):
        [logged] = await emu.wait_until(lambda: [t for t in _texts(emu, world.log) if "not found" in t], 10,
                                        "the notice that a-news's channel is gone in the admin log")
        [notice] = await emu.wait_for_messages(a.alerts, 1)
    assert "subscription a-news" in logged and notice["content"] == logged
    assert _texts(emu, world.b.alerts) == []


async def _has_server(store: Store, where: Server) -> bool:
    return await _stored_server(store, where.news, where.guild)


async def _stored_server(store: Store, channel: int, guild: int) -> bool:
    return (await store.channel_servers()).get(channel) == guild


async def test_a_database_that_refuses_the_servers_is_logged_and_the_next_check_stores_them(
    emu: DiscordEmulator, world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="newsbot.discord")
    a, b = world.a, world.b

    async def refuse(self: Store, servers: object, now: object) -> None:
        raise StoreError("remember_channel_servers: OperationalError: disk I/O error")

    monkeypatch.setattr(Store, "remember_channel_servers", refuse)
    async with running_app(world.cfg, emu, Clock()) as app:
        assert app.store is not None
        await emu.wait_until(lambda: [r for r in caplog.records if "could not store the servers" in r.getMessage()], 10,
                             "the warning that the servers could not be stored")
        emu.delete_channel(a.news)  # the check goes on, and this run still knows whose it was
        [notice] = await emu.wait_for_messages(a.alerts, 1)
        assert "subscription a-news" in notice["content"] and "not found" in notice["content"]

        monkeypatch.undo()
        await app.discord.check_channels()
        assert await app.store.channel_servers() == {a.news: a.guild, b.news: b.guild, a.alerts: a.guild}
