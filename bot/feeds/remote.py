"""A feed read from its URL in one step: fetch it, parse it.

For the commands that read a URL once, because someone asked (``newsbot preview``, ``/feeds add``,
``/feeds preview``), so they agree on what "this URL is a feed" means and on the errors that say
it is not.  The poller does not use it: it fetches conditionally and skips parsing a body that
did not change (bot/pipeline.py).

A page's address works too (:func:`discover_feed`): admins paste a site's homepage and expect the
bot to find the feed the page advertises (bot/feeds/discover.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import PageNotFeedError, ParseError, SourceError
from bot.feeds.decode import decode_page
from bot.feeds.discover import FeedLink, advertised_feeds
from bot.feeds.fetch import Fetcher
from bot.feeds.parse import parse_feed
from bot.model import ParsedFeed

__all__ = ["MAX_DISCOVERY_TRIES", "FoundFeed", "discover_feed", "feed_advertised_by", "read_feed_url"]

#: Advertised feeds fetched, best first, before giving up on a page: the main feed comes first,
#: and each try may take the fetcher's whole timeout.
MAX_DISCOVERY_TRIES = 3


@dataclass(frozen=True, slots=True)
class FoundFeed:
    """A feed read from the URL someone gave, directly or through the page at that URL."""

    #: The feed's URL: the one given, or the one the page advertised (what to store and poll).
    url: str
    feed: ParsedFeed
    #: The page's link that led to the feed; None when the URL given was the feed itself.
    via: FeedLink | None = None


async def read_feed_url(fetcher: Fetcher, url: str) -> ParsedFeed:
    """Fetch ``url`` and parse what it serves as an RSS, Atom or JSON feed.

    Raises FetchError when it cannot be fetched (network, HTTP status, size) and ParseError when
    the body is not a feed.  A body served as HTML raises the ParseError subclass
    PageNotFeedError, which carries the page: people often paste an article's address where a
    feed's is wanted, and a caller such as ``newsbot preview`` can then read it as an article.
    """
    result = await fetcher.fetch(url)
    body = result.body or b""
    try:
        return parse_feed(body, source=url, base_url=result.url, content_type=result.content_type)
    except ParseError as exc:
        if "html" not in (result.content_type or "").lower():
            raise
        raise PageNotFeedError(url, exc.reason, page_url=result.url, html=decode_page(body, result.content_type)) from exc


async def discover_feed(fetcher: Fetcher, url: str) -> FoundFeed:
    """The feed at ``url``, or, when ``url`` is an HTML page, the first feed the page advertises.

    Raises what :func:`read_feed_url` raises; for a page, the PageNotFeedError says that the page
    advertises no feed or that none of those tried could be read.
    """
    try:
        return FoundFeed(url, await read_feed_url(fetcher, url))
    except PageNotFeedError as page:
        return await feed_advertised_by(fetcher, page)


async def feed_advertised_by(fetcher: Fetcher, page: PageNotFeedError) -> FoundFeed:
    """The first of the page's advertised feeds (at most :data:`MAX_DISCOVERY_TRIES`) that parses.

    Each is fetched with the same fetcher, so its size, time and redirect limits apply.  A link that
    is itself a page is not followed further, so discovery cannot loop.  When none is advertised
    or none parses, raises a PageNotFeedError for the same page whose reason says so.
    """
    itself = {page.source, page.page_url}
    links = [link for link in advertised_feeds(page.html, page.page_url) if link.url not in itself]
    failures: list[str] = []
    for link in links[:MAX_DISCOVERY_TRIES]:
        try:
            return FoundFeed(link.url, await read_feed_url(fetcher, link.url), via=link)
        except SourceError as exc:
            failures.append(f"{link.url} ({exc.reason})")
    if len(failures) == 1:
        why = f"the feed it advertises could not be read: {failures[0]}"
    elif failures:
        why = "none of the feeds it advertises could be read: " + "; ".join(failures)
    else:
        why = "it advertises no RSS, Atom or JSON feed"
    raise PageNotFeedError(page.source, f"{page.reason}, and {why}", page_url=page.page_url, html=page.html) from page
