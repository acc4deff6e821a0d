"""What the admin commands do, apart from Discord: feeds added from Discord go to the managed file.

One source of truth: the admins' newsbot.yaml is never rewritten by the bot.  /feeds add, edit,
remove, pause and resume write the managed file (newsbot.managed.yaml beside it), which the config loader
merges in; a name defined in both files is a config error, so neither silently overrides the other.
The live config is reloaded at once, exactly as an edit of the file would be.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import discord

from bot.articles.build import build_article
from bot.config import (
    changes_from_text,
    managed_add_feed,
    managed_edit_subscription,
    managed_remove_feed,
    managed_set_paused,
)
from bot.config.describe import describe_subscription
from bot.config.fieldtypes import slugify
from bot.errors import ConfigError, SourceError
from bot.feeds.remote import FoundFeed, discover_feed
from bot.render import MessagePayload, escape_markdown, neutralize_mentions, render_article_card, safe_text, truncate

if TYPE_CHECKING:
    from bot.discord.client import DiscordConnection

Reply = tuple[list[MessagePayload], "discord.ui.View | None"]


def _note(text: str) -> MessagePayload:
    return {"content": truncate(text, 2000), "allowed_mentions": {"parse": []}}


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

    def _config_path(self) -> Any:
        if self.app is None:
            raise ConfigError("feeds can only be managed from Discord while `newsbot run` is running")
        return self.app.config_path

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
        except SourceError as exc:
            raise SourceError(url, f"I could not read it as a feed ({exc.reason}). Check that the URL opens in a browser and is RSS, Atom or JSON Feed") from exc

    async def list_payloads(self) -> Reply:
        config = self.connection.config()
        lines = []
        for feed in config.feeds:
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
            lines.append(f"**{escape_markdown(feed.name)}** ({origin}) — {escape_markdown(str(where))}\n{escape_markdown(health)}")
        subs = [f"`{escape_markdown(s.key)}` → <#{s.channel}> ({s.mode}, {s.layout})" for s in config.subscriptions]
        text = "\n\n".join(lines) or "No feeds yet — add one with /feeds add."
        embed = {"title": "Feeds", "description": truncate(text, 4000)}
        if subs:
            embed["fields"] = [{"name": "Subscriptions", "value": truncate("\n".join(subs), 1024)}]
        return [{"embeds": [embed], "allowed_mentions": {"parse": []}}], None

    async def add(self, url: str, name: str | None, channel_id: int | None) -> Reply:
        path = self._config_path()
        found = await self._fetch_feed(url)
        feed = found.feed
        feed_name = slugify(name or feed.title or urlsplit(found.url).hostname or "feed")
        if self.connection.config().feed(feed_name) is not None:
            raise ConfigError(f"a feed called “{feed_name}” already exists — choose another name with the name option")
        if channel_id is None:
            raise ConfigError("run /feeds add in the channel the stories should go to, or give the channel option")
        managed_add_feed(path, {"name": feed_name, "url": found.url}, {"feeds": [feed_name], "channel": channel_id})
        await self._reload()
        payloads = [_note(f"{_found_on_page(found)}Added **{escape_markdown(feed_name)}** → <#{channel_id}>. "
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

    async def edit(self, name: str, channel_id: int | None, options: Mapping[str, Any]) -> Reply:
        """Change keys of a Discord-added feed's subscription; ``options`` are config keys, text as typed.

        The reply lists each changed key, then the subscription as ``newsbot check-config`` prints it,
        in a code block: the admin sees the text as written, and nothing in it renders or pings.
        """
        path = self._config_path()
        env = self.app.env if self.app is not None else None
        edited = await asyncio.to_thread(
            managed_edit_subscription, path, name, channel_id, changes_from_text(options), env=env
        )
        await self._reload()
        changes = edited.change_lines()
        head = "Edited" if changes else "Nothing to change for"
        text = "\n".join([*changes, *([""] if changes else []), describe_subscription(edited.after)])
        block = neutralize_mentions(text).replace("`", "`\u200b")  # no ``` can close the block early
        return [_note(f"{head} **{escape_markdown(name)}** → <#{edited.after.channel}>:\n```\n{block}\n```")], None

    async def remove(self, name: str) -> Reply:
        managed_remove_feed(self._config_path(), name)
        await self._reload()
        return [_note(f"Removed **{escape_markdown(name)}**; nothing more will be posted from it.")], None

    async def set_paused(self, name: str, paused: bool) -> Reply:
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

    async def digest_now(self, key: str | None, channel_id: int | None) -> Reply:
        if self.app is None:
            raise ConfigError("digests can only be sent while `newsbot run` is running")
        config = self.connection.config()
        subs = [s for s in config.subscriptions if s.mode == "digest" and (s.key == key if key else s.channel == channel_id)]
        if not subs:
            raise ConfigError("no digest subscription " + (f"called “{key}”" if key else "posts in this channel"))
        sent = [s.key for s in subs if await self.app.fire_digest(s.key) is not None]
        if not sent:
            return [_note("Nothing new since the last digest, so nothing was sent.")], None
        return [_note(f"Digest sent for {', '.join(f'**{escape_markdown(k)}**' for k in sent)}.")], None
