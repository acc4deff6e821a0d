"""`newsbot preview URL` of a page: a site's front page previews its feed, any other page is an article."""

from __future__ import annotations

from bot.preview import preview_source
from tests.e2e.harness import body_text
from tests.support import FeedServer

#: A full-text item, so the preview needs no page fetch.
FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Quake News</title>'
    f"<item><guid>q1</guid><title>Rescuers reach survivors</title><description>{body_text('quake')}</description></item>"
    "</channel></rss>"
)
FEED_LINK = '<link rel="alternate" type="application/rss+xml" title="Quake News" href="/feed.xml">'


def page(title: str, body: str) -> str:
    return f"<!doctype html><html><head><title>{title}</title>{FEED_LINK}</head><body>{body}</body></html>"


async def test_a_site_front_page_previews_the_feed_it_advertises(srv: FeedServer) -> None:
    srv.set("/", page("Quake News — home", "<ul><li><a href='/quake'>Rescuers reach survivors</a></li></ul>"),
            content_type="text/html; charset=utf-8")
    srv.set("/feed.xml", FEED)
    articles = await preview_source(srv.url("/"))
    assert [(a.title, a.source) for a in articles] == [("Rescuers reach survivors", "Quake News")]


async def test_an_article_page_is_previewed_as_that_article_although_it_advertises_the_feed(srv: FeedServer) -> None:
    srv.set("/quake", page("Storm hits the coast", f"<article>{body_text('storm')}</article>"),
            content_type="text/html; charset=utf-8")
    srv.set("/feed.xml", FEED)
    articles = await preview_source(srv.url("/quake"))
    assert [(a.title, a.url) for a in articles] == [("Storm hits the coast", srv.url("/quake"))]
    assert srv.hits["/feed.xml"] == 0


async def test_a_front_page_without_a_readable_feed_is_previewed_as_a_page(srv: FeedServer) -> None:
    srv.set("/", page("Storm hits the coast", f"<article>{body_text('storm')}</article>"),
            content_type="text/html; charset=utf-8")
    articles = await preview_source(srv.url("/"))  # /feed.xml answers 404
    assert [a.title for a in articles] == ["Storm hits the coast"]
    assert srv.hits["/feed.xml"] == 1
