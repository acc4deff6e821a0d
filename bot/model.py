"""The plain values that flow through newsbot: feed → entries → articles → sections → posts.

Every stage takes and returns these frozen dataclasses, so each stage can be tested with
values built by hand and no I/O.  Datetimes are always timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

#: What readers see for an article that has no title (never used to rank its sentences).
UNTITLED = "(untitled)"

ContentType = Literal["html", "text", "markdown"]


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, as the feed gave it (nothing fetched beyond the feed)."""

    #: RSS ``guid``, Atom ``id``, JSON Feed ``id``; None when the feed gives none.
    id: str | None
    #: Plain-text title ("" when the feed has none).
    title: str
    #: Absolute URL of the article page, resolved against the feed's base URL.
    link: str | None = None
    #: Author's display name.
    author: str | None = None
    #: Publication time (UTC).
    published: datetime | None = None
    #: Last update time (UTC).
    updated: datetime | None = None
    #: The feed's short description or teaser (HTML or text, as given).
    summary: str = ""
    #: The full body when the feed carries it (content:encoded, Atom content, JSON content_*).
    content: str = ""
    #: How ``content`` (or, when content is empty, ``summary``) is written.
    content_type: ContentType = "html"
    #: URL of a lead image (enclosure, media:content/thumbnail, JSON ``image``).
    image: str | None = None
    #: The publication it comes from, when the entry itself says (a local file's front matter);
    #: otherwise the feed's title is the source.
    source: str | None = None
    #: Categories or tags, as plain text in the feed's order (RSS ``<category>``, Atom ``<category>``
    #: term and label, JSON Feed ``tags``, front matter ``tags``/``categories``); for filters.
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole feed document: its own metadata and its entries, in document order."""

    #: The feed's title (a site name, used as the source of its articles).
    title: str
    #: The site's home page.
    link: str | None = None
    #: The entries, in document order.
    entries: tuple[FeedEntry, ...] = ()
    #: RSS ``<ttl>`` in minutes, a hint for how often to poll.
    ttl_minutes: int | None = None
    #: Problems the parser worked around (bozo, unknown encoding...), for the logs.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """One of an article's own sections, in reading order."""

    #: The section's heading; "" for the lead (text before the first heading).
    title: str
    #: Plain text of the section, paragraphs separated by a blank line.
    text: str
    #: Extractive summary: 1–3 of the section's own sentences in their original order.
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    """A story read, sectioned and summarized: what the bot posts and what members query."""

    title: str
    #: Canonical URL of the story (None for a local file with no url in its front matter).
    url: str | None = None
    #: Byline.
    author: str | None = None
    #: Publication time (UTC).
    published: datetime | None = None
    #: Where it came from: the feed's or site's name.
    source: str | None = None
    #: Lead image URL.
    image: str | None = None
    #: The TL;DR of the whole article.
    summary: str = ""
    #: The article's sections, in order.
    sections: tuple[Section, ...] = field(default_factory=tuple)
    #: The entry's categories or tags (for ``category:`` filters); not stored, so empty when read back.
    categories: tuple[str, ...] = ()
