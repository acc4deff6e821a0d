"""Discord's payload limits, named once, and the check that every rendered payload meets them.

Discord answers 400 to a message that breaks any of these, and it counts characters as Unicode
code points, which is what ``len()`` counts (discord/discord-api-docs#1315).  Every layout in
render fits its output within them by construction; ``check_payload`` is the last guard that tests
and the delivery loop run on the result, so a bug shows up as one readable error listing every
broken limit instead of as Discord's 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.errors import NewsbotError
from bot.render.payloads import Embed, MessagePayload

CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_PER_EMBED = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_NAME_LIMIT = 256
#: Sum of title, description, field names and values, footer text and author name over ALL the
#: embeds of one message (not per embed).
MESSAGE_EMBED_CHARS = 6000
#: Discord's limit for a thread (channel) name.
THREAD_NAME_LIMIT = 100
#: Longest URL newsbot puts in an embed or a message; longer ones are dropped, not cut.
URL_LIMIT = 2048
#: Most roles one post may ping.  Discord takes 100 in ``allowed_mentions``, but newsbot's cap
#: keeps the ping line (at most 20 × "<@&" + 20 digits + ">" and spaces: 499 characters) small
#: enough that a compact line or a template keeps most of the 2000 characters of its message.
MENTION_ROLES_LIMIT = 20
#: Message components (legacy, not "components v2"): at most 5 action rows, one select in each of
#: newsbot's, 1–25 options with labels, values and descriptions of up to 100 characters, a
#: placeholder of up to 150, a custom id of up to 100 (unique within the message).
ACTION_ROWS_PER_MESSAGE = 5
OPTIONS_PER_SELECT = 25
OPTION_LABEL_LIMIT = 100
PLACEHOLDER_LIMIT = 150
CUSTOM_ID_LIMIT = 100

_URL_SCHEMES = ("http://", "https://")


class PayloadTooLarge(NewsbotError, AssertionError):
    """A payload breaks Discord's limits; ``problems`` names every violation, one per item.

    An ``AssertionError`` because it means render has a bug, never that the input was bad.
    """

    def __init__(self, problems: list[str]):
        super().__init__("payload breaks Discord's limits: " + "; ".join(problems))
        self.problems = problems


def embed_size(embed: Mapping[str, Any]) -> int:
    """The characters that count towards ``MESSAGE_EMBED_CHARS`` (like discord.py's ``len(embed)``)."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    for field in embed.get("fields", ()):
        total += len(field.get("name", "")) + len(field.get("value", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    total += len(embed.get("author", {}).get("name", ""))
    return total


def message_embed_size(payload: Mapping[str, Any]) -> int:
    """``embed_size`` summed over every embed of a message: what Discord holds to 6000."""
    return sum(embed_size(embed) for embed in payload.get("embeds", ()))


def _too_long(where: str, text: str, limit: int, problems: list[str]) -> None:
    if len(text) > limit:
        problems.append(f"{where} has {len(text)} characters (limit {limit})")


def _blank(where: str, text: str, problems: list[str]) -> None:
    if not text.strip():
        problems.append(f"{where} is empty (Discord rejects blank values)")


def _url(where: str, url: object, problems: list[str]) -> None:
    if not isinstance(url, str) or not url.lower().startswith(_URL_SCHEMES):
        problems.append(f"{where} is not an http(s) URL: {url!r}")
    elif len(url) > URL_LIMIT:
        problems.append(f"{where} has {len(url)} characters (limit {URL_LIMIT})")


def _embed_problems(where: str, embed: Embed, problems: list[str]) -> None:
    _too_long(f"{where}.title", embed.get("title", ""), TITLE_LIMIT, problems)
    _too_long(f"{where}.description", embed.get("description", ""), DESCRIPTION_LIMIT, problems)
    if "footer" in embed:
        _too_long(f"{where}.footer.text", embed["footer"]["text"], FOOTER_LIMIT, problems)
        _blank(f"{where}.footer.text", embed["footer"]["text"], problems)
    if "author" in embed:
        _too_long(f"{where}.author.name", embed["author"]["name"], AUTHOR_NAME_LIMIT, problems)
        _blank(f"{where}.author.name", embed["author"]["name"], problems)
    fields = embed.get("fields", [])
    if len(fields) > FIELDS_PER_EMBED:
        problems.append(f"{where} has {len(fields)} fields (limit {FIELDS_PER_EMBED})")
    for i, field in enumerate(fields):
        _too_long(f"{where}.fields[{i}].name", field["name"], FIELD_NAME_LIMIT, problems)
        _too_long(f"{where}.fields[{i}].value", field["value"], FIELD_VALUE_LIMIT, problems)
        _blank(f"{where}.fields[{i}].name", field["name"], problems)
        _blank(f"{where}.fields[{i}].value", field["value"], problems)
    if "url" in embed:
        _url(f"{where}.url", embed["url"], problems)
    for media in ("image", "thumbnail"):
        if media in embed:
            _url(f"{where}.{media}.url", embed[media]["url"], problems)
    if "color" in embed and not 0 <= embed["color"] <= 0xFFFFFF:
        problems.append(f"{where}.color {embed['color']!r} is not a 24-bit RGB value")
    if embed_size(embed) == 0 and not any(k in embed for k in ("image", "thumbnail")):
        problems.append(f"{where} is empty")


def payload_problems(payload: MessagePayload) -> list[str]:
    """Every way ``payload`` breaks Discord's limits or newsbot's no-ping rule; [] when it is fine."""
    problems: list[str] = []
    content = payload.get("content", "")
    embeds = payload.get("embeds", [])
    _too_long("content", content, CONTENT_LIMIT, problems)
    if not content.strip() and not embeds:
        problems.append("message has neither content nor embeds")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"message has {len(embeds)} embeds (limit {EMBEDS_PER_MESSAGE})")
    for i, embed in enumerate(embeds):
        _embed_problems(f"embeds[{i}]", embed, problems)
    total = message_embed_size(payload)
    if total > MESSAGE_EMBED_CHARS:
        problems.append(f"embeds have {total} characters in all (limit {MESSAGE_EMBED_CHARS})")
    _mention_problems(payload, problems)
    _component_problems(payload, problems)
    return problems


def _component_problems(payload: MessagePayload, problems: list[str]) -> None:
    """The section menu's rows: each one select within Discord's select limits, ids unique."""
    rows = payload.get("components", [])
    if len(rows) > ACTION_ROWS_PER_MESSAGE:
        problems.append(f"message has {len(rows)} action rows (limit {ACTION_ROWS_PER_MESSAGE})")
    seen: set[str] = set()
    for r, row in enumerate(rows):
        if row.get("type") != 1 or len(row.get("components", [])) != 1:
            problems.append(f"components[{r}] is not an action row holding one select")
            continue
        select = row["components"][0]
        where = f"components[{r}].select"
        custom_id = select.get("custom_id", "")
        _too_long(f"{where}.custom_id", custom_id, CUSTOM_ID_LIMIT, problems)
        _blank(f"{where}.custom_id", custom_id, problems)
        if custom_id in seen:
            problems.append(f"{where}.custom_id {custom_id!r} is used twice")
        seen.add(custom_id)
        _too_long(f"{where}.placeholder", select.get("placeholder", ""), PLACEHOLDER_LIMIT, problems)
        options = select.get("options", [])
        if not 1 <= len(options) <= OPTIONS_PER_SELECT:
            problems.append(f"{where} has {len(options)} options (1 to {OPTIONS_PER_SELECT})")
        for o, option in enumerate(options):
            _too_long(f"{where}.options[{o}].label", option["label"], OPTION_LABEL_LIMIT, problems)
            _blank(f"{where}.options[{o}].label", option["label"], problems)
            _too_long(f"{where}.options[{o}].value", option["value"], OPTION_LABEL_LIMIT, problems)
            if "description" in option:
                _too_long(f"{where}.options[{o}].description", option["description"], OPTION_LABEL_LIMIT, problems)
                _blank(f"{where}.options[{o}].description", option["description"], problems)
        if len({option["value"] for option in options}) != len(options):
            problems.append(f"{where} offers a value twice")


def _mention_problems(payload: MessagePayload, problems: list[str]) -> None:
    """Pings are only ever the roles a subscription asked for, each written in the message's content."""
    allowed: Any = payload.get("allowed_mentions")
    if not isinstance(allowed, Mapping) or allowed.get("parse") != [] or not set(allowed) <= {"parse", "roles"}:
        problems.append(f"allowed_mentions is {allowed!r}, not {{'parse': []}} (plus the subscription's roles)")
        return
    if "roles" not in allowed:
        return
    roles = allowed["roles"]
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) and r.isdigit() for r in roles):
        problems.append(f"allowed_mentions.roles is {roles!r}, not a list of role ids")
        return
    if len(roles) > MENTION_ROLES_LIMIT:
        problems.append(f"allowed_mentions lets {len(roles)} roles ping (limit {MENTION_ROLES_LIMIT})")
    content = payload.get("content", "")
    silent = [role for role in roles if f"<@&{role}>" not in content]
    if silent:
        problems.append(f"allowed_mentions lets roles ping that the content does not mention: {', '.join(silent)}")


def check_payload(payload: MessagePayload) -> None:
    """Raise ``PayloadTooLarge`` listing every violation; the delivery loop's last guard."""
    problems = payload_problems(payload)
    if problems:
        raise PayloadTooLarge(problems)


def payload_size_ok(payload: MessagePayload) -> bool:
    """True when ``check_payload`` would pass."""
    return not payload_problems(payload)
