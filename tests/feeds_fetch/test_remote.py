"""read_feed_url against the local feed server: the one "is this URL a feed?" of preview and /feeds."""

from __future__ import annotations

import aiohttp
import pytest

from bot.errors import FetchError, PageNotFeedError, ParseError
from bot.feeds.fetch import Fetcher
from bot.feeds.remote import read_feed_url
from tests.support import FeedServer

#: No channel <link>, so a relative item link can only be resolved against the URL it was served from.
FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
    "<item><guid>q1</guid><title>Rescuers reach survivors</title><link>/quake</link></item>"
    "</channel></rss>"
)
PAGE = "<!doctype html><html><head><title>Quake</title></head><body><p>Rescuers arrived.</p></body></html>"


async def test_a_feed_is_parsed_with_links_resolved_against_where_it_was_served(
    srv: FeedServer, session: aiohttp.ClientSession
) -> None:
    srv.set("/news.xml", FEED)
    srv.redirect("/feed", "/news.xml")
    feed = await read_feed_url(Fetcher(session), srv.url("/feed"))
    assert feed.title == "News"
    assert [(e.id, e.title, e.link) for e in feed.entries] == [("q1", "Rescuers reach survivors", srv.url("/quake"))]


async def test_a_missing_feed_is_a_fetch_error_with_the_status(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    url = srv.url("/nothing-here.xml")
    with pytest.raises(FetchError) as caught:
        await read_feed_url(Fetcher(session), url)
    assert (caught.value.source, caught.value.status, caught.value.reason) == (url, 404, "server answered 404 Not Found")


async def test_an_html_page_is_a_parse_error_that_keeps_the_page(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/story.html", PAGE, content_type="text/html; charset=utf-8")
    srv.redirect("/s/1", "/story.html", status=302)
    url = srv.url("/s/1")
    with pytest.raises(PageNotFeedError) as caught:
        await read_feed_url(Fetcher(session), url)
    error = caught.value
    assert (error.source, error.reason) == (url, "this is an HTML page, not a feed")
    assert (error.page_url, error.html) == (srv.url("/story.html"), PAGE)


async def test_a_body_that_is_neither_feed_nor_page_is_a_plain_parse_error(
    srv: FeedServer, session: aiohttp.ClientSession
) -> None:
    srv.set("/feed.txt", "just some words", content_type="text/plain")
    url = srv.url("/feed.txt")
    with pytest.raises(ParseError) as caught:
        await read_feed_url(Fetcher(session), url)
    assert not isinstance(caught.value, PageNotFeedError)  # nothing a caller could read as an article
    assert (caught.value.source, caught.value.reason) == (url, "not a feed: the response is neither XML nor JSON")
