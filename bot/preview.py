"""`newsbot preview SOURCE`: read any source the way the bot would and return the articles.

SOURCE may be a feed URL, an article page URL, a site's homepage URL (the feed it advertises), a
local feed file, an article file (Markdown, HTML, plain text) or a folder of them.  The article
stages are exactly the bot's own (`bot.articles.build.build_article`), so a preview is a faithful
picture of what would be posted.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

from bot.articles.build import DEFAULT_OPTIONS, SummaryOptions, build_article, is_teaser
from bot.errors import FetchError, PageNotFeedError, SourceError
from bot.feeds.addresses import PUBLIC_ONLY, AddressPolicy
from bot.feeds.decode import decode_page
from bot.feeds.fetch import Fetcher, open_session
from bot.feeds.local import read_article_file, read_article_folder
from bot.feeds.parse import parse_feed
from bot.feeds.remote import feed_advertised_by, read_feed_url
from bot.model import Article, FeedEntry, ParsedFeed

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf", ".json", ".feed"})
ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm", ".txt"})


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


async def preview_source(
    source: str,
    *,
    limit: int | None = None,
    fetch_pages: bool | None = None,
    options: SummaryOptions = DEFAULT_OPTIONS,
    policy: AddressPolicy = PUBLIC_ONLY,
) -> list[Article]:
    """Articles from one source, newest entries as the feed orders them, at most ``limit``.

    ``fetch_pages``: fetch the article page of teaser entries (default: only for URL sources,
    since a local feed's links usually point at the internet).  ``policy``: the addresses a URL
    source may be fetched from, as the bot's (``network.allow_addresses``; default public only).
    """
    if is_url(source):
        async with open_session(policy) as session:
            fetcher = Fetcher(session, policy=policy)
            return await _from_url(fetcher, source, limit, True if fetch_pages is None else fetch_pages, options)
    path = Path(source)
    if not path.exists():
        raise SourceError(source, "no such file or folder")
    if path.is_dir():
        feed = read_article_folder(path)
        return [build_article(e, source=None, options=options) for e in _limit(feed.entries, limit)]
    return _from_file(path, limit, options)


def _limit(entries: tuple[FeedEntry, ...] | list[FeedEntry], limit: int | None) -> list[FeedEntry]:
    return list(entries if limit is None else entries[:limit])


def _from_file(path: Path, limit: int | None, options: SummaryOptions) -> list[Article]:
    suffix = path.suffix.lower()
    if suffix in ARTICLE_SUFFIXES:
        return [build_article(read_article_file(path), options=options)]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read the file ({exc.strerror or exc})") from exc
    feed = parse_feed(data, source=str(path))
    return [build_article(e, source=feed.title or None, options=options) for e in _limit(feed.entries, limit)]


async def _from_url(
    fetcher: Fetcher, url: str, limit: int | None, fetch_pages: bool, options: SummaryOptions
) -> list[Article]:
    try:
        feed = await read_feed_url(fetcher, url)
    except PageNotFeedError as page:
        homepage_feed = await _feed_of_homepage(fetcher, page)
        if homepage_feed is None:  # an article's address: preview that article
            entry = FeedEntry(id=page.page_url, title="", link=page.page_url, content=page.html, content_type="html")
            return [build_article(entry, options=options)]
        feed = homepage_feed
    return await _articles_from_feed(fetcher, feed, limit, fetch_pages, options)


async def _feed_of_homepage(fetcher: Fetcher, page: PageNotFeedError) -> ParsedFeed | None:
    """The feed a site's front page (``https://example.com/``) advertises, None for any other page.

    An admin who pastes a site's address means "this site's stories", as with /feeds add.  Any
    other page is read as an article, even though most advertise the site's feed too: previewing
    an article's address is how its extraction is checked.  A front page without a readable feed
    is read as an article as before.
    """
    parts = urlsplit(page.page_url)
    if parts.path not in ("", "/") or parts.query:
        return None
    try:
        return (await feed_advertised_by(fetcher, page)).feed
    except PageNotFeedError:
        return None


async def _articles_from_feed(
    fetcher: Fetcher, feed: ParsedFeed, limit: int | None, fetch_pages: bool, options: SummaryOptions
) -> list[Article]:
    entries = _limit(feed.entries, limit)

    async def one(entry: FeedEntry) -> Article:
        page_html = None
        if fetch_pages and entry.link and is_teaser(entry):
            try:
                page = await fetcher.fetch(entry.link, accept="text/html,application/xhtml+xml")
                page_html = decode_page(page.body or b"", page.content_type)
            except FetchError:
                page_html = None  # the feed's own text is used, as the bot does
        return build_article(entry, source=feed.title or None, page_html=page_html, options=options)

    return list(await asyncio.gather(*(one(e) for e in entries)))
