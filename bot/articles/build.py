"""FeedEntry (+ the article page, when it was fetched) → a sectioned, summarized Article.

This is the one place the article stages are chained, so the CLI's ``preview``, the poller and
the quality benchmark all produce exactly the same article from the same input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.articles.blocks import Block, html_to_blocks, markdown_to_blocks, text_to_blocks
from bot.articles.clean import clean_blocks
from bot.articles.extract import ExtractedPage, extract_page, looks_like_page
from bot.articles.sections import split_sections
from bot.articles.summarize import (
    DEFAULT_SECTION_SENTENCES,
    DEFAULT_TLDR_SENTENCES,
    article_language,
    summarize_article,
    summarize_section,
)
from bot.articles.words import word_count
from bot.model import UNTITLED, Article, FeedEntry, Section

#: A feed body shorter than this (in words) with no full content is a teaser.
TEASER_WORDS = 120
_TEASER_TAIL = re.compile(r"(?:\.\.\.|…|\[…\]|\[\.\.\.\]|read more|continue reading|more »)\W*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """How long summaries are; admins set these in the config's defaults."""

    section_sentences: int = DEFAULT_SECTION_SENTENCES
    tldr_sentences: int = DEFAULT_TLDR_SENTENCES


DEFAULT_OPTIONS = SummaryOptions()


def is_teaser(entry: FeedEntry) -> bool:
    """True when the feed carries only a teaser, so the article page is worth fetching."""
    if entry.content and _words(entry.content) >= TEASER_WORDS:
        return False
    body = entry.content or entry.summary
    return _words(body) < TEASER_WORDS or bool(_TEASER_TAIL.search(body.strip()))


def _words(markup: str) -> int:
    return word_count(re.sub(r"<[^>]+>", " ", markup))


def entry_blocks(entry: FeedEntry) -> tuple[list[Block], ExtractedPage | None]:
    """The entry's own body as blocks (full content if any, else the summary)."""
    body = entry.content or entry.summary
    if not body:
        return [], None
    if entry.content_type == "markdown":
        return markdown_to_blocks(body), None
    if entry.content_type == "text":
        return text_to_blocks(body), None
    if looks_like_page(body):
        page = extract_page(body, url=entry.link)
        return page.blocks, page
    return html_to_blocks(body), None


#: An address where a name should be: many pages give their publisher's social profile as the
#: article's author (``<meta property="article:author" content="https://www.facebook.com/…">``).
_ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)\S*$", re.IGNORECASE)


#: A byline's own label before the name ("By", "Analysis by", "Reporting by").
_BYLINE_LABEL = re.compile(
    r"^(?:(?:analysis|opinion|commentary|written|words|reporting|story|posted|text|photos?)\s+)?by\s*:?\s+",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
#: A date or time a page's metadata glued after the name ("JERUSALEM POST STAFF NOVEMBER 20, 2019
#: 10:43", "Jane Doe, 20 Nov 2019", "Jane Doe | 2019-11-20").
_TRAILING_DATE = re.compile(
    rf"""[\s,|·•–—-]+(?:
        (?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?
        (?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}} | \d{{1,2}}\s+{_MONTH},?\s+\d{{4}} | \d{{4}}-\d{{2}}-\d{{2}})
        (?:,?\s+(?:at\s+)?\d{{1,2}}[:.]\d{{2}}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{{2,4}})?)?
      | \d{{1,2}}[:.]\d{{2}}(?:\s*[ap]\.?m\.?)?
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def byline_name(author: str | None) -> str | None:
    """The author as a byline shows it, or None when the value is an address rather than a name.

    A byline's own "By" (or "Analysis by") and a date or time glued after the name are dropped:
    the post shows its own "by" and its own date.
    """
    if not author or not author.strip() or _ADDRESS.match(author.strip()):
        return None
    name = " ".join(author.split())
    name = _BYLINE_LABEL.sub("", name, count=1)
    name = _TRAILING_DATE.sub("", name)
    return name.strip(" ,|·•–—-") or author


def build_article(
    entry: FeedEntry,
    *,
    source: str | None = None,
    page_html: str | None = None,
    options: SummaryOptions = DEFAULT_OPTIONS,
) -> Article:
    """Read, clean, section and summarize one entry.

    ``page_html`` is the article page fetched for a teaser entry; when its extraction yields less
    text than the feed itself, the feed's own text is used instead.
    """
    blocks, page = entry_blocks(entry)
    if page_html:
        fetched = extract_page(page_html, url=entry.link)
        if _text_len(fetched.blocks) > _text_len(blocks):
            blocks, page = fetched.blocks, fetched
    title = entry.title or (page.title if page else None) or ""
    author = byline_name(entry.author) or byline_name(page.author if page else None)
    return article_from_blocks(
        blocks,
        title=title.strip() or UNTITLED,
        url=entry.link,
        author=author,
        published=entry.published or entry.updated or (page.published if page else None),
        source=entry.source or source or (page.sitename if page else None),
        image=entry.image or (page.image if page else None),
        categories=entry.categories,
        options=options,
    )


def article_from_blocks(
    blocks: list[Block],
    *,
    title: str,
    url: str | None = None,
    author: str | None = None,
    published: datetime | None = None,
    source: str | None = None,
    image: str | None = None,
    categories: tuple[str, ...] = (),
    options: SummaryOptions = DEFAULT_OPTIONS,
) -> Article:
    """Clean → sections → summaries → Article.  ``categories`` pass through, for filters."""
    cleaned = clean_blocks(blocks, title=title, byline=author)
    language = article_language([[b.text for b in cleaned if b.kind == "para"]])
    raw_sections = split_sections(cleaned, language=language)
    sections = tuple(
        Section(
            title=s.title,
            text=s.text,
            summary=summarize_section(s.paragraphs, options.section_sentences, language=language),
        )
        for s in raw_sections
    )
    tldr = summarize_article(
        [s.paragraphs for s in raw_sections],
        options.tldr_sentences,
        title=None if title == UNTITLED else title,
        first_section_summary=sections[0].summary if sections else None,
        language=language,
    )
    return Article(
        title=title,
        url=url,
        author=author,
        published=published,
        source=source,
        image=image,
        summary=tldr,
        sections=sections,
        categories=categories,
    )


def _text_len(blocks: list[Block]) -> int:
    return sum(len(b.text) for b in blocks if b.kind == "para")
