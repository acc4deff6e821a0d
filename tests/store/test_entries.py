"""Entries seen and the cross-feed lookups used by detection."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.detect import fingerprint, hamming_distance
from bot.errors import StoreError
from bot.model import Article
from bot.store import Store
from tests.store.conftest import NOW, add_article, minutes


async def test_seen_keys_reports_only_recorded_keys_of_that_feed(store: Store) -> None:
    await store.upsert_feed("beta", "https://beta.example/")
    await store.mark_seen("alpha", ["guid:1", "url:a"], None, NOW)
    await store.mark_seen("beta", ["guid:2"], None, NOW)
    assert await store.seen_keys("alpha", ["guid:1", "guid:2", "url:b"]) == {"guid:1"}
    assert await store.seen_keys("beta", ["guid:1", "guid:2"]) == {"guid:2"}
    assert await store.seen_keys("alpha", []) == set()


async def test_mark_seen_is_idempotent_and_keeps_the_first_record(
    store: Store, make_article: Callable[..., Article]
) -> None:
    article_id = await add_article(store, make_article())
    await store.mark_seen("alpha", ["k", "k"], article_id, NOW)
    await store.mark_seen("alpha", ["k"], None, NOW + minutes(5))
    async with store.transaction() as tx:
        await tx.mark_seen("alpha", ["k", "other"], None, NOW + minutes(9))
    assert await store.seen_keys("alpha", ["k", "other"]) == {"k", "other"}
    assert await store.article_for_keys("alpha", ["k"]) == article_id


async def test_many_keys_at_once(store: Store) -> None:
    keys = [f"guid:{i}" for i in range(1200)]  # more than one IN (...) chunk
    await store.mark_seen("alpha", keys[:700], None, NOW)
    assert await store.seen_keys("alpha", keys) == set(keys[:700])


async def test_article_for_keys_finds_the_latest_article_of_any_key(
    store: Store, make_article: Callable[..., Article]
) -> None:
    old = await add_article(store, make_article("old"))
    new = await add_article(store, make_article("new"))
    await store.mark_seen("alpha", ["guid:1"], old, NOW)
    await store.mark_seen("alpha", ["url:x"], new, NOW + minutes(1))
    await store.mark_seen("alpha", ["title:y"], None, NOW + minutes(2))
    assert await store.article_for_keys("alpha", ["guid:1", "url:x", "title:y"]) == new
    assert await store.article_for_keys("alpha", ["guid:1"]) == old
    assert await store.article_for_keys("alpha", ["title:y", "missing"]) is None
    assert await store.article_for_keys("alpha", []) is None


async def test_mark_seen_for_an_unknown_feed_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="mark_seen\\('ghost'\\)") as info:
        await store.mark_seen("ghost", ["k"], None, NOW)
    assert info.value.__cause__ is not None


async def test_article_by_url_is_global(store: Store, make_article: Callable[..., Article]) -> None:
    await store.upsert_feed("beta", "https://beta.example/")
    article_id = await add_article(store, make_article(), feed="beta", url_key="alpha.example/a")
    assert await store.article_by_url("alpha.example/a") == article_id
    assert await store.article_by_url("alpha.example/b") is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (0, 0),
        (1, 1),
        (-1, -1),
        (2**63 - 1, 2**63 - 1),
        (-(2**63), -(2**63)),
        # Unsigned values come back as their signed twin: the same 64 bits.
        (2**63, -(2**63)),
        (2**64 - 1, -1),
        (0xDEADBEEFCAFEBABE, 0xDEADBEEFCAFEBABE - 2**64),
    ],
)
async def test_fingerprints_keep_all_64_bits(
    store: Store, make_article: Callable[..., Article], given: int, stored: int
) -> None:
    article_id = await add_article(store, make_article(), fingerprint=given)
    assert await store.recent_fingerprints(NOW) == [(article_id, stored)]
    found = await store.get_article(article_id)
    assert found is not None and found.fingerprint == stored
    assert hamming_distance(found.fingerprint, given) == 0


@pytest.mark.parametrize("fingerprint", [-(2**63) - 1, 2**64])
async def test_fingerprint_wider_than_64_bits_is_a_store_error(
    store: Store, make_article: Callable[..., Article], fingerprint: int
) -> None:
    with pytest.raises(StoreError, match="does not fit in 64 bits"):
        await add_article(store, make_article(), fingerprint=fingerprint)
    assert await store.count_articles() == 0


async def test_a_real_fingerprint_round_trips(store: Store, make_article: Callable[..., Article]) -> None:
    value = fingerprint("Parliament passed the budget on Tuesday after a long debate about taxes.")
    article_id = await add_article(store, make_article(), fingerprint=value)
    assert await store.recent_fingerprints(NOW) == [(article_id, value)]


async def test_recent_fingerprints_only_since(store: Store, make_article: Callable[..., Article]) -> None:
    await add_article(store, make_article("old"), fingerprint=11, now=NOW - minutes(120))
    new = await add_article(store, make_article("new"), fingerprint=22, now=NOW)
    assert await store.recent_fingerprints(NOW - minutes(60)) == [(new, 22)]
