"""A feed read from its URL in one step: fetch it, parse it.

For the commands that read a URL once, because someone asked (``newsbot preview``, ``/feeds add``,
``/feeds preview``), so they agree on what "this URL is a feed" means and on the errors that say
it is not.  The poller does not use it: it fetches conditionally and skips parsing a body that
did not change (bot/pipeline.py).
"""

from __future__ import annotations

from bot.errors import PageNotFeedError, ParseError
from bot.feeds.fetch import Fetcher
from bot.feeds.parse import parse_feed
from bot.model import ParsedFeed

__all__ = ["read_feed_url"]


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
        raise PageNotFeedError(url, exc.reason, page_url=result.url, html=body.decode("utf-8", errors="replace")) from exc
