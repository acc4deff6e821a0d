"""What the admin commands do, apart from Discord: feeds added from Discord go to the managed file.

One source of truth: the admins' newsbot.yaml is never rewritten by the bot.  /feeds add, edit,
import, remove, pause and resume write the managed file (newsbot.managed.yaml beside it), which the
config loader merges in; a name defined in both files is a config error, so neither silently
overrides the other.  The live config is reloaded at once, exactly as an edit of the file would be.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.articles.build import build_article
from bot.config import (
    Config,
    Feed,
    changes_from_text,
    managed_add_feed,
    managed_edit_subscription,
    managed_remove_feed,
    managed_set_paused,
)
from bot.config.alerts import server_alert_channels
from bot.config.describe import describe_subscription
from bot.config.feedcap import FeedCap
from bot.config.feedlist import OpmlImport, cut_lines, export_opml, import_opml, upload_problem
from bot.config.fieldtypes import slugify
from bot.config.managed import managed_set_alert_channel
from bot.config.opml import name_for, parse_opml, unique_name
from bot.config.scope import GuildScope
from bot.discord.commands import FEEDS_PAGE, FileMessage, UserError, page_buttons
from bot.discord.permissions import (
    MANAGE_THREADS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    bot_permissions,
    missing,
)
from bot.errors import AddressRefusedError, ConfigError, SourceError
from bot.feeds.remote import FoundFeed, discover_feed
from bot.render import (
    CONTENT_LIMIT,
    MessagePayload,
    clamp_page,
    escape_markdown,
    feed_list_pages,
    neutralize_mentions,
    render_article_card,
    safe_text,
    truncate,
)

if TYPE_CHECKING:
    from bot.discord.client import DiscordConnection

Reply = tuple[list[MessagePayload], "discord.ui.View | None"]

#: The name of the file /feeds export replies with.
EXPORT_FILENAME = "newsbot-feeds.opml"

log = logging.getLogger("newsbot.commands")


def _note(text: str) -> MessagePayload:
    return {"content": truncate(text, CONTENT_LIMIT), "allowed_mentions": {"parse": []}}


def _in_code(text: str) -> str:
    """``text`` safe inside a code block: it cannot ping, and no ``` in it can close the block early."""
    return neutralize_mentions(text).replace("`", "`\u200b")


def _with_block(head: str, lines: list[str]) -> str:
    """``head``, then ``lines`` (already made safe by :func:`_in_code`) in a code block."""
    return f"{head}\n```\n" + "\n".join(lines) + "\n```"


def _require_owned(scope: GuildScope, name: str) -> None:
    """Refuse to change a feed the invoking server does not own (see GuildScope.change_refusal)."""
    refusal = scope.change_refusal(name)
    if refusal is not None:
        raise UserError(refusal)


def _require_room(cap: FeedCap) -> None:
    """Refuse a /feeds add when the server has no room left under ``discord.max_feeds_per_server``."""
    if cap.left == 0:
        refusal = cap.refusal()
        raise UserError(f"{refusal[:1].upper()}{refusal[1:]}.")


def _found_on_page(found: FoundFeed) -> str:
    """The sentence telling the admin that their URL was a page and which feed it led to, or ""."""
    if found.via is None:
        return ""
    title = f" (“{safe_text(found.via.title)}”)" if found.via.title else ""
    return f"I found the feed {safe_text(found.url)}{title} on that page. "


class FeedAdmin:
    """The admin commands' logic, given the running app (config path, fetcher, scheduler)."""

    def __init__(self, connection: DiscordConnection) -> None:
        self.connection = connection
        self.app = connection.app
        self.store = connection.store

    def _running_app(self) -> Any:
        """The running App; ConfigError when there is none (a managed write needs its config and locks)."""
        if self.app is None:
            raise ConfigError("feeds can only be managed from Discord while `newsbot run` is running")
        return self.app

    def _config_path(self) -> Any:
        return self._running_app().config_path

    def _env(self) -> Mapping[str, str] | None:
        """The environment the running config was loaded with (its ${VAR}s), for validating a managed write."""
        return self.app.env if self.app is not None else None

    def _writing(self) -> asyncio.Lock:
        """The app's config-write lock (App.config_writes): one Discord change at a time."""
        lock: asyncio.Lock = self._running_app().config_writes
        return lock

    async def _reload(self) -> None:
        if self.app is not None and self.app.watcher is not None:
            await self.app.watcher.check_now()

    async def _fetch_feed(self, url: str) -> FoundFeed:
        """The feed at ``url``, or the one the page at ``url`` advertises (a site's homepage)."""
        if not url.startswith(("http://", "https://")):
            raise SourceError(url, "that is not a web address — give the feed's full URL, starting with https://")
        if self.app is None or self.app.poller is None:
            raise ConfigError("the bot is still starting; try again in a moment")
        try:
            return await discover_feed(self.app.poller.fetcher, url)
        except AddressRefusedError:
            raise  # its sentence says why and who can allow it; "open it in a browser" would mislead
        except SourceError as exc:
            raise SourceError(url, f"I could not read it as a feed ({exc.reason}). Check that the URL opens in a browser and is RSS, Atom or JSON Feed") from exc

    async def list_payloads(self, scope: GuildScope, page: int = 1) -> Reply:
        """Page ``page`` of the feeds the invoking server sees, with their health, then of its
        subscriptions, with ◀ ▶ buttons when there is more than one page.

        Read afresh for every page: a button made when the list was longer than it is now shows
        the last page.
        """
        config = self.connection.config()
        blocks = [await self._feed_block(config, feed) for feed in scope.seen_feeds(config)]
        subs = [f"`{escape_markdown(s.key)}` → <#{s.channel}> ({s.mode}, {s.layout})" for s in scope.subscriptions]
        pages = feed_list_pages(blocks, subs, empty="No feeds yet — add one with /feeds add.")
        number = clamp_page(page, len(pages))
        return [{"embeds": [pages[number - 1]], "allowed_mentions": {"parse": []}}], page_buttons(FEEDS_PAGE, number, len(pages))

    async def _feed_block(self, config: Config, feed: Feed) -> str:
        """One feed as /feeds list shows it: name, origin, URL or folder, then its health."""
        state = await self.store.get_feed(feed.name)
        health = "never polled"
        if state is not None:
            if state.disabled:
                health = f"disabled: {state.disabled_reason or 'paused'}"
            elif state.failures:
                health = f"failing ({state.failures}×): {state.last_error}"
            elif state.last_success_at:
                health = f"ok, polled {discord.utils.format_dt(state.last_success_at, 'R')}"
        origin = config.feed_origin(feed.name)
        where = feed.url or feed.folder
        return f"**{escape_markdown(feed.name)}** ({origin}) — {escape_markdown(str(where))}\n{escape_markdown(health)}"

    async def add(self, url: str, name: str | None, channel_id: int | None, scope: GuildScope) -> Reply:
        """Follow the feed at ``url`` (or the one the page there advertises) in ``channel_id``.

        Within the invoking server's ``scope``: a ``name`` that only a feed it does not see has is
        not refused (that would tell it the feed exists) but replaced by a free variant, and the
        reply says so; a feed it sees that already posts this URL to this channel is refused, as a
        second one would only poll the same URL again (in another channel it is allowed).  A server
        that has as many feeds as ``discord.max_feeds_per_server`` allows is refused before the URL
        is fetched (in the bot's only server too: the cap is the operator's).
        """
        path = self._config_path()
        if channel_id is None:
            raise ConfigError("run /feeds add in the channel the stories should go to, or give the channel option")
        _require_room(scope.feed_cap(self.connection.config()))  # before fetching: a refusal costs no request
        found = await self._fetch_feed(url)
        async with self._writing():
            return await self._add_found(path, found, name, channel_id, scope)

    async def _add_found(self, path: Any, found: FoundFeed, name: str | None, channel_id: int, scope: GuildScope) -> Reply:
        """The rest of :meth:`add`, once the feed is fetched; run holding the config-write lock, on
        the config as it is now (another add may have finished while this one fetched)."""
        feed = found.feed
        config = self.connection.config()
        scope = scope.under(config)
        _require_room(scope.feed_cap(config))
        here = next((f for f in scope.seen_feeds(config) if f.url == found.url
                     and any(sub.channel == channel_id for sub in config.subscriptions_for(f.name))), None)
        if here is not None:
            return [_note(f"{_found_on_page(found)}{safe_text(found.url)} is already followed as **{escape_markdown(here.name)}** "
                          f"in <#{channel_id}> — use `/feeds edit name:{here.name}` to change how it posts there; "
                          "nothing was added.")], None
        taken = {f.name for f in config.feeds}
        renamed = ""
        if name:
            wanted = slugify(name)
            if wanted in taken and scope.sees(wanted):
                raise ConfigError(f"a feed called “{wanted}” already exists — choose another name with the name option")
            feed_name = unique_name(wanted, taken)  # taken by a feed the server does not see: not said whose
            if feed_name != wanted:
                renamed = f"“{escape_markdown(wanted)}” was taken, so it is called “{escape_markdown(feed_name)}”. "
        else:  # a name of its own, as an import makes: "-2" if the feed's title is taken
            feed_name = unique_name(name_for(feed.title, found.url), taken)
        await asyncio.to_thread(
            managed_add_feed, path, {"name": feed_name, "url": found.url}, {"feeds": [feed_name], "channel": channel_id},
            env=self._env(),
        )
        await self._reload()
        payloads = [_note(f"{_found_on_page(found)}Added **{escape_markdown(feed_name)}** → <#{channel_id}>. {renamed}"
                          f"New stories will be posted there; {len(feed.entries)} existing ones were left out.")]
        if feed.entries:
            payloads.append(render_article_card(build_article(feed.entries[0], source=feed.title or None)))
        return payloads, None

    async def preview(self, url: str) -> Reply:
        found = await self._fetch_feed(url)
        feed, found_note = found.feed, _found_on_page(found)
        if not feed.entries:
            return [_note(f"{found_note}“{escape_markdown(feed.title or found.url)}” is a valid feed, but it has no stories yet.")], None
        article = build_article(feed.entries[0], source=feed.title or None)
        note = _note(f"{found_note}The newest story of **{escape_markdown(feed.title or found.url)}** would look like this:")
        return [note, render_article_card(article)], None

    async def edit(self, name: str, channel_id: int | None, options: Mapping[str, Any], scope: GuildScope) -> Reply:
        """Change keys of a Discord-added feed's subscription; ``options`` are config keys, text as typed.
        Only a feed the invoking server owns (``scope``).

        The reply lists each changed key, then the subscription as ``newsbot check-config`` prints it,
        in a code block: the admin sees the text as written, and nothing in it renders or pings.
        """
        _require_owned(scope, name)
        path = self._config_path()
        edited = await asyncio.to_thread(
            managed_edit_subscription, path, name, channel_id, changes_from_text(options), env=self._env()
        )
        await self._reload()
        changes = edited.change_lines()
        head = "Edited" if changes else "Nothing to change for"
        text = "\n".join([*changes, *([""] if changes else []), describe_subscription(edited.after)])
        return [_note(_with_block(f"{head} **{escape_markdown(name)}** → <#{edited.after.channel}>:", [_in_code(text)]))], None

    async def import_feeds(
        self, attachment: discord.Attachment, channel_id: int | None, dry_run: bool, scope: GuildScope
    ) -> Reply:
        """Add an uploaded OPML list's feeds, posted to ``channel_id``, as ``newsbot feeds import`` does.

        The upload is checked from what Discord says of it (size, name, type) before it is downloaded,
        then parsed as hostile input (:func:`parse_opml`).  Names and URLs are checked against the
        feeds the invoking server sees (``scope``) only: see :meth:`_import`.  Feeds are added in
        file order while ``discord.max_feeds_per_server`` leaves the server room, the rest reported
        skipped.  The reply shows the lines the command line prints, cut to one message; the summary
        line is always kept.
        """
        path = self._config_path()
        if channel_id is None:
            raise ConfigError("run /feeds import in the channel the stories should go to, or give the channel option")
        problem = upload_problem(attachment.filename, attachment.content_type, attachment.size)
        if problem is not None:
            raise ConfigError(f"{problem}; nothing was imported")
        try:
            data = await attachment.read()
        except discord.HTTPException as exc:
            raise ConfigError(f"I could not download {attachment.filename} from Discord ({exc.status}); try again") from exc
        async with self._writing():
            config = self.connection.config()
            scope = scope.under(config)
            report = await asyncio.to_thread(
                self._import, path, data, attachment.filename, channel_id, dry_run, scope, scope.feed_cap(config)
            )
            if report.added and not dry_run:
                await self._reload()
        head = f"{'Dry run of' if dry_run else 'Imported'} **{safe_text(attachment.filename)}** → <#{channel_id}>:"
        summary = _in_code(report.summary)
        room = CONTENT_LIMIT - len(_with_block(head, [summary])) - 1  # -1: the newline before the summary
        lines = cut_lines([_in_code(line) for line in report.lines], room) if report.lines else []
        return [_note(_with_block(head, [*lines, summary]))], None

    def _import(
        self, path: Any, data: bytes, source: str, channel_id: int, dry_run: bool, scope: GuildScope, cap: FeedCap
    ) -> OpmlImport:
        """Parse and import in one go (run in a thread: parsing and the managed write both block).

        In one of several servers only the feeds it sees count as already there: a URL that only
        another server's feed follows becomes a feed of this server, and a name such a feed has a
        free variant, so no line of the report names a feed the server may not know of.  ``cap``
        (the server's standing under ``discord.max_feeds_per_server``) applies in the bot's only
        server too; only the operator's ``newsbot feeds import`` is never capped.
        """
        visible = None if scope.only_server else scope.sees
        return import_opml(
            path, parse_opml(data, source), source,
            channel=channel_id, dry_run=dry_run, env=self._env(), visible=visible, cap=cap,
        )

    async def export_feeds(self, scope: GuildScope) -> Reply:
        """Every URL feed the invoking server sees, of both files, as an OPML file attached to a
        one-line note (another server's feed URLs may carry secrets in their query strings)."""
        config = self.connection.config()
        exported = export_opml(config.model_copy(update={"feeds": scope.seen_feeds(config)}), now=datetime.now(UTC))
        text = f"{len(exported.feeds)} feed(s) in {EXPORT_FILENAME}."
        if exported.folder_feeds:
            names = ", ".join(f"**{escape_markdown(feed.name)}**" for feed in exported.folder_feeds)
            text += f" Left out (folder feeds; OPML lists URLs only): {names}."
        message: FileMessage = {**_note(text), "file": (EXPORT_FILENAME, exported.data)}
        return [message], None

    async def remove(self, name: str, scope: GuildScope) -> Reply:
        _require_owned(scope, name)
        managed_remove_feed(self._config_path(), name)
        await self._reload()
        return [_note(f"Removed **{escape_markdown(name)}**; nothing more will be posted from it.")], None

    async def set_paused(self, name: str, paused: bool, scope: GuildScope) -> Reply:
        _require_owned(scope, name)
        config = self.connection.config()
        if config.feed(name) is None:
            raise ConfigError(f"there is no feed called “{name}” — see /feeds list")
        managed_set_paused(self._config_path(), name, paused)
        await self._reload()
        if not paused:
            for sub in config.subscriptions_for(name):
                await self.store.set_subscription_paused(sub.key, False, None)
            await self.connection.check_channels()
            if self.app is not None and self.app.deliverer is not None:
                self.app.deliverer.wake()
        return [_note(f"**{escape_markdown(name)}** is {'paused' if paused else 'running again'}.")], None

    async def digest_now(self, key: str | None, channel_id: int | None, scope: GuildScope) -> Reply:
        """Fire the digests of this channel, or the one called ``key`` among the invoking server's."""
        if self.app is None:
            raise ConfigError("digests can only be sent while `newsbot run` is running")
        subs = [s for s in scope.subscriptions if s.mode == "digest" and (s.key == key if key else s.channel == channel_id)]
        if not subs:
            raise ConfigError("no digest subscription " + (f"called “{key}”" if key else "posts in this channel"))
        sent = [s.key for s in subs if await self.app.fire_digest(s.key) is not None]
        if not sent:
            return [_note("Nothing new since the last digest, so nothing was sent.")], None
        return [_note(f"Digest sent for {', '.join(f'**{escape_markdown(k)}**' for k in sent)}.")], None

    async def alerts(
        self, channel_id: int | None, off: bool, server_channels: frozenset[int], *,
        private_in: int | None = None, guild_id: int | None = None,
    ) -> Reply:
        """``/feeds alerts``: make ``channel_id`` the invoking server's alert channel, turn it off
        (``off``), or with neither show it; the server is known by its channel ids, and by
        ``guild_id``, under which a channel chosen is remembered (and stored), so that it is still
        shown, and replaced, should the bot lose sight of it.

        Notices about the server's own feeds and subscriptions go there (bot.config.alerts); the
        operator's admin log channel still gets every notice.  A channel written in the admins' file
        (``discord.alert_channels``) is the operator's to change, and the reply says so.

        A channel the bot cannot see at all is refused, nothing changed: every notice would fail
        there, and the bot could not even tell later which server it belongs to.  That is a private
        thread it was never added to (``private_in``: its channel, when Discord said so) or a thread
        of a channel it may not view.  One it sees but may not post in is taken, with a warning.
        """
        looked_up: dict[int, tuple[Any, str | None]] = {}  # the chosen channel, asked once
        if channel_id is not None:
            try:
                looked_up[channel_id] = await self._look_up(channel_id)
            except discord.Forbidden:
                # A reply, not a UserError: that path breaks <#…> mentions, which ping no one anyway.
                return [_note(_cannot_see(channel_id, private_in) + " Then choose it again: nothing was changed.")], None
        if channel_id is not None or off:
            await asyncio.to_thread(
                managed_set_alert_channel, self._config_path(), server_channels, None if off else channel_id, env=self._env()
            )
            if channel_id is not None and guild_id is not None:
                await self.connection.remember_server(channel_id, guild_id)
            await self._reload()
        config = self.connection.config()
        current = server_alert_channels(config, server_channels)
        by_hand = [channel for channel in current if channel in config.discord.alert_channels and channel != channel_id]
        in_file = f"written in {escape_markdown(config.path.name)} (`discord.alert_channels`): only the bot's operator can change that"
        if off and by_hand:
            lines = [f"This server's alert channel is off. Its alerts still go to {self._channel_list(by_hand)}, {in_file}."]
        elif off:
            lines = ["This server's alert channel is off: notices about its feeds and subscriptions go to the bot's operator only."]
        elif channel_id is not None:
            lines = [f"Alerts about this server's feeds and subscriptions now go to <#{channel_id}>."]
            if by_hand:
                lines.append(f"They also go to {self._channel_list(by_hand)}, {in_file}.")
        elif current:
            lines = [f"Alerts about this server's feeds and subscriptions go to {self._channel_list(current)}."]
            if by_hand:
                lines.append(f"{self._channel_list(by_hand)} {'is' if len(by_hand) == 1 else 'are'} {in_file}.")
        else:
            lines = [
                "This server has no alert channel: notices about its feeds and subscriptions go to the bot's operator "
                "only. Choose one with `/feeds alerts channel:`."
            ]
        lines += [problem for problem in [await self._cannot_alert_in(c, looked_up.get(c)) for c in current]
                  if problem is not None]
        return [_note("\n".join(lines))], None

    async def _look_up(self, channel_id: int) -> tuple[Any, str | None]:
        """(the channel, None) from discord.py's cache or else from Discord, or (None, a sentence
        for the admin on why not).  discord.Forbidden propagates: Discord will not show the channel
        to the bot, and what that means depends on the caller."""
        client = self.connection.client
        channel = client.get_channel(channel_id)
        if channel is not None:
            return channel, None
        try:
            channel = await client.fetch_channel(channel_id)
        except discord.Forbidden:
            raise
        except discord.NotFound:
            channel = None
        except (discord.HTTPException, discord.InvalidData) as exc:
            log.warning("/feeds alerts could not check channel %s: %s", channel_id, exc)
            return None, f"⚠️ I could not check <#{channel_id}> just now (Discord did not answer); alerts are still tried there."
        if getattr(channel, "guild", None) is None:
            return None, f"⚠️ I cannot find <#{channel_id}>, so no alert reaches it — choose another channel."
        return channel, None

    async def _cannot_alert_in(self, channel_id: int, looked_up: tuple[Any, str | None] | None = None) -> str | None:
        """Why no notice can be posted in ``channel_id``, or None.

        discord.py's cache first; a channel it lacks (a thread leaves it once archived) is asked of
        Discord, unless ``looked_up`` is what ``_look_up`` already answered.  In a thread the bot needs Send Messages in Threads, and a thread a moderator
        locked takes no post from a bot without Manage Threads (an archived one that is not locked
        is unarchived by the post)."""
        try:
            channel, problem = looked_up or await self._look_up(channel_id)
        except discord.Forbidden:
            return "⚠️ " + _cannot_see(channel_id, None)
        if problem is not None:
            return problem
        thread = isinstance(channel, discord.Thread)
        try:
            have = bot_permissions(channel)
        except discord.ClientException:  # a thread whose channel discord.py does not know
            return f"⚠️ I cannot find <#{channel_id}>'s channel, so no alert reaches it — choose another channel."
        lacking = missing(have, VIEW_CHANNEL | (SEND_MESSAGES_IN_THREADS if thread else SEND_MESSAGES))
        if lacking:
            where = f"<#{channel.parent_id}>, the thread's channel" if thread else "that channel"  # type: ignore[union-attr]
            return (
                f"⚠️ I cannot post in <#{channel_id}>: I lack {' and '.join(lacking)} there. "
                f"Grant {'it' if len(lacking) == 1 else 'them'} to my role in {where}, or no alert will arrive."
            )
        if thread and channel.locked and not have & MANAGE_THREADS:  # type: ignore[union-attr]
            return (
                f"⚠️ I cannot post in <#{channel_id}>: the thread is locked. Unlock it, or choose another "
                "channel, or no alert will arrive."
            )
        return None

    @staticmethod
    def _channel_list(channels: list[int] | tuple[int, ...]) -> str:
        return ", ".join(f"<#{channel}>" for channel in channels)


def _cannot_see(channel_id: int, private_in: int | None) -> str:
    """What to do about an alert channel Discord will not show the bot."""
    if private_in is not None:
        how = (f"It is a private thread I have not been added to: mention me in it to add me, or give my role "
               f"Manage Threads in <#{private_in}>")
    else:
        how = ("Give my role View Channel in its channel (for a private thread: mention me in it to add me, or "
               "give my role Manage Threads in its channel)")
    return f"I cannot see <#{channel_id}>, so no alert would reach it. {how}."
