"""The test server itself (tests.support.FeedServer), checked with a bare aiohttp client so other
suites can rely on it."""

from __future__ import annotations

from datetime import datetime, timezone

import aiohttp
import pytest
from multidict import CIMultiDict

from tests.support import FeedServer, auto_etag


async def get(session: aiohttp.ClientSession, url: str, **headers: str) -> tuple[int, bytes, CIMultiDict[str]]:
    async with session.get(url, headers=headers, allow_redirects=False) as response:
        return response.status, await response.read(), response.headers.copy()


async def test_set_serves_body_and_headers(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/a", "héllo", content_type="text/plain; charset=utf-8", headers={"X-Extra": "1"})
    status, body, headers = await get(session, srv.url("/a"))
    assert (status, body) == (200, "héllo".encode())
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["ETag"] == auto_etag("héllo".encode())
    assert headers["X-Extra"] == "1"


async def test_unknown_and_removed_paths_are_404_and_counted(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/a", "x")
    srv.remove("/a")
    assert (await get(session, srv.url("/a")))[0] == 404
    assert (await get(session, srv.url("/never")))[0] == 404
    assert srv.hits == {"/a": 1, "/never": 1}


async def test_sequence_advances_then_stays_on_the_last(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set_sequence("/feed", ["one", "two", "three"])
    bodies = [(await get(session, srv.url("/feed")))[1] for _ in range(5)]
    assert bodies == [b"one", b"two", b"three", b"three", b"three"]
    assert srv.hits["/feed"] == 5


async def test_sequence_needs_a_body(srv: FeedServer) -> None:
    with pytest.raises(ValueError):
        srv.set_sequence("/feed", [])


@pytest.mark.parametrize(
    ("if_none_match", "status"),
    [('"v1"', 304), ('W/"v1"', 304), ('"v0", "v1"', 304), ("*", 304), ('"v2"', 200)],
)
async def test_if_none_match(srv: FeedServer, session: aiohttp.ClientSession, if_none_match: str, status: int) -> None:
    srv.set("/a", "x", etag='"v1"')
    assert (await get(session, srv.url("/a"), **{"If-None-Match": if_none_match}))[0] == status


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"If-Modified-Since": "Wed, 25 Jun 2025 09:00:00 GMT"}, 304),
        ({"If-Modified-Since": "Thu, 26 Jun 2025 09:00:00 GMT"}, 304),
        ({"If-Modified-Since": "Tue, 24 Jun 2025 09:00:00 GMT"}, 200),
        ({"If-Modified-Since": "garbage"}, 200),
        # If-None-Match decides when both are sent (RFC 9110 §13.2.2)
        ({"If-None-Match": '"other"', "If-Modified-Since": "Wed, 25 Jun 2025 09:00:00 GMT"}, 200),
    ],
)
async def test_if_modified_since(
    srv: FeedServer, session: aiohttp.ClientSession, headers: dict[str, str], status: int
) -> None:
    srv.set("/a", "x", last_modified=datetime(2025, 6, 25, 9, tzinfo=timezone.utc))
    assert (await get(session, srv.url("/a"), **headers))[0] == status


async def test_etag_none_sends_no_etag(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/a", "x", etag=None)
    status, _, headers = await get(session, srv.url("/a"), **{"If-None-Match": "*"})
    assert status == 200
    assert "ETag" not in headers


async def test_redirect_and_error_statuses(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.redirect("/old", "/new", status=308)
    srv.set("/busy", "", status=503, headers={"Retry-After": "60"})
    status, _, headers = await get(session, srv.url("/old"))
    assert (status, headers["Location"]) == (308, "/new")
    status, _, headers = await get(session, srv.url("/busy"))
    assert (status, headers["Retry-After"]) == (503, "60")


async def test_chunked_body_has_no_content_length(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/big", b"y" * 50_000, chunked=True)
    status, body, headers = await get(session, srv.url("/big"))
    assert (status, len(body)) == (200, 50_000)
    assert "Content-Length" not in headers
    assert headers["Transfer-Encoding"] == "chunked"


async def test_requests_are_recorded_with_headers_and_query(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/a", "x")
    await get(session, srv.url("/a?x=1"), **{"X-Test": "yes"})
    (recorded,) = srv.requests_for("/a")
    assert (recorded.method, recorded.path, recorded.path_qs) == ("GET", "/a", "/a?x=1")
    assert recorded.headers["x-test"] == "yes"  # case-insensitive
    assert "X-Test" in recorded.headers


async def test_route_with_query_wins_over_bare_path(srv: FeedServer, session: aiohttp.ClientSession) -> None:
    srv.set("/a", "bare")
    srv.set("/a?page=2", "second page")
    assert (await get(session, srv.url("/a?page=2")))[1] == b"second page"
    assert (await get(session, srv.url("/a?page=3")))[1] == b"bare"


async def test_url_requires_a_started_server() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        FeedServer().url("/a")
