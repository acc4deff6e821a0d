"""The discord.py client and its lifecycle inside newsbot.

One setting says where Discord is (``discord.api_url``); the gateway URL is asked from the API
(``GET /gateway/bot``) as Discord recommends, unless ``discord.gateway_url`` pins it.
On ready, every configured channel is checked for the permissions its layout needs, and for
``mention:`` roles its posts would not ping; each problem is reported once (log + admin log
channel) with what to fix.  The server of each subscription channel is kept in the database
(bot.store.channels), so the notice that one was deleted — even while the bot was down —
reaches that server's alert channel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Callable

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import Config
from bot.config.alerts import notice_channels
from bot.discord.permissions import (
    MANAGE_THREADS,
    ChannelProblem,
    ServerRole,
    bot_permissions,
    missing,
    recommended,
    required,
    unpingable_roles,
)
from bot.discord.sink import DiscordSink
from bot.notices import OPERATOR_ONLY, Concerns
from bot.render import neutralize_mentions, truncate
from bot.store import Store, StoreError

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger("newsbot.discord")

#: What a lookup of a channel Discord will not show the bot (403) leaves in its place.
HIDDEN: Any = object()

#: How long `newsbot run` waits for the gateway's READY before giving up with a clear message.
READY_TIMEOUT = 60.0
#: How long ``close`` lets a channel check that a gateway event started run on.
CLOSE_GRACE_SECONDS = 5.0
#: The name of the webhooks the bot creates for webhook subscriptions.
WEBHOOK_NAME = "newsbot"


def server_roles(guild: discord.Guild, ids: Iterable[int]) -> dict[int, ServerRole]:
    """The roles among ``ids`` that ``guild`` has, as the pure ping check sees them."""
    found = (guild.get_role(role_id) for role_id in ids)
    return {role.id: ServerRole(role.id, role.name, role.mentionable) for role in found if role is not None}


def point_at(api_url: str, gateway_url: str | None) -> None:
    """Aim discord.py at the configured Discord (its address is class-level state in discord.py)."""
    discord.http.Route.BASE = api_url.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class NewsClient(commands.Bot):
    """discord.py's Bot with newsbot's cogs; mentions never ping, whatever a payload says."""

    def __init__(self, connection: DiscordConnection) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.connection = connection

    async def setup_hook(self) -> None:
        from bot.discord.commands import NewsCommands

        await self.add_cog(NewsCommands(self.connection))
        await self.connection.sync_commands()

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s in %d server(s)", self.user, len(self.guilds))
        await self.connection.check_on_event()

    async def on_guild_channel_update(self, before: Any, after: Any) -> None:
        await self.connection.check_on_event()

    async def on_guild_channel_delete(self, channel: Any) -> None:
        self.connection.forget_looked_up()  # its threads went with it
        await self.connection.check_on_event()

    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        self.connection.forget_looked_up()  # an archived thread is deleted out of the cache's sight
        await self.connection.check_on_event()

    async def on_guild_role_update(self, before: Any, after: Any) -> None:
        await self.connection.check_on_event()

    async def on_thread_remove(self, thread: discord.Thread) -> None:
        await self.connection.left_thread(thread)

    async def on_thread_join(self, thread: discord.Thread) -> None:
        await self.connection.joined_thread(thread)

    async def on_thread_update(self, before: discord.Thread, after: discord.Thread) -> None:
        await self.connection.thread_changed(before, after)


class DiscordConnection:
    """Owns the client; gives the delivery loop its sink and the app its admin channel."""

    def __init__(self, *, config: Callable[[], Config], store: Store, app: App | None = None) -> None:
        self.config = config
        self.store = store
        self.app = app
        self.client = NewsClient(self)
        self.sink = DiscordSink(self.client, store, webhook_for=self.webhook_for)
        self._task: asyncio.Task[None] | None = None
        self._reported: set[str] = set()
        #: Alert channels not in discord.py's cache, already logged (bot.config.alerts skips them).
        self._lost_alert_channels: set[int] = set()
        #: The server of every subscription and alert channel seen in the cache or chosen with
        #: /feeds alerts, in this run or an earlier one (stored in the database): a channel deleted
        #: since — even while the bot was down — is still known to be that server's, so the notice
        #: that it is gone reaches it, and an alert channel the bot can no longer see is still shown
        #: to that server's admins, who can replace it.
        self._server_of_channel: dict[int, int] = {}
        #: The pairs of ``_server_of_channel`` the database holds, as far as this process knows.
        self._stored_servers: dict[int, int] = {}
        #: Whether the pairs stored by earlier runs were read (once, at the first check or notice).
        self._servers_loaded = False
        self._servers_loading = asyncio.Lock()
        self._ready = asyncio.Event()
        #: Subscription and alert channels discord.py's cache lacks (a thread leaves it once
        #: archived), as Discord answered a lookup (``_look_up``): the channel, None where there is
        #: none, or HIDDEN where Discord will not show it to the bot.  Forgotten when the config
        #: changes or a channel or thread is deleted.
        self._uncached_channels: dict[int, Any] = {}
        #: Private threads the bot was removed from in this run (and not added back to since).
        self._removed_from: set[int] = set()
        #: Channel checks started by gateway events (discord.py runs each handler as its own task).
        self._event_checks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        config = self.config()
        assert config.discord.token is not None
        point_at(str(config.discord.api_url), str(config.discord.gateway_url) if config.discord.gateway_url else None)
        await self.client.login(config.discord.token.get_secret_value())
        if not config.discord.gateway_url:
            _, url, _ = await self.client.http.get_bot_gateway()
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        self._task = asyncio.create_task(self._connect(), name="discord-gateway")
        try:
            await asyncio.wait_for(self.client.wait_until_ready(), READY_TIMEOUT)
        except asyncio.TimeoutError:
            log.error("Discord did not say READY within %.0fs; still trying in the background", READY_TIMEOUT)

    async def _connect(self) -> None:
        try:
            await self.client.connect(reconnect=True)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - logged; the bot keeps polling and the outbox keeps rows
            log.exception("the Discord gateway connection ended")

    async def close(self) -> None:
        """Disconnect, and let a channel check in progress finish (bounded) before the app closes
        the store under it."""
        await self.client.close()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._event_checks:
            await asyncio.wait(set(self._event_checks), timeout=CLOSE_GRACE_SECONDS)

    async def check_on_event(self) -> None:
        """``check_channels`` for a gateway event, run so that ``close`` waits for it."""
        task = asyncio.current_task()
        assert task is not None
        self._event_checks.add(task)
        try:
            await self.check_channels()
        finally:
            self._event_checks.discard(task)

    async def left_thread(self, thread: discord.Thread) -> None:
        """The bot was removed from ``thread`` (a moderator's "Remove from thread").

        discord.py keeps the thread cached, with its channel's permissions, yet Discord now hides a
        private one from a bot without Manage Threads: every post and notice there would fail while
        the checks and ``/feeds alerts`` called it fine.  So it leaves the cache, as an archived
        thread does (discord.py's own ``Guild._remove_thread``: a thread it is added back to comes
        back as a thread join), and the channels are checked at once: a subscription posting there
        is told to its admins, with how to fix it."""
        try:
            moderator = bool(bot_permissions(thread) & MANAGE_THREADS)
        except discord.ClientException:  # its channel is not cached: Discord decides, as for any unseen thread
            moderator = False
        if thread.is_private() and not moderator:
            self._removed_from.add(thread.id)
            thread.guild._remove_thread(thread)
        await self.check_on_event()

    async def joined_thread(self, thread: discord.Thread) -> None:
        """A thread entered the cache (made, unarchived, or the bot added to it), or Discord told of
        an archived one: if it is one the bot was removed from, or a subscription's thread it had to
        look up (archived, maybe locked), what Discord said of it is stale and the channels are
        checked again at once, so a subscription paused there resumes once it is reopened."""
        if thread.id in self._removed_from or thread.id in self._uncached_channels:
            self._removed_from.discard(thread.id)
            self._uncached_channels.pop(thread.id, None)
            await self.check_on_event()

    async def thread_changed(self, before: discord.Thread, after: discord.Thread) -> None:
        """A cached thread was edited.  A subscription's thread that archived has just left the
        cache: it is kept here as Discord described it (see ``_uncached_channels``), as a lookup
        would have, so its stories stay readable and its checks need not ask.  Locking or unlocking
        one is checked at once."""
        if not any(sub.channel == after.id for sub in self.config().subscriptions):
            return
        if after.archived:
            self._uncached_channels[after.id] = after
        if before.locked != after.locked:
            await self.check_on_event()

    def channels_of_server(self, guild_id: int) -> set[int]:
        """The subscription and alert channels known to be server ``guild_id``'s, cached or not: a
        channel deleted since, or a thread that archived, is still that server's to manage."""
        return {channel for channel, guild in self._server_of_channel.items() if guild == guild_id}

    def looked_up_threads(self, guild_id: int) -> list[discord.Thread]:
        """The subscription threads of server ``guild_id`` that discord.py's cache lacks (archived),
        as Discord last described them."""
        return [channel for channel in self._uncached_channels.values()
                if isinstance(channel, discord.Thread) and channel.guild.id == guild_id]

    # -- commands ----------------------------------------------------------------------------------

    async def sync_commands(self) -> None:
        """Guild-scoped sync where configured (instant), global otherwise."""
        tree: app_commands.CommandTree = self.client.tree
        guilds = self.config().discord.command_guilds
        try:
            if guilds:
                for guild_id in guilds:
                    guild = discord.Object(id=guild_id)
                    tree.copy_global_to(guild=guild)
                    await tree.sync(guild=guild)
            else:
                await tree.sync()
        except discord.HTTPException as exc:
            log.error("could not sync slash commands: %s (HTTP %s, code %s)", exc.text, exc.status, exc.code)

    # -- channels and permissions ------------------------------------------------------------------

    def channel_problems(self) -> list[ChannelProblem]:
        """Every configured channel the bot cannot post in, and why; and, as advice, what it posts
        there without a recommended permission or without pinging a ``mention:`` role."""
        problems: list[ChannelProblem] = []
        for sub in self.config().subscriptions:
            channel = self.client.get_channel(sub.channel)
            if channel is None:
                if sub.channel in self._removed_from:
                    problems.append(ChannelProblem(
                        sub.key, sub.channel, "the bot was removed from this private thread, so it cannot post there; "
                        "mention the bot in the thread to add it back, or give its role Manage Threads in the thread's channel",
                    ))
                    continue
                if sub.channel not in self._uncached_channels:
                    continue  # not asked of Discord yet, or it did not answer: nothing to say until it does
                channel = self._uncached_channels[sub.channel]
            if channel is HIDDEN:
                problems.append(ChannelProblem(
                    sub.key, sub.channel, "Discord will not show this channel to the bot (a thread of a channel it "
                    "cannot view, or a private thread it is not in); give its role View Channel there — for a private "
                    "thread, mention the bot in it or give its role Manage Threads in the thread's channel",
                ))
                continue
            if channel is None or not hasattr(channel, "guild"):
                problems.append(
                    ChannelProblem(sub.key, sub.channel, "channel not found — it was deleted, or the bot is not in its server; fix the channel id in the config")
                )
                continue
            try:
                have = bot_permissions(channel)
            except discord.ClientException:  # a thread whose channel discord.py lacks: nothing to judge by
                continue
            forum = isinstance(channel, discord.ForumChannel)
            thread = isinstance(channel, discord.Thread)
            webhook = sub.webhook is not None
            if thread and sub.layout == "thread":
                problems.append(ChannelProblem(
                    sub.key, sub.channel, f"#{channel.name} is a thread, and the thread layout opens a thread for each "
                    "story, which Discord does not allow inside a thread; choose another layout, or the thread's channel",
                ))
                continue
            lacking = missing(have, required(sub.layout, webhook=webhook, forum=forum, thread=thread))
            if lacking:
                where = f"#{channel.name}'s channel, <#{channel.parent_id}>" if thread else f"#{channel.name}"
                problems.append(
                    ChannelProblem(sub.key, sub.channel, f"the bot lacks {', '.join(lacking)} in {where}; grant them to the bot's role there")
                )
            elif thread and channel.locked and not have & MANAGE_THREADS:
                problems.append(ChannelProblem(
                    sub.key, sub.channel, f"#{channel.name} is a thread a moderator locked, so the bot cannot post there; "
                    "unlock it, or grant the bot's role Manage Threads in its channel",
                ))
            advised = missing(have, recommended(webhook=webhook, forum=forum))
            if advised:
                problems.append(ChannelProblem(
                    sub.key, sub.channel,
                    f"the bot posts, but lacks {', '.join(advised)} in #{channel.name}: without it, a webhook post "
                    "retried after a lost answer may appear twice; grant it to the bot's role there",
                    blocking=False,
                ))
            unpinged = unpingable_roles(
                sub.mention, server_roles(channel.guild, sub.mention), have=have, webhook=webhook,
                server=channel.guild.name, channel=channel.name,
            )
            problems += [ChannelProblem(sub.key, sub.channel, text, blocking=False) for text in unpinged]
        return problems

    async def check_channels(self) -> list[ChannelProblem]:
        """Report new problems once; resume paused subscriptions whose channel is fine again."""
        await self._load_servers()  # a channel deleted while the bot was down: its server is stored
        self._remember_servers(self.config())  # before a channel deleted next leaves the cache
        await self._store_servers()
        subscriptions = self.config().subscriptions
        # An archived thread is asked of Discord, not called missing: a post there unarchives it.
        unanswered = await self._look_up({sub.channel: f"channel {sub.channel} of subscription {sub.key}"
                                          for sub in subscriptions})
        problems = self.channel_problems()
        # Where Discord did not answer, nothing is reported, nor resumed, until it does.
        broken = {p.subscription for p in problems if p.blocking} | {s.key for s in subscriptions if s.channel in unanswered}
        for problem in problems:
            text = str(problem)
            if text not in self._reported:
                self._reported.add(text)
                log.warning("%s", text)
                await self.notify_admins(f"⚠️ {text}", concerns=Concerns.subscription(problem.subscription))
        self._reported = {r for r in self._reported if any(str(p) == r for p in problems)}
        for sub in self.config().subscriptions:
            if sub.key in broken:
                continue
            state = await self.store.get_subscription(sub.key)
            if state.paused and state.pause_reason and not state.pause_reason.startswith("admin:"):
                await self.store.set_subscription_paused(sub.key, False, None)
                log.info("subscription %s resumed: its channel works again", sub.key)
                await self.notify_admins(
                    f"✅ Subscription **{sub.key}** resumed: I can post in <#{sub.channel}> again.",
                    concerns=Concerns.subscription(sub.key),
                )
                if self.app is not None and self.app.deliverer is not None:
                    self.app.deliverer.wake()
        return problems

    async def _look_up(self, channels: Mapping[int, str]) -> set[int]:
        """Ask Discord each of ``channels`` (id → what it is, for the log) that discord.py's cache
        lacks, once (see ``_uncached_channels``), and note the server of each it shows.  Returns
        the ids Discord did not answer about: logged, and asked again next time."""
        unanswered: set[int] = set()
        for channel_id, what in channels.items():
            if self.client.get_channel(channel_id) is not None:
                self._uncached_channels.pop(channel_id, None)  # the cache knows better from now on
                continue
            if channel_id in self._uncached_channels:
                continue
            try:
                channel = await self.client.fetch_channel(channel_id)
            except discord.NotFound:
                channel = None
            except discord.Forbidden:
                channel = HIDDEN
            except (discord.HTTPException, discord.InvalidData) as exc:
                log.warning("could not look up %s (%s); asking again next time", what, exc)
                unanswered.add(channel_id)
                continue
            self._uncached_channels[channel_id] = channel
            guild = getattr(channel, "guild", None)
            if guild is not None:
                self._server_of_channel[channel_id] = guild.id
        return unanswered

    async def _look_up_alert_channels(self, config: Config) -> None:
        """Look up the alert channels the cache lacks: one may be a thread, which leaves the cache
        when it archives (after its inactivity timeout; posting in it unarchives it)."""
        await self._look_up({channel_id: f"alert channel {channel_id}" for channel_id in config.alert_channels})

    def forget_looked_up(self) -> None:
        """Drop what Discord said of uncached channels: a deletion may have changed it."""
        self._uncached_channels.clear()

    async def config_changed(self, config: Config) -> None:
        self._uncached_channels.clear()  # a channel may have been set again, or anew
        if self.client.is_ready():
            await self.check_channels()

    async def notify_admins(self, text: str, *, concerns: Concerns = OPERATOR_ONLY) -> None:
        """Post a notice in the admin log channel and in the alert channel of each server it
        concerns (bot.config.alerts), once connected.  A channel that refuses it is logged and the
        others still get it: a notice never raises."""
        if not self.client.is_ready():
            return
        await self._load_servers()
        config = self.config()
        await self._look_up_alert_channels(config)
        for channel_id in notice_channels(config, concerns, self._guilds_of(config)):
            await self._post_notice(channel_id, text, operator=channel_id == config.discord.admin_log_channel)

    def _guilds_of(self, config: Config) -> dict[int, int]:
        """The server of each subscription and alert channel that discord.py's cache has, of each
        subscription channel it had, in this run or an earlier one (deleted since), and of each alert
        channel Discord was asked about (an archived thread).  An alert channel found nowhere is
        skipped, and logged once (again only after it was found meanwhile)."""
        self._remember_servers(config)
        guild_of = {sub.channel: self._server_of_channel[sub.channel]
                    for sub in config.subscriptions if sub.channel in self._server_of_channel}
        for channel_id in config.alert_channels:
            channel = self.client.get_channel(channel_id) or self._uncached_channels.get(channel_id)
            guild = getattr(channel, "guild", None)
            if guild is not None:
                guild_of[channel_id] = guild.id
        lost = {channel_id for channel_id in config.alert_channels if channel_id not in guild_of}
        for channel_id in sorted(lost - self._lost_alert_channels):
            log.warning(
                "alert channel %s not found — it was deleted, the bot cannot see it, or the bot is not in its server; its server's "
                "notices go to the admin log channel only. Set another with /feeds alerts", channel_id,
            )
        self._lost_alert_channels = lost
        return guild_of

    async def uncached_alert_channels(self, guild_id: int) -> set[int]:
        """The alert channels of server ``guild_id`` that discord.py's cache lacks, for ``/feeds
        alerts`` to show and replace: those a notice finds (archived threads), and those it cannot —
        deleted, or hidden from the bot (a private thread it was removed from) — but which the bot
        knew to be this server's.  Without the latter, such a channel vanished from the command
        while the managed file kept it, and no choice could replace it."""
        await self._load_servers()
        config = self.config()
        await self._look_up_alert_channels(config)
        return {channel for channel in config.alert_channels
                if channel in self._uncached_channels and self._server_of_channel.get(channel) == guild_id}

    async def remember_server(self, channel_id: int, guild_id: int) -> None:
        """Note and store that ``channel_id`` is server ``guild_id``'s: an alert channel just chosen
        there, which may be a thread out of the cache (see ``uncached_alert_channels``)."""
        await self._load_servers()
        self._server_of_channel[channel_id] = guild_id
        await self._store_servers()

    def _remember_servers(self, config: Config) -> None:
        """Note the server of each subscription and alert channel in discord.py's cache (see
        ``_server_of_channel``).

        Memory only, so that the sync ``_guilds_of`` can call it: the next ``check_channels`` stores it."""
        for channel_id in (*(sub.channel for sub in config.subscriptions), *config.alert_channels):
            guild = getattr(self.client.get_channel(channel_id), "guild", None)
            if guild is not None:
                self._server_of_channel[channel_id] = guild.id

    async def _load_servers(self) -> None:
        """Read the servers earlier runs stored, once; what discord.py's cache says wins over them.

        Failing to read is logged and tried again at the next check or notice: meanwhile a channel
        deleted while the bot was down is told to the admin log channel only."""
        if self._servers_loaded:
            return
        async with self._servers_loading:
            if self._servers_loaded:
                return
            try:
                stored = await self.store.channel_servers()
            except StoreError as exc:
                log.warning(
                    "could not read the stored servers of subscription channels (%s); until it can, a channel "
                    "deleted while the bot was down is told to the admin log channel only. Check the database", exc,
                )
                return
            for channel_id, guild_id in stored.items():
                self._server_of_channel.setdefault(channel_id, guild_id)
            self._stored_servers.update(stored)
            self._servers_loaded = True

    async def _store_servers(self) -> None:
        """Write the pairs of ``_server_of_channel`` the database lacks or has otherwise (usually none).

        A failure is logged, never raised: the pairs stay in memory and the next check tries again."""
        changed = {channel_id: guild_id for channel_id, guild_id in self._server_of_channel.items()
                   if self._stored_servers.get(channel_id) != guild_id}
        if not changed:
            return
        try:
            await self.store.remember_channel_servers(changed, self._now())
        except StoreError as exc:
            log.warning(
                "could not store the servers of %d subscription channel(s) (%s); if one is deleted while the bot "
                "is down, the notice reaches the admin log channel only. Check the database", len(changed), exc,
            )
            return
        self._stored_servers.update(changed)

    def _now(self) -> datetime:
        return self.app.clock() if self.app is not None else datetime.now(UTC)

    async def _post_notice(self, channel_id: int, text: str, *, operator: bool) -> None:
        """One notice in one channel: pings no one, fits one message, logs an HTTP error instead of raising."""
        channel = self.client.get_channel(channel_id)
        try:
            if channel is None:
                channel = await self.client.fetch_channel(channel_id)
            await channel.send(  # type: ignore[union-attr]
                truncate(neutralize_mentions(text, channel_links=True), 2000), allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as exc:
            where = "the admin log channel" if operator else "the alert channel"
            log.warning("could not post to %s %s: %s", where, channel_id, exc)

    # -- webhooks ----------------------------------------------------------------------------------

    async def webhook_for(self, channel_id: int, subscription: Any) -> discord.Webhook:
        """The bot's own webhook in a channel: found again if it exists, else created (the sink
        keeps it while it works).  A thread has none of its own: its channel's is returned, and
        the sink posts into the thread through it (the webhook's channel is not the thread)."""
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        if isinstance(channel, discord.Thread):
            channel = channel.parent or await self.client.fetch_channel(channel.parent_id)
        hooks = await channel.webhooks()  # type: ignore[union-attr]
        mine = next((h for h in hooks if h.name == WEBHOOK_NAME and h.user and self.client.user and h.user.id == self.client.user.id), None)
        if mine is None:
            mine = await channel.create_webhook(name=WEBHOOK_NAME, reason="newsbot posts feeds under their own names")  # type: ignore[union-attr]
        return mine
