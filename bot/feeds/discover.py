"""Feed autodiscovery: the feeds an HTML page advertises, best first.

Admins paste a site's homepage (or one of its articles) where a feed's URL is wanted; sites say
where their feed is with ``<link rel="alternate" type="application/rss+xml" href="…">`` (the
RSS/Atom autodiscovery convention, and JSON Feed's ``application/feed+json``).  This module only
reads the page's text; fetching the candidates is :func:`bot.feeds.remote.discover_feed`'s job.

The page comes from anywhere, so the work is bounded: only the first :data:`MAX_SCAN_CHARS` of the
page are parsed (libxml2's HTML parser, which shrugs off malformed markup and ignores links inside
comments and scripts) and at most :data:`MAX_FEED_LINKS` candidates are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from lxml import etree

__all__ = ["MAX_FEED_LINKS", "MAX_SCAN_CHARS", "MAX_TITLE_CHARS", "FeedLink", "advertised_feeds"]

#: The prefix of the page that is looked at.  The links belong in <head>, but a head full of
#: inline scripts runs long (one benchmark page, ZDNet, has its feed link 261,000 characters in),
#: and some pages put them just after it.  Parsing this much takes milliseconds.
MAX_SCAN_CHARS = 1_000_000
#: Candidates collected from one page; a real page advertises a handful.
MAX_FEED_LINKS = 20
#: A link's title is kept for messages, cut to this length.
MAX_TITLE_CHARS = 200

#: ``type`` values that announce a feed.  Plain JSON is also WordPress's REST API
#: (``/wp-json/…``), so it ranks after the feed types.
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})
_JSON_TYPE = "application/json"
#: "Comments" in the languages of the sites most often seen (commentaires, commenti, Kommentare,
#: komentar, comentarios, comentários): the title or path of a comments feed says one of these.
_COMMENT_WORDS = ("comment", "kommentar", "komentar", "comentar")
_SCHEMES = frozenset({"http", "https"})
#: What a browser leaves alone in a URL; everything else (spaces, quotes, <>, non-ASCII) is
#: percent-encoded, so the URL is safe to store in the config and to show in Discord.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
_SPACES = re.compile(r"\s+")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


@dataclass(frozen=True, slots=True)
class FeedLink:
    """One feed a page advertises."""

    #: Absolute http(s) URL: ``href`` resolved against ``<base href>`` or the page's URL.
    url: str
    #: The link's ``title`` (whitespace collapsed, cut), "" when it has none.
    title: str
    #: The advertised MIME type, lower-case, without parameters.
    type: str

    @property
    def is_comments(self) -> bool:
        """A comments feed ("Comments Feed", ``/comments/feed/``): a real feed, but not the site's."""
        words = (self.title + " " + urlsplit(self.url).path).lower()
        return any(word in words for word in _COMMENT_WORDS)


def advertised_feeds(html: str, page_url: str) -> list[FeedLink]:
    """The feeds ``html`` (served at ``page_url``, after redirects) advertises, best first.

    Best first: the page's order, except that comments feeds come after the others and plain
    ``application/json`` links after the feed types.  Duplicates (same URL, fragment ignored)
    and links that are not http(s) are dropped; a page without any gives [].
    """
    root = _parse(html[:MAX_SCAN_CHARS])
    if root is None:
        return []
    # The first <base href> sets the base of the whole document, links before it included.
    base_element = root.find(".//base[@href]")
    base = page_url if base_element is None else _absolute(base_element.get("href") or "", page_url) or page_url
    found: dict[str, FeedLink] = {}
    for element in root.iter("link"):
        link = _feed_link(element, base)
        if link is not None and link.url not in found:
            found[link.url] = link
            if len(found) == MAX_FEED_LINKS:
                break
    return sorted(found.values(), key=lambda link: (link.is_comments, link.type == _JSON_TYPE))


def _parse(text: str) -> etree._Element | None:
    """The page's element tree, None when nothing usable is there.

    Bytes plus an explicit encoding: lxml refuses a str that carries an XML encoding declaration,
    and a <meta charset> must not make libxml2 re-decode text that is already decoded.
    """
    try:
        return etree.HTML(text.encode("utf-8", errors="replace"), parser=etree.HTMLParser(encoding="utf-8"))
    except (etree.LxmlError, ValueError):
        return None


def _feed_link(element: etree._Element, base: str) -> FeedLink | None:
    """The FeedLink a <link> element stands for, None when it advertises no feed."""
    rel = (element.get("rel") or "").lower().split()
    kind = (element.get("type") or "").split(";", 1)[0].strip().lower()
    href = element.get("href")
    if "alternate" not in rel or (kind not in _FEED_TYPES and kind != _JSON_TYPE) or not href:
        return None
    url = _absolute(href, base)
    if url is None:
        return None
    title = _SPACES.sub(" ", element.get("title") or "").strip()[:MAX_TITLE_CHARS]
    return FeedLink(url=url, title=title, type=kind)


def _absolute(href: str, base: str) -> str | None:
    """``href`` resolved against ``base`` as a browser would, percent-encoded, without its fragment
    (never sent to the server); None unless it is http(s) with a host."""
    href = _TAB_OR_NEWLINE.sub("", href.strip())
    if not href:
        return None
    try:
        parts = urlsplit(urljoin(base, href))  # ValueError: a malformed IPv6 literal
        netloc = parts.netloc if parts.netloc.isascii() else parts.netloc.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        return None
    path, query = quote(parts.path, safe=_URL_SAFE), quote(parts.query, safe=_URL_SAFE)
    return urlunsplit((parts.scheme.lower(), netloc, path or "/", query, ""))
