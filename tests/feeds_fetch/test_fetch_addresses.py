"""The fetch edge connects only to allowed addresses: literal IPs at every hop, and what host names resolve to.

These tests run with the bot's own default (this module overrides the package's ``loopback_allowed``):
the FeedServer on 127.0.0.1 is refused unless a test's policy lists it.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.cli import main
from bot.errors import AddressRefusedError, FetchError
from bot.feeds.addresses import PUBLIC_ONLY, AddressPolicy
from bot.feeds.fetch import Fetcher, GuardedResolver, PolicySource, open_session
from bot.preview import preview_source
from tests.support import FeedServer, LocalResolver

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
ADVICE = "; the bot fetches only public addresses unless the operator lists it in network.allow_addresses"
LOOPBACK = "a loopback address (the bot's own machine)"
LOCAL = AddressPolicy.of(["127.0.0.1"])


@pytest.fixture
def loopback_allowed() -> None:
    """Overrides the package's fixture: the bot's own default applies here."""


class MapResolver(AbstractResolver):
    """DNS as a test wants it: each name resolves to the given addresses, in order."""

    def __init__(self, names: Mapping[str, Iterable[str]]) -> None:
        self.names = {name: list(found) for name, found in names.items()}
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.names:
            raise OSError(None, f"MapResolver: unknown host {host!r}")
        return [
            ResolveResult(hostname=host, host=address, port=port,
                          family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                          proto=0, flags=socket.AI_NUMERICHOST)
            for address in self.names[host]
        ]

    async def close(self) -> None:
        return None


@pytest.fixture
async def srv_rss() -> AsyncIterator[FeedServer]:
    async with FeedServer() as server:
        server.set("/feed.xml", RSS)
        yield server


async def refused(policy: PolicySource, url: str, *, resolver: AbstractResolver | None = None) -> str:
    """The sentence a fetch of ``url`` is refused with, through a session and fetcher made as the bot makes them."""
    async with open_session(policy, resolver=resolver) as session:
        with pytest.raises(AddressRefusedError) as caught:
            await Fetcher(session, policy=policy).fetch(url)
    assert isinstance(caught.value, FetchError) and caught.value.source == url and caught.value.status is None
    return caught.value.reason


async def fetched(policy: PolicySource, url: str, *, resolver: AbstractResolver | None = None) -> int:
    async with open_session(policy, resolver=resolver) as session:
        return (await Fetcher(session, policy=policy).fetch(url)).status


# ------------------------------------------------------------------ literal addresses


async def test_a_literal_loopback_url_is_refused_before_any_request(srv_rss: FeedServer) -> None:
    assert await refused(PUBLIC_ONLY, srv_rss.url("/feed.xml")) == f"127.0.0.1 is {LOOPBACK}{ADVICE}"
    assert srv_rss.requests == []


async def test_a_fetcher_without_a_policy_is_public_only(srv_rss: FeedServer) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(AddressRefusedError):
            await Fetcher(session).fetch(srv_rss.url("/feed.xml"))
    assert srv_rss.requests == []


async def test_a_listed_address_is_fetched(srv_rss: FeedServer) -> None:
    assert await fetched(LOCAL, srv_rss.url("/feed.xml")) == 200
    assert await fetched(AddressPolicy.of(["127.0.0.0/8"]), srv_rss.url("/feed.xml")) == 200


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("0.0.0.0", f"0.0.0.0 is the unspecified address, which reaches the bot's own machine{ADVICE}"),
        ("[::ffff:127.0.0.1]", f"::ffff:7f00:1 is the IPv4 address 127.0.0.1 in IPv6 form, {LOOPBACK}{ADVICE}"),
        ("[::1]", f"::1 is {LOOPBACK}{ADVICE}"),
        ("127.1", "'127.1' is not a standard IP address (write it as four numbers 0–255, e.g. 192.0.2.1)"),
        ("2130706433", "'2130706433' is not a standard IP address (write it as four numbers 0–255, e.g. 192.0.2.1)"),
    ],
)
async def test_other_spellings_of_this_machine_are_refused_too(srv_rss: FeedServer, host: str, reason: str) -> None:
    url = f"http://{host}:{srv_rss.port}/feed.xml"
    assert await refused(PUBLIC_ONLY, url) == reason
    assert srv_rss.requests == []


async def test_a_policy_that_changes_applies_to_the_next_fetch(srv_rss: FeedServer) -> None:
    """The bot passes the running config's policy as a function: a reload applies without a restart."""
    current = [PUBLIC_ONLY]
    async with open_session(lambda: current[0]) as session:
        fetcher = Fetcher(session, policy=lambda: current[0])
        with pytest.raises(AddressRefusedError):
            await fetcher.fetch(srv_rss.url("/feed.xml"))
        current[0] = LOCAL
        assert (await fetcher.fetch(srv_rss.url("/feed.xml"))).status == 200


# ------------------------------------------------------------------ redirects


async def test_a_redirect_to_a_private_address_is_refused(srv_rss: FeedServer) -> None:
    srv_rss.redirect("/old.xml", "http://10.1.2.3/feed.xml", status=302)
    reason = await refused(LOCAL, srv_rss.url("/old.xml"))
    assert reason == f"it redirects to http://10.1.2.3/feed.xml — 10.1.2.3 is a private network address{ADVICE}"
    assert srv_rss.hits["/old.xml"] == 1


async def test_a_redirect_to_a_name_that_resolves_to_a_private_address_is_refused(srv_rss: FeedServer) -> None:
    srv_rss.redirect("/old.xml", f"http://intranet.example:{srv_rss.port}/feed.xml", status=301)
    dns = MapResolver({"intranet.example": ["10.1.2.3"]})
    reason = await refused(LOCAL, srv_rss.url("/old.xml"), resolver=dns)
    assert reason == (
        f"it redirects to http://intranet.example:{srv_rss.port}/feed.xml — intranet.example resolves to 10.1.2.3, "
        f"a private network address{ADVICE}"
    )
    assert dns.asked == ["intranet.example"]


async def test_a_redirect_between_allowed_addresses_is_followed(srv_rss: FeedServer) -> None:
    srv_rss.redirect("/old.xml", srv_rss.url("/feed.xml", host="news.example"), status=302)
    dns = LocalResolver(["news.example"])
    assert await fetched(LOCAL, srv_rss.url("/old.xml"), resolver=dns) == 200
    assert srv_rss.hits["/feed.xml"] == 1


# ------------------------------------------------------------------ host names


async def test_a_host_name_that_resolves_to_loopback_is_refused_and_allowed_when_listed(srv_rss: FeedServer) -> None:
    url = srv_rss.url("/feed.xml", host="news.example")
    reason = await refused(PUBLIC_ONLY, url, resolver=LocalResolver(["news.example"]))
    assert reason == f"news.example resolves to 127.0.0.1, {LOOPBACK}{ADVICE}"
    assert srv_rss.requests == []
    assert await fetched(LOCAL, url, resolver=LocalResolver(["news.example"])) == 200


async def test_localhost_through_the_systems_resolver_is_refused(srv_rss: FeedServer) -> None:
    reason = await refused(PUBLIC_ONLY, srv_rss.url("/feed.xml", host="localhost"))
    assert reason.startswith("localhost resolves to ") and reason.endswith(f"{LOOPBACK}{ADVICE}")
    assert srv_rss.requests == []


async def test_the_default_resolver_holds_nothing_the_session_would_leave_open() -> None:
    """The connector never closes a resolver it was handed, so the guard's own default must need no
    closing: aiohttp's default turns into a c-ares channel wherever aiodns is installed."""
    guard = GuardedResolver(LOCAL)
    assert type(guard._inner) is aiohttp.ThreadedResolver
    assert {answer["host"] for answer in await guard.resolve("localhost", 80)} <= {"127.0.0.1", "::1"}


async def test_the_resolver_hands_on_only_allowed_addresses() -> None:
    """aiohttp connects to exactly the addresses its resolver returns: a refused one is never tried."""
    dns = MapResolver({"mixed.example": ["10.0.0.5", "127.0.0.1", "93.184.216.34", "::1"]})
    public = await GuardedResolver(PUBLIC_ONLY, dns).resolve("mixed.example", 80)
    assert [answer["host"] for answer in public] == ["93.184.216.34"]
    local = await GuardedResolver(LOCAL, dns).resolve("mixed.example", 80)
    assert [answer["host"] for answer in local] == ["127.0.0.1", "93.184.216.34"]


async def test_every_answer_is_checked_so_a_name_rebound_to_a_private_address_is_refused() -> None:
    dns = MapResolver({"rebind.example": ["93.184.216.34"]})
    guard = GuardedResolver(PUBLIC_ONLY, dns)
    assert [a["host"] for a in await guard.resolve("rebind.example", 80)] == ["93.184.216.34"]
    dns.names["rebind.example"] = ["127.0.0.1"]
    with pytest.raises(OSError) as caught:
        await guard.resolve("rebind.example", 80)
    assert str(caught.value) == f"rebind.example resolves to 127.0.0.1, {LOOPBACK}{ADVICE}"


@pytest.mark.parametrize("names", [{}, {"nowhere.example": []}], ids=["unknown", "no addresses"])
async def test_a_name_that_does_not_resolve_is_still_a_dns_error(srv_rss: FeedServer, names: dict[str, list[str]]) -> None:
    async with open_session(PUBLIC_ONLY, resolver=MapResolver(names)) as session:
        with pytest.raises(FetchError) as caught:
            await Fetcher(session).fetch(srv_rss.url("/feed.xml", host="nowhere.example"))
    assert not isinstance(caught.value, AddressRefusedError)
    assert caught.value.reason == "could not resolve the host name 'nowhere.example'"


# ------------------------------------------------------------------ newsbot preview


async def test_preview_refuses_a_private_url_by_default(srv_rss: FeedServer) -> None:
    with pytest.raises(AddressRefusedError):
        await preview_source(srv_rss.url("/feed.xml"))
    assert srv_rss.requests == []


def _config(tmp_path: Path, allow: str) -> Path:
    (tmp_path / "articles").mkdir()
    path = tmp_path / "newsbot.yaml"
    path.write_text(
        f"network:\n  allow_addresses: [{allow}]\nfeeds:\n  - name: local\n    folder: {tmp_path / 'articles'}\n"
        "subscriptions:\n  - feeds: local\n    channel: 123456789012345678\n",
        encoding="utf-8",
    )
    return path


def test_newsbot_preview_fetches_what_the_bots_config_allows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    async def serve_and_preview(config: Path) -> int:
        async with FeedServer() as server:
            page = "<!doctype html><html><head><title>Intranet note</title></head><body><article>" + (
                "<p>The office network moves to a new address range on Monday morning at nine.</p>" * 4
            ) + "</article></body></html>"
            server.set("/note.html", page, content_type="text/html; charset=utf-8")
            return await asyncio.to_thread(main, ["preview", server.url("/note.html"), "--config", str(config)])

    assert asyncio.run(serve_and_preview(tmp_path / "missing.yaml")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(f"127.0.0.1 is {LOOPBACK}{ADVICE}")

    assert asyncio.run(serve_and_preview(_config(tmp_path, "127.0.0.1"))) == 0
    assert "Intranet note" in capsys.readouterr().out
