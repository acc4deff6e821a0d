"""Retention: old stories go with their sections, search entries and finished posts; what a post
still needs stays; the seen keys stay.  On SQLite and PostgreSQL (see conftest)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from bot.model import Article, Section
from bot.store import PruneReport, Store, retention_cutoff
from bot.store.schema import entries, outbox, sections
from bot.store.search import FTS_TABLE, PG_SEARCH_TABLE
from tests.store.conftest import NOW

RETENTION = timedelta(days=90)
CUTOFF = NOW - RETENTION
OLD = CUTOFF - timedelta(days=10)
RECENT = CUTOFF + timedelta(days=10)
CHANNEL = 111


def _story(make_article: Callable[..., Article], word: str) -> Article:
    """An article with two sections, findable by ``word``."""
    return make_article(
        f"The {word} story",
        url=f"https://alpha.example/{word}",
        sections=(Section("", f"First part about {word}."), Section("More", f"Second part about {word}.")),
    )


async def _stored(store: Store, article: Article, *, at: datetime = OLD, keys: tuple[str, ...] = ()) -> int:
    """Store ``article`` as the pipeline does, seen under ``keys`` (default: its URL) in feed alpha."""
    async with store.transaction() as tx:
        article_id = await tx.insert_article(
            article, feed="alpha", url_key=article.url, fingerprint=1, content_hash="h", now=at
        )
        await tx.mark_seen("alpha", keys or (str(article.url),), article_id, at)
    return article_id


async def _enqueue(store: Store, article_id: int | None, *, at: datetime = OLD, **kw: Any) -> int:
    values: dict[str, Any] = {
        "subscription": "news",
        "channel_id": CHANNEL,
        "kind": "article",
        "article_id": article_id,
        "dedupe_key": f"story:{article_id}",
        "now": at,
    } | kw
    async with store.transaction() as tx:
        row = await tx.enqueue(**values)
    assert row is not None
    return row


async def _sent(store: Store, article_id: int | None, *, at: datetime = OLD, **kw: Any) -> int:
    row = await _enqueue(store, article_id, at=at, **kw)
    await store.mark_sent(row, message_ids=[row], now=at)
    return row


async def _count(store: Store, query: Any) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def _search_rows(store: Store) -> int:
    table = PG_SEARCH_TABLE if store.dialect == "postgresql" else FTS_TABLE
    return await _count(store, text(f"SELECT count(*) FROM {table}"))


async def _outbox_ids(store: Store) -> set[int]:
    async with store.engine.connect() as conn:
        return set((await conn.execute(select(outbox.c.id))).scalars())


async def test_an_old_finished_story_goes_with_its_sections_search_entry_and_posts(
    store: Store, make_article: Callable[..., Article]
) -> None:
    gone = await _stored(store, _story(make_article, "harbour"))
    await _sent(store, gone)
    await _sent(store, gone, kind="update", dedupe_key=f"update:{gone}:h2")
    kept = await _stored(store, _story(make_article, "glacier"), at=RECENT)
    kept_post = await _sent(store, kept, at=RECENT)
    assert (await _search_rows(store), await _count(store, select(func.count()).select_from(sections))) == (2, 4)

    report = await store.prune(CUTOFF)

    assert report == PruneReport(stories=1, sections=2, posts=2)
    assert await store.get_article(gone) is None
    assert await store.search("harbour") == []
    assert await _search_rows(store) == 1  # no orphan index row left behind
    assert await _count(store, select(func.count()).select_from(sections).where(sections.c.article_id == gone)) == 0
    assert await _outbox_ids(store) == {kept_post}
    # The seen key stays (that is what keeps a feed listing the story from posting it again).
    assert await store.seen_keys("alpha", ["https://alpha.example/harbour"]) == {"https://alpha.example/harbour"}
    assert await store.article_for_keys("alpha", ["https://alpha.example/harbour"]) is None
    assert await store.article_by_url("https://alpha.example/harbour") is None
    # The recent story is untouched.
    found = await store.get_article(kept)
    assert found is not None and len(found.article.sections) == 2
    assert [hit.article_id for hit in await store.search("glacier")] == [kept]


async def test_a_recent_story_stays_even_with_nothing_in_the_outbox(
    store: Store, make_article: Callable[..., Article]
) -> None:
    recent = await _stored(store, _story(make_article, "recent"), at=CUTOFF + timedelta(seconds=1))
    assert await store.prune(CUTOFF) == PruneReport()
    assert await store.get_article(recent) is not None


async def test_a_story_an_unsent_immediate_post_needs_stays_however_old(
    store: Store, make_article: Callable[..., Article]
) -> None:
    waiting = await _stored(store, _story(make_article, "waiting"))
    row = await _enqueue(store, waiting)  # pending since long ago (a paused subscription, say)
    retried = await _stored(store, _story(make_article, "retried"))
    retry_row = await _enqueue(store, retried, subscription="other")
    await store.mark_retry(retry_row, reason="Discord 500", next_attempt_at=NOW)

    assert await store.prune(CUTOFF) == PruneReport()
    assert await store.get_article(waiting) is not None and await store.get_article(retried) is not None
    assert await _outbox_ids(store) == {row, retry_row}

    # Once delivered, long ago, they go.
    await store.mark_sent(row, message_ids=[1], now=OLD)
    await store.mark_failed(retry_row, reason="gave up")
    assert await store.prune(CUTOFF) == PruneReport(stories=2, sections=4, posts=2)
    assert await _outbox_ids(store) == set()


async def test_a_story_held_for_a_digest_or_in_an_unsent_digest_stays(
    store: Store, make_article: Callable[..., Article]
) -> None:
    held = await _stored(store, _story(make_article, "held"))
    await _enqueue(store, held, status="held", subscription="daily")
    assert await store.prune(CUTOFF) == PruneReport()

    digest = await store.collect_digest("daily", CHANNEL, OLD, dedupe_key="digest:1")
    assert digest is not None
    row = await store.get_outbox_row(digest)
    assert row is not None and row.article_ids == (held,) and row.status == "pending"
    # The item is 'digested' now (finished); only the pending digest row's article_ids keep the story.
    assert await store.prune(CUTOFF) == PruneReport()
    assert await store.get_article(held) is not None

    await store.mark_sent(digest, message_ids=[7], now=OLD)
    # The story with its digested item, then the digest row (which points at no story).
    assert await store.prune(CUTOFF) == PruneReport(stories=1, sections=2, posts=2)
    assert await _outbox_ids(store) == set()


async def test_a_digest_row_lists_its_stories_by_itself(store: Store, make_article: Callable[..., Article]) -> None:
    """The digest row's article_ids are what delivery reads: they keep the story with no item row at all."""
    listed = await _stored(store, _story(make_article, "listed"))
    digest = await _enqueue(store, None, kind="digest", article_ids=[listed], dedupe_key="digest:2")
    assert await store.prune(CUTOFF) == PruneReport()
    assert await store.get_article(listed) is not None
    await store.mark_failed(digest, reason="gave up")  # failed long ago: over for good
    assert await store.prune(CUTOFF) == PruneReport(stories=1, sections=2, posts=1)


async def test_a_post_made_or_failed_within_the_retention_keeps_its_old_story(
    store: Store, make_article: Callable[..., Article]
) -> None:
    """A channel got it yesterday (members may /article it), or an admin may still retry it."""
    posted = await _stored(store, _story(make_article, "posted"))
    late = await _enqueue(store, posted)  # enqueued long ago, sent only recently
    await store.mark_sent(late, message_ids=[1], now=RECENT)
    failed = await _stored(store, _story(make_article, "failed"))
    failed_row = await _enqueue(store, failed, at=RECENT)
    await store.mark_failed(failed_row, reason="403")
    listed = await _stored(store, _story(make_article, "listed"))
    await _sent(store, None, kind="digest", article_ids=[listed], dedupe_key="digest:3", at=RECENT)

    assert await store.prune(CUTOFF) == PruneReport()
    assert {await store.get_article(i) is not None for i in (posted, failed, listed)} == {True}


async def test_old_finished_posts_of_no_story_go_recent_ones_stay(store: Store) -> None:
    await _sent(store, None, kind="digest", article_ids=[], dedupe_key="digest:old")
    await _enqueue(store, None, kind="digest", article_ids=[], dedupe_key="digest:failed")
    await store.mark_failed(max(await _outbox_ids(store)), reason="gave up")
    recent = await _sent(store, None, kind="digest", article_ids=[], dedupe_key="digest:new", at=RECENT)
    pending = await _enqueue(store, None, kind="digest", article_ids=[], dedupe_key="digest:pending")
    assert await store.prune(CUTOFF) == PruneReport(posts=2)
    assert await _outbox_ids(store) == {recent, pending}


async def test_more_than_one_batch_goes_in_one_call(store: Store, make_article: Callable[..., Article]) -> None:
    ids = [await _stored(store, _story(make_article, f"batch{i}")) for i in range(7)]
    for article_id in ids:
        await _sent(store, article_id)
    for i in range(5):
        await _sent(store, None, kind="digest", article_ids=[], dedupe_key=f"digest:{i}")
    kept = await _stored(store, _story(make_article, "needed"))
    await _enqueue(store, kept)  # one needed story in the middle of the id range does not stop the batches
    more = await _stored(store, _story(make_article, "after"))

    report = await store.prune(CUTOFF, batch=2)

    assert report == PruneReport(stories=8, sections=16, posts=12)
    assert [await store.get_article(i) is not None for i in (*ids, kept, more)] == [False] * 7 + [True, False]


async def test_a_retention_of_zero_prunes_nothing(store: Store, make_article: Callable[..., Article]) -> None:
    ancient = await _stored(store, _story(make_article, "ancient"), at=NOW - timedelta(days=3650))
    await _sent(store, ancient, at=NOW - timedelta(days=3650))
    assert retention_cutoff(0, NOW) is None
    assert await store.prune(retention_cutoff(0, NOW)) == PruneReport()
    assert await store.get_article(ancient) is not None
    assert retention_cutoff(int(RETENTION.total_seconds()), NOW) == CUTOFF
    assert (await store.prune(retention_cutoff(int(RETENTION.total_seconds()), NOW))).stories == 1


async def test_a_dry_run_counts_what_would_go_and_removes_nothing(
    store: Store, make_article: Callable[..., Article]
) -> None:
    ids = [await _stored(store, _story(make_article, f"dry{i}")) for i in range(3)]
    for article_id in ids:
        await _sent(store, article_id)
    await _sent(store, None, kind="digest", article_ids=[], dedupe_key="digest:dry")

    dry = await store.prune(CUTOFF, dry_run=True, batch=2)

    assert dry == PruneReport(stories=3, sections=6, posts=4, dry_run=True)
    assert [await store.get_article(i) is not None for i in ids] == [True, True, True]
    assert (await _search_rows(store), len(await _outbox_ids(store))) == (3, 4)
    real = await store.prune(CUTOFF, batch=2)
    assert real == PruneReport(stories=3, sections=6, posts=4)


async def test_entries_of_a_pruned_story_keep_their_keys_with_no_story(
    store: Store, make_article: Callable[..., Article]
) -> None:
    gone = await _stored(store, _story(make_article, "keys"), keys=("guid:1", "link:1"))
    await _sent(store, gone)
    await store.prune(CUTOFF)
    async with store.engine.connect() as conn:
        rows = (await conn.execute(select(entries.c.key, entries.c.article_id).order_by(entries.c.key))).all()
    assert [tuple(row) for row in rows] == [("guid:1", None), ("link:1", None)]
    assert await store.seen_keys("alpha", ["guid:1", "link:1", "new"]) == {"guid:1", "link:1"}


async def test_a_new_story_after_a_prune_is_posted_normally(store: Store, make_article: Callable[..., Article]) -> None:
    """SQLite may reuse the id of the newest story deleted: nothing left of the old one may block the new one."""
    gone = await _stored(store, _story(make_article, "first"))
    await _sent(store, gone)
    await store.prune(CUTOFF)
    new = await _stored(store, _story(make_article, "second"), at=NOW)
    async with store.transaction() as tx:
        row = await tx.enqueue(
            subscription="news", channel_id=CHANNEL, kind="article", article_id=new,
            dedupe_key=f"story:{new}", now=NOW,
        )
    assert row is not None


async def test_a_pruned_story_leaves_its_url_and_fingerprint_behind(
    store: Store, make_article: Callable[..., Article]
) -> None:
    """What bot.pipeline matches a story listed later by another feed against (see its e2e test)."""
    with_url = await _stored(store, _story(make_article, "harbour"))
    async with store.transaction() as tx:  # a story with no link: known by its text alone
        no_url = await tx.insert_article(make_article("No link", url=None), feed="alpha", url_key=None, fingerprint=77,
                                         content_hash="h", now=OLD + timedelta(days=1))
    for article_id in (with_url, no_url):
        await _sent(store, article_id)

    assert (await store.prune(CUTOFF, dry_run=True)).stories == 2
    assert not await store.pruned_by_url("https://alpha.example/harbour")  # a dry run keeps nothing either
    assert (await store.prune(CUTOFF)).stories == 2

    assert await store.pruned_by_url("https://alpha.example/harbour")
    assert not await store.pruned_by_url("https://alpha.example/other")
    assert await store.pruned_fingerprints(OLD) == [1, 77]  # oldest first
    assert await store.pruned_fingerprints(OLD + timedelta(hours=1)) == [77]

    # The same URL stored again (by a worker of an older release, which does not look here) and
    # pruned again: one row per URL, no error.
    again = await _stored(store, _story(make_article, "harbour"))
    await _sent(store, again)
    assert (await store.prune(CUTOFF)).stories == 1
    assert await store.pruned_fingerprints(OLD) == [1, 77]
