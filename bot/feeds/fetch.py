"""Fetching feeds and article pages over HTTP: the network edge of the feed pipeline.

One :class:`Fetcher` per process wraps the shared ``aiohttp.ClientSession`` and adds what a polite
feed reader needs: conditional GET (ETag / Last-Modified → 304), redirects followed by hand so a
permanent move (301/308) can update the stored feed URL, a total timeout, a body size cap read as
a stream, and a per-host concurrency limit.  Everything that goes wrong comes out as one exception
type, :class:`bot.errors.FetchError`, carrying the URL, the HTTP status and any Retry-After::

    FetchError(url, "server answered 503 Service Unavailable", status=503, retry_after=120.0)

``asyncio.CancelledError`` is the only other exception that leaves :meth:`Fetcher.fetch`, so that
shutting down still works.  What to do about an error (disable the feed on 410, back off on 5xx)
is the caller's decision; :mod:`bot.feeds.timing` does the arithmetic.

Only addresses the :class:`~bot.feeds.addresses.AddressPolicy` allows are connected to (public
ones, plus the operator's ``network.allow_addresses``), in two places, because aiohttp connects to
a literal IP without asking the resolver: :class:`Fetcher` checks the host of every hop of the
redirect chain when it is an IP address, and the session made by :func:`open_session` resolves
host names through :class:`GuardedResolver`, which hands aiohttp only the allowed addresses of each
answer — the very addresses it then connects to, so a name that resolves elsewhere a moment later
(DNS rebinding) gains nothing.  A refusal is an :class:`~bot.errors.AddressRefusedError`, a
FetchError whose message says which address and why::

    AddressRefusedError(url, "127.0.0.1 is a loopback address (the bot's own machine); the bot fetches
    only public addresses unless the operator lists it in network.allow_addresses")
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import os
import socket
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime, timezone

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict
from yarl import URL

from bot import __version__
from bot.errors import AddressRefusedError, FetchError
from bot.feeds.addresses import PUBLIC_ONLY, AddressPolicy, looks_like_ip
from bot.feeds.timing import parse_cache_control, parse_http_date, parse_retry_after

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_PER_HOST_LIMIT",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_USER_AGENT",
    "FEED_ACCEPT",
    "HTML_ACCEPT",
    "FetchResult",
    "Fetcher",
    "GuardedResolver",
    "PolicySource",
    "open_session",
]

#: Seconds for the whole fetch: every request of the redirect chain and reading the body (the
#: wait for a per-host slot does not count).  Generous for a slow server, short enough that a hung
#: one does not hold a poll slot for long.
DEFAULT_TIMEOUT = 20.0
#: The largest body read (after gzip/deflate decoding, which also stops decompression bombs).
#: Big feeds with full content run to 1–2 MiB; nothing a feed reader wants is larger.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: Requests in flight to one host at a time: many feeds often live on one site.
DEFAULT_PER_HOST_LIMIT = 2
#: Redirects followed before giving up (aiohttp's and most browsers' limit is in this range).
DEFAULT_MAX_REDIRECTS = 10
#: Identifies the bot to site operators, as feed readers customarily do.
DEFAULT_USER_AGENT = f"newsbot/{__version__} (Discord news bot; feed reader)"
#: Accept header for feeds: the feed types first, generic XML/JSON next, anything last (some
#: servers label feeds text/html, and the parser decides from the bytes anyway).
FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, application/json;q=0.9, text/xml;q=0.8, */*;q=0.1"
)
#: Accept header for article pages.
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

#: Size of the pieces the body is read in (the cap is checked after each).
_CHUNK_BYTES = 64 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})
_ALLOWED_SCHEMES = frozenset({"http", "https"})
#: Caller headers not forwarded when a redirect leaves the original origin (as browsers do).
_CREDENTIAL_HEADERS = ("Authorization", "Cookie", "Proxy-Authorization")


@dataclasses.dataclass(frozen=True, slots=True)
class FetchResult:
    """What one successful fetch (2xx, or 304 Not Modified) returned."""

    #: The final URL, after redirects (the base for resolving relative links in the body).
    url: str
    #: The final HTTP status (200, 203, 304 …).
    status: int
    #: The body, gzip/deflate already decoded; None on 304.
    body: bytes | None
    #: True on 304: the caller's stored copy is current, nothing to parse.
    not_modified: bool
    #: ETag to send next time (on a 304 without one, the ETag the caller sent).
    etag: str | None
    #: Last-Modified to send next time (on a 304 without one, the value the caller sent).
    last_modified: str | None
    #: The Content-Type header as sent, charset included (the parser needs it); None on 304.
    content_type: str | None
    #: Freshness from Cache-Control max-age / s-maxage; None when absent or no-store/no-cache.
    max_age_seconds: int | None
    #: The Expires header as an aware UTC datetime; None when absent or unreadable.
    expires: datetime | None
    #: Set when the requested URL moved permanently (301/308 from the requested URL, through
    #: any further permanent hops): the URL the caller should store instead.  A temporary hop
    #: (302/303/307) anywhere before it leaves this None — the old URL remains the right one.
    permanent_url: str | None = None


#: The address policy, or a function returning the one in force (the running config's, which a
#: reload may change).
PolicySource = AddressPolicy | Callable[[], AddressPolicy]


def _policy_getter(policy: PolicySource) -> Callable[[], AddressPolicy]:
    return (lambda: policy) if isinstance(policy, AddressPolicy) else policy


class _Refused(OSError):
    """Raised by :class:`GuardedResolver`: an OSError, so that aiohttp reports it as the DNS failure
    of that connection (``ClientConnectorDNSError``); :class:`Fetcher` turns it into its sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _refused(url: str, current: URL, reason: str, *, redirected: bool) -> AddressRefusedError:
    """The error for a hop the policy refuses; one reached by a redirect names that redirect."""
    return AddressRefusedError(url, f"it redirects to {current} — {reason}" if redirected else reason)


class GuardedResolver(AbstractResolver):
    """A resolver that passes on only the addresses the policy allows (see the module docstring).

    aiohttp's TCPConnector connects to exactly the addresses its resolver returns (and caches that
    list), so a refused address is never connected to.  A name with no allowed address fails the
    connection with the policy's sentence for the first refused one.
    """

    def __init__(self, policy: PolicySource, inner: AbstractResolver | None = None) -> None:
        self._policy = _policy_getter(policy)
        # The connector never closes a resolver it was handed, so the default is one that holds
        # nothing to close: getaddrinfo in a thread.  (aiohttp's own default becomes a c-ares
        # channel when aiodns is installed, which would then outlive the session.)
        self._inner = inner if inner is not None else aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        if not answers:  # aiohttp expects at least one, or an OSError: a plain DNS failure
            raise OSError(None, f"{host} resolves to no address")
        policy = self._policy()
        refusals = [policy.refusal(answer["host"], host=host) for answer in answers]
        allowed = [answer for answer, refusal in zip(answers, refusals) if refusal is None]
        if not allowed:
            raise _Refused(str(refusals[0]))
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def open_session(policy: PolicySource, *, resolver: AbstractResolver | None = None) -> aiohttp.ClientSession:
    """The aiohttp session for everything fetched on behalf of feeds; pair it with a Fetcher of the same policy.

    Host names resolve through :class:`GuardedResolver` (wrapping ``resolver``, default aiohttp's
    ThreadedResolver).
    No proxy is taken from the environment (``trust_env`` stays False): a proxy resolves names
    itself, past the guard.  Discord's traffic has its own session (discord.py's) and is unaffected.
    """
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(policy, resolver))
    return aiohttp.ClientSession(connector=connector, trust_env=False)


class _HostSlots:
    """One semaphore per host, created on demand and dropped when nobody holds or awaits it."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._slots: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        semaphore, users = self._slots.setdefault(host, (asyncio.Semaphore(self._limit), [0]))
        users[0] += 1
        try:
            async with semaphore:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._slots[host]


class Fetcher:
    """Fetches feeds and pages through one shared ``aiohttp.ClientSession``.

    The session belongs to the caller (made once at startup with :func:`open_session`), so
    connection pooling and DNS caching are shared with everything else; the fetcher adds the
    politeness and error rules, and refuses every hop whose host is an IP address ``policy`` does
    not allow (the session's resolver checks host names).  The per-host limit counts only this
    fetcher's requests, so make one Fetcher per process.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        policy: PolicySource = PUBLIC_ONLY,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        per_host_limit: int = DEFAULT_PER_HOST_LIMIT,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"Fetcher timeout must be positive, got {timeout!r}")
        if max_bytes <= 0:
            raise ValueError(f"Fetcher max_bytes must be positive, got {max_bytes!r}")
        if per_host_limit < 1:
            raise ValueError(f"Fetcher per_host_limit must be at least 1, got {per_host_limit!r}")
        if max_redirects < 0:
            raise ValueError(f"Fetcher max_redirects must not be negative, got {max_redirects!r}")
        self._session = session
        self._policy = _policy_getter(policy)
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._user_agent = user_agent
        self._hosts = _HostSlots(per_host_limit)

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET *url*, conditionally when ``etag``/``last_modified`` from the last fetch are given.

        Returns on 2xx (with the body) and 304 (without).  Raises :class:`FetchError` for
        everything else: a URL that is not http(s), a network or TLS failure, the timeout, an HTTP
        error status (``status`` set; ``retry_after`` set when the server sent Retry-After), a
        redirect loop or too many redirects, a body over ``max_bytes``; and AddressRefusedError when
        the URL, a redirect or a host name leads to an address the policy refuses (nothing is sent there).
        """
        start = _parse_url(url)
        request_headers = CIMultiDict[str]({"User-Agent": self._user_agent, "Accept": accept})
        request_headers.update(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        try:
            return await self._follow(url, start, request_headers, etag, last_modified)
        except FetchError:
            raise
        except TimeoutError as exc:  # asyncio.timeout, and aiohttp's own ServerTimeoutError
            raise FetchError(url, f"no complete response within {self._timeout:g} s") from exc
        except aiohttp.ClientConnectorDNSError as exc:
            raise FetchError(url, f"could not resolve the host name {exc.host!r}") from exc
        except aiohttp.ClientSSLError as exc:
            raise FetchError(url, f"TLS/certificate error with {exc.host}: {exc}") from exc
        except aiohttp.ClientConnectorError as exc:
            raise FetchError(url, f"could not connect to {exc.host}:{exc.port} ({_os_reason(exc.os_error)})") from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise FetchError(url, "the server closed the connection without a complete answer") from exc
        except aiohttp.ClientPayloadError as exc:
            raise FetchError(url, f"the response body was cut off or badly encoded ({exc})") from exc
        except aiohttp.ClientResponseError as exc:  # only if the session was made with raise_for_status
            raise FetchError(url, f"server answered {exc.status} {exc.message}", status=exc.status) from exc
        except aiohttp.InvalidURL as exc:
            raise FetchError(url, f"not a valid URL: {exc}") from exc
        except aiohttp.ClientError as exc:
            raise FetchError(url, f"HTTP client error: {exc!r}") from exc
        except OSError as exc:
            raise FetchError(url, f"network error: {exc}") from exc
        except Exception as exc:  # the edge promises FetchError only; the cause stays chained
            raise FetchError(url, f"unexpected {type(exc).__name__} while fetching: {exc}") from exc

    async def _follow(
        self,
        url: str,
        start: URL,
        headers: CIMultiDict[str],
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        """Walk the redirect chain hop by hop; the timeout budget is shared by all hops."""
        loop = asyncio.get_running_loop()
        budget = self._timeout
        current = start
        visited = [str(start)]
        permanent_url: str | None = None
        still_permanent = True  # every hop so far was a 301/308
        while True:
            redirected = current is not start
            self._check_literal(url, current, redirected=redirected)
            try:
                async with self._hosts.hold(current.host or ""):
                    began = loop.time()
                    async with asyncio.timeout(budget):
                        result = await self._request(url, current, headers, etag, last_modified)
                    budget -= loop.time() - began
            except aiohttp.ClientConnectorDNSError as exc:
                if isinstance(exc.os_error, _Refused):  # GuardedResolver refused what the name resolves to
                    raise _refused(url, current, exc.os_error.reason, redirected=redirected) from exc
                raise
            if isinstance(result, FetchResult):
                return dataclasses.replace(result, permanent_url=permanent_url)

            status, target = result
            if still_permanent and status in _PERMANENT_REDIRECTS:
                permanent_url = str(target)
            else:
                still_permanent = False
            if str(target) in visited:
                chain = " → ".join([*visited, str(target)])
                raise FetchError(url, f"redirect loop: {chain}", status=status)
            if len(visited) > self._max_redirects:
                raise FetchError(url, f"more than {self._max_redirects} redirects (last to {target})", status=status)
            if target.origin() != start.origin():
                for name in _CREDENTIAL_HEADERS:
                    headers.popall(name, None)
            visited.append(str(target))
            current = target
            if budget <= 0:
                raise TimeoutError

    def _check_literal(self, url: str, current: URL, *, redirected: bool) -> None:
        """Refuse a hop whose host is an IP address the policy refuses (aiohttp would not resolve it).

        A host aiohttp takes for an address but :mod:`ipaddress` cannot read (``127.1``,
        ``2130706433``) is refused too: the socket layer would map it onto some address unchecked.
        """
        host = current.host or ""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            if not looks_like_ip(host):
                return  # a host name: the session's GuardedResolver checks what it resolves to
            reason: str | None = f"{host!r} is not a standard IP address (write it as four numbers 0–255, e.g. 192.0.2.1)"
        else:
            reason = self._policy().refusal(address)
        if reason is not None:
            raise _refused(url, current, reason, redirected=redirected)

    async def _request(
        self,
        url: str,
        current: URL,
        headers: CIMultiDict[str],
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult | tuple[int, URL]:
        """One GET: a result, or ``(status, next URL)`` for a redirect; raises for an error."""
        async with self._session.get(current, headers=headers, allow_redirects=False) as response:
            status = response.status
            if status in _REDIRECT_STATUSES:
                return status, _redirect_target(url, current, status, response.headers.get("Location"))
            if status == 304:
                return _result(response, body=None, sent_etag=etag, sent_last_modified=last_modified)
            if not 200 <= status < 300:
                raise _status_error(url, response)
            body = await self._read_capped(url, response)
            return _result(response, body=body, sent_etag=None, sent_last_modified=None)

    async def _read_capped(self, url: str, response: aiohttp.ClientResponse) -> bytes:
        """Read the body in chunks, giving up as soon as it passes ``max_bytes``."""
        declared = response.content_length
        if declared is not None and declared > self._max_bytes and "Content-Encoding" not in response.headers:
            raise FetchError(url, _too_large(self._max_bytes, declared), status=response.status)
        body = bytearray()
        async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
            body += chunk
            if len(body) > self._max_bytes:
                raise FetchError(url, _too_large(self._max_bytes, None), status=response.status)
        return bytes(body)


def _parse_url(url: str) -> URL:
    """The URL as yarl parses it, if it is an absolute http(s) URL; FetchError otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise FetchError(str(url), "no URL given")
    try:
        parsed = URL(url.strip())
    except (ValueError, TypeError, UnicodeError) as exc:
        raise FetchError(url, f"not a valid URL: {exc}") from exc
    if parsed.scheme not in _ALLOWED_SCHEMES:
        shown = f"{parsed.scheme!r}" if parsed.scheme else "none"
        raise FetchError(url, f"only http and https URLs can be fetched (scheme: {shown})")
    if not parsed.host:
        raise FetchError(url, "the URL has no host")
    return parsed


def _redirect_target(url: str, current: URL, status: int, location: str | None) -> URL:
    if not location:
        raise FetchError(url, f"server answered {status} (a redirect) without a Location header", status=status)
    try:
        target = current.join(URL(location.strip()))
    except (ValueError, TypeError, UnicodeError) as exc:
        raise FetchError(url, f"redirect to an invalid URL {location!r}", status=status) from exc
    if target.scheme not in _ALLOWED_SCHEMES or not target.host:
        raise FetchError(url, f"redirect to {location!r}, which is not an http(s) URL", status=status)
    return target


def _status_error(url: str, response: aiohttp.ClientResponse) -> FetchError:
    status = response.status
    reason = response.reason or ""
    retry_after = parse_retry_after(response.headers.get("Retry-After"), datetime.now(timezone.utc))
    message = f"server answered {status} {reason}".rstrip()
    if status == 410:
        message += " (the resource was removed for good)"
    if retry_after is not None:
        message += f" (retry after {retry_after:g} s)"
    return FetchError(url, message, status=status, retry_after=retry_after)


def _os_reason(error: OSError) -> str:
    """ "connection refused" rather than asyncio's "Connect call failed ('1.2.3.4', 80)"."""
    if error.errno:
        return os.strerror(error.errno).lower()
    return error.strerror or str(error) or type(error).__name__


def _too_large(cap: int, declared: int | None) -> str:
    size = f" ({declared} bytes declared)" if declared is not None else ""
    return f"response larger than {cap} bytes{size}"


def _result(
    response: aiohttp.ClientResponse,
    *,
    body: bytes | None,
    sent_etag: str | None,
    sent_last_modified: str | None,
) -> FetchResult:
    headers = response.headers
    return FetchResult(
        url=str(response.url),
        status=response.status,
        body=body,
        not_modified=body is None,
        etag=headers.get("ETag") or sent_etag,
        last_modified=headers.get("Last-Modified") or sent_last_modified,
        content_type=headers.get("Content-Type") if body is not None else None,
        max_age_seconds=parse_cache_control(headers.get("Cache-Control")),
        expires=parse_http_date(headers.get("Expires")),
    )
