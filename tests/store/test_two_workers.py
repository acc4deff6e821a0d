"""Two workers (two Pollers, each with its own engine) sharing one store: the same story racing in.

The races are forced, not hoped for: worker B is held right after its "is this story already
stored?" checks while worker A polls the same story, so A either stores it under B's nose (the
race) or has to wait for B.  Run on SQLite and on PostgreSQL (the ``store`` fixture), since
several workers is the PostgreSQL deployment.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import Config, load_config
from bot.feeds.fetch import Fetcher
from bot.pipeline import Poller, PollReport
from bot.store import Store, Tx, open_store
from bot.store.schema import articles, entries, outbox
from tests.e2e.harness import Item, body_text, rss, write_config
from tests.support import FeedServer, local_session

STORY_URL = "http://news.test/quake-rescue"
MIRROR_URL = "http://mirror.test/2025/03/quakes/survivors-reached"


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


def _in_every_transaction(worker: Store, patch: Callable[[Tx], None], done: Callable[[], None] = lambda: None) -> None:
    """Apply ``patch`` to each Tx that ``worker`` opens, before the pipeline uses it; call
    ``done`` when the pipeline's block ends without error (before the commit)."""
    real = worker.transaction

    @asynccontextmanager
    async def transaction() -> AsyncIterator[Tx]:
        async with real() as tx:
            patch(tx)
            yield tx
            done()

    worker.transaction = transaction  # type: ignore[method-assign]


def _hold_after_duplicate_check(worker: Store, checked: asyncio.Event, release: asyncio.Event) -> None:
    """Make ``worker`` stop between its duplicate checks (URL, then fingerprint) and its insert,
    wherever it reads the fingerprints (on the Store or inside its transaction)."""

    def hold(target: Store | Tx) -> None:
        real = target.recent_fingerprints

        async def held(since: datetime) -> list[tuple[int, int]]:
            found = await real(since)
            checked.set()
            await release.wait()
            return found

        target.recent_fingerprints = held  # type: ignore[method-assign]

    hold(worker)
    _in_every_transaction(worker, hold)


def _watch_story_lock(worker: Store, name: str, log: list[str], asking: asyncio.Event | None = None) -> None:
    """Log when ``worker``'s transactions got the new-story lock and when their work was done.

    "done" is logged when the transaction's block ends, i.e. before its commit, so a lock that
    really excludes the other worker is always logged after it.
    """

    def watch(tx: Tx) -> None:
        real = tx.serialize_new_stories

        async def watched() -> None:
            if asking is not None:
                asking.set()
            await real()
            log.append(f"{name} locked")

        tx.serialize_new_stories = watched  # type: ignore[method-assign]

    _in_every_transaction(worker, watch, done=lambda: log.append(f"{name} done"))


def _without_story_lock(worker: Store) -> None:
    """Make ``worker`` behave like a worker that takes no new-story lock (one still running the
    previous release during a rolling upgrade), so only the database's unique URL index guards."""

    def unlocked(tx: Tx) -> None:
        async def no_lock() -> None:
            return None

        tx.serialize_new_stories = no_lock  # type: ignore[method-assign]

    _in_every_transaction(worker, unlocked)


async def _until(event: asyncio.Event, task: asyncio.Task[PollReport]) -> None:
    """Wait until ``event`` is set or ``task`` has ended, whichever comes first."""
    reached = asyncio.create_task(event.wait())
    await asyncio.wait({task, reached}, return_when=asyncio.FIRST_COMPLETED)
    reached.cancel()


@asynccontextmanager
async def _b_held_at_its_check(
    store: Store, second_worker: Store, config: Config, checked: asyncio.Event
) -> AsyncIterator[tuple[Poller, asyncio.Task[PollReport]]]:
    """Worker A (on ``store``) and worker B polling "mirror" (on ``second_worker``), B already
    stopped at its duplicate check (see ``_hold_after_duplicate_check``)."""
    async with local_session() as session:
        fetcher = Fetcher(session)
        worker_a = Poller(store=store, fetcher=fetcher, config=lambda: config)
        worker_b = Poller(store=second_worker, fetcher=fetcher, config=lambda: config)
        polling_b = asyncio.create_task(worker_b.poll("mirror"))
        await _until(checked, polling_b)
        assert checked.is_set(), f"worker B never reached its duplicate check: {polling_b.result()}"
        yield worker_a, polling_b


async def _one_article_routed_everywhere(store: Store) -> None:
    """One stored article, one outbox row per subscription, both feeds' entries seen as it."""
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(articles))).scalar_one() == 1
        article_id = (await conn.execute(select(articles.c.id))).scalar_one()
        queued = sorted((await conn.execute(select(outbox.c.subscription, outbox.c.article_id))).all())
        seen = set((await conn.execute(select(entries.c.feed, entries.c.article_id))).all())
    assert queued == [("both", article_id), ("mirror-only", article_id), ("world-only", article_id)]
    assert seen == {("world", article_id), ("mirror", article_id)}


async def test_same_url_stored_by_another_worker_meanwhile_is_routed_once_and_marked_seen(
    store: Store, second_worker: Store, server: FeedServer, tmp_path: Path
) -> None:
    """B takes no new-story lock, so A stores the URL under B's nose: the unique index must catch it."""
    story = body_text("earthquake")
    server.set("/world.xml", rss([Item("Rescuers reach quake survivors", story, guid="w-1", link=STORY_URL)]))
    server.set("/mirror.xml", rss([Item("Quake: survivors reached", story, guid="m-7", link=STORY_URL)], title="Mirror"))
    config = _config(tmp_path, server, store)
    checked, release = asyncio.Event(), asyncio.Event()
    _without_story_lock(second_worker)
    _hold_after_duplicate_check(second_worker, checked, release)

    async with _b_held_at_its_check(store, second_worker, config, checked) as (worker_a, polling_b):
        report_a = await worker_a.poll("world")  # stores the story while B holds "not stored yet"
        release.set()
        report_b = await polling_b  # an ArticleExistsError escaping poll() would raise here

    assert (report_a.status, report_a.new, report_a.routed) == ("new", 1, 2)
    assert (report_b.status, report_b.new, report_b.routed) == ("new", 1, 1)  # "both" already has it
    await _one_article_routed_everywhere(store)


async def test_same_text_under_two_urls_from_two_workers_at_once_is_stored_and_routed_once(
    store: Store, second_worker: Store, server: FeedServer, tmp_path: Path
) -> None:
    """No index can catch a text match: only the new-story lock keeps A from storing it too."""
    title, story = "Rescuers reach quake survivors", body_text("earthquake")
    server.set("/world.xml", rss([Item(title, story, guid="w-1", link=STORY_URL)]))
    server.set("/mirror.xml", rss([Item(title, story, guid="m-7", link=MIRROR_URL)], title="Mirror"))
    config = _config(tmp_path, server, store)
    # On SQLite the lock B holds is the database's write lock, which would also stall A's first
    # write (registering its feed) for as long as the test holds B: register both beforehand.
    for feed in config.feeds:
        await store.upsert_feed(feed.name, str(feed.url))
    checked, release, a_asks_for_lock = asyncio.Event(), asyncio.Event(), asyncio.Event()
    order: list[str] = []
    _hold_after_duplicate_check(second_worker, checked, release)
    _watch_story_lock(second_worker, "B", order)
    _watch_story_lock(store, "A", order, asking=a_asks_for_lock)

    async with _b_held_at_its_check(store, second_worker, config, checked) as (worker_a, polling_b):
        # A runs while B holds "no such story yet": it stores the story under its own URL (the
        # race), or it reaches the lock B holds and has to wait for B's commit (the fix).
        polling_a = asyncio.create_task(worker_a.poll("world"))
        await _until(a_asks_for_lock, polling_a)
        release.set()
        report_b, report_a = await polling_b, await polling_a

    await _one_article_routed_everywhere(store)
    assert (report_b.status, report_b.new, report_b.routed) == ("new", 1, 2)
    assert (report_a.status, report_a.new, report_a.routed) == ("new", 1, 1)  # "both" already has it
    assert order == ["B locked", "B done", "A locked", "A done"]  # the two never overlapped
