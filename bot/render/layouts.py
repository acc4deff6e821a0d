"""The ways an article (or a digest of several) is laid out as Discord messages.

- ``render_embed``: the default post — one embed, fields per section, continued as needed.
- ``render_thread``: a headline message plus one message per section, for a thread.
- ``render_compact``: one line of content per article.
- ``render_section`` / ``render_section_text``: one section's summary / full text (commands, buttons).
- ``render_article_card``: TL;DR and numbered section list (the /article command).
- ``render_digest``: many articles in one post.

Every function returns payloads already within Discord's limits (see ``limits``), with article
text Markdown-escaped and mentions neutralized, and ``allowed_mentions`` set to allow none.  The
post layouts (embed, thread, compact, digest) take a subscription's ``mention`` roles: the first
message opens with their ping and lets exactly them ping (see ``mention``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.errors import NewsbotError
from bot.model import Article, Section
from bot.render.limits import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    THREAD_NAME_LIMIT,
    TITLE_LIMIT,
)
from bot.render.mention import Roles, mention_first, mention_room, with_mention
from bot.render.pack import EmbedPacker
from bot.render.parts import (
    CONTINUED,
    CONTINUED_TITLE_CHARS,
    MediaSlot,
    check_color,
    continued,
    head_embed,
    plain_title,
    section_body,
    section_name,
    unix_seconds,
)
from bot.render.payloads import Embed, MessagePayload, no_mentions
from bot.render.text import (
    first_sentence,
    neutralize_mentions,
    one_line,
    safe_text,
    safe_url,
    split_safe,
    truncate,
)

#: How much of each article's TL;DR a digest shows.
DIGEST_SUMMARY_CHARS = 350
#: How long a digest's "Sections: …" line may get.
DIGEST_SECTIONS_CHARS = 300
#: How much of the article card's description the numbered section list may take.
CARD_SECTION_LIST_CHARS = 1500
#: Cap on one section name in the article card's list.
CARD_SECTION_NAME_CHARS = 200
#: Footer of a single-section post ("Section 2 of 8 · title").
SECTION_FOOTER_CHARS = 256
#: A compact line drops a URL longer than this rather than lose the title to it.
COMPACT_URL_CHARS = 1000
#: Shown when a section asked for has no text at all.
NO_TEXT = "This section has no text."


class SectionNotFound(NewsbotError, IndexError):
    """A section index outside the article; the message says how many sections there are."""

    def __init__(self, article: Article, index: int):
        count = len(article.sections)
        super().__init__(
            f"article {plain_title(article)!r} has {count} section{'s' if count != 1 else ''} "
            f"(indexes 0..{count - 1}); there is no section {index}"
            if count
            else f"article {plain_title(article)!r} has no sections; there is no section {index}"
        )
        self.index = index
        self.count = count


@dataclass(frozen=True, slots=True)
class ThreadPlan:
    """A story posted as a headline message that opens a thread holding one message per section."""

    #: The message in the channel, the thread's starter.
    headline: MessagePayload
    #: Name for the thread (≤ 100 characters, plain text).
    thread_name: str
    #: The thread's messages, in section order; a long section takes several, each marked "(continued)".
    messages: list[MessagePayload]


def _continuation_factory(title: str, color: int | None) -> Callable[[], Embed]:
    short = truncate(title, CONTINUED_TITLE_CHARS) + CONTINUED

    def continuation() -> Embed:
        embed: Embed = {"title": short}
        if color is not None:
            embed["color"] = color
        return embed

    return continuation


def render_embed(
    article: Article,
    *,
    color: int | None = None,
    updated: bool = False,
    media: MediaSlot = "image",
    mention: Roles = (),
) -> list[MessagePayload]:
    """The default post: the header embed with the TL;DR, then one field per section summary.

    When the sections outgrow one embed (25 fields, or 6000 characters a message) they go on in
    "(continued)" embeds — up to 10 a message — and then in further messages, order kept.  A
    summary longer than a field is spread over several fields, the later ones "(continued)".
    """
    color = check_color(color)
    first = head_embed(article, updated=updated, color=color, media=media)
    packer = EmbedPacker(first, _continuation_factory(first["title"], color))
    for chunk in split_safe(article.summary, DESCRIPTION_LIMIT):
        packer.add_text(chunk)
    for index, section in enumerate(article.sections):
        name = truncate(safe_text(section_name(article, index)), FIELD_NAME_LIMIT)
        for part, chunk in enumerate(split_safe(section_body(section), FIELD_VALUE_LIMIT)):
            packer.add_field(name if part == 0 else continued(name, FIELD_NAME_LIMIT), chunk)
    return mention_first(packer.payloads(), mention)


def _titled_messages(title: str, chunks: list[str], first: Embed, color: int | None) -> list[MessagePayload]:
    """One message per chunk: the first is ``first`` plus the chunk, the rest "(continued)"."""
    payloads: list[MessagePayload] = []
    for part, chunk in enumerate(chunks):
        if part == 0:
            embed: Embed = {**first, "title": title, "description": chunk}
        else:
            embed = {"title": continued(title, TITLE_LIMIT), "description": chunk}
            if color is not None:
                embed["color"] = color
        payloads.append({"embeds": [embed], "allowed_mentions": no_mentions()})
    return payloads


def render_thread(
    article: Article, *, color: int | None = None, updated: bool = False, mention: Roles = ()
) -> ThreadPlan:
    """The thread layout: headline (header embed + TL;DR), then each section in its own message.

    Only the headline pings (``mention``): the thread's messages follow it, not a new story.

    A section with neither summary nor text has nothing to say and gets no message.

    The headline's TL;DR is cut with "…" at the 4096 a description allows (a TL;DR that long is
    not a TL;DR); section summaries are never cut, only spread over more messages.
    """
    color = check_color(color)
    head = head_embed(article, updated=updated, color=color)
    summary = safe_text(article.summary.strip())
    if summary:
        head["description"] = truncate(summary, DESCRIPTION_LIMIT)
    messages: list[MessagePayload] = []
    for index, section in enumerate(article.sections):
        name = truncate(safe_text(section_name(article, index)), TITLE_LIMIT)
        chunks = split_safe(section_body(section), DESCRIPTION_LIMIT)
        base: Embed = {} if color is None else {"color": color}
        messages.extend(_titled_messages(name, chunks, base, color))
    name = truncate(plain_title(article), THREAD_NAME_LIMIT)
    return ThreadPlan(
        headline=with_mention({"embeds": [head], "allowed_mentions": no_mentions()}, mention),
        thread_name=name,
        messages=messages,
    )


def render_compact(article: Article, *, unfurl: bool = False, mention: Roles = ()) -> MessagePayload:
    """One line: ``**Title** — first sentence of the TL;DR <url>``, after the ``mention`` ping's line.

    The URL is wrapped in ``<…>`` by default, which keeps Discord from unfurling it: a compact
    feed exists to be dense, and a preview card under every line would undo that (the link stays
    clickable).  ``unfurl=True`` leaves it bare so Discord shows its preview.
    """
    url = safe_url(article.url, limit=COMPACT_URL_CHARS)
    tail = "" if url is None else f" {url}" if unfurl else f" <{url}>"
    title = truncate(safe_text(plain_title(article)), TITLE_LIMIT)
    line = f"**{title}**"
    sentence = safe_text(first_sentence(article.summary))
    room = CONTENT_LIMIT - mention_room(mention) - len(line) - len(tail) - len(" — ")
    if sentence and room >= 1:
        line += " — " + truncate(sentence, room)
    return with_mention({"content": line + tail, "allowed_mentions": no_mentions()}, mention)


def _section_at(article: Article, index: int) -> Section:
    if not 0 <= index < len(article.sections):
        raise SectionNotFound(article, index)
    return article.sections[index]


def _section_messages(article: Article, index: int, body: str, label: str, color: int | None) -> list[MessagePayload]:
    color = check_color(color)
    _section_at(article, index)
    title = truncate(safe_text(section_name(article, index)), TITLE_LIMIT)
    first: Embed = {}
    url = safe_url(article.url)
    if url:
        first["url"] = url
    count = len(article.sections)
    footer = f"{label} {index + 1} of {count} · {plain_title(article)}"
    first["footer"] = {"text": truncate(neutralize_mentions(footer), SECTION_FOOTER_CHARS)}
    if color is not None:
        first["color"] = color
    chunks = split_safe(body, DESCRIPTION_LIMIT) or [NO_TEXT]
    return _titled_messages(title, chunks, first, color)


def render_section(article: Article, index: int, *, color: int | None = None) -> list[MessagePayload]:
    """One section's summary as an embed (the /section command); ``index`` counts from 0.

    Raises ``SectionNotFound`` (an ``IndexError``) for an index outside the article.
    """
    section = _section_at(article, index)
    return _section_messages(article, index, section_body(section), "Section", color)


def render_section_text(article: Article, index: int, *, color: int | None = None) -> list[MessagePayload]:
    """One section's whole text (the "show full text" button), one message per 4096 characters."""
    section = _section_at(article, index)
    return _section_messages(article, index, section.text, "Full text of section", color)


def render_article_card(article: Article, *, color: int | None = None) -> MessagePayload:
    """The /article reply: header embed, TL;DR, and the sections numbered from 1 (index + 1).

    One message always: the TL;DR is cut to leave room for the list, and a list too long for
    its share ends with "…and N more".
    """
    embed = head_embed(article, color=check_color(color), media="thumbnail")
    lines: list[str] = []
    used = 0
    count = len(article.sections)
    for index in range(count):
        line = f"{index + 1}. " + truncate(safe_text(section_name(article, index)), CARD_SECTION_NAME_CHARS)
        more = f"…and {count - index} more"
        if used + len(line) + 1 + len(more) > CARD_SECTION_LIST_CHARS and index < count - 1:
            lines.append(more)
            break
        lines.append(line)
        used += len(line) + 1
    listing = "**Sections**\n" + "\n".join(lines) if lines else ""
    room = DESCRIPTION_LIMIT - len(listing) - 2
    summary = truncate(safe_text(article.summary.strip()), room)
    description = "\n\n".join(part for part in (summary, listing) if part)
    if description:
        embed["description"] = description
    return {"embeds": [embed], "allowed_mentions": no_mentions()}


def _digest_entry(article: Article) -> str:
    title = truncate(safe_text(plain_title(article)), TITLE_LIMIT)
    url = safe_url(article.url)
    head = f"**[{title}]({url})**" if url else f"**{title}**"
    source = one_line(article.source or "")
    if source:
        head += " · " + truncate(safe_text(source), 100)
    lines = [head]
    summary = safe_text(one_line(article.summary))
    if summary:
        lines.append(truncate(summary, DIGEST_SUMMARY_CHARS))
    names = [safe_text(one_line(s.title)) for s in article.sections if one_line(s.title)]
    if names:
        lines.append(truncate("*Sections:* " + " · ".join(names), DIGEST_SECTIONS_CHARS))
    return "\n".join(lines)


def render_digest(
    title: str,
    articles: Sequence[Article],
    *,
    since: datetime | None,
    color: int | None = None,
    mention: Roles = (),
) -> list[MessagePayload]:
    """A digest post: per article its linked title, source, TL;DR and section names.

    Entries are packed into descriptions and continue in "(continued)" embeds and messages, never
    split inside an entry.  ``since`` is shown with Discord's ``<t:…:f>`` markup, which every
    reader sees in their own time zone.  No articles → no messages ([]): nothing to post, nobody
    pinged; otherwise the ``mention`` roles are pinged once, by the first message.
    """
    if not articles:
        return []
    color = check_color(color)
    heading = truncate(safe_text(one_line(title)) or "Digest", TITLE_LIMIT)
    first: Embed = {"title": heading}
    if color is not None:
        first["color"] = color
    packer = EmbedPacker(first, _continuation_factory(heading, color))
    count = len(articles)
    intro = f"{count} {'story' if count == 1 else 'stories'}"
    if since is not None:
        intro += f" since <t:{unix_seconds(since)}:f>"
    packer.add_text(intro)
    for article in articles:
        packer.add_text(_digest_entry(article))
    return mention_first(packer.payloads(), mention)


__all__ = [
    "NO_TEXT",
    "SectionNotFound",
    "ThreadPlan",
    "render_article_card",
    "render_compact",
    "render_digest",
    "render_embed",
    "render_section",
    "render_section_text",
    "render_thread",
]
