"""One server's stories: what was routed to its channels (bot.config.scope), on both dialects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.model import Article
from bot.store import Store
from tests.store.conftest import NOW, add_article

#: Discord snowflakes: server A's two channels, server B's channel.
A_NEWS, A_SPORT, B_NEWS = 1_100_000_000_000_000_001, 1_100_000_000_000_000_002, 2_200_000_000_000_000_001
A = {A_NEWS, A_SPORT}


async def _route(store: Store, channel: int, article_id: int | None, key: str, **kw: Any) -> None:
    async with store.transaction() as tx:
        values: dict[str, Any] = {"subscription": f"sub-{channel}", "channel_id": channel, "kind": "article"}
        await tx.enqueue(**(values | kw), article_id=article_id, dedupe_key=key, now=NOW)


async def _stories(store: Store, make_article: Callable[..., Article]) -> dict[str, int]:
    """Glacier stories: one posted in A, one held for A's digest, one updated in B only, one routed nowhere."""
    ids: dict[str, int] = {}
    for hours, name in enumerate(["a_posted", "a_held", "b_update", "nowhere"]):
        article = make_article(
            f"Glacier story {name}", body=f"Glacier melt report {name}.", url=f"https://x.example/{name}",
            published=NOW + timedelta(hours=hours),
        )
        ids[name] = await add_article(store, article, url_key=name)
    await _route(store, A_NEWS, ids["a_posted"], "1")
    await _route(store, A_SPORT, ids["a_held"], "2", status="held")
    await _route(store, B_NEWS, ids["b_update"], "3", kind="update")
    # A digest row lists its stories in article_ids; only held rows (one per story) route a story.
    await _route(store, A_NEWS, None, "4", kind="digest", article_ids=[ids["nowhere"], ids["b_update"]])
    return ids


async def test_latest_articles_of_a_servers_channels_are_those_routed_there(
    store: Store, make_article: Callable[..., Article]
) -> None:
    ids = await _stories(store, make_article)
    assert [s.id for s in await store.latest_articles(10, channels=A)] == [ids["a_held"], ids["a_posted"]]
    assert [s.id for s in await store.latest_articles(10, channels={B_NEWS})] == [ids["b_update"]]
    assert [s.id for s in await store.latest_articles(10, feed="alpha", channels={B_NEWS})] == [ids["b_update"]]
    assert await store.latest_articles(10, channels=set()) == []
    assert len(await store.latest_articles(10)) == 4  # unscoped: every story, as before


async def test_title_suggestions_search_and_get_article_keep_to_the_servers_stories(
    store: Store, make_article: Callable[..., Article]
) -> None:
    ids = await _stories(store, make_article)
    assert [aid for aid, _ in await store.title_suggestions("glacier", channels=A)] == [ids["a_held"], ids["a_posted"]]
    assert sorted(hit.article_id for hit in await store.search("glacier", channels=A)) == sorted([ids["a_posted"], ids["a_held"]])
    assert [hit.article_id for hit in await store.search("melt", channels={B_NEWS})] == [ids["b_update"]]
    assert await store.search("glacier", channels=set()) == []
    assert len(await store.search("glacier")) == 4
    assert (await store.get_article(ids["a_posted"], channels=A)) is not None
    assert await store.get_article(ids["b_update"], channels=A) is None
    assert await store.get_article(ids["nowhere"], channels=A | {B_NEWS}) is None
    assert (await store.get_article(ids["nowhere"])) is not None
