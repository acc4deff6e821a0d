"""The bot wired to the Discord emulator for end-to-end tests: its config, its lifetime, and the
`Rig` most delivery tests start from (one feed, a `news` channel, admin notices in `admin`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.harness import Clock, Item, body_text, cycle, rss, write_config
from tests.emulator import DiscordEmulator
from tests.support.feedserver import FeedServer

from bot.app import App


def simple_config(emu: DiscordEmulator, server: FeedServer, db: Path, subs: str, *, admin: int | None = None) -> str:
    """A config with one feed (``world``, served by ``server``) and the given subscriptions' YAML; it
    allows 127.0.0.1, where the server listens, as an operator would (a bot started as its own
    process has no test fixture to do it)."""
    admin_line = f"\n      admin_log_channel: {admin}" if admin else ""
    return f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}{admin_line}
    storage:
      url: sqlite+aiosqlite:///{db}
    network:
      allow_addresses: [127.0.0.1]  # the feed server's address (the bot fetches only public ones by default)
    defaults:
      poll_interval: 60s
      max_posts_per_run: 50
    feeds:
      - name: world
        url: {server.url('/world.xml')}
        fetch_article: false
    subscriptions:
    {subs}
    """


@asynccontextmanager
async def running_app(cfg: Path, emu: DiscordEmulator, clock: Clock) -> AsyncIterator[App]:
    """The App connected to the emulator, driven by hand (``cycle``), stopped however the test ends."""
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


@dataclass
class Rig:
    """The bot connected to the emulator: one subscription posting to ``news``, admin notices in ``admin``."""

    emu: DiscordEmulator
    server: FeedServer
    app: App
    clock: Clock
    guild: int
    news: int
    admin: int
    items: list[Item] = field(default_factory=list)

    @property
    def news_posts(self) -> str:
        """Message POSTs to ``news`` and nowhere else, as an emulator route pattern."""
        return f"POST /channels/{self.news}/messages"

    def news_requests(self) -> int:
        """Message POSTs to ``news`` the emulator received, answered with a fault or not."""
        return self.emu.request_count.matching(self.news_posts)

    async def publish(self, *titles: str) -> None:
        """Add stories to the feed and poll it once: they are in the outbox, not yet delivered."""
        self.items += [Item(title, body_text(title.split()[0].lower()), guid=title) for title in titles]
        self.server.set("/world.xml", rss(self.items), content_type="application/rss+xml")
        self.clock.advance(minutes=2)
        reports = await self.app.poll_due()
        assert [r.routed for r in reports] == [len(titles)]


@asynccontextmanager
async def rigged(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path, *, kind: str = "text", **options: str
) -> AsyncIterator[Rig]:
    """A started Rig with an empty feed, after one poll-and-deliver cycle.

    ``kind`` is the ``news`` channel's kind ("text", "forum", …); ``options`` are more YAML keys
    of the ``news`` subscription (``layout="thread"``).
    """
    guild = emu.add_guild("news")
    news, admin = emu.add_channel(guild, "news", kind=kind), emu.add_channel(guild, "admin")
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    extra = "".join(f"\n        {key}: {value}" for key, value in options.items())
    cfg = write_config(tmp_path / "newsbot.yaml", simple_config(emu, server, tmp_path / "db.sqlite", f"""
      - name: news
        feeds: [world]
        channel: {news}{extra}
    """, admin=admin))
    clock = Clock()
    async with running_app(cfg, emu, clock) as app:
        await cycle(app, clock)
        yield Rig(emu, server, app, clock, guild, news, admin)
