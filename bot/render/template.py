"""Admins' own message templates: ``"{title} — {summary} {url}"`` filled from an article.

Templates use ``str.format`` braces but are never passed to ``str.format``: only the known
placeholder names are accepted, with no attribute access, index, conversion or format spec, so
a template cannot reach into Python objects (``{title.__class__}``).  ``validate_template`` runs
when the config is loaded, so a typo is reported then, not at the first post.
"""

from __future__ import annotations

import difflib
import string
from collections import Counter

from bot.errors import NewsbotError
from bot.model import Article
from bot.render.layouts import render_compact
from bot.render.limits import CONTENT_LIMIT
from bot.render.mention import Roles, mention_line, mention_room, with_mention
from bot.render.parts import iso_timestamp, plain_title, section_body, section_name, unix_seconds
from bot.render.payloads import MessagePayload, role_mentions
from bot.render.text import ELLIPSIS, one_line, safe_text, safe_url, truncate

#: Every placeholder a template may use, with what it becomes (shown to admins in errors and docs).
PLACEHOLDERS: dict[str, str] = {
    "title": "the article's title",
    "url": "the article's link (empty when there is none)",
    "author": "the byline (empty when unknown)",
    "published": "publication time, ISO 8601 with offset (empty when unknown)",
    "published_local": "publication time as Discord <t:…:f> markup, shown in each reader's time zone",
    "source": "the feed or site name",
    "summary": "the TL;DR of the whole article",
    "sections": "each section's name in bold and its summary, one block per section",
    "section_names": "the section names, comma-separated",
    "mention": "the subscription's role ping(s) (empty without mention:); when the template leaves it out, "
    "the ping is a line of its own before the message",
}
#: Placeholders whose values may be cut (with "…") when the message would pass 2000, largest
#: first; a URL or a time is never cut.
SHRINKABLE = ("sections", "summary", "section_names", "title", "author", "source")

_Piece = tuple[str, str | None]


class TemplateError(NewsbotError, ValueError):
    """A message template that cannot be used; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid message template: " + "; ".join(problems))
        self.problems = problems


def _known() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def _parse(template: object) -> tuple[list[_Piece], list[str]]:
    if not isinstance(template, str):
        return [], [f"a template must be text, not {type(template).__name__}"]
    if not template.strip():
        return [], ["the template is empty"]
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        return [], [f"{exc} (write {{{{ and }}}} for literal braces)"]
    pieces: list[_Piece] = []
    problems: list[str] = []
    unknown: list[str] = []
    for literal, name, spec, conversion in parsed:
        if name is None:
            pieces.append((literal, None))
            continue
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if name not in PLACEHOLDERS:
            close = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
            unknown.append(shown + (f" (did you mean {{{close[0]}}}?)" if close else ""))
        elif conversion or spec:
            problems.append(f"placeholder {shown}: conversions and format specs are not supported, write {{{name}}}")
        pieces.append((literal, name))
    if unknown:
        problems.insert(0, f"unknown placeholder{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; known: {_known()}")
    fixed = sum(len(literal) for literal, _ in pieces)
    if fixed > CONTENT_LIMIT:
        problems.append(f"the template's own text is {fixed} characters; a message holds {CONTENT_LIMIT}")
    return pieces, problems


def validate_template(template: str) -> frozenset[str]:
    """The placeholders ``template`` uses, or ``TemplateError`` listing everything wrong with it."""
    pieces, problems = _parse(template)
    if problems:
        raise TemplateError(problems)
    return frozenset(name for _, name in pieces if name)


def _section_blocks(article: Article) -> list[tuple[str, str]]:
    """Each section as (its name in bold, its summary), the two halves of one ``{sections}`` block."""
    return [
        (f"**{safe_text(section_name(article, i))}**", safe_text(section_body(article.sections[i])).strip())
        for i in range(len(article.sections))
    ]


def _join_blocks(blocks: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"{head}\n{body}".rstrip() for head, body in blocks)


def _shrink_sections(blocks: list[tuple[str, str]], keep: int) -> str:
    """``{sections}`` in at most ``keep`` characters, cut between blocks, never inside one's bold name.

    Whole blocks are kept while they fit, followed by a line saying how many were left out; when
    not even the first fits, its summary is shortened under its intact name.  A cut through
    "**Name**" would leave a stray "**" that bolds the rest of the message.
    """
    for count in range(len(blocks) - 1, 0, -1):
        text = f"{_join_blocks(blocks[:count])}\n\n{ELLIPSIS} (+{len(blocks) - count} more)"
        if len(text) <= keep:
            return text
    if not blocks:
        return ""
    head, body = blocks[0]
    room = keep - len(head) - 1
    if room >= 1 and body:
        return f"{head}\n{truncate(body, room)}"
    return truncate(head.strip("*"), keep) if keep >= 1 else ""


def _values(article: Article, blocks: list[tuple[str, str]]) -> dict[str, str]:
    count = range(len(article.sections))
    names = [safe_text(section_name(article, i)) for i in count]
    published = article.published
    return {
        "title": safe_text(plain_title(article)),
        "url": safe_url(article.url) or "",
        "author": safe_text(one_line(article.author or "")),
        "published": iso_timestamp(published) if published else "",
        "published_local": f"<t:{unix_seconds(published)}:f>" if published else "",
        "source": safe_text(one_line(article.source or "")),
        "summary": safe_text(article.summary.strip()),
        "sections": _join_blocks(blocks),
        "section_names": ", ".join(names),
    }


def _fill(pieces: list[_Piece], values: dict[str, str]) -> str:
    return "".join(literal + (values[name] if name else "") for literal, name in pieces)


def render_template(article: Article, template: str, *, mention: Roles = ()) -> MessagePayload:
    """The admin's template filled from ``article``, as message content within 2000 characters.

    Article text is escaped and cannot ping; the template's own text is the admin's and is kept
    as written.  When the result is too long, the longest cuttable values are shortened first
    (so the URL survives), and the whole is cut with "…" only as a last resort.  A template that
    fills to nothing falls back to the compact line.

    The ``mention`` roles are pinged where the template says ``{mention}``, else from a line of
    their own before it; either way the ping is never cut and no other mention may ping.
    """
    pieces, problems = _parse(template)
    if problems:
        raise TemplateError(problems)
    blocks = _section_blocks(article)
    values = _values(article, blocks)
    placed = any(name == "mention" for _, name in pieces)
    values["mention"] = ""
    if not _fill(pieces, values).strip():
        return render_compact(article, mention=mention)
    if placed:
        line = mention_line(mention)
        content = _fitted(blocks, pieces, {**values, "mention": line}, CONTENT_LIMIT)
        if line in content:
            return _payload(content, mention)
        # The last-resort cut took the ping off the end: ping from a line of its own instead.
    content = _fitted(blocks, pieces, values, CONTENT_LIMIT - mention_room(mention))
    return with_mention(_payload(content, ()), mention)


def _payload(content: str, mention: Roles) -> MessagePayload:
    return {"content": content, "allowed_mentions": role_mentions(mention)}


def _fitted(blocks: list[tuple[str, str]], pieces: list[_Piece], values: dict[str, str], limit: int) -> str:
    """The filled template within ``limit``: cuttable values shortened, largest first, then the whole cut."""
    uses = Counter(name for _, name in pieces if name)
    content = _fill(pieces, values)
    while len(content) > limit:
        over = len(content) - limit
        candidates = [(len(values[n]), n) for n in SHRINKABLE if uses[n] and values[n]]
        if not candidates:
            break
        _, name = max(candidates)
        keep = len(values[name]) - -(-over // uses[name])
        if name == "sections":
            values[name] = _shrink_sections(blocks, keep)
        else:
            values[name] = truncate(values[name], keep) if keep >= 1 else ""
        content = _fill(pieces, values)
    return truncate(content, limit)
