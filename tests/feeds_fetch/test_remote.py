"""read_feed_url and discover_feed against the local feed server: the one "is this URL a feed?" of
preview and /feeds, and the feed a page's address leads to."""

from __future__ import annotations

import aiohttp
import pytest

from bot.errors import FetchError, PageNotFeedError, ParseError
from bot.feeds.fetch import Fetcher
from bot.feeds.remote import MAX_DISCOVERY_TRIES, discover_feed, read_feed_url
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


# --------------------------------------------------------------------------------------------
# discover_feed: a page's address leads to the feed the page advertises
# --------------------------------------------------------------------------------------------


def homepage(*links: str) -> str:
    """An HTML homepage whose head advertises ``links`` (each a ``<link …>`` tag's attributes)."""
    tags = "".join(f"<link {attributes}>" for attributes in links)
    return f"<!doctype html><html><head><title>Home</title>{tags}</head><body><p>Latest news</p></body></html>"


def serve_page(srv: FeedServer, path: str, html: str) -> None:
    srv.set(path, html, content_type="text/html; charset=utf-8")


async def test_a_feed_url_is_found_as_itself_with_one_fetch(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/news.xml", FEED)
    found = await discover_feed(Fetcher(session), srv.url("/news.xml"))
    assert (found.url, found.feed.title, found.via) == (srv.url("/news.xml"), "News", None)
    assert srv.hits["/news.xml"] == 1


async def test_a_homepage_leads_to_the_feed_it_advertises_resolved_against_where_it_was_served(
    srv: FeedServer, session: aiohttp.ClientSession
) -> None:
    serve_page(srv, "/home/", homepage('rel="alternate" type="application/rss+xml" title="News Feed" href="news.xml"'))
    srv.redirect("/", "/home/", status=302)
    srv.set("/home/news.xml", FEED)
    found = await discover_feed(Fetcher(session), srv.url("/"))
    assert found.url == srv.url("/home/news.xml")
    assert found.via is not None and (found.via.url, found.via.title) == (found.url, "News Feed")
    assert found.feed.title == "News" and [e.id for e in found.feed.entries] == ["q1"]


async def test_advertised_feeds_are_tried_main_feed_first_until_one_parses(
    srv: FeedServer, session: aiohttp.ClientSession
) -> None:
    serve_page(srv, "/", homepage(
        'rel="alternate" type="application/rss+xml" title="Comments Feed" href="/comments/feed/"',
        'rel="alternate" type="application/rss+xml" title="Feed" href="/gone.xml"',
        'rel="alternate" type="application/atom+xml" title="Atom" href="/news.xml"',
    ))
    srv.set("/news.xml", FEED)
    srv.set("/comments/feed/", FEED)
    found = await discover_feed(Fetcher(session), srv.url("/"))
    assert found.url == srv.url("/news.xml")
    assert [r.path for r in srv.requests] == ["/", "/gone.xml", "/news.xml"]  # the comments feed was not needed


async def test_a_page_that_advertises_no_feed_keeps_its_page_and_says_so(
    srv: FeedServer, session: aiohttp.ClientSession
) -> None:
    serve_page(srv, "/story.html", PAGE)
    url = srv.url("/story.html")
    with pytest.raises(PageNotFeedError) as caught:
        await discover_feed(Fetcher(session), url)
    error = caught.value
    assert error.reason == "this is an HTML page, not a feed, and it advertises no RSS, Atom or JSON feed"
    assert (error.source, error.page_url, error.html) == (url, url, PAGE)
    assert [r.path for r in srv.requests] == ["/story.html"]


async def test_an_advertised_link_that_is_a_page_is_not_followed_further(
    srv: FeedServer, session: aiohttp.ClientSession
) -> None:
    serve_page(srv, "/", homepage('rel="alternate" type="application/rss+xml" href="/more.html"'))
    serve_page(srv, "/more.html", homepage('rel="alternate" type="application/rss+xml" href="/news.xml"'))
    srv.set("/news.xml", FEED)
    with pytest.raises(PageNotFeedError) as caught:
        await discover_feed(Fetcher(session), srv.url("/"))
    assert caught.value.reason == (
        "this is an HTML page, not a feed, and the feed it advertises could not be read: "
        f"{srv.url('/more.html')} (this is an HTML page, not a feed)"
    )
    assert caught.value.page_url == srv.url("/")
    assert srv.hits["/news.xml"] == 0


async def test_a_page_advertising_itself_is_not_fetched_again(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    serve_page(srv, "/blog/", homepage('rel="alternate" type="application/rss+xml" href="/blog/"'))
    with pytest.raises(PageNotFeedError, match="advertises no RSS, Atom or JSON feed"):
        await discover_feed(Fetcher(session), srv.url("/blog/"))
    assert srv.hits["/blog/"] == 1


async def test_only_the_first_few_advertised_feeds_are_tried_each_within_the_fetchers_limits(
    srv: FeedServer, session: aiohttp.ClientSession
) -> None:
    links = [f'rel="alternate" type="application/rss+xml" href="/f{i}.xml"' for i in range(MAX_DISCOVERY_TRIES + 2)]
    serve_page(srv, "/", homepage(*links))
    big = FEED.replace("<title>News</title>", "<title>News</title>" + "<!-- padding -->" * 500)
    for i in range(MAX_DISCOVERY_TRIES + 2):
        srv.set(f"/f{i}.xml", big)
    with pytest.raises(PageNotFeedError) as caught:
        await discover_feed(Fetcher(session, max_bytes=len(homepage(*links)) + 10), srv.url("/"))
    assert caught.value.reason.startswith("this is an HTML page, not a feed, and none of the feeds it advertises could be read: ")
    assert caught.value.reason.count("response larger than") == MAX_DISCOVERY_TRIES
    assert [r.path for r in srv.requests] == ["/", *(f"/f{i}.xml" for i in range(MAX_DISCOVERY_TRIES))]
