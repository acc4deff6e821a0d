"""The config file's schema, as admins write it: pydantic models, also the source of the JSON Schema.

These models hold what a file *says*; values a feed or subscription inherits from ``defaults`` stay
None here.  The loader (bot.config.loader) checks what spans several entries or both files and builds
the resolved :class:`bot.config.resolved.Config` the bot runs on.

A check that involves two keys of one entry (``mode: digest`` needs ``schedule``) raises
:func:`relation_error`, which carries the key each problem belongs to so the loader can point at
its line.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, NoReturn

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.config.cron import cron_trigger
from bot.config.durations import format_duration
from bot.config.fieldtypes import (
    Color,
    DefaultLayout,
    FeedNames,
    FetchArticle,
    FilterRules,
    FolderPath,
    HttpUrl,
    Layout,
    Mode,
    Name,
    RoleIds,
    Seconds,
    SecondsOrZero,
    Snowflake,
    Snowflakes,
    Template,
    TimeZoneName,
    WebSocketUrl,
    hide_password,
)
from bot.feeds.addresses import parse_network, show_network

DEFAULT_API_URL = "https://discord.com/api/v10"
DEFAULT_STORAGE_URL = "sqlite+aiosqlite:///data/newsbot.db"
#: Stories (with their sections and finished posts) are kept this long by default.
DEFAULT_RETENTION = 90 * 86_400
#: A shorter retention would prune stories while their feeds still list them and members still ask.
MIN_RETENTION = 86_400
DEFAULT_POLL_INTERVAL = 15 * 60
#: URL feeds are polled at most this often, out of politeness to the sites (folders: any interval).
MIN_URL_INTERVAL = 30
DEFAULT_MANAGED_FILE = "newsbot.managed.yaml"

#: The database drivers newsbot's one async code path runs on, and what people type instead.
STORAGE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
_DRIVER_FIXES = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
}
_SCHEME = re.compile(r"([A-Za-z0-9+_.-]+)://")

RELATIONS_ERROR = "newsbot_relations"


def relation_error(problems: list[tuple[str, str]]) -> NoReturn:
    """Raise every (key, message) problem of one entry at once, for the loader to place by key."""
    summary = "; ".join(f"{key}: {message}" for key, message in problems)
    raise PydanticCustomError(RELATIONS_ERROR, "{summary}", {"summary": summary, "problems": problems})


def _nullable(schema: dict[str, Any]) -> None:
    """JSON Schema: also accept null (a YAML key with only comments under it reads as "empty")."""
    outer: dict[str, Any] = {key: schema.pop(key) for key in ("title", "description", "default") if key in schema}
    inner = dict(schema)
    schema.clear()
    schema.update(outer, anyOf=[inner, {"type": "null"}])


def _webhook_schema(schema: dict[str, Any]) -> None:
    """JSON Schema: ``webhook: true`` / ``false`` are allowed besides the mapping."""
    schema["anyOf"] = [{"type": "boolean"}, *schema.get("anyOf", [])]


def distinct(ids: tuple[int, ...]) -> tuple[int, ...]:
    """``ids`` in their order, each once: a channel listed twice is one alert channel, not an error."""
    return tuple(dict.fromkeys(ids))


class Section(BaseModel):
    """Base of every mapping in the file: frozen, and unknown keys are errors, never ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_default(cls, data: Any) -> Any:
        """``discord:`` with only comments under it is YAML null: read it as "all defaults"."""
        return {} if data is None else data


class DiscordSection(Section):
    """How to reach Discord.  No token means: run without Discord and print posts to the terminal."""

    token: SecretStr | None = Field(
        default=None,
        description="The bot token, always from the environment: ${DISCORD_TOKEN}. Unset: run without Discord.",
    )
    api_url: HttpUrl = Field(default=DEFAULT_API_URL, description="Discord's REST API base URL.")
    gateway_url: WebSocketUrl | None = Field(
        default=None, description="The gateway URL; null asks the API (GET /gateway/bot)."
    )
    admin_log_channel: Snowflake | None = Field(
        default=None, description="Channel id where the bot reports config reloads and feed errors."
    )
    alert_channels: Snowflakes = Field(
        default=(),
        description="Channel ids of servers' alert channels: each gets the notices about its own server's "
        "feeds and subscriptions (the admin log channel gets every notice).",
    )
    command_guilds: Snowflakes = Field(
        default=(), description="Guild ids to sync slash commands to instantly; empty: global commands."
    )
    max_feeds_per_server: int = Field(
        default=0,
        ge=0,
        description="Most feeds one Discord server's admins may have (those posting only to its channels, "
        "hand-written ones included): /feeds add and /feeds import add none beyond it; 0: no cap. "
        "Nothing is removed, and `newsbot feeds import` is never capped.",
    )

    @field_validator("token")
    @classmethod
    def _blank_token_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("alert_channels")
    @classmethod
    def _alert_channels_once(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return distinct(value)


class StorageSection(Section):
    """Where newsbot keeps feeds seen, articles and the outbox."""

    url: str = Field(
        default=DEFAULT_STORAGE_URL,
        description="SQLAlchemy URL: sqlite+aiosqlite:///relative/path.db (relative to the working "
        "directory), sqlite+aiosqlite:////absolute/path.db or postgresql+asyncpg://user:pass@host/db.",
    )
    retention: SecondsOrZero = Field(
        default=DEFAULT_RETENTION,
        description="Stories stored longer ago than this are pruned, with their sections and sent posts, once "
        "a day (their seen keys stay, so nothing posts twice); at least 1d, or 0: keep everything.",
    )

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        value = value.strip()
        match = _SCHEME.match(value)
        driver = match.group(1).lower() if match else ""
        if driver in STORAGE_DRIVERS:
            return value
        if match and driver in _DRIVER_FIXES:
            fixed = _DRIVER_FIXES[driver] + value[match.end(1) :]
            raise ValueError(f"newsbot needs an async driver — did you mean {hide_password(fixed)!r}?")
        raise ValueError(
            "not a database URL newsbot supports — write sqlite+aiosqlite:///data/newsbot.db "
            "or postgresql+asyncpg://user:password@host/dbname"
        )

    @field_validator("retention")
    @classmethod
    def _at_least_a_day(cls, value: int) -> int:
        if 0 < value < MIN_RETENTION:
            raise ValueError(
                f"{format_duration(value)} is shorter than a day — write at least 1d (e.g. 90d), "
                "or 0 to keep every story"
            )
        return value


def _network_list(value: Any) -> Any:
    """One address may stand for a one-item list, and an empty key for an empty one."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def _allowed_network(value: str) -> str:
    """An IP address or CIDR range, kept as the bot shows it (``10.0.0.0/8``, ``192.168.1.20``)."""
    return show_network(parse_network(value))


AllowedNetworks = Annotated[
    tuple[Annotated[str, AfterValidator(_allowed_network)], ...],
    BeforeValidator(_network_list),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "IP addresses or CIDR ranges, e.g. 10.0.0.0/8, 192.168.1.20, fd00::/8.",
        }
    ),
]


class NetworkSection(Section):
    """What the bot may connect to when it fetches feeds and pages: the operator's, never the managed file's.

    Anyone who can add a feed chooses URLs the bot fetches, so only public addresses are fetched
    unless listed here (bot.feeds.addresses).
    """

    allow_addresses: AllowedNetworks = Field(
        default=(),
        description="IP addresses or CIDR ranges the bot may fetch from besides public addresses (e.g. "
        "10.0.0.0/8, 192.168.1.20, fd00::/8); empty: public addresses only. Loopback, private, link-local "
        "and other non-public addresses are refused otherwise, also behind a host name or a redirect.",
    )


class Defaults(Section):
    """What every feed and subscription inherits unless it says otherwise."""

    poll_interval: Seconds = Field(
        default=DEFAULT_POLL_INTERVAL, description="How often feeds are polled (URL feeds: at least 30s)."
    )
    summary_sentences: int = Field(default=2, ge=1, le=3, description="Sentences in each section's summary.")
    tldr_sentences: int = Field(default=3, ge=1, le=5, description="Sentences in the article's TL;DR.")
    layout: DefaultLayout = Field(
        default="embed", description="How posts look: embed, thread or compact (template: per subscription)."
    )
    timezone: TimeZoneName = Field(default="UTC", description="Time zone for digest schedules and dates shown.")
    backfill: int = Field(
        default=0, ge=0, description="On a feed's first poll, also post its newest N entries (0: only new ones)."
    )
    max_age: SecondsOrZero = Field(
        default=0, description="Entries published longer ago than this are marked seen, never posted (0: no limit)."
    )
    fetch_article: FetchArticle = Field(
        default="auto", description="Fetch the article page: auto (when the feed has only a teaser), true, false."
    )
    max_posts_per_run: int = Field(default=10, ge=1, description="Most posts one poll may send to one channel.")


class FeedSpec(Section):
    """One feed as written: a URL, or a folder of Markdown articles."""

    name: Name = Field(description="Unique name, used by subscriptions and slash commands.")
    url: HttpUrl | None = Field(default=None, description="The feed's URL (RSS, Atom or JSON Feed).")
    folder: FolderPath | None = Field(
        default=None, description="A folder of Markdown articles (relative to the working directory)."
    )
    interval: Seconds | None = Field(default=None, description="Poll interval; default: defaults.poll_interval.")
    fetch_article: FetchArticle | None = Field(default=None, description="Default: defaults.fetch_article.")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra HTTP headers (values may use ${ENV}).")
    backfill: int | None = Field(default=None, ge=0, description="Default: defaults.backfill.")
    max_age: SecondsOrZero | None = Field(default=None, description="Default: defaults.max_age.")
    enabled: bool = Field(default=True, description="false: keep the feed defined but do not poll it.")

    @model_validator(mode="after")
    def _one_source(self) -> FeedSpec:
        if self.url is not None and self.folder is not None:
            relation_error([("folder", "a feed has either a url or a folder, not both — split it into two feeds")])
        if self.url is None and self.folder is None:
            relation_error([("url", "missing — a feed needs a url (https://…) or a folder (a path)")])
        if self.folder is not None and self.headers:
            relation_error([("headers", "headers only apply to url feeds")])
        return self


class WebhookSpec(Section):
    """Post through a channel webhook, so posts show the feed's name and avatar instead of the bot's."""

    name: str | None = Field(default=None, max_length=80, description="Display name; default: the feed's name.")
    avatar_url: HttpUrl | None = Field(default=None, description="Avatar image URL.")

    @model_validator(mode="before")
    @classmethod
    def _true_means_defaults(cls, data: Any) -> Any:
        return {} if data is True else data


class SubscriptionSpec(Section):
    """Which feeds go to which channel, when, and how they look."""

    name: Name | None = Field(
        default=None, description="Stable key of this subscription; default '<channel>:<feeds joined by +>'."
    )
    feeds: FeedNames = Field(description="Feed name(s) posted to the channel.")
    channel: Snowflake = Field(description="Discord channel id.")
    mode: Mode = Field(default="immediate", description="immediate: post as articles arrive; digest: on a schedule.")
    timezone: TimeZoneName | None = Field(default=None, description="Default: defaults.timezone.")
    schedule: str | None = Field(
        default=None, description="Digest schedule, crontab's 5 fields: minute hour day month weekday."
    )
    layout: Layout | None = Field(
        default=None,
        description="embed, thread, compact or template; default: defaults.layout (template if a template is given).",
    )
    template: Template | None = Field(default=None, description="Message template with {title} {url} {summary} …")
    include: FilterRules = Field(
        default=(),
        description="Post only articles matching one of these: keywords (any case, whole words) or /regex/flags, "
        "on title and text, or on one field when prefixed title:, author:, link:, category: or text: "
        "(e.g. category:sport, title:/^Breaking/i).",
    )
    exclude: FilterRules = Field(
        default=(),
        description="Never post articles matching one of these (same forms as include). A regex search that takes "
        "too long counts as a match here, and as no match in include.",
    )
    max_posts_per_run: int | None = Field(default=None, ge=1, description="Default: defaults.max_posts_per_run.")
    repost_updates: bool = Field(default=False, description="Post again when a story is updated.")
    section_menu: bool = Field(
        default=True,
        description="A 'Read a section' menu under each story the bot posts (never on webhook posts or digests); "
        "false: none.",
    )
    webhook: WebhookSpec | None = Field(
        default=None,
        description="false, true, or {name, avatar_url}: post through a channel webhook.",
        json_schema_extra=_webhook_schema,
    )
    backfill: int | None = Field(default=None, ge=0, description="Overrides the feeds' backfill.")
    max_age: SecondsOrZero | None = Field(default=None, description="Overrides the feeds' max_age (0: no limit).")
    mention: RoleIds = Field(
        default=(),
        description="Role id(s) to ping when a story or digest is posted (once, in its first message); "
        "article text never pings.",
    )
    color: Color | None = Field(default=None, description='Colour of the embeds\' side bar, e.g. "#1e90ff".')

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        cron_trigger(value, info.data.get("timezone") or "UTC")
        return " ".join(value.split())

    @field_validator("webhook", mode="before")
    @classmethod
    def _false_means_none(cls, value: Any) -> Any:
        return None if value is False else value

    @model_validator(mode="after")
    def _consistent(self) -> SubscriptionSpec:
        problems: list[tuple[str, str]] = []
        if self.mode == "digest" and self.schedule is None:
            problems.append(("schedule", "missing — mode: digest needs a schedule, e.g. '0 9 * * mon'"))
        if self.mode == "immediate" and self.schedule is not None:
            problems.append(("schedule", "only used with mode: digest — remove it, or set mode: digest"))
        if self.layout == "template" and self.template is None:
            problems.append(
                ("template", "missing — layout: template needs a template, e.g. '**{title}**\\n{summary}\\n{url}'")
            )
        if self.template is not None and self.layout not in (None, "template"):
            problems.append(
                ("template", f"only used with layout: template (this subscription's layout is {self.layout})")
            )
        if problems:
            relation_error(problems)
        return self


def _tuple_of_specs(value: Any) -> Any:
    return () if value is None else value


class ConfigFile(Section):
    """The admins' file, config/newsbot.yaml."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="newsbot configuration",
        json_schema_extra={"description": "newsbot's config file (config/newsbot.yaml)."},
    )

    discord: DiscordSection = Field(default_factory=DiscordSection, json_schema_extra=_nullable)
    storage: StorageSection = Field(default_factory=StorageSection, json_schema_extra=_nullable)
    defaults: Defaults = Field(default_factory=Defaults, json_schema_extra=_nullable)
    feeds: tuple[FeedSpec, ...] = Field(default=(), json_schema_extra=_nullable)
    subscriptions: tuple[SubscriptionSpec, ...] = Field(default=(), json_schema_extra=_nullable)
    network: NetworkSection = Field(default_factory=NetworkSection, json_schema_extra=_nullable)
    managed_file: str | None = Field(
        default=None,
        description="The file the bot writes when admins manage feeds from Discord; "
        "default: newsbot.managed.yaml beside this file.",
    )

    @field_validator("feeds", "subscriptions", mode="before")
    @classmethod
    def _empty_list(cls, value: Any) -> Any:
        return _tuple_of_specs(value)


class ManagedFile(Section):
    """The file the bot writes for /feeds commands: feeds, subscriptions, paused feed names and
    the servers' alert channels."""

    feeds: tuple[FeedSpec, ...] = Field(default=(), json_schema_extra=_nullable)
    subscriptions: tuple[SubscriptionSpec, ...] = Field(default=(), json_schema_extra=_nullable)
    paused: tuple[str, ...] = Field(
        default=(), description="Names of feeds (from either file) not polled.", json_schema_extra=_nullable
    )
    alert_channels: Snowflakes = Field(
        default=(),
        description="Each server's alert channel, set with /feeds alerts (see discord.alert_channels).",
    )

    @field_validator("feeds", "subscriptions", "paused", mode="before")
    @classmethod
    def _empty_list(cls, value: Any) -> Any:
        return _tuple_of_specs(value)

    @field_validator("alert_channels")
    @classmethod
    def _alert_channels_once(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return distinct(value)
