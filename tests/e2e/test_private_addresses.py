"""The bot fetches nothing from a private address unless the operator allows it (bot.feeds.addresses).

Here with the product default: this module overrides the package's ``loopback_allowed`` fixture,
and each config allows 127.0.0.1 — where the feed server listens — as an operator would.  The
"private" service is an :class:`Intranet` on 127.0.0.2: another loopback address, reachable from
the bot's machine as the operator's own services are, and counting every request, so a test sees
whether the bot went there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType

import pytest
from aiohttp import web

from tests.e2e.discord_rig import Rig, running_app
from tests.e2e.harness import Clock, Item, body_text, cycle, rss, write_config
from tests.emulator import DiscordEmulator
from tests.support.feedserver import FeedServer

MANAGE_GUILD = 1 << 5
ADVICE = "the bot fetches only public addresses unless the operator lists it in network.allow_addresses"
LOOPBACK_2 = f"127.0.0.2 is a loopback address (the bot's own machine); {ADVICE}"
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
METADATA = f"169.254.169.254 is a link-local address (the cloud metadata service); {ADVICE}"


@pytest.fixture
def loopback_allowed() -> None:
    """Overrides the package's fixture: no loopback allowance, the bot's own default is tested."""


class Intranet:
    """A web server on 127.0.0.2 standing for a service on the operator's network; counts requests."""

    HOST = "127.0.0.2"

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, str]] = {}
        self.hits = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://{self.HOST}:{self.port}{path}"

    async def __aenter__(self) -> Intranet:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._answer)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.HOST, 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _answer(self, request: web.Request) -> web.Response:
        self.hits += 1
        body, content_type = self.pages.get(request.path, ("not here", "text/plain"))
        return web.Response(text=body, content_type=content_type)


@pytest.fixture
async def intranet() -> AsyncIterator[Intranet]:
    async with Intranet() as site:
        site.pages["/feed.xml"] = (rss([Item("Payroll figures", body_text("payroll"), guid="p1")]), "application/rss+xml")
        yield site


async def _admin_reply(emu: DiscordEmulator, rig: Rig, command: str, url: str) -> str:
    admin = emu.add_member(rig.guild, "admin", permissions=MANAGE_GUILD)
    await emu.settle()
    handle = await emu.invoke_command(rig.guild, rig.news, admin, command, {"url": url})
    reply = await handle.wait_original(lambda m: bool(m.get("content")), timeout=10)
    assert reply["flags"] & 64  # ephemeral: only the admin sees it
    return str(reply["content"])


@pytest.mark.parametrize("command", ["feeds add", "feeds preview"])
async def test_a_private_feed_url_is_refused_with_what_to_do(
    emu: DiscordEmulator, rig: Rig, intranet: Intranet, command: str
) -> None:
    url = intranet.url("/feed.xml")
    assert await _admin_reply(emu, rig, command, url) == f"{url}: {LOOPBACK_2}"
    assert intranet.hits == 0
    assert [feed.name for feed in rig.app.config.feeds] == ["world"]
    assert not (rig.app.config_path.parent / "newsbot.managed.yaml").exists()


async def test_the_cloud_metadata_address_is_refused(emu: DiscordEmulator, rig: Rig) -> None:
    assert await _admin_reply(emu, rig, "feeds add", METADATA_URL) == f"{METADATA_URL}: {METADATA}"


async def test_a_public_looking_url_that_redirects_to_a_private_one_is_refused(
    emu: DiscordEmulator, rig: Rig, intranet: Intranet
) -> None:
    rig.server.redirect("/moved.xml", intranet.url("/feed.xml"), status=302)
    url = rig.server.url("/moved.xml")
    reply = await _admin_reply(emu, rig, "feeds add", url)
    assert reply == f"{url}: it redirects to {intranet.url('/feed.xml')} — {LOOPBACK_2}"
    assert rig.server.hits["/moved.xml"] == 1 and intranet.hits == 0


async def test_a_polled_feed_redirected_to_a_private_address_fails_with_the_sentence(
    rig: Rig, intranet: Intranet
) -> None:
    rig.server.redirect("/world.xml", intranet.url("/feed.xml"), status=301)
    rig.clock.advance(minutes=2)
    [report] = await rig.app.poll_due()
    assert report.status == "failed" and report.message == f"it redirects to {intranet.url('/feed.xml')} — {LOOPBACK_2}"
    assert intranet.hits == 0


@pytest.mark.parametrize(
    ("allowed", "page_fetched"),
    [(["127.0.0.1"], False), (["127.0.0.1", "127.0.0.2"], True)],
    ids=["private page refused", "allowed when listed"],
)
async def test_an_article_link_to_a_private_address_is_not_fetched_and_the_story_posts_from_the_feed(
    emu: DiscordEmulator, server: FeedServer, intranet: Intranet, tmp_path: Path, allowed: list[str], page_fetched: bool
) -> None:
    intranet.pages["/story"] = (
        f"<!doctype html><html><head><title>Harbour reopens</title></head><body><article>{body_text('intranet')}"
        "</article></body></html>",
        "text/html",
    )
    item = Item("Harbour reopens", body_text("harbour"), guid="h1", link=intranet.url("/story"))
    server.set("/world.xml", rss([item]), content_type="application/rss+xml")
    channel = emu.add_channel(emu.add_guild("news"), "news")
    cfg = write_config(tmp_path / "newsbot.yaml", f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}
    storage:
      url: sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}
    network:
      allow_addresses: [{', '.join(allowed)}]
    feeds:
      - name: world
        url: {server.url('/world.xml')}
        fetch_article: true
        backfill: 5
    subscriptions:
      - feeds: [world]
        channel: {channel}
    """)
    clock = Clock()
    async with running_app(cfg, emu, clock) as app:
        await cycle(app, clock)
    posted = str(emu.messages(channel))
    assert "Harbour reopens" in posted
    assert intranet.hits == (1 if page_fetched else 0)
    # The story's text comes from the page when the bot may fetch it, else from the feed itself.
    assert ("intranet" in posted, "harbour" in posted) == ((True, False) if page_fetched else (False, True))
