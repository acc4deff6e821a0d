"""Slash commands: members pull any story or any section; admins manage feeds.

The cog is thin: it reads the store, asks the pure renderer for payloads and answers.  Component
clicks (the section menu, the full-text button, the /feeds list page buttons) are handled by custom
id, so they keep working after a restart.  Every reply comes within Discord's 3 seconds: work that
may take longer is started, and if it has not finished after ``DEFER_AFTER`` the interaction is
deferred first.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.config.scope import GuildScope, feeds_posting_to, guild_scope
from bot.discord.visibility import ThreadMembers, readable_channel_ids
from bot.errors import ConfigError, NewsbotError
from bot.model import UNTITLED, Section
from bot.render import (
    CommandHelp,
    MessagePayload,
    OptionHelp,
    escape_markdown,
    neutralize_mentions,
    render_article_card,
    render_digest,
    render_help,
    render_section,
    render_section_text,
    section_menu_rows,
    truncate,
)
from bot.render.menu import CUSTOM_PREFIX, LEAD_LABEL, SECTION_MENU_KIND, option_description, option_label, says_nothing

if TYPE_CHECKING:
    from bot.discord.client import DiscordConnection
    from bot.store.records import StoredArticle

log = logging.getLogger("newsbot.commands")

#: Past this, a command defers before answering (Discord allows 3 s for the first response).
DEFER_AFTER = 2.0
MAX_CHOICES = 25
CHOICE_NAME_LIMIT = 100
MANAGE_GUILD = discord.Permissions(manage_guild=True)
#: The kind part of the /feeds list page buttons' custom ids: ``newsbot:feeds:<page>``.
FEEDS_PAGE = "feeds"
#: What a click on a button or menu whose custom id this version does not know answers.
OLDER_VERSION = "That button is from an older version of the bot; run the command again."
#: discord.py's description of an option that was given none.
NO_DESCRIPTION = "…"
#: /help in a DM: the story commands read the stories of the channels a member can view in a server,
#: and a DM is in none, so Discord offers them only in servers (``guild_only``).
DM_HELP_NOTE = "In a direct message I only answer /help: run these commands in a channel of a server I post to."


class UserError(NewsbotError):
    """Something the member can fix; its text is shown to them (ephemeral), in one sentence."""


class FileMessage(MessagePayload, total=False):
    """A reply that carries a file (``/feeds export``): ``file`` is its (name, bytes), uploaded with it."""

    file: tuple[str, bytes]


def payload_kwargs(payload: MessagePayload | FileMessage) -> dict[str, Any]:
    """A rendered payload → keyword arguments of discord.py's send methods."""
    kwargs: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
    if payload.get("content"):
        kwargs["content"] = payload["content"]
    if payload.get("embeds"):
        kwargs["embeds"] = [discord.Embed.from_dict(dict(e)) for e in payload["embeds"]]
    attached = payload.get("file")
    if attached:
        filename, data = attached
        kwargs["file"] = discord.File(io.BytesIO(data), filename=filename)
    return kwargs


#: The channels a subscription can post to, as a slash-command option (forum channels included).
PostChannel = discord.TextChannel | discord.ForumChannel


class AlertChannelOption(app_commands.Transformer):
    """A text or announcement channel or a thread, as Discord resolved it for the command.

    Not discord.py's ``TextChannel | Thread``, which looks the choice up in its cache: a thread
    leaves the cache when it archives, yet is a fine alert channel (a post unarchives it).  Only
    the id and server are used."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news, discord.ChannelType.public_thread,
                discord.ChannelType.private_thread, discord.ChannelType.news_thread]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        return value  # an app_commands.AppCommandChannel or AppCommandThread


def server_channel_ids(guild: discord.Guild | None) -> set[int]:
    """Ids of a server's channels (forums and categories included) and of the threads the bot has
    cached: where its subscriptions may post.  None (a DM) has none."""
    if guild is None:
        return set()
    return {channel.id for channel in guild.channels} | {thread.id for thread in guild.threads}


def choice_name(text: str) -> str:
    return truncate(" ".join(text.split()), CHOICE_NAME_LIMIT) or UNTITLED


def section_choice_name(index: int, section: Section) -> str:
    """"3. Heading" for /section's autocomplete; a title that says nothing ("In brief", "Part 3") is
    followed by the opening of the section's summary, as the menu shows it under the label."""
    name = option_label(index, section)
    if says_nothing(section.title) and (opening := option_description(section)):
        name += f" — {opening}"
    return choice_name(name)


def section_menu(stored: StoredArticle) -> discord.ui.View:
    """A select menu that opens any section (a second menu for sections past the 25th): the same
    rows the bot's posts carry (``bot.render.menu``), as discord.py items."""
    view = discord.ui.View(timeout=None)
    for row in section_menu_rows(stored.id, stored.article.sections):
        for select in row["components"]:
            options = [discord.SelectOption(label=o["label"], value=o["value"], description=o.get("description"))
                       for o in select["options"]]
            view.add_item(discord.ui.Select(custom_id=select["custom_id"], placeholder=select["placeholder"], options=options))
    return view


def full_text_button(article_id: int, index: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(label="Show full text", style=discord.ButtonStyle.secondary, custom_id=f"{CUSTOM_PREFIX}text:{article_id}:{index}")
    )
    return view


def page_buttons(kind: str, page: int, count: int) -> discord.ui.View | None:
    """◀ and ▶ under page ``page`` of ``count`` (disabled at the ends); None when one page is all.

    Each button's custom id names the page it leads to (``newsbot:<kind>:<page>``), so a click needs
    nothing remembered: the list is read again and that page drawn from it.
    """
    if count <= 1:
        return None
    view = discord.ui.View(timeout=None)
    for label, target, disabled in (("◀", page - 1, page <= 1), ("▶", page + 1, page >= count)):
        view.add_item(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"{CUSTOM_PREFIX}{kind}:{target}", disabled=disabled
            )
        )
    return view


def _option_help(parameter: app_commands.Parameter) -> OptionHelp:
    """An option as /help shows it; discord.py's placeholder for "no description" is left out, not shown."""
    description = str(parameter.description)
    return OptionHelp(parameter.display_name, "" if description == NO_DESCRIPTION else description, parameter.required)


def command_help(tree_commands: list[app_commands.Command[Any, ..., Any] | app_commands.Group], *, in_guild: bool) -> list[CommandHelp]:
    """The chat commands of the bot's tree as /help lists them, sub-commands of a group each on their own.

    A command (or group) with ``default_permissions`` is an admin one: Discord shows it only to
    members with that permission.  Outside a server the admin commands are left out (they manage a
    server); the member commands are listed, for the member to run in a server (``DM_HELP_NOTE``).
    """
    found: list[CommandHelp] = []
    for top in tree_commands:
        admin = top.default_permissions is not None
        if admin and not in_guild:
            continue
        leaves = [c for c in top.walk_commands() if isinstance(c, app_commands.Command)] if isinstance(top, app_commands.Group) else [top]
        for leaf in leaves:
            options = tuple(_option_help(p) for p in leaf.parameters)
            found.append(CommandHelp(leaf.qualified_name, str(leaf.description), options, admin=admin))
    return found


class NewsCommands(commands.Cog):
    """/article, /section, /latest, /search, /help for members; /feeds and /digest for admins."""

    feeds = app_commands.Group(
        name="feeds", description="Manage the feeds this server follows", default_permissions=MANAGE_GUILD, guild_only=True
    )
    digest = app_commands.Group(
        name="digest", description="Digest subscriptions", default_permissions=MANAGE_GUILD, guild_only=True
    )

    def __init__(self, connection: DiscordConnection) -> None:
        self.connection = connection
        self.store = connection.store
        self.thread_members = ThreadMembers()

    # -- plumbing ------------------------------------------------------------------------------------

    async def answer(
        self,
        interaction: discord.Interaction,
        work: Callable[[], Awaitable[tuple[list[MessagePayload], discord.ui.View | None]]],
        *,
        ephemeral: bool = False,
        update: bool = False,
    ) -> None:
        """Run ``work``; answer at once if it is quick, else defer and follow up.  Errors → one ephemeral sentence.

        ``update`` (a component click only): the answer replaces the clicked message in place
        instead of coming as a new one — a page button turns the page of the message it is on.
        """
        task = asyncio.ensure_future(work())
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        deferred = False
        if not done:
            await interaction.response.defer(ephemeral=ephemeral, thinking=not update)
            deferred = True
        try:
            payloads, view = await task
        except UserError as exc:
            await self._error(interaction, str(exc), deferred=deferred)
            return
        except NewsbotError as exc:
            await self._error(interaction, f"{exc}", deferred=deferred)
            return
        except Exception:  # noqa: BLE001 - the member gets a sentence, the log gets the traceback
            log.exception("command %s failed", interaction.command.qualified_name if interaction.command else "?")
            await self._error(interaction, "Something went wrong on my side; the admins can find the details in the bot's log.", deferred=deferred)
            return
        await self._send(interaction, payloads, view, ephemeral=ephemeral, deferred=deferred, update=update)

    async def _send(
        self,
        interaction: discord.Interaction,
        payloads: list[MessagePayload],
        view: discord.ui.View | None,
        *,
        ephemeral: bool,
        deferred: bool,
        update: bool = False,
    ) -> None:
        first, rest = payloads[0], payloads[1:]
        kwargs = payload_kwargs(first)
        if view is not None and not rest:
            kwargs["view"] = view
        if update:
            kwargs.setdefault("view", None)  # a page with no buttons drops the old page's
            if deferred:
                await interaction.edit_original_response(**kwargs)
            else:
                await interaction.response.edit_message(**kwargs)
        elif deferred:
            await interaction.followup.send(ephemeral=ephemeral, **kwargs)
        else:
            await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
        for index, payload in enumerate(rest):
            extra = payload_kwargs(payload)
            if view is not None and index == len(rest) - 1:
                extra["view"] = view
            await interaction.followup.send(ephemeral=ephemeral, **extra)

    async def _error(self, interaction: discord.Interaction, text: str, *, deferred: bool) -> None:
        text = truncate(neutralize_mentions(text), 2000)
        if deferred or interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())

    def _scope(self, interaction: discord.Interaction) -> GuildScope:
        """What the invoking server may see and change (bot.config.scope): everything when the bot
        is in that server alone (or, in a DM, in at most one server)."""
        guild = interaction.guild
        known = {g.id for g in self.connection.client.guilds}
        only = known <= {guild.id} if guild is not None else len(known) <= 1
        channels = server_channel_ids(guild) | (self.connection.channels_of_server(guild.id) if guild is not None else set())
        return guild_scope(self.connection.config(), channels, only_server=only)

    async def _channels(self, interaction: discord.Interaction) -> frozenset[int]:
        """The channels whose stories the invoking member may read: those of the server they can
        view (bot.discord.visibility; a private thread's membership may be asked of Discord)."""
        holding = {sub.channel for sub in self.connection.config().subscriptions}
        guild = interaction.guild
        archived = self.connection.looked_up_threads(guild.id) if guild is not None else []
        return await readable_channel_ids(guild, interaction.user, self.thread_members, holding=holding, archived=archived)

    async def _resolve_article(self, query: str | None, channels: frozenset[int]) -> StoredArticle:
        """"#<id>" (from autocomplete), words to search, or nothing for the newest story; only among
        the stories routed to ``channels`` (a story elsewhere is as unknown as no story)."""
        if query:
            match = re.fullmatch(r"#?(\d+)", query.strip())
            if match:
                stored = await self.store.get_article(int(match.group(1)), channels=channels)
                if stored is not None:
                    return stored
            hits = await self.store.search(query, 1, channels=channels)
            if not hits:
                raise UserError(f"No story matches “{truncate(query, 80)}” — pick one of the suggestions, or try /search.")
            stored = await self.store.get_article(hits[0].article_id, channels=channels)
        else:
            latest = await self.store.latest_articles(1, channels=channels)
            stored = latest[0] if latest else None
        if stored is None:
            raise UserError("I have no stories yet — they appear here once the feeds have been polled.")
        return stored

    async def _article_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        suggestions = await self.store.title_suggestions(current.strip(), MAX_CHOICES, channels=await self._channels(interaction))
        return [app_commands.Choice(name=choice_name(title), value=f"#{aid}") for aid, title in suggestions[:MAX_CHOICES]]

    # -- members -----------------------------------------------------------------------------------------

    @app_commands.guild_only()
    @app_commands.command(name="article", description="Show a story: its TL;DR and its sections")
    @app_commands.describe(query="Words from the story (or pick a title); empty: the latest story")
    async def article(self, interaction: discord.Interaction, query: str | None = None) -> None:
        async def work() -> tuple[list[MessagePayload], discord.ui.View | None]:
            channels = await self._channels(interaction)
            stored = await self._resolve_article(query, channels)
            return [render_article_card(stored.article)], section_menu(stored) if stored.article.sections else None

        await self.answer(interaction, work)

    @article.autocomplete("query")
    async def _article_query(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._article_choices(interaction, current)

    @app_commands.guild_only()
    @app_commands.command(name="section", description="Show one section of a story")
    @app_commands.describe(article="The story (start typing its title)", section="The section (choices follow the story)")
    async def section(self, interaction: discord.Interaction, article: str, section: str) -> None:
        async def work() -> tuple[list[MessagePayload], discord.ui.View | None]:
            channels = await self._channels(interaction)
            stored = await self._resolve_article(article, channels)
            index = self._section_index(stored, section)
            return render_section(stored.article, index), full_text_button(stored.id, index)

        await self.answer(interaction, work)

    @section.autocomplete("article")
    async def _section_article(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._article_choices(interaction, current)

    @section.autocomplete("section")
    async def _section_section(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        chosen = getattr(interaction.namespace, "article", None)
        try:
            stored = await self._resolve_article(chosen, await self._channels(interaction)) if chosen else None
        except UserError:
            stored = None
        if stored is None:
            return []
        needle = current.strip().lower()
        choices = [
            app_commands.Choice(name=section_choice_name(i, s), value=str(i))
            for i, s in enumerate(stored.article.sections)
            if not needle or needle == str(i + 1) or needle in (s.title or LEAD_LABEL).lower() or needle in s.text.lower()
        ]
        return choices[:MAX_CHOICES]

    def _section_index(self, stored: StoredArticle, section: str) -> int:
        sections = stored.article.sections
        text = section.strip()
        if text.isdigit() and int(text) < len(sections):
            return int(text)
        lowered = text.lower().lstrip("0123456789. ")
        for i, s in enumerate(sections):
            if (s.title or "in brief").lower() == lowered:
                return i
        names = ", ".join(f"“{s.title or 'In brief'}”" for s in sections[:10])
        raise UserError(f"That story has no section “{truncate(section, 80)}” — its sections are {names}.")

    @app_commands.guild_only()
    @app_commands.command(name="latest", description="The newest stories")
    @app_commands.describe(feed="Only from this feed", count="How many (1–10)")
    async def latest(self, interaction: discord.Interaction, feed: str | None = None, count: app_commands.Range[int, 1, 10] = 5) -> None:
        async def work() -> tuple[list[MessagePayload], discord.ui.View | None]:
            channels = await self._channels(interaction)
            if feed and feed not in feeds_posting_to(self.connection.config(), channels):
                raise UserError(f"There is no feed called “{truncate(feed, 80)}” — pick one of the suggestions.")
            stored = await self.store.latest_articles(count, feed=feed, channels=channels)
            if not stored:
                raise UserError("No stories yet — they appear once the feeds have been polled.")
            return render_digest("Latest stories", [s.article for s in stored], since=None), None

        await self.answer(interaction, work)

    @latest.autocomplete("feed")
    async def _latest_feed(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return self._feed_choices(current, feeds_posting_to(self.connection.config(), await self._channels(interaction)))

    @app_commands.guild_only()
    @app_commands.command(name="search", description="Search the stored stories")
    @app_commands.describe(query="Words to look for in titles and text")
    async def search(self, interaction: discord.Interaction, query: str) -> None:
        async def work() -> tuple[list[MessagePayload], discord.ui.View | None]:
            channels = await self._channels(interaction)
            hits = await self.store.search(query, 10, channels=channels)
            if not hits:
                raise UserError(f"Nothing matches “{truncate(query, 80)}” — try fewer or other words.")
            lines = []
            for rank, hit in enumerate(hits, start=1):
                title = escape_markdown(neutralize_mentions(truncate(hit.title, 200)))
                link = f"[{title}]({hit.url})" if hit.url and hit.url.startswith(("http://", "https://")) else f"**{title}**"
                snippet = escape_markdown(neutralize_mentions(truncate(hit.snippet, 200)))
                lines.append(f"{rank}. {link} (`#{hit.article_id}`)\n{snippet}")
            embed = {"title": truncate(f"Search: {neutralize_mentions(query)}", 256), "description": truncate("\n\n".join(lines), 4096)}
            return [{"embeds": [embed], "allowed_mentions": {"parse": []}}], None

        await self.answer(interaction, work)

    @app_commands.command(name="help", description="What each of the bot's commands does")
    async def help_command(self, interaction: discord.Interaction) -> None:
        """Read from the registered commands, so it lists exactly what the member can run; the admin
        commands only for members with Manage Server, and only in a server."""
        async def work() -> tuple[list[MessagePayload], discord.ui.View | None]:
            in_guild = interaction.guild_id is not None
            listed = command_help(self._registered(interaction), in_guild=in_guild)
            return render_help(listed, admin=self._is_admin(interaction), note=None if in_guild else DM_HELP_NOTE), None

        await self.answer(interaction, work, ephemeral=True)

    def _registered(self, interaction: discord.Interaction) -> list[app_commands.Command[Any, ..., Any] | app_commands.Group]:
        """The tree's chat commands where ``interaction`` was made: the global ones, each replaced by
        the server's own copy when it has one (``command_guilds`` syncs copies per server)."""
        tree = self.connection.client.tree
        kind = discord.AppCommandType.chat_input
        by_name = {c.name: c for c in tree.get_commands(type=kind)}
        if interaction.guild_id is not None:
            by_name |= {c.name: c for c in tree.get_commands(guild=discord.Object(id=interaction.guild_id), type=kind)}
        return [c for c in by_name.values() if isinstance(c, (app_commands.Command, app_commands.Group))]

    # -- component clicks --------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.component:
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if not custom_id.startswith(CUSTOM_PREFIX):
            return
        parts = custom_id[len(CUSTOM_PREFIX) :].split(":")
        try:
            if parts[0] == SECTION_MENU_KIND:
                values = (interaction.data or {}).get("values") or ["0"]
                article_id, index = int(parts[1]), int(values[0])  # type: ignore[index]
                await self.answer(interaction, lambda: self._open_section(article_id, index, interaction), ephemeral=True)
            elif parts[0] == "text":
                article_id, index = int(parts[1]), int(parts[2])
                await self.answer(interaction, lambda: self._full_text(article_id, index, interaction), ephemeral=True)
            elif parts[0] == FEEDS_PAGE and len(parts) == 2:
                await self._feeds_page(interaction, int(parts[1]))
            else:
                raise ValueError(f"unknown custom id {custom_id!r}")
        except (ValueError, IndexError):
            await self._error(interaction, OLDER_VERSION, deferred=False)

    async def _stored_section(self, article_id: int, index: int, interaction: discord.Interaction) -> StoredArticle:
        """The story a menu or button names, if it is still stored, readable by whoever clicked, and has that section."""
        stored = await self.store.get_article(article_id, channels=await self._channels(interaction))
        if stored is None:
            raise UserError("That story is no longer stored; run /article again.")
        if not 0 <= index < len(stored.article.sections):
            raise UserError("That section no longer exists; run /article again.")
        return stored

    async def _open_section(
        self, article_id: int, index: int, interaction: discord.Interaction
    ) -> tuple[list[MessagePayload], discord.ui.View | None]:
        stored = await self._stored_section(article_id, index, interaction)
        return render_section(stored.article, index), full_text_button(article_id, index)

    async def _full_text(
        self, article_id: int, index: int, interaction: discord.Interaction
    ) -> tuple[list[MessagePayload], discord.ui.View | None]:
        stored = await self._stored_section(article_id, index, interaction)
        return render_section_text(stored.article, index), None

    # -- admins ------------------------------------------------------------------------------------------

    def _feed_choices(self, current: str, allowed: frozenset[str]) -> list[app_commands.Choice[str]]:
        """The feeds among ``allowed`` (those the member reads, or the server owns) whose name contains ``current``."""
        needle = current.lower()
        names = [f.name for f in self.connection.config().feeds if f.name in allowed and needle in f.name.lower()]
        return [app_commands.Choice(name=choice_name(n), value=n) for n in names[:MAX_CHOICES]]

    async def _require_admin(self, interaction: discord.Interaction, what: str = "command") -> bool:
        if self._is_admin(interaction):
            return True
        await self._error(interaction, f"You need the Manage Server permission to use this {what}.", deferred=False)
        return False

    @staticmethod
    def _is_admin(interaction: discord.Interaction) -> bool:
        """Whether the invoker may manage this server's feeds (in a DM: never)."""
        perms = interaction.permissions
        return interaction.guild_id is not None and (perms.manage_guild or perms.administrator)

    def _admin(self) -> Any:
        from bot.discord import admin

        return admin.FeedAdmin(self.connection)

    @feeds.command(name="list", description="The feeds this bot follows, with their health")
    async def feeds_list(self, interaction: discord.Interaction) -> None:
        if await self._require_admin(interaction):
            scope = self._scope(interaction)
            await self.answer(interaction, lambda: self._admin().list_payloads(scope), ephemeral=True)

    async def _feeds_page(self, interaction: discord.Interaction, page: int) -> None:
        """A ◀ ▶ click under /feeds list: that page of the list as it is now, in place of the old one.

        Discord's default_permissions guard commands, not clicks, so the clicker is checked here
        again, and the list is drawn within their server's scope as the command would draw it.
        """
        if await self._require_admin(interaction, "button"):
            scope = self._scope(interaction)
            await self.answer(interaction, lambda: self._admin().list_payloads(scope, page), ephemeral=True, update=True)

    @feeds.command(name="add", description="Follow a feed in a channel (it is fetched once to check it)")
    @app_commands.describe(url="The feed's URL (RSS, Atom or JSON Feed), or a site's address: the feed it advertises", name="A short name (default: from the feed)", channel="Where to post (default: here)")
    async def feeds_add(
        self,
        interaction: discord.Interaction,
        url: str,
        name: str | None = None,
        channel: PostChannel | None = None,
    ) -> None:
        if await self._require_admin(interaction):
            target = channel.id if channel is not None else interaction.channel_id
            scope = self._scope(interaction)
            await self.answer(interaction, lambda: self._admin().add(url, name, target, scope), ephemeral=True)

    @feeds.command(name="import", description="Follow the feeds of an OPML file exported by another reader")
    @app_commands.describe(
        file="The OPML file (.opml or .xml, at most 1 MiB)",
        channel="Where to post their stories (default: here)",
        dry_run="Only show what would be added",
    )
    async def feeds_import(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        channel: PostChannel | None = None,
        dry_run: bool = False,
    ) -> None:
        if await self._require_admin(interaction):
            target = channel.id if channel is not None else interaction.channel_id
            scope = self._scope(interaction)
            await self.answer(interaction, lambda: self._admin().import_feeds(file, target, dry_run, scope), ephemeral=True)

    @feeds.command(name="export", description="Every feed followed by URL, as an OPML file for another reader")
    async def feeds_export(self, interaction: discord.Interaction) -> None:
        if await self._require_admin(interaction):
            scope = self._scope(interaction)
            await self.answer(interaction, lambda: self._admin().export_feeds(scope), ephemeral=True)

    @feeds.command(name="edit", description="Change how a feed added from Discord posts")
    @app_commands.describe(
        name="The feed",
        channel="Which of its channels (if it posts to several)",
        layout="How stories look",
        mode="Post as they arrive, or as a digest",
        schedule="Digest times, cron: minute hour day month weekday",
        timezone="Time zone of the schedule, e.g. Europe/London",
        mention="A role to ping for each story",
        no_mention="Ping no role",
        include="Only stories matching one of these: words, /regex/i, title:word (comma-separated)",
        exclude="Never stories matching one of these: words, /regex/i, category:x (comma-separated)",
        webhook_name="Post through a webhook under this name",
        max_age="Skip entries older than this, e.g. 3d (0: no limit)",
        repost_updates="Post updated stories again",
        section_menu="A menu under each story to open its sections",
        color='Colour of the embeds\' side bar, e.g. "#1e90ff"',
    )
    async def feeds_edit(
        self,
        interaction: discord.Interaction,
        name: str,
        channel: PostChannel | None = None,
        layout: Literal["embed", "thread", "compact"] | None = None,
        mode: Literal["immediate", "digest"] | None = None,
        schedule: str | None = None,
        timezone: str | None = None,
        mention: discord.Role | None = None,
        no_mention: bool | None = None,
        include: str | None = None,
        exclude: str | None = None,
        webhook_name: str | None = None,
        max_age: str | None = None,
        repost_updates: bool | None = None,
        color: str | None = None,
        section_menu: bool | None = None,
    ) -> None:
        """Only the options given change; text "none" or "-" puts that key back to its default."""
        if not await self._require_admin(interaction):
            return
        if mention is not None and no_mention:
            await self._error(interaction, "Give mention or no_mention, not both.", deferred=False)
            return
        given = {
            "layout": layout, "mode": mode, "schedule": schedule, "timezone": timezone, "include": include,
            "exclude": exclude, "webhook": webhook_name, "max_age": max_age, "repost_updates": repost_updates,
            "color": color, "section_menu": section_menu,
        }
        options: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
        if mention is not None or no_mention:
            options["mention"] = mention.id if mention is not None else None
        if not options:
            await self._error(interaction, "Give at least one option to change, e.g. layout or mention.", deferred=False)
            return
        target = channel.id if channel is not None else None
        scope = self._scope(interaction)
        await self.answer(interaction, lambda: self._admin().edit(name, target, options, scope), ephemeral=True)

    @feeds.command(name="remove", description="Stop following a feed added from Discord")
    async def feeds_remove(self, interaction: discord.Interaction, name: str) -> None:
        if await self._require_admin(interaction):
            scope = self._scope(interaction)
            await self.answer(interaction, lambda: self._admin().remove(name, scope), ephemeral=True)

    @feeds.command(name="pause", description="Stop polling a feed for now")
    async def feeds_pause(self, interaction: discord.Interaction, name: str) -> None:
        if await self._require_admin(interaction):
            scope = self._scope(interaction)
            await self.answer(interaction, lambda: self._admin().set_paused(name, True, scope), ephemeral=True)

    @feeds.command(name="resume", description="Poll a paused feed again, and resume its paused subscriptions")
    async def feeds_resume(self, interaction: discord.Interaction, name: str) -> None:
        if await self._require_admin(interaction):
            scope = self._scope(interaction)
            await self.answer(interaction, lambda: self._admin().set_paused(name, False, scope), ephemeral=True)

    @feeds.command(name="preview", description="Show what a feed's newest story would look like, without adding it")
    async def feeds_preview(self, interaction: discord.Interaction, url: str) -> None:
        if await self._require_admin(interaction):
            await self.answer(interaction, lambda: self._admin().preview(url), ephemeral=True)

    @feeds.command(name="alerts", description="Where this server's alerts go: failing feeds, paused subscriptions")
    @app_commands.describe(
        channel="Send this server's alerts to this channel or thread (replaces its alert channel)",
        off="Send this server's alerts to no channel of its own",
    )
    async def feeds_alerts(
        self,
        interaction: discord.Interaction,
        channel: app_commands.Transform[app_commands.AppCommandChannel, AlertChannelOption] | None = None,
        off: bool = False,
    ) -> None:
        """No option: show this server's alert channel."""
        if not await self._require_admin(interaction):
            return
        if channel is not None and off:
            await self._error(interaction, "Give channel or off, not both.", deferred=False)
            return
        target = channel.id if channel is not None else None
        guild = interaction.guild

        async def work() -> Any:
            # A thread that has archived is not in discord.py's cache, but is still this server's
            # (asking Discord about it happens here, where a slow answer defers the reply).
            archived = await self.connection.uncached_alert_channels(guild.id) if guild is not None else set()
            chosen = {target} if channel is not None and guild is not None and channel.guild_id == guild.id else set()
            server = frozenset(server_channel_ids(guild) | archived | chosen)
            private = channel is not None and channel.type == discord.ChannelType.private_thread
            return await self._admin().alerts(
                target, off, server, private_in=getattr(channel, "parent_id", None) if private else None,
                guild_id=guild.id if chosen and guild is not None else None,
            )

        await self.answer(interaction, work, ephemeral=True)

    @feeds_edit.autocomplete("name")
    @feeds_remove.autocomplete("name")
    @feeds_pause.autocomplete("name")
    @feeds_resume.autocomplete("name")
    async def _feed_name(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return self._feed_choices(current, self._scope(interaction).owned)

    @digest.command(name="now", description="Send the digests of this channel (or one subscription) now")
    async def digest_now(self, interaction: discord.Interaction, subscription: str | None = None) -> None:
        if await self._require_admin(interaction):
            channel_id, scope = interaction.channel_id, self._scope(interaction)
            await self.answer(interaction, lambda: self._admin().digest_now(subscription, channel_id, scope), ephemeral=True)

    @digest_now.autocomplete("subscription")
    async def _digest_sub(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        subs = [s.key for s in self._scope(interaction).subscriptions if s.mode == "digest" and current.lower() in s.key.lower()]
        return [app_commands.Choice(name=choice_name(k), value=k) for k in subs[:MAX_CHOICES]]

    async def cog_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        log.exception("slash command failed", exc_info=error)
        text = "Something went wrong on my side; the admins can find the details in the bot's log."
        if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, (UserError, ConfigError)):
            text = str(error.original)
        await self._error(interaction, text, deferred=interaction.response.is_done())
