"""A real HTTP server on 127.0.0.1 that serves whatever a test tells it to: feeds, pages, errors.

Tests talk to it over real sockets, so the code under test runs exactly as in production
(aiohttp, conditional GET, redirects, timeouts) without touching the internet::

    async with FeedServer() as srv:
        srv.set("/feed.xml", RSS_BYTES, content_type="application/rss+xml")
        srv.redirect("/old", "/feed.xml", status=301)
        srv.set("/gone", "", status=410)
        srv.set("/busy", "", status=503, headers={"Retry-After": "120"})
        srv.set("/slow", "x", delay=5.0)
        srv.set_sequence("/flaky.xml", [FIRST, SECOND])   # a different body on each fetch
        result = await fetcher.fetch(srv.url("/feed.xml"))
        assert srv.hits["/feed.xml"] == 1
        assert srv.requests[-1].headers["User-Agent"].startswith("newsbot")

What it does on each request, in order:

1. records it (``srv.requests``, ``srv.hits[path]``, ``srv.in_flight`` / ``srv.max_in_flight``);
2. finds the route: exact path with query first, then the path alone; none → 404;
3. waits the route's ``delay`` (cut short when the server stops, so teardown is quick);
4. redirects: answers ``status`` with ``Location: to``;
5. 200 routes: answers 304 when the request's ``If-None-Match`` matches the body's ETag, or
   (without If-None-Match) when ``If-Modified-Since`` is not older than the route's
   ``last_modified`` — RFC 9110's precedence;
6. otherwise the body with its status, headers, ETag and Last-Modified; ``chunked=True`` sends it
   with chunked transfer encoding and no Content-Length, in pieces, the way a streaming server does.

Routes can be changed at any time, also while the server runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from types import TracebackType
from typing import Literal

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = ["FeedServer", "LocalResolver", "RecordedRequest", "Route", "closed_port_url", "auto_etag", "local_session"]

#: The Content-Type of :meth:`FeedServer.set` unless a test says otherwise.
DEFAULT_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
#: Piece size for ``chunked=True`` bodies.
CHUNK_BYTES = 16 * 1024

Etag = str | None | Literal["auto"]


def auto_etag(body: bytes) -> str:
    """The strong ETag the server gives a body with ``etag="auto"``: changes exactly when the body does."""
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def closed_port_url(path: str = "/") -> str:
    """A URL on 127.0.0.1 where nothing listens (a port just released), for "connection refused"."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


class LocalResolver(AbstractResolver):
    """A DNS stand-in: the given host names resolve to 127.0.0.1, every other name fails to resolve.

    Lets tests use realistic hosts (``news.example``, ``blog.example``: several hosts, for per-host
    limits and cross-site redirects) and a DNS failure, without /etc/hosts or any network query.
    """

    def __init__(self, hosts: Iterable[str] = ()) -> None:
        self.hosts = {h.lower() for h in hosts}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host.lower() not in self.hosts and host != "127.0.0.1":
            raise OSError(None, f"LocalResolver: unknown host {host!r}")
        return [
            ResolveResult(
                hostname=host, host="127.0.0.1", port=port, family=socket.AF_INET, proto=0, flags=socket.AI_NUMERICHOST
            )
        ]

    async def close(self) -> None:
        return None


def local_session(hosts: Iterable[str] = ()) -> aiohttp.ClientSession:
    """An aiohttp session that resolves only *hosts* (to 127.0.0.1): nothing can reach the internet."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=LocalResolver(hosts)))


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    #: Path without the query.
    path: str
    #: Path with the query, as sent.
    path_qs: str
    #: Header names are case-insensitive here, as in HTTP.
    headers: Mapping[str, str]


@dataclass
class Route:
    """What one path serves; made by :meth:`FeedServer.set`, :meth:`~FeedServer.set_sequence`, :meth:`~FeedServer.redirect`."""

    bodies: list[bytes]
    status: int = 200
    content_type: str = DEFAULT_CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    etag: Etag = "auto"
    last_modified: datetime | None = None
    delay: float = 0.0
    chunked: bool = False
    #: For redirects: the Location header.
    location: str | None = None
    #: How many times this route was served (picks the body of a sequence).
    served: int = 0

    def next_body(self) -> bytes:
        """The body for this request: a sequence advances on every request and then stays at its last."""
        body = self.bodies[min(self.served, len(self.bodies) - 1)]
        self.served += 1
        return body


class FeedServer:
    """An aiohttp.web server on 127.0.0.1:<free port>; use as ``async with FeedServer() as srv``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        #: Requests per path (without query), 404s included.
        self.hits: Counter[str] = Counter()
        #: Every request, in arrival order.
        self.requests: list[RecordedRequest] = []
        #: Requests being handled right now, and the most ever at once (for concurrency limits).
        self.in_flight = 0
        self.max_in_flight = 0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # handler_cancellation: a client that gives up (timeout tests) cancels its handler at once.
        runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        return self

    async def close(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FeedServer:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FeedServer is not started: use `async with FeedServer() as srv`")
        return self._port

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        """``http://127.0.0.1:PORT/path`` for a path on this server; another *host* name needs a
        session that resolves it here (:func:`local_session`)."""
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    # ------------------------------------------------------------------ configuring routes

    def set(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        etag: Etag = "auto",
        last_modified: datetime | str | None = None,
        delay: float = 0.0,
        chunked: bool = False,
    ) -> Route:
        """Serve *body* at *path* (str bodies are UTF-8).

        ``etag="auto"`` derives a strong ETag from the body (:func:`auto_etag`), ``None`` sends
        none, any other string is sent as given (quote it: ``'"v1"'``, ``'W/"v1"'``).
        ``last_modified`` (aware datetime or an HTTP-date string) is sent and honoured for
        If-Modified-Since.  ``delay`` seconds pass before the answer.  ``headers`` are added last
        and win, e.g. ``{"Retry-After": "120"}`` or ``{"Cache-Control": "max-age=600"}``.
        """
        return self._put(
            path,
            Route(
                bodies=[_as_bytes(body)],
                status=status,
                content_type=content_type,
                headers=dict(headers or {}),
                etag=etag,
                last_modified=_as_datetime(last_modified),
                delay=delay,
                chunked=chunked,
            ),
        )

    def set_sequence(self, path: str, bodies: Sequence[bytes | str], **options: object) -> Route:
        """Serve ``bodies[0]`` on the first request, ``bodies[1]`` on the second …, then the last one
        for ever.  Every request advances, a 304 too.  Takes :meth:`set`'s keyword options."""
        if not bodies:
            raise ValueError("set_sequence needs at least one body")
        route = self.set(path, bodies[0], **options)  # type: ignore[arg-type]
        route.bodies = [_as_bytes(b) for b in bodies]
        return route

    def redirect(self, path: str, to: str, status: int = 301, *, headers: Mapping[str, str] | None = None) -> Route:
        """Answer *path* with *status* and ``Location: to`` (a path like ``/new`` or a full URL)."""
        return self._put(
            path, Route(bodies=[b""], status=status, etag=None, location=to, headers=dict(headers or {}))
        )

    def remove(self, path: str) -> None:
        """Forget *path*: it answers 404 from now on."""
        self.routes.pop(_route_key(path), None)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """The recorded requests for *path* (without query), oldest first."""
        return [r for r in self.requests if r.path == path]

    def _put(self, path: str, route: Route) -> Route:
        self.routes[_route_key(path)] = route
        return route

    # ------------------------------------------------------------------ serving

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(request.method, request.path, request.path_qs, _FrozenHeaders(request.headers))
        )
        self.hits[request.path] += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        route = self.routes.get(request.path_qs) or self.routes.get(request.path)
        if route is None:
            return web.Response(status=404, text=f"FeedServer: nothing set for {request.path}")
        body = route.next_body()
        if route.delay > 0:
            await self._sleep(route.delay)
        if route.location is not None:
            return web.Response(status=route.status, headers={"Location": route.location, **route.headers})

        headers: dict[str, str] = {}
        etag = auto_etag(body) if route.etag == "auto" else route.etag
        if etag:
            headers["ETag"] = etag
        if route.last_modified is not None:
            headers["Last-Modified"] = format_datetime(route.last_modified, usegmt=True)
        if route.status == 200 and _not_modified(request, etag, route.last_modified):
            return web.Response(status=304, headers={**headers, **route.headers})

        headers["Content-Type"] = route.content_type
        headers.update(route.headers)
        if not route.chunked:
            return web.Response(status=route.status, body=body, headers=headers)
        response = web.StreamResponse(status=route.status, headers=headers)
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), CHUNK_BYTES):
            await response.write(body[start : start + CHUNK_BYTES])
        await response.write_eof()
        return response

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up when the server is stopping, so a long delay never slows teardown."""
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass


class _FrozenHeaders(Mapping[str, str]):
    """A case-insensitive, read-only copy of request headers (the live object dies with the request)."""

    def __init__(self, source: Mapping[str, str]) -> None:
        self._items = [(k, v) for k, v in source.items()]
        self._lookup = {k.lower(): v for k, v in self._items}

    def __getitem__(self, key: str) -> str:
        return self._lookup[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._lookup

    def __iter__(self) -> Iterator[str]:
        return iter([k for k, _ in self._items])

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"_FrozenHeaders({dict(self._items)!r})"


def _not_modified(request: web.Request, etag: str | None, last_modified: datetime | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison); else If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        if etag is None:
            return False
        wanted = _weak(etag)
        return any(tag == "*" or _weak(tag) == wanted for tag in _split_etags(if_none_match))
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    return last_modified.replace(microsecond=0) <= since


def _split_etags(header: str) -> Iterable[str]:
    return (part.strip() for part in header.split(",") if part.strip())


def _weak(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def _route_key(path: str) -> str:
    return "/" + path.lstrip("/")


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _as_datetime(value: datetime | str | None) -> datetime | None:
    """Aware UTC (format_datetime(usegmt=True) insists on it); naive values are taken as UTC."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else parsedate_to_datetime(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
