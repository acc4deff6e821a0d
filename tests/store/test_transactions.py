"""One unit of work: seen entries, article and outbox rows commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.errors import StoreError
from bot.model import Article
from bot.store import Store
from tests.store.conftest import NOW


class Boom(Exception):
    pass


async def _route(store: Store, article: Article, *, fail_with: BaseException | None = None) -> int:
    async with store.transaction() as tx:
        article_id = await tx.insert_article(
            article, feed="alpha", url_key="alpha.example/a", fingerprint=5, content_hash="h", now=NOW
        )
        await tx.mark_seen("alpha", ["guid:1", "url:alpha.example/a"], article_id, NOW)
        await tx.enqueue(
            subscription="news", channel_id=10, kind="article", article_id=article_id, dedupe_key="story:1", now=NOW
        )
        # Reads inside the transaction see its own writes.
        assert await tx.seen_keys("alpha", ["guid:1"]) == {"guid:1"}
        if fail_with is not None:
            raise fail_with
        return article_id


async def _nothing_stored(store: Store) -> bool:
    return (
        await store.count_articles() == 0
        and await store.seen_keys("alpha", ["guid:1", "url:alpha.example/a"]) == set()
        and sum((await store.outbox_counts()).values()) == 0
        and await store.search("body") == []
    )


async def test_commit_keeps_everything(store: Store, make_article: Callable[..., Article]) -> None:
    article_id = await _route(store, make_article())
    assert await store.article_for_keys("alpha", ["guid:1"]) == article_id
    assert (await store.outbox_counts())["pending"] == 1
    assert [hit.article_id for hit in await store.search("body")] == [article_id]


@pytest.mark.parametrize("error", [Boom("routing failed"), OSError("network down"), KeyboardInterrupt()])
async def test_an_error_in_the_block_rolls_everything_back_and_propagates_unchanged(
    store: Store, make_article: Callable[..., Article], error: BaseException
) -> None:
    with pytest.raises(type(error)) as info:
        await _route(store, make_article(), fail_with=error)
    assert info.value is error  # not wrapped: only database failures become StoreError
    assert await _nothing_stored(store)


async def test_a_database_error_midway_rolls_back_the_earlier_writes(
    store: Store, make_article: Callable[..., Article]
) -> None:
    with pytest.raises(StoreError, match="mark_seen\\('ghost'\\)"):
        async with store.transaction() as tx:
            await tx.insert_article(
                make_article(), feed="alpha", url_key=None, fingerprint=1, content_hash="h", now=NOW
            )
            await tx.enqueue(
                subscription="news", channel_id=1, kind="article", article_id=None, dedupe_key="d", now=NOW
            )
            await tx.mark_seen("ghost", ["k"], None, NOW)  # unknown feed: foreign key violation
    assert await _nothing_stored(store)


async def test_a_finished_transaction_cannot_be_used(store: Store) -> None:
    async with store.transaction() as tx:
        pass
    with pytest.raises(StoreError, match="already finished"):
        await tx.mark_seen("alpha", ["k"], None, NOW)
