"""The outbox: dedupe, fair claiming with leases, outcomes, digests, admin views."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.errors import StoreError
from bot.model import Article
from bot.store import NotFoundError, Store, open_store
from tests.store.conftest import NOW, add_article, minutes


async def _enqueue(store: Store, channel_id: int, dedupe_key: str, **kw: Any) -> int | None:
    values: dict[str, Any] = {
        "subscription": f"sub-{channel_id}",
        "channel_id": channel_id,
        "kind": "article",
        "article_id": None,
        "dedupe_key": dedupe_key,
        "now": NOW,
    } | kw
    async with store.transaction() as tx:
        return await tx.enqueue(**values)


async def test_enqueue_dedupes_per_subscription(store: Store) -> None:
    first = await _enqueue(store, 1, "story:1", subscription="news")
    assert isinstance(first, int)
    assert await _enqueue(store, 1, "story:1", subscription="news") is None  # same story again
    assert isinstance(await _enqueue(store, 2, "story:1", subscription="other"), int)  # other subscription
    assert (await store.outbox_counts())["pending"] == 2


async def test_enqueue_round_trip(store: Store, make_article: Callable[..., Article]) -> None:
    article_id = await add_article(store, make_article())
    channel = 1_234_567_890_123_456_789  # Discord snowflakes need 64 bits
    row_id = await _enqueue(store, channel, "d", article_id=article_id, article_ids=[article_id], kind="update")
    assert row_id is not None
    row = await store.get_outbox_row(row_id)
    assert row is not None
    assert (row.channel_id, row.kind, row.article_id, row.article_ids) == (channel, "update", article_id, (article_id,))
    assert (row.status, row.attempts, row.parts_sent, row.message_ids, row.sent_at) == ("pending", 0, (), (), None)
    assert row.created_at == NOW
    assert await store.get_outbox_row(row_id + 100) is None


@pytest.mark.parametrize(("field", "value"), [("kind", "tweet"), ("status", "sent")])
async def test_enqueue_refuses_unknown_kind_or_status(store: Store, field: str, value: str) -> None:
    with pytest.raises(StoreError, match=f"{field} '{value}'"):
        await _enqueue(store, 1, "d", **{field: value})


async def test_first_claim_covers_every_channel_before_a_busy_one_repeats(store: Store) -> None:
    for i in range(50):  # one busy channel, all of its rows older than the others
        await _enqueue(store, 100, f"busy:{i}", now=NOW - minutes(60 - i))
    for channel in range(1, 10):
        await _enqueue(store, channel, f"quiet:{channel}")
    claimed = await store.claim_pending(NOW, 10)
    assert sorted(row.channel_id for row in claimed) == [*range(1, 10), 100]
    assert claimed[0].channel_id == 100 and claimed[0].dedupe_key == "busy:0"  # oldest first


async def test_per_channel_allows_several_rows_of_a_channel_oldest_first(store: Store) -> None:
    for i in range(5):
        await _enqueue(store, 100, f"busy:{i}", now=NOW - minutes(10 - i))
    await _enqueue(store, 1, "quiet")
    claimed = await store.claim_pending(NOW, 10, per_channel=3)
    assert [(row.channel_id, row.dedupe_key) for row in claimed] == [
        (100, "busy:0"), (1, "quiet"), (100, "busy:1"), (100, "busy:2"),
    ]


async def test_a_leased_row_is_not_claimed_again_until_the_lease_expires(store: Store) -> None:
    row_id = await _enqueue(store, 1, "a")
    first = await store.claim_pending(NOW, 10, lease=minutes(5))
    assert [row.id for row in first] == [row_id]
    assert first[0].leased_until == NOW + minutes(5)
    assert await store.claim_pending(NOW + minutes(4), 10) == []
    again = await store.claim_pending(NOW + minutes(5), 10)  # the first worker died
    assert [row.id for row in again] == [row_id]


async def test_a_channel_with_a_delivery_in_flight_waits_for_it(store: Store) -> None:
    first = await _enqueue(store, 1, "a", now=NOW - minutes(2))
    second = await _enqueue(store, 1, "b", now=NOW - minutes(1))
    other = await _enqueue(store, 2, "c")
    assert [row.id for row in await store.claim_pending(NOW, 1)] == [first]
    assert [row.id for row in await store.claim_pending(NOW, 10)] == [other]  # channel 1 is busy
    await store.mark_sent(first, message_ids=[555], now=NOW)  # type: ignore[arg-type]
    assert [row.id for row in await store.claim_pending(NOW, 10)] == [second]


async def test_paused_subscriptions_and_backing_off_rows_are_not_due(store: Store) -> None:
    await _enqueue(store, 1, "a", subscription="paused")
    later = await _enqueue(store, 2, "b")
    await store.set_subscription_paused("paused", True, "admin")
    claimed = await store.claim_pending(NOW, 10)
    assert [row.id for row in claimed] == [later]
    await store.mark_retry(later, reason="HTTP 500", next_attempt_at=NOW + minutes(1))  # type: ignore[arg-type]
    assert await store.claim_pending(NOW, 10) == []
    assert [row.id for row in await store.claim_pending(NOW + minutes(1), 10)] == [later]
    await store.set_subscription_paused("paused", False, None)
    assert [row.subscription for row in await store.claim_pending(NOW + minutes(1), 10)] == ["paused"]


@pytest.mark.parametrize(("limit", "per_channel"), [(0, 1), (5, 0), (-1, 1)])
async def test_claiming_nothing(store: Store, limit: int, per_channel: int) -> None:
    await _enqueue(store, 1, "a")
    assert await store.claim_pending(NOW, limit, per_channel=per_channel) == []


async def test_concurrent_workers_never_claim_the_same_row(store: Store) -> None:
    for channel in range(40):
        await _enqueue(store, channel, f"row:{channel}")
    url = store.engine.url.render_as_string(hide_password=False)
    workers = [await open_store(url) for _ in range(3)]
    try:
        batches = await asyncio.gather(*(w.claim_pending(NOW, 15) for w in workers * 2))
    finally:
        for worker in workers:
            await worker.close()
    claimed = [row.id for batch in batches for row in batch]
    assert len(claimed) == len(set(claimed))
    assert len(claimed) <= 40


async def test_mark_sent_with_progress(store: Store) -> None:
    row_id = await _enqueue(store, 1, "a")
    assert row_id is not None
    await store.claim_pending(NOW, 10)
    await store.record_progress(row_id, 0, 1001)
    await store.record_progress(row_id, 1, 1002)
    await store.record_progress(row_id, 1, 1002)  # a retried report changes nothing
    row = await store.get_outbox_row(row_id)
    assert row is not None and (row.parts_sent, row.message_ids, row.status) == ((0, 1), (1001, 1002), "pending")

    await store.mark_sent(row_id, message_ids=[1002, 1003], now=NOW + minutes(1))
    row = await store.get_outbox_row(row_id)
    assert row is not None
    assert (row.status, row.sent_at, row.message_ids, row.leased_until) == (
        "sent", NOW + minutes(1), (1001, 1002, 1003), None,
    )
    assert await store.claim_pending(NOW + minutes(60), 10) == []


async def test_retry_then_failure_stay_visible_with_their_reason(store: Store) -> None:
    row_id = await _enqueue(store, 1, "a")
    assert row_id is not None
    assert await store.mark_retry(row_id, reason="HTTP 503", next_attempt_at=NOW + minutes(1)) is True
    retrying = await store.get_outbox_row(row_id)
    assert retrying is not None
    assert (retrying.status, retrying.attempts, retrying.last_error) == ("pending", 1, "HTTP 503")
    assert retrying.next_attempt_at == NOW + minutes(1)
    assert [r.id for r in await store.outbox_problems(10)] == [row_id]

    assert await store.mark_failed(row_id, reason="HTTP 403 Missing Access (50001)") is True
    failed = await store.get_outbox_row(row_id)
    assert failed is not None and (failed.status, failed.attempts) == ("failed", 2)
    assert failed.last_error == "HTTP 403 Missing Access (50001)"
    assert [r.id for r in await store.outbox_problems(10)] == [row_id]
    assert await store.claim_pending(NOW + minutes(60), 10) == []
    # A late report from a worker whose lease ran out changes nothing.
    assert await store.mark_retry(row_id, reason="late", next_attempt_at=NOW) is False
    assert (await store.get_outbox_row(row_id)).last_error == "HTTP 403 Missing Access (50001)"  # type: ignore[union-attr]

    await store.requeue(row_id, now=NOW + minutes(2))
    assert [r.id for r in await store.claim_pending(NOW + minutes(2), 10)] == [row_id]


async def test_outcomes_for_unknown_rows_are_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="outbox row 404"):
        await store.mark_sent(404, message_ids=[1], now=NOW)
    with pytest.raises(NotFoundError):
        await store.mark_failed(404, reason="x")
    with pytest.raises(NotFoundError):
        await store.mark_retry(404, reason="x", next_attempt_at=NOW)
    with pytest.raises(NotFoundError):
        await store.record_progress(404, 0, 1)
    with pytest.raises(NotFoundError):
        await store.requeue(404, now=NOW)


async def test_requeue_only_failed_rows(store: Store) -> None:
    row_id = await _enqueue(store, 1, "a")
    with pytest.raises(StoreError, match="only a failed row"):
        await store.requeue(row_id, now=NOW)  # type: ignore[arg-type]


async def test_very_long_reasons_are_cut(store: Store) -> None:
    row_id = await _enqueue(store, 1, "a")
    await store.mark_failed(row_id, reason="x" * 10_000)  # type: ignore[arg-type]
    row = await store.get_outbox_row(row_id)  # type: ignore[arg-type]
    assert row is not None and row.last_error is not None and len(row.last_error) == 2000


async def test_outbox_counts_every_status(store: Store) -> None:
    sent = await _enqueue(store, 1, "a")
    await _enqueue(store, 1, "b")
    await _enqueue(store, 1, "c", status="held")
    await store.mark_sent(sent, message_ids=[1], now=NOW)  # type: ignore[arg-type]
    assert await store.outbox_counts() == {"pending": 1, "held": 1, "digested": 0, "sent": 1, "failed": 0}


async def test_digest_collects_held_items_into_one_row(store: Store, make_article: Callable[..., Article]) -> None:
    a1 = await add_article(store, make_article("one"))
    a2 = await add_article(store, make_article("two"))
    items = [
        await _enqueue(store, 7, f"story:{i}", subscription="daily", article_id=a, status="held", now=NOW + minutes(i))
        for i, a in enumerate([a1, a2, a1])
    ]
    assert [row.id for row in await store.held_rows("daily")] == items
    assert await store.claim_pending(NOW + minutes(10), 10) == []  # held rows are not delivered on their own

    async with store.transaction() as tx:
        digest_id = await tx.collect_digest("daily", 7, NOW + minutes(30), "digest:2025-03-01")
        await tx.set_last_digest_at("daily", NOW + minutes(30))
    assert digest_id is not None
    digest = await store.get_outbox_row(digest_id)
    assert digest is not None
    assert (digest.kind, digest.status, digest.channel_id, digest.article_ids) == ("digest", "pending", 7, (a1, a2))
    assert await store.held_rows("daily") == []
    for item in items:
        row = await store.get_outbox_row(item)  # type: ignore[arg-type]
        assert row is not None and (row.status, row.digest_id) == ("digested", digest_id)
    assert [row.id for row in await store.claim_pending(NOW + minutes(30), 10)] == [digest_id]
    assert (await store.get_subscription("daily")).last_digest_at == NOW + minutes(30)


async def test_digest_with_nothing_held_or_already_collected(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.collect_digest("daily", 7, NOW, "digest:1") is None
    await _enqueue(store, 7, "s1", subscription="daily", status="held")
    assert await store.collect_digest("daily", 7, NOW, "digest:1") is not None
    held = await _enqueue(store, 7, "s2", subscription="daily", status="held")
    # The same firing again (e.g. a restarted scheduler): no second digest, the new item waits.
    assert await store.collect_digest("daily", 7, NOW, "digest:1") is None
    assert [row.id for row in await store.held_rows("daily")] == [held]


async def test_release_held_delivers_items_one_by_one(store: Store) -> None:
    await _enqueue(store, 7, "s1", subscription="daily", status="held")
    await _enqueue(store, 8, "s2", subscription="other", status="held")
    assert await store.release_held("daily") == 1
    assert [row.dedupe_key for row in await store.claim_pending(NOW, 10)] == ["s1"]
    assert [row.dedupe_key for row in await store.held_rows("other")] == ["s2"]


async def test_routed_subscriptions_are_those_with_the_story_or_its_update(
    store: Store, make_article: Callable[..., Article]
) -> None:
    story = await add_article(store, make_article())
    other = await add_article(store, make_article(url="https://example.com/other", title="Other story"))
    await _enqueue(store, 1, "a", subscription="news", article_id=story)
    await _enqueue(store, 2, "b", subscription="sport", article_id=story, kind="update")
    await _enqueue(store, 3, "c", subscription="weather", article_id=other)
    await _enqueue(store, 4, "d", subscription="digest-sub", kind="digest", article_id=None, article_ids=[story])
    assert await store.routed_subscriptions(story) == {"news", "sport"}
    assert await store.routed_subscriptions(other) == {"weather"}
    assert await store.routed_subscriptions(other + 100) == set()
