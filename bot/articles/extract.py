"""A whole HTML page → its article's blocks and metadata, site chrome dropped.

trafilatura does the hard part (finding the article among menus, trending lists, footers); it
scored best among open-source extractors on the Article Extraction Benchmark, which bench/quality.py
reproduces.  We ask it for its XML tree, which keeps headings (<head rend="h2">) and bold
paragraphs (<hi rend="#b">), so sections survive extraction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

import trafilatura
from lxml import html as lxml_html

from bot.articles.blocks import Block, element_to_blocks

#: trafilatura's fast mode skips its second-opinion extractors; bench/quality.py measures the cost.
FAST_EXTRACTION = True

# trafilatura logs every page it finds too short at WARNING; that is ours to report, not its.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What a page says about its article."""

    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    sitename: str | None = None
    image: str | None = None


def looks_like_page(markup: str) -> bool:
    """A whole document (needs extraction) rather than a feed's HTML fragment."""
    head = markup[:4096].lower()
    return "<html" in head or "<body" in head or "<!doctype html" in head


def extract_page(markup: str, *, url: str | None = None, with_metadata: bool = True) -> ExtractedPage:
    """Extract the article of an HTML page; falls back to the page's visible blocks if nothing is found."""
    try:
        doc = trafilatura.bare_extraction(
            markup,
            url=url,
            include_formatting=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            with_metadata=with_metadata,
            fast=FAST_EXTRACTION,
        )
    except Exception:  # noqa: BLE001 - a hostile page must never crash the bot; fall back below
        doc = None
    if doc is None or doc.body is None:
        return ExtractedPage(blocks=_fallback_blocks(markup))
    blocks = element_to_blocks(doc.body)
    if not with_metadata:
        return ExtractedPage(blocks=blocks)
    return ExtractedPage(
        blocks=blocks,
        title=doc.title or None,
        author=_clean_author(doc.author),
        published=_parse_date(doc.date),
        sitename=doc.sitename or None,
        image=doc.image or None,
    )


def _fallback_blocks(markup: str) -> list[Block]:
    try:
        root = lxml_html.document_fromstring(markup)
    except Exception:  # noqa: BLE001 - unparsable markup yields no blocks, not an exception
        return []
    body = root.find("body")
    return element_to_blocks(body if body is not None else root)


def _clean_author(author: str | None) -> str | None:
    if not author:
        return None
    author = author.strip()
    if author.lower().startswith("by "):
        author = author[3:].strip()
    return author[:256] or None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
