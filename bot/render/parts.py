"""The pieces of an article that several layouts show the same way: header embed, names, bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from bot.model import UNTITLED, Article, Section
from bot.render.limits import AUTHOR_NAME_LIMIT, TITLE_LIMIT
from bot.render.payloads import Embed
from bot.render.text import neutralize_mentions, one_line, safe_text, safe_url, truncate

#: Name of an untitled first section: the text before the first heading.
LEAD_SECTION_NAME = "Lead"
#: Added to the title of an embed, or the name of a field, that carries on an earlier one.
CONTINUED = " (continued)"
#: Prefix of the title of a re-posted story whose text changed.
UPDATED_PREFIX = "Updated: "
#: Footer (the source) is capped well below Discord's 2048: a source name is a site name, and the
#: cap keeps title + author + footer + a full 4096 description under the 6000 a message allows.
SOURCE_CHARS = 256
#: How much of the article title a "(continued)" embed repeats.
CONTINUED_TITLE_CHARS = 100
#: When a section has no summary, this much of its text stands in for it.
FALLBACK_BODY_CHARS = 400

MediaSlot = Literal["image", "thumbnail"]


def check_color(color: int | None) -> int | None:
    """The embed colour, or ValueError naming it: Discord takes a 24-bit RGB integer only."""
    if color is None:
        return None
    if isinstance(color, bool) or not isinstance(color, int) or not 0 <= color <= 0xFFFFFF:
        raise ValueError(f"embed color {color!r} is not an RGB integer between 0 and 0xFFFFFF")
    return color


def iso_timestamp(moment: datetime) -> str:
    """ISO 8601 with its offset; a naive datetime is taken as UTC, as the model promises."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def unix_seconds(moment: datetime) -> int:
    """Seconds since the epoch for Discord's ``<t:…>`` markup; naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def plain_title(article: Article) -> str:
    """The title on one line, unescaped: for places Discord shows as plain text (thread names)."""
    return one_line(article.title) or UNTITLED


def embed_title(article: Article, *, updated: bool = False, limit: int = TITLE_LIMIT) -> str:
    """The escaped title, "Updated: "-marked for a changed story, within ``limit``."""
    prefix = UPDATED_PREFIX if updated else ""
    return prefix + truncate(safe_text(plain_title(article)), limit - len(prefix))


def continued(text: str, limit: int) -> str:
    """``text`` marked "(continued)", the mark kept even when ``text`` has to be cut for it."""
    return truncate(text, limit - len(CONTINUED)) + CONTINUED


def section_name(article: Article, index: int) -> str:
    """A section's heading (raw text, one line), or a stand-in for an untitled one."""
    title = one_line(article.sections[index].title)
    if title:
        return title
    return LEAD_SECTION_NAME if index == 0 else f"Section {index + 1}"


def section_body(section: Section) -> str:
    """What stands for a section in a summary layout: its summary, else the start of its text."""
    return section.summary.strip() or truncate(section.text.strip(), FALLBACK_BODY_CHARS)


def head_embed(
    article: Article,
    *,
    updated: bool = False,
    color: int | None = None,
    media: MediaSlot | None = "image",
) -> Embed:
    """The embed that introduces an article: linked title, byline, time, source and picture.

    Author name and footer are shown by Discord as plain text, so they are not Markdown-escaped
    (the backslashes would show); mentions are still neutralized there.
    """
    embed: Embed = {"title": embed_title(article, updated=updated)}
    url = safe_url(article.url)
    if url:
        embed["url"] = url
    author = one_line(article.author or "")
    if author:
        embed["author"] = {"name": truncate(neutralize_mentions(author), AUTHOR_NAME_LIMIT)}
    if article.published is not None:
        embed["timestamp"] = iso_timestamp(article.published)
    source = one_line(article.source or "")
    if source:
        embed["footer"] = {"text": truncate(neutralize_mentions(source), SOURCE_CHARS)}
    image = safe_url(article.image)
    if image and media:
        embed[media] = {"url": image}
    color = check_color(color)
    if color is not None:
        embed["color"] = color
    return embed
