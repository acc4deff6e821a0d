"""The config in force: what the bot runs on, with every inherited value filled in.

Built by the loader from the admins' file and the managed file (bot.config.schema holds what the
files say).  Frozen: a reload builds a new value and swaps it, so a poll that started with one config
finishes with it.
"""

from __future__ import annotations

from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, PrivateAttr

from bot.config.cron import cron_trigger
from bot.config.fieldtypes import FetchArticleValue, Layout, Mode
from bot.config.filters import Fields, Rule, Verdict, compile_rules, evaluate
from bot.config.schema import Defaults, DiscordSection, NetworkSection, StorageSection, WebhookSpec
from bot.model import Article

#: ``Feed.origin`` of a feed added from Discord (a hand-written feed's origin is its file's name).
MANAGED = "managed"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Feed(_Frozen):
    """A feed to poll."""

    #: Unique name (a slug).
    name: str
    #: The feed's URL; None for a folder feed.
    url: str | None = None
    #: Absolute path of a folder of Markdown articles; None for a URL feed.
    folder: Path | None = None
    #: Seconds between polls.
    interval: int
    #: Fetch the article page: "auto" (when the entry has only a teaser), True or False.
    fetch_article: FetchArticleValue = "auto"
    #: Extra HTTP request headers.
    headers: dict[str, str] = {}
    #: How many entries already in the feed to post when it is first polled.
    backfill: int = 0
    #: Seconds: an entry published longer ago is marked seen and not posted; 0: no limit.
    max_age: int = 0
    #: False when the file says ``enabled: false`` or the feed is paused from Discord.
    enabled: bool = True
    #: Paused from Discord (listed under ``paused:`` in the managed file).
    paused: bool = False
    #: Where it is defined: the admins' file name (e.g. "newsbot.yaml") or "managed".
    origin: str = "newsbot.yaml"

    @property
    def source(self) -> str:
        """The URL, or the folder as text: what logs and summaries show."""
        return self.url if self.url is not None else str(self.folder)


class Subscription(_Frozen):
    """Feeds posted to one channel: when, how, and which articles."""

    #: The name the admin gave, if any (see ``key``).
    name: str | None = None
    #: Names of the feeds it posts, in the order written.
    feeds: tuple[str, ...]
    #: Discord channel id.
    channel: int
    #: "immediate" (as articles arrive) or "digest" (on ``schedule``).
    mode: Mode = "immediate"
    #: Crontab expression (5 fields) for digests; None for immediate.  Build triggers with ``trigger()``.
    schedule: str | None = None
    #: IANA time zone of the schedule and of dates shown.
    timezone: str = "UTC"
    #: "embed", "thread", "compact" or "template".
    layout: Layout = "embed"
    #: The message template when layout is "template".
    template: str | None = None
    #: Post only articles matching one of these rules (keywords or /regex/flags, as written); see ``matches``.
    include: tuple[str, ...] = ()
    #: Never post articles matching one of these rules.
    exclude: tuple[str, ...] = ()
    #: Most posts one run may send to this channel.
    max_posts_per_run: int = 10
    #: Post again when an already posted story is updated.
    repost_updates: bool = False
    #: A select menu under each story it posts that opens any section (not through a webhook).
    section_menu: bool = True
    #: Post through a channel webhook (name/avatar; None name = the feed's name); None: as the bot.
    webhook: WebhookSpec | None = None
    #: Entries already in a feed to post on first poll, overriding the feeds' own; None: the feeds'.
    backfill: int | None = None
    #: Seconds, overriding each feed's ``max_age`` for this subscription (0: no limit); None: the feeds'.
    max_age: int | None = None
    #: Role ids pinged by each new story's (or digest's) first message; see ``mention_for``.
    mention: tuple[int, ...] = ()
    #: Embed colour (24-bit RGB); None: Discord's default.
    color: int | None = None
    #: Where it is defined: the admins' file name or "managed".
    origin: str = "newsbot.yaml"

    _include: tuple[Rule, ...] = PrivateAttr(default=())
    _exclude: tuple[Rule, ...] = PrivateAttr(default=())

    def model_post_init(self, context: object, /) -> None:
        """Compile the filters once; the schema already proved they compile."""
        self._include = compile_rules(self.include)
        self._exclude = compile_rules(self.exclude)

    @property
    def key(self) -> str:
        """Stable identity in the store: the name, or "<channel>:<sorted feeds joined by +>"."""
        return self.name if self.name is not None else f"{self.channel}:{'+'.join(sorted(self.feeds))}"

    def matches(self, article: Article) -> Verdict:
        """Whether an article passes the filters: some include rule (if any) and no exclude rule match.

        The verdict also names the rules that timed out on it (each decided the safe way), for the
        caller to log: this module does no I/O.
        """
        return evaluate(self._include, self._exclude, Fields.of(article))

    def max_age_for(self, feed: Feed) -> int:
        """Seconds after which ``feed``'s entries are too old to post here (0: no limit): this
        subscription's own ``max_age`` when it sets one, else the feed's (which has the default's)."""
        return self.max_age if self.max_age is not None else feed.max_age

    def mention_for(self, kind: str) -> tuple[int, ...]:
        """The roles a post of this outbox ``kind`` pings: a new story or a digest pings, a re-posted
        update (``repost_updates``) does not, so readers are pinged once per story."""
        return () if kind == "update" else self.mention

    def trigger(self) -> CronTrigger | None:
        """The APScheduler trigger of a digest (crontab weekdays honoured), None for immediate."""
        return cron_trigger(self.schedule, self.timezone) if self.schedule is not None else None


class Config(_Frozen):
    """Everything newsbot is configured to do."""

    #: The admins' file.
    path: Path
    #: The file /feeds commands write (it may not exist yet).
    managed_path: Path
    #: Whether the managed file existed and was merged in.
    managed_loaded: bool = False
    discord: DiscordSection = DiscordSection()
    storage: StorageSection = StorageSection()
    defaults: Defaults = Defaults()
    feeds: tuple[Feed, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    #: What fetches may connect to (the admins' file only: the managed file cannot widen it).
    network: NetworkSection = NetworkSection()
    #: The servers' alert channels, from both files (``discord.alert_channels`` first), each once;
    #: bot.config.alerts decides which of them a notice reaches.
    alert_channels: tuple[int, ...] = ()
    #: Things worth telling the admins that do not stop the bot (a disabled feed's missing folder…).
    warnings: tuple[str, ...] = ()
    #: Digest of the files' bytes this value was loaded from, so a watcher knows what it has seen.
    source_digest: str = ""

    def feed(self, name: str) -> Feed | None:
        """The feed called ``name``, or None."""
        return next((feed for feed in self.feeds if feed.name == name), None)

    def subscriptions_for(self, feed_name: str) -> tuple[Subscription, ...]:
        """Subscriptions that post ``feed_name``, in file order (the admins' file first)."""
        return tuple(sub for sub in self.subscriptions if feed_name in sub.feeds)

    def subscription(self, key: str) -> Subscription | None:
        """The subscription whose ``key`` is ``key``, or None."""
        return next((sub for sub in self.subscriptions if sub.key == key), None)

    def feed_origin(self, name: str) -> str | None:
        """Where feed ``name`` is defined: the admins' file name (e.g. "newsbot.yaml"), "managed", or None."""
        feed = self.feed(name)
        return feed.origin if feed is not None else None

    @property
    def has_token(self) -> bool:
        """Whether a Discord token is set; without one the bot prints posts to the terminal."""
        return self.discord.token is not None

    def same_settings(self, other: Config) -> bool:
        """Equal in everything but where it was read from (a comment-only edit changes nothing)."""
        skip = {"source_digest"}
        return self.model_dump(exclude=skip) == other.model_dump(exclude=skip)
