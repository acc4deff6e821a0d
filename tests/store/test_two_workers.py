"""Two workers (two Pollers, each with its own engine) sharing one store: the same story racing in.

The race is forced, not hoped for: worker B is held right after its "is this story already
stored?" checks until worker A has stored the story, so B's insert meets A's row.  Run on SQLite
and on PostgreSQL (the ``store`` fixture), since several workers is the PostgreSQL deployment.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import Config, load_config
from bot.feeds.fetch import Fetcher
from bot.pipeline import Poller
from bot.store import Store, open_store
from bot.store.schema import articles, entries, outbox
from tests.e2e.harness import Item, body_text, rss, write_config
from tests.support import FeedServer, local_session

STORY_URL = "http://news.test/quake-rescue"


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as srv:
        yield srv


@pytest.fixture
async def second_worker(store: Store) -> AsyncIterator[Store]:
    """Another engine on the same database, as a second process would have."""
    other = await open_store(store.engine.url.render_as_string(hide_password=False))
    try:
        yield other
    finally:
        await other.close()


def _config(tmp_path: Path, server: FeedServer, store: Store) -> Config:
    url = store.engine.url.render_as_string(hide_password=False)
    return load_config(write_config(tmp_path / "newsbot.yaml", f"""
    storage:
      url: {url}
    defaults:
      backfill: 10
    feeds:
      - name: world
        url: {server.url('/world.xml')}
        fetch_article: false
      - name: mirror
        url: {server.url('/mirror.xml')}
        fetch_article: false
    subscriptions:
      - name: both
        feeds: [world, mirror]
        channel: 111111111111111111
      - name: world-only
        feeds: [world]
        channel: 222222222222222222
      - name: mirror-only
        feeds: [mirror]
        channel: 333333333333333333
    """), env={})


def _hold_after_duplicate_check(worker: Store, checked: asyncio.Event, release: asyncio.Event) -> None:
    """Make ``worker`` stop between its duplicate checks (URL, then fingerprint) and its insert."""
    real = worker.recent_fingerprints

    async def held(since: datetime) -> list[tuple[int, int]]:
        found = await real(since)
        checked.set()
        await release.wait()
        return found

    worker.recent_fingerprints = held  # type: ignore[method-assign]


async def test_same_url_stored_by_another_worker_meanwhile_is_routed_once_and_marked_seen(
    store: Store, second_worker: Store, server: FeedServer, tmp_path: Path
) -> None:
    story = body_text("earthquake")
    server.set("/world.xml", rss([Item("Rescuers reach quake survivors", story, guid="w-1", link=STORY_URL)]))
    server.set("/mirror.xml", rss([Item("Quake: survivors reached", story, guid="m-7", link=STORY_URL)], title="Mirror"))
    config = _config(tmp_path, server, store)
    checked, release = asyncio.Event(), asyncio.Event()
    _hold_after_duplicate_check(second_worker, checked, release)

    async with local_session() as session:
        fetcher = Fetcher(session)
        worker_a = Poller(store=store, fetcher=fetcher, config=lambda: config)
        worker_b = Poller(store=second_worker, fetcher=fetcher, config=lambda: config)
        polling_b = asyncio.create_task(worker_b.poll("mirror"))
        reached = asyncio.create_task(checked.wait())
        await asyncio.wait({polling_b, reached}, return_when=asyncio.FIRST_COMPLETED)
        reached.cancel()
        assert checked.is_set(), f"worker B never reached its duplicate check: {polling_b.result()}"
        report_a = await worker_a.poll("world")  # stores the story while B holds "not stored yet"
        release.set()
        report_b = await polling_b  # an ArticleExistsError escaping poll() would raise here

    assert (report_a.status, report_a.new, report_a.routed) == ("new", 1, 2)
    assert (report_b.status, report_b.new, report_b.routed) == ("new", 1, 1)  # "both" already has it
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(articles))).scalar_one() == 1
        article_id = (await conn.execute(select(articles.c.id))).scalar_one()
        queued = sorted((await conn.execute(select(outbox.c.subscription, outbox.c.article_id))).all())
        seen = set((await conn.execute(select(entries.c.feed, entries.c.article_id))).all())
    assert queued == [("both", article_id), ("mirror-only", article_id), ("world-only", article_id)]
    assert seen == {("world", article_id), ("mirror", article_id)}
