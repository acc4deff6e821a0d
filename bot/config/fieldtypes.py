"""The value types of the config file: each parses what admins write and says what it expected.

Every validator raises ValueError with a message meant for the admin (the loader adds the file,
line and key), and each type carries the JSON Schema that editors use for completion and linting.
"""

from __future__ import annotations

import difflib
import re
import string
import zoneinfo
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, WithJsonSchema

from bot.config.durations import EXAMPLES as DURATION_EXAMPLES
from bot.config.durations import parse_duration
from bot.config.filters import compile_rule

Layout = Literal["embed", "thread", "compact", "template"]
#: A template needs its text, so only a subscription can use it.
DefaultLayout = Literal["embed", "thread", "compact"]
Mode = Literal["immediate", "digest"]
FetchArticleValue = bool | Literal["auto"]

#: Placeholders an admin template may use when bot.render is not importable (see check_template).
TEMPLATE_PLACEHOLDERS = frozenset(
    {"title", "url", "author", "published", "published_local", "source", "summary", "sections", "section_names",
     "mention"}
)
#: Most roles one subscription may ping (bot.render.MENTION_ROLES_LIMIT, which keeps a post within limits).
MENTION_ROLES_LIMIT = 20

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def _shown(value: object) -> str:
    """A short rendering of a bad value for a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- durations --------------------------------------------------------------------------------

#: JSON Schema pattern of a duration written as text ("15m", "1h30m", "90").
_DURATION_PATTERN = r"^\s*(\d+\s*[dhmsDHMS]\s*)+$|^\s*\d+\s*$"


def _duration_schema(minimum: int, note: str = "") -> WithJsonSchema:
    """The JSON Schema of a duration: whole seconds of at least ``minimum``, or the unit forms."""
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": minimum, "description": "seconds"},
                {"type": "string", "pattern": _DURATION_PATTERN},
            ],
            "description": f"A duration: {DURATION_EXAMPLES}{note}.",
        }
    )


Seconds = Annotated[int, PlainValidator(parse_duration), _duration_schema(1)]
#: A duration that may be 0, for limits where 0 means "no limit" (``max_age``).
SecondsOrZero = Annotated[
    int, PlainValidator(partial(parse_duration, allow_zero=True)), _duration_schema(0, "; 0: no limit")
]


# --- Discord ids ------------------------------------------------------------------------------


def parse_snowflake(value: object) -> int:
    """A Discord id from an int or a string of digits (YAML users quote long numbers)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**64:
        return value
    if isinstance(value, str) and value.strip().isdigit() and 0 < int(value) < 2**64:
        return int(value)
    raise ValueError(
        f"{_shown(value)} is not a Discord id — write its number, e.g. 123456789012345678 "
        "(in Discord: Settings → Advanced → Developer Mode, then right-click → Copy ID)"
    )


Snowflake = Annotated[
    int,
    PlainValidator(parse_snowflake),
    WithJsonSchema(
        {
            "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^\s*[0-9]+\s*$"}],
            "description": "A Discord id (Developer Mode → right-click → Copy ID).",
        }
    ),
]


def _to_tuple(value: object) -> object:
    """Let a single value stand for a one-item list, and an empty YAML key for an empty one."""
    if value is None:
        return ()
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return (value,)
    return value


# --- names ------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    """The name an admin probably meant: lowercase, runs of other characters turned into '-'."""
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-_")[:64] or "news"


def check_name(value: str) -> str:
    """Names are slugs so they read well in slash-command autocomplete and in subscription keys."""
    if _NAME.fullmatch(value):
        return value
    raise ValueError(
        f"{_shown(value)} is not a valid name — use lowercase letters, digits, '-' and '_' "
        f"(at most 64), e.g. {slugify(value)!r}"
    )


Name = Annotated[str, AfterValidator(check_name), WithJsonSchema({"type": "string", "pattern": _NAME.pattern})]

FeedNames = Annotated[
    tuple[Name, ...],
    BeforeValidator(_to_tuple),
    Field(min_length=1),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": _NAME.pattern},
                {"type": "array", "items": {"type": "string", "pattern": _NAME.pattern}, "minItems": 1},
            ],
            "description": "A feed name, or a list of feed names.",
        }
    ),
]

Snowflakes = Annotated[
    tuple[Snowflake, ...],
    BeforeValidator(_to_tuple),
    WithJsonSchema({"type": "array", "items": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]}}),
]


# --- role mentions ----------------------------------------------------------------------------

_ROLE_MENTION = re.compile(r"\s*<@&(\d+)>\s*")
_EVERYONE = re.compile(r"\s*@?(everyone|here)\s*", re.IGNORECASE)


def parse_role(value: object) -> int:
    """A role id, also as Discord writes its mention (``<@&123…>``, what typing ``\\@Role`` shows).

    @everyone and @here are refused on purpose: they would need ``parse: ["everyone"]``, which lets
    every @everyone in a message ping — article text included — where naming role ids cannot.
    """
    if isinstance(value, str) and (match := _ROLE_MENTION.fullmatch(value)):
        value = match.group(1)
    if isinstance(value, str) and (match := _EVERYONE.fullmatch(value)):
        raise ValueError(
            f"@{match.group(1).lower()} is not supported — make a role for the readers to ping "
            "(e.g. 'News'), and write its id here"
        )
    try:
        return parse_snowflake(value)
    except ValueError:
        raise ValueError(
            f"{_shown(value)} is not a role id — write the role's number, e.g. 123456789012345678 (Server "
            "Settings → Roles → ⋯ → Copy Role ID, with Developer Mode on), or its mention <@&123456789012345678>"
        ) from None


def _role_list(value: object) -> object:
    """A single role stands for a one-item list; parsed here so its error names ``mention``, not ``mention[0]``."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = parse_role(value)
    return _to_tuple(value)


def _check_roles(roles: tuple[int, ...]) -> tuple[int, ...]:
    roles = tuple(dict.fromkeys(roles))
    if len(roles) > MENTION_ROLES_LIMIT:
        raise ValueError(
            f"{len(roles)} roles — one post may ping at most {MENTION_ROLES_LIMIT}; make one role for those readers"
        )
    return roles


_ROLE_SCHEMA = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^\s*([0-9]+|<@&[0-9]+>)\s*$"}]}

RoleId = Annotated[int, PlainValidator(parse_role)]
RoleIds = Annotated[
    tuple[RoleId, ...],
    BeforeValidator(_role_list),
    AfterValidator(_check_roles),
    WithJsonSchema(
        {
            "anyOf": [_ROLE_SCHEMA, {"type": "array", "items": _ROLE_SCHEMA, "maxItems": MENTION_ROLES_LIMIT}],
            "description": "A role id, or a list of role ids (Server Settings → Roles → ⋯ → Copy Role ID); "
            "<@&id> works too.",
        }
    ),
]


# --- embed colour -----------------------------------------------------------------------------

_HEX_COLOR = re.compile(r"\s*(?:#|0x)?([0-9a-fA-F]{6})\s*")


def format_color(color: int) -> str:
    """``0x1E90FF`` → ``"#1e90ff"``, as admins write it."""
    return f"#{color:06x}"


def parse_color(value: object) -> int:
    """An embed colour: ``"#1e90ff"`` (also ``1e90ff`` or ``0x1e90ff``) or its 24-bit integer."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0xFFFFFF:
        return value
    if isinstance(value, str) and (match := _HEX_COLOR.fullmatch(value)):
        return int(match.group(1), 16)
    raise ValueError(f"{_shown(value)} is not a colour — write it as in an image editor, e.g. \"#1e90ff\" (quoted)")


Color = Annotated[
    int,
    PlainValidator(parse_color),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*(#|0x)?[0-9a-fA-F]{6}\s*$"},
                {"type": "integer", "minimum": 0, "maximum": 0xFFFFFF},
            ],
            "description": 'An embed colour, e.g. "#1e90ff".',
        }
    ),
]


# --- URLs and paths ---------------------------------------------------------------------------


def _url_checker(schemes: tuple[str, ...], example: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme.lower() not in schemes or not parts.netloc or any(c.isspace() for c in value):
            kinds = " or ".join(f"{scheme}://" for scheme in schemes)
            raise ValueError(f"{_shown(value)} is not a URL starting with {kinds} (e.g. {example})")
        return value

    return check


HttpUrl = Annotated[
    str,
    AfterValidator(_url_checker(("http", "https"), "https://example.com/feed.xml")),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"}),
]
WebSocketUrl = Annotated[
    str,
    AfterValidator(_url_checker(("ws", "wss"), "wss://gateway.discord.gg")),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^wss?://"}),
]


def _check_folder(value: str) -> str:
    if not value.strip():
        raise ValueError("the folder is empty — write a path such as 'articles'")
    return str(Path(value).expanduser())


FolderPath = Annotated[str, AfterValidator(_check_folder), WithJsonSchema({"type": "string", "minLength": 1})]


_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")


def hide_password(url: str) -> str:
    """``postgresql+asyncpg://bot:secret@db/news`` → ``postgresql+asyncpg://bot:***@db/news``."""
    return _PASSWORD.sub(r"\1***@", url)


# --- time zones -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def check_timezone(value: str) -> str:
    """An IANA zone name; a near miss gets the spelling it probably meant ("utc" → "UTC")."""
    try:
        zoneinfo.ZoneInfo(value)
        return value
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        pass
    zones = _zones()
    exact = [zone for zone in zones if zone.lower() == value.lower()]
    close = exact or difflib.get_close_matches(value, zones, n=1, cutoff=0.75)
    hint = f" — did you mean {close[0]!r}?" if close else " — write an IANA name such as 'Europe/London' or 'UTC'"
    raise ValueError(f"unknown time zone {_shown(value)}{hint}")


TimeZoneName = Annotated[
    str,
    AfterValidator(check_timezone),
    WithJsonSchema({"type": "string", "description": "An IANA time zone, e.g. 'Europe/Kyiv' or 'UTC'."}),
]


# --- fetch_article ----------------------------------------------------------------------------


def parse_fetch_article(value: object) -> FetchArticleValue:
    """ "auto", true or false — also as text, for values that come from ``${ENV}``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "auto":
            return "auto"
        if text in {"true", "yes", "on"}:
            return True
        if text in {"false", "no", "off"}:
            return False
    raise ValueError(
        f"{_shown(value)} is not allowed — write auto (fetch the page when the feed has only a teaser), "
        "true (always) or false (never)"
    )


FetchArticle = Annotated[
    FetchArticleValue,
    PlainValidator(parse_fetch_article),
    WithJsonSchema({"enum": ["auto", True, False]}),
]


# --- filters and templates --------------------------------------------------------------------


def _check_rule(value: str) -> str:
    compile_rule(value)
    return value


FilterRule = Annotated[str, AfterValidator(_check_rule)]
FilterRules = Annotated[
    tuple[FilterRule, ...],
    BeforeValidator(_to_tuple),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "Keywords (any case, whole words) or /regular expressions/ with optional flags i, m, s, x.",
        }
    ),
]


def check_template(template: str) -> str:
    """Validate a message template with bot.render's own check, so config and renderer never disagree.

    bot.render is imported lazily (it is the renderer's business and may be absent in a partial
    install); without it, placeholders are checked against :data:`TEMPLATE_PLACEHOLDERS`.
    """
    try:
        from bot.render import validate_template
    except ImportError:
        return _check_placeholders(template)
    try:
        validate_template(template)  # raises TemplateError, a ValueError, with its own message
    except ValueError:
        raise
    except Exception as exc:  # a renderer bug must not crash config loading: report it on the key
        raise ValueError(f"the template could not be checked: {exc!r}") from exc
    return template


def _check_placeholders(template: str) -> str:
    known = ", ".join("{" + name + "}" for name in sorted(TEMPLATE_PLACEHOLDERS))
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as exc:
        raise ValueError(
            f"the template's braces do not pair up ({exc}) — write {{{{ and }}}} for literal braces"
        ) from exc
    for field in fields:
        if field not in TEMPLATE_PLACEHOLDERS:
            close = difflib.get_close_matches(field, TEMPLATE_PLACEHOLDERS, n=1)
            hint = f"did you mean {{{close[0]}}}? " if close else ""
            raise ValueError(f"unknown placeholder {{{field}}} — {hint}placeholders are {known}")
    return template


Template = Annotated[str, AfterValidator(check_template)]
