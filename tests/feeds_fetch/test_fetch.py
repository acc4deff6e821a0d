"""Fetcher against a real local HTTP server (tests.support.FeedServer): every outcome of a fetch."""

from __future__ import annotations

import asyncio
import gzip
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import aiohttp
import pytest

from bot.errors import FetchError
from bot.feeds.fetch import DEFAULT_USER_AGENT, FEED_ACCEPT, HTML_ACCEPT, Fetcher, FetchResult
from tests.support import FeedServer, auto_etag, closed_port_url

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
LAST_MODIFIED = "Wed, 25 Jun 2025 09:00:00 GMT"


async def fetch_error(fetcher: Fetcher, url: str, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url, **kwargs)  # type: ignore[arg-type]
    assert caught.value.source == url
    return caught.value


# ------------------------------------------------------------------ 200 and 304


async def test_200_returns_body_and_validators(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/feed.xml", RSS, last_modified=LAST_MODIFIED, headers={"Cache-Control": "public, max-age=600"})
    result = await Fetcher(session).fetch(srv.url("/feed.xml"))
    assert result == FetchResult(
        url=srv.url("/feed.xml"),
        status=200,
        body=RSS,
        not_modified=False,
        etag=auto_etag(RSS),
        last_modified=LAST_MODIFIED,
        content_type="application/rss+xml; charset=utf-8",
        max_age_seconds=600,
        expires=None,
        permanent_url=None,
    )


async def test_conditional_get_gives_304_and_sends_the_validators(
    srv: FeedServer, session: aiohttp.ClientSession
) -> None:
    srv.set("/feed.xml", RSS, last_modified=LAST_MODIFIED)
    fetcher = Fetcher(session)
    first = await fetcher.fetch(srv.url("/feed.xml"))
    second = await fetcher.fetch(srv.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified)

    assert (second.status, second.not_modified, second.body, second.content_type) == (304, True, None, None)
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    sent = srv.requests[-1].headers
    assert sent["If-None-Match"] == first.etag
    assert sent["If-Modified-Since"] == LAST_MODIFIED
    assert "If-None-Match" not in srv.requests[0].headers


async def test_304_from_last_modified_alone(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/feed.xml", RSS, etag=None, last_modified=LAST_MODIFIED)
    result = await Fetcher(session).fetch(srv.url("/feed.xml"), last_modified=LAST_MODIFIED)
    assert result.not_modified
    assert result.etag is None
    assert result.last_modified == LAST_MODIFIED


async def test_changed_body_gives_200_despite_old_etag(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/feed.xml", RSS)
    fetcher = Fetcher(session)
    first = await fetcher.fetch(srv.url("/feed.xml"))
    srv.set("/feed.xml", RSS + b"<!-- new -->")
    second = await fetcher.fetch(srv.url("/feed.xml"), etag=first.etag)
    assert (second.status, second.body) == (200, RSS + b"<!-- new -->")
    assert second.etag != first.etag


async def test_304_without_validators_keeps_the_ones_sent(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/feed.xml", "", status=304, etag=None)
    result = await Fetcher(session).fetch(srv.url("/feed.xml"), etag='"v1"', last_modified=LAST_MODIFIED)
    assert (result.not_modified, result.etag, result.last_modified) == (True, '"v1"', LAST_MODIFIED)


async def test_request_headers(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/page", "<html></html>", content_type="text/html")
    fetcher = Fetcher(session)
    await fetcher.fetch(srv.url("/page"))
    await fetcher.fetch(srv.url("/page"), accept=HTML_ACCEPT, headers={"X-Test": "1", "User-Agent": "custom/1"})
    first, second = srv.requests
    assert (first.headers["User-Agent"], first.headers["Accept"]) == (DEFAULT_USER_AGENT, FEED_ACCEPT)
    assert (second.headers["User-Agent"], second.headers["Accept"]) == ("custom/1", HTML_ACCEPT)
    assert second.headers["X-Test"] == "1"
    assert "gzip" in first.headers["Accept-Encoding"]


async def test_gzip_body_is_decoded(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/feed.xml", gzip.compress(RSS), headers={"Content-Encoding": "gzip"})
    result = await Fetcher(session).fetch(srv.url("/feed.xml"))
    assert result.body == RSS


@pytest.mark.parametrize(
    ("cache_control", "expected"),
    [("max-age=300", 300), ("public, s-maxage=900, max-age=60", 900), ("no-store, max-age=300", None), (None, None)],
)
async def test_max_age(
    srv: FeedServer, session: aiohttp.ClientSession, cache_control: str | None, expected: int | None
) -> None:
    srv.set("/feed.xml", RSS, headers={"Cache-Control": cache_control} if cache_control else None)
    assert (await Fetcher(session).fetch(srv.url("/feed.xml"))).max_age_seconds == expected


async def test_expires_is_parsed(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/a", RSS, headers={"Expires": "Thu, 26 Jun 2025 10:00:00 GMT"})
    srv.set("/b", RSS, headers={"Expires": "0"})
    fetcher = Fetcher(session)
    assert (await fetcher.fetch(srv.url("/a"))).expires == datetime(2025, 6, 26, 10, tzinfo=timezone.utc)
    assert (await fetcher.fetch(srv.url("/b"))).expires is None


# ------------------------------------------------------------------ redirects


@pytest.mark.parametrize(("status", "permanent"), [(301, True), (308, True), (302, False), (303, False), (307, False)])
async def test_redirect(srv: FeedServer, session: aiohttp.ClientSession, status: int, permanent: bool) -> None:
    srv.set("/new.xml", RSS)
    srv.redirect("/old.xml", "/new.xml", status=status)
    result = await Fetcher(session).fetch(srv.url("/old.xml"))
    assert (result.url, result.body) == (srv.url("/new.xml"), RSS)
    assert result.permanent_url == (srv.url("/new.xml") if permanent else None)


@pytest.mark.parametrize(
    ("chain", "permanent_to"),
    [
        ([301, 301], "/c"),  # moved twice for good: store the last
        ([301, 302], "/b"),  # moved for good to /b, which is temporarily elsewhere: store /b
        ([302, 301], None),  # the requested URL itself only moved temporarily: keep it
    ],
)
async def test_redirect_chain(
    srv: FeedServer, session: aiohttp.ClientSession, chain: list[int], permanent_to: str | None
) -> None:
    srv.redirect("/a", "/b", status=chain[0])
    srv.redirect("/b", "/c", status=chain[1])
    srv.set("/c", RSS)
    result = await Fetcher(session).fetch(srv.url("/a"))
    assert result.url == srv.url("/c")
    assert result.permanent_url == (srv.url(permanent_to) if permanent_to else None)


async def test_redirect_to_absolute_url_and_relative_location(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.redirect("/dir/a", srv.url("/dir/b"), status=302)
    srv.redirect("/dir/b", "c", status=302)  # relative to /dir/
    srv.set("/dir/c", RSS)
    assert (await Fetcher(session).fetch(srv.url("/dir/a"))).url == srv.url("/dir/c")


async def test_redirect_loop(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.redirect("/a", "/b", status=302)
    srv.redirect("/b", "/a", status=302)
    error = await fetch_error(Fetcher(session), srv.url("/a"))
    assert "redirect loop" in str(error)
    assert srv.hits["/a"] == 1 and srv.hits["/b"] == 1


async def test_self_redirect_is_a_loop(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.redirect("/a", "/a", status=301)
    assert "redirect loop" in str(await fetch_error(Fetcher(session), srv.url("/a")))


@pytest.mark.parametrize(("max_redirects", "ok"), [(3, True), (2, False), (0, False)])
async def test_max_redirects(srv: FeedServer, session: aiohttp.ClientSession, max_redirects: int, ok: bool) -> None:
    srv.redirect("/1", "/2", status=302)
    srv.redirect("/2", "/3", status=302)
    srv.redirect("/3", "/4", status=302)
    srv.set("/4", RSS)
    fetcher = Fetcher(session, max_redirects=max_redirects)
    if ok:
        assert (await fetcher.fetch(srv.url("/1"))).body == RSS
    else:
        assert f"more than {max_redirects} redirects" in str(await fetch_error(fetcher, srv.url("/1")))


@pytest.mark.parametrize(
    ("location", "message"),
    [("ftp://example.com/feed", "not an http(s) URL"), ("javascript:alert(1)", "not an http(s) URL"), ("", "without a Location")],
)
async def test_bad_redirect_target(
    srv: FeedServer, session: aiohttp.ClientSession, location: str, message: str
) -> None:
    srv.redirect("/a", location, status=302)
    error = await fetch_error(Fetcher(session), srv.url("/a"))
    assert message in str(error)
    assert error.status == 302


async def test_cross_origin_redirect_drops_credentials(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.redirect("/same", "/cross", status=302)
    srv.redirect("/cross", srv.url("/feed.xml", host="blog.example"), status=302)
    srv.set("/feed.xml", RSS)
    result = await Fetcher(session).fetch(
        srv.url("/same", host="news.example"), headers={"Authorization": "Bearer secret", "X-Keep": "1"}
    )
    assert result.url == srv.url("/feed.xml", host="blog.example")
    assert srv.requests_for("/cross")[0].headers["Authorization"] == "Bearer secret"
    arrived = srv.requests_for("/feed.xml")[0].headers
    assert "Authorization" not in arrived
    assert arrived["X-Keep"] == "1"


# ------------------------------------------------------------------ HTTP errors


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (500, "Internal Server Error"), (403, "Forbidden")])
async def test_http_error_status(srv: FeedServer, session: aiohttp.ClientSession, status: int, reason: str) -> None:
    srv.set("/feed.xml", "nope", status=status)
    error = await fetch_error(Fetcher(session), srv.url("/feed.xml"))
    assert (error.status, error.retry_after) == (status, None)
    assert f"{status} {reason}" in str(error)


async def test_unknown_path_is_404(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/feed.xml", RSS)
    srv.remove("/feed.xml")
    assert (await fetch_error(Fetcher(session), srv.url("/feed.xml"))).status == 404


async def test_410_gone(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/feed.xml", "", status=410)
    error = await fetch_error(Fetcher(session), srv.url("/feed.xml"))
    assert error.status == 410
    assert "removed for good" in str(error)


@pytest.mark.parametrize("status", [503, 429])
async def test_retry_after_seconds(srv: FeedServer, session: aiohttp.ClientSession, status: int) -> None:
    srv.set("/feed.xml", "", status=status, headers={"Retry-After": "120"})
    error = await fetch_error(Fetcher(session), srv.url("/feed.xml"))
    assert (error.status, error.retry_after) == (status, 120.0)
    assert "retry after 120 s" in str(error)


async def test_retry_after_http_date(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    when = datetime.now(timezone.utc) + timedelta(hours=2)
    srv.set("/feed.xml", "", status=503, headers={"Retry-After": format_datetime(when, usegmt=True)})
    error = await fetch_error(Fetcher(session), srv.url("/feed.xml"))
    assert error.retry_after is not None
    assert 3600 < error.retry_after <= 7200


async def test_unreadable_retry_after_is_ignored(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/feed.xml", "", status=503, headers={"Retry-After": "soon"})
    assert (await fetch_error(Fetcher(session), srv.url("/feed.xml"))).retry_after is None


# ------------------------------------------------------------------ size cap, timeout, network


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_body_over_the_cap(srv: FeedServer, session: aiohttp.ClientSession, chunked: bool) -> None:
    srv.set("/big.xml", b"x" * 100_001, chunked=chunked)
    error = await fetch_error(Fetcher(session, max_bytes=100_000), srv.url("/big.xml"))
    assert "response larger than 100000 bytes" in str(error)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_body_exactly_at_the_cap(srv: FeedServer, session: aiohttp.ClientSession, chunked: bool) -> None:
    srv.set("/big.xml", b"x" * 100_000, chunked=chunked)
    assert len((await Fetcher(session, max_bytes=100_000).fetch(srv.url("/big.xml"))).body or b"") == 100_000


async def test_cap_applies_to_the_decompressed_body(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    bomb = gzip.compress(b"\0" * 1_000_000)
    assert len(bomb) < 10_000
    srv.set("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"})
    error = await fetch_error(Fetcher(session, max_bytes=100_000), srv.url("/bomb.xml"))
    assert "larger than 100000 bytes" in str(error)


async def test_timeout(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/slow.xml", RSS, delay=30.0)
    error = await fetch_error(Fetcher(session, timeout=0.2), srv.url("/slow.xml"))
    assert "no complete response within 0.2 s" in str(error)
    assert error.status is None
    assert isinstance(error.__cause__, TimeoutError)


async def test_connection_refused(session: aiohttp.ClientSession) -> None:
    url = closed_port_url("/feed.xml")
    error = await fetch_error(Fetcher(session), url)
    assert "could not connect to 127.0.0.1" in str(error)
    assert "connection refused" in str(error)
    assert error.status is None


async def test_unresolvable_host(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    error = await fetch_error(Fetcher(session), srv.url("/feed.xml", host="unknown.example"))
    assert "could not resolve the host name 'unknown.example'" in str(error)
    assert error.status is None


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/feed.xml", "file:///etc/passwd", "javascript:alert(1)", "example.com/feed", "", "http://", "   "],
)
async def test_only_http_urls(session: aiohttp.ClientSession, url: str) -> None:
    with pytest.raises(FetchError) as caught:
        await Fetcher(session).fetch(url)
    assert caught.value.status is None


async def test_cancellation_is_not_swallowed(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/slow.xml", RSS, delay=30.0)
    task = asyncio.create_task(Fetcher(session).fetch(srv.url("/slow.xml")))
    while srv.in_flight == 0:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# ------------------------------------------------------------------ politeness


@pytest.mark.parametrize("limit", [1, 2, 3])
async def test_per_host_limit(srv: FeedServer, session: aiohttp.ClientSession, limit: int) -> None:
    srv.set("/feed.xml", RSS, delay=0.25)
    fetcher = Fetcher(session, per_host_limit=limit)
    results = await asyncio.gather(*(fetcher.fetch(srv.url("/feed.xml")) for _ in range(6)))
    assert [r.body for r in results] == [RSS] * 6
    assert srv.max_in_flight == limit


async def test_per_host_limit_does_not_hold_back_other_hosts(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    """news.example and blog.example are different hosts to the limiter, though the same server here."""
    srv.set("/feed.xml", RSS, delay=0.25)
    fetcher = Fetcher(session, per_host_limit=1)
    hosts = ["news.example", "news.example", "blog.example", "blog.example"]
    await asyncio.gather(*(fetcher.fetch(srv.url("/feed.xml", host=h)) for h in hosts))
    assert srv.max_in_flight == 2


@pytest.mark.parametrize(
    "kwargs", [{"timeout": 0}, {"max_bytes": 0}, {"per_host_limit": 0}, {"max_redirects": -1}]
)
async def test_invalid_settings(session: aiohttp.ClientSession, kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Fetcher(session, **kwargs)  # type: ignore[arg-type]
