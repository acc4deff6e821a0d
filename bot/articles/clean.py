"""Boilerplate that must never reach a reader: share prompts, "Read More @ …", newsletters, chrome.

Extraction libraries drop most site chrome, but feeds and Markdown files carry their own
(the seed story ends with "Read More @ kyivindependent.com" and "Share This Article").  The rules
are general — phrases any site uses — and only ever drop *short* blocks, so a real paragraph that
happens to mention a newsletter survives.
"""

from __future__ import annotations

import re

from bot.articles.blocks import Block

#: A block longer than this is content, whatever words it contains.
MAX_BOILERPLATE_CHARS = 220

_BOILERPLATE = re.compile(
    r"""^(?:
        read\ (?:more|the\ full\ (?:story|article)|full\ (?:story|article)|the\ rest|next|also|original)\b.*
      | continue\ reading\b.*
      | (?:share|tweet|email|print|pin)(?:\ (?:this|the))?(?:\ (?:article|story|post|page|link))?(?:\ (?:on|via|with)\ .*)?[\s:!.]*
      | share\ (?:on|via)\ .*
      | (?:copy\ link|link\ copied)[\s!.]*
      | (?:(?:facebook|twitter|x|linkedin|whatsapp|reddit|telegram|email|print|copy\ link|pinterest|flipboard)[\s|,·•/]*){2,}
      | (?:subscribe|sign\ up|signup|join|get)\b.*\b(?:newsletter|inbox|updates|briefing|digest|alerts?|subscribers?)\b.*
      | (?:subscribe|sign\ up)\ (?:now|today|here)\b.*
      | (?:newsletter|sign\ up\ for\ (?:our|the)\ .*)
      | follow\ (?:us|@?\w+)\ on\ .*
      | (?:advertisement|advertising|sponsored(?:\ content)?|ad|promoted|scroll\ to\ continue(?:\ with\ content)?)[\s:.]*
      | (?:related|related\ (?:stories|articles|posts|coverage|content|reading|news)|more\ (?:from|on|in|stories|news)\b.*
         |you\ (?:may|might)\ (?:also\ )?like.*|recommended(?:\ for\ you)?|also\ read|see\ also|trending(?:\ now)?
         |most\ (?:read|popular|viewed)|popular\ (?:now|stories)|don'?t\ miss|editor'?s\ picks?|top\ stories|latest\ (?:news|stories))[\s:]*
      | (?:also\ read|see\ also|related|read\ also)\s*:.*
      | (?:click|tap)\ here\b.*
      | (?:we|this\ (?:site|website))\ uses?\ cookies\b.*
      | .*\b(?:accept|manage)\ (?:all\ )?cookies\b.*
      | (?:all\ rights\ reserved|©|\(c\)\ ?\d{4}|copyright\ ©?\s*\d{4}).*
      | .*\ball\ rights\ reserved\.?
      | (?:leave\ a\ (?:comment|reply)|\d+\ comments?|comments?|show\ comments|view\ comments)[\s:.]*
      | (?:tags?|filed\ under|categories|topics)\s*:.*
      | listen\ to\ (?:this|the)\ (?:article|story)\b.*
      | (?:image|photo|picture|video)\ (?:credit|source)\s*:.*
      | download\ (?:our|the)\ app\b.*
      | (?:support|become\ a\ member\ of)\ (?:our|independent)\ journalism\b.*
      | (?:log\ ?in|sign\ in)\ to\ (?:comment|continue|read)\b.*
      | this\ (?:article|story)\ (?:was|has\ been)\ (?:updated|corrected)\ .*\.?
      | (?:updated|published|posted)\s*:?\s*(?:on\ )?\w{3,9}\.?\ \d{1,2},?\ \d{4}.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

#: A trailer glued to the end of a real paragraph ("… the war. Read More @ example.com").
_TRAILER = re.compile(
    r"\s*(?:read\ more|continue\ reading|read\ the\ full\ (?:story|article))\s*(?:@|at|on|:|»|→|\.\.\.|…)\s*\S*\s*$",
    re.IGNORECASE | re.VERBOSE,
)

#: Headings that introduce chrome; the whole section under them goes.
_CHROME_HEADING = re.compile(
    r"""^(?:related(?:\ (?:stories|articles|posts|coverage|content|reading|news|topics))?|more\ (?:from|on|in|stories|news)\b.*
      |you\ (?:may|might)\ (?:also\ )?like.*|recommended(?:\ (?:for\ you|stories|reading))?|also\ read|see\ also
      |trending(?:\ (?:now|stories|news))?|most\ (?:read|popular|viewed)|popular(?:\ (?:now|stories))?|don'?t\ miss
      |editor'?s\ picks?|top\ stories|latest(?:\ (?:news|stories|articles))?|newsletters?|share\ this(?:\ (?:article|story))?
      |sign\ up.*|subscribe.*|comments?|leave\ a\ (?:comment|reply)|about\ the\ author|tags|read\ next|what\ to\ read\ next
      |more\ like\ this|in\ (?:other|case\ you\ missed\ it).*|follow\ us.*)[\s:]*$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_boilerplate(text: str) -> bool:
    """True when a paragraph is a share prompt, newsletter nag, cookie note or similar chrome."""
    text = text.strip()
    if not text:
        return True
    if len(text) > MAX_BOILERPLATE_CHARS:
        return False
    return bool(_BOILERPLATE.match(text))


def is_chrome_heading(text: str) -> bool:
    """True for headings such as "Related stories" whose whole section is site chrome."""
    return len(text) <= 80 and bool(_CHROME_HEADING.match(text.strip()))


def strip_trailer(text: str) -> str:
    """Remove a "Read more @ …" tail glued to the end of a real paragraph."""
    return _TRAILER.sub("", text)


def clean_blocks(blocks: list[Block], *, title: str | None = None, byline: str | None = None) -> list[Block]:
    """Drop boilerplate blocks, chrome sections, and a leading repeat of the title or byline."""
    out: list[Block] = []
    skipping_level: int | None = None
    norm_title = _norm(title) if title else ""
    for block in blocks:
        if block.kind == "heading":
            if skipping_level is not None and block.level <= skipping_level:
                skipping_level = None
            if is_chrome_heading(block.text):
                skipping_level = block.level
                continue
            if skipping_level is not None:
                continue
            if norm_title and not out and _norm(block.text) == norm_title:
                continue  # the page's own <h1> repeating the title
            out.append(block)
            continue
        if skipping_level is not None:
            continue
        text = strip_trailer(block.text)
        if not text or is_boilerplate(text):
            continue
        if not any(b.kind == "para" for b in out) and _is_byline(text, byline):
            continue
        if norm_title and not out and _norm(text) == norm_title:
            continue
        out.append(block if text == block.text else Block(block.kind, text, block.level))
    return out


_BYLINE = re.compile(r"^(?:by|written\ by|words\ by|reporting\ by)\s+[\w .,'’&-]{1,80}$", re.IGNORECASE | re.VERBOSE)


def _is_byline(text: str, byline: str | None) -> bool:
    if _BYLINE.match(text):
        return True
    return bool(byline) and _norm(text) in {_norm(byline or ""), _norm(f"by {byline}")}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()
