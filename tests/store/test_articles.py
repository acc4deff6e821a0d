"""Articles with sections: round trips, updates, listings and autocomplete."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.errors import StoreError
from bot.model import Article, Section
from bot.store import ArticleExistsError, NotFoundError, Store
from tests.store.conftest import NOW, add_article, minutes

CET = timezone(timedelta(hours=1))


async def test_insert_and_get_round_trip_with_sections(store: Store) -> None:
    article = Article(
        title="Parliament votes on the budget — «final» round",
        url="https://alpha.example/budget?id=1",
        author="Ann Author",
        published=datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
        source="Alpha News",
        image="https://alpha.example/budget.jpg",
        summary="The budget passed.",
        sections=(
            Section("", "Lead paragraph.\n\nSecond paragraph.", "Lead paragraph."),
            Section("What changes", "Taxes go up. Spending goes down.", "Taxes go up."),
            Section("Reactions", "Nobody is happy 😀.", ""),
        ),
    )
    article_id = await add_article(store, article, url_key="alpha.example/budget?id=1", fingerprint=42)
    stored = await store.get_article(article_id)
    assert stored is not None
    assert stored.article == article
    assert (stored.id, stored.feed, stored.fingerprint, stored.content_hash) == (article_id, "alpha", 42, "h")
    assert stored.url_key == "alpha.example/budget?id=1"
    assert stored.created_at == NOW and stored.updated_at == NOW
    assert stored.created_at.tzinfo is not None and stored.article.published.tzinfo is not None  # type: ignore[union-attr]


async def test_datetimes_in_other_zones_are_stored_as_utc(store: Store, make_article: Callable[..., Article]) -> None:
    published = datetime(2025, 3, 1, 13, 0, tzinfo=CET)
    article_id = await add_article(store, make_article(published=published), now=NOW.astimezone(CET))
    stored = await store.get_article(article_id)
    assert stored is not None
    assert stored.article.published == published and stored.article.published.utcoffset() == timedelta(0)  # type: ignore[union-attr]
    assert stored.created_at == NOW and stored.created_at.utcoffset() == timedelta(0)


async def test_naive_datetime_is_refused_with_a_store_error(store: Store, make_article: Callable[..., Article]) -> None:
    with pytest.raises(StoreError, match="insert_article.*naive datetime"):
        await add_article(store, make_article(published=datetime(2025, 3, 1, 12, 0)))
    assert await store.count_articles() == 0


async def test_article_without_sections_or_dates(store: Store) -> None:
    bare = Article(title="")
    article_id = await add_article(store, bare)
    stored = await store.get_article(article_id)
    assert stored is not None and stored.article == bare
    assert await store.get_article(article_id + 1000) is None


async def test_duplicate_url_key_raises_article_exists_and_keeps_the_transaction_usable(
    store: Store, make_article: Callable[..., Article]
) -> None:
    first = await add_article(store, make_article("first"), url_key="alpha.example/a")
    async with store.transaction() as tx:
        with pytest.raises(ArticleExistsError) as info:
            await tx.insert_article(
                make_article("again"), feed="alpha", url_key="alpha.example/a", fingerprint=1, content_hash="x", now=NOW
            )
        assert (info.value.url_key, info.value.article_id) == ("alpha.example/a", first)
        await tx.mark_seen("alpha", ["guid:again"], info.value.article_id, NOW)
    assert await store.article_for_keys("alpha", ["guid:again"]) == first
    assert await store.count_articles() == 1


async def test_articles_without_url_key_never_conflict(store: Store, make_article: Callable[..., Article]) -> None:
    await add_article(store, make_article("one"), url_key=None)
    await add_article(store, make_article("two"), url_key=None)
    assert await store.count_articles() == 2


async def test_update_article_replaces_text_and_sections(store: Store, make_article: Callable[..., Article]) -> None:
    article_id = await add_article(store, make_article("v1", body="old text"), url_key="k")
    changed = make_article("v2", sections=(Section("A", "new a"), Section("B", "new b", "b")))
    async with store.transaction() as tx:
        await tx.update_article(article_id, changed, content_hash="h2", fingerprint=7, now=NOW + minutes(5))
    stored = await store.get_article(article_id)
    assert stored is not None
    assert stored.article == changed
    assert (stored.content_hash, stored.fingerprint, stored.url_key) == ("h2", 7, "k")
    assert (stored.created_at, stored.updated_at) == (NOW, NOW + minutes(5))


async def test_update_unknown_article_is_not_found(store: Store, make_article: Callable[..., Article]) -> None:
    with pytest.raises(NotFoundError, match="article 999"):
        await store.update_article(999, make_article(), content_hash="h", fingerprint=1, now=NOW)


async def test_latest_articles_newest_first_by_published_then_created(
    store: Store, make_article: Callable[..., Article]
) -> None:
    await store.upsert_feed("beta", "https://beta.example/")
    oldest = await add_article(store, make_article("oldest", published=NOW - timedelta(days=2)))
    newest = await add_article(store, make_article("newest", published=NOW + minutes(1)), feed="beta")
    tie_early = await add_article(store, make_article("tie early", published=NOW), now=NOW)
    tie_late = await add_article(store, make_article("tie late", published=NOW), now=NOW + minutes(3))
    undated = await add_article(store, make_article("undated", published=None), now=NOW - timedelta(days=1))

    latest = await store.latest_articles(10)
    assert [a.id for a in latest] == [newest, tie_late, tie_early, undated, oldest]
    assert [a.id for a in await store.latest_articles(2)] == [newest, tie_late]
    assert [a.id for a in await store.latest_articles(10, feed="beta")] == [newest]
    assert latest[0].article.sections  # sections come along


async def test_articles_since_filters_feeds_and_storage_time(
    store: Store, make_article: Callable[..., Article]
) -> None:
    await store.upsert_feed("beta", "https://beta.example/")
    await store.upsert_feed("gamma", "https://gamma.example/")
    await add_article(store, make_article("too old"), now=NOW - minutes(61))
    a = await add_article(store, make_article("alpha new", published=NOW - minutes(1)), now=NOW)
    b = await add_article(store, make_article("beta new", published=NOW), feed="beta", now=NOW)
    await add_article(store, make_article("gamma new"), feed="gamma", now=NOW)
    found = await store.articles_since(["alpha", "beta"], NOW - minutes(60), 10)
    assert [x.id for x in found] == [b, a]
    assert await store.articles_since([], NOW - minutes(60), 10) == []
    assert len(await store.articles_since(["alpha", "beta"], NOW - minutes(60), 1)) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["Rates rise 50%", "Election night", "ELECTION results", "Weather"]),
        ("election", ["Election night", "ELECTION results"]),
        ("  ELECTION ", ["Election night", "ELECTION results"]),
        ("50%", ["Rates rise 50%"]),
        ("%", ["Rates rise 50%"]),
        ("_", []),
        ("no such title", []),
    ],
)
async def test_title_suggestions(
    store: Store, make_article: Callable[..., Article], text: str, expected: list[str]
) -> None:
    for hours, title in enumerate(["Weather", "ELECTION results", "Election night", "Rates rise 50%"]):
        await add_article(store, make_article(title, published=NOW + timedelta(hours=hours)))
    suggestions = await store.title_suggestions(text)
    assert [title for _, title in suggestions] == expected
    assert all(isinstance(article_id, int) for article_id, _ in suggestions)


async def test_title_suggestions_are_capped_at_25(store: Store, make_article: Callable[..., Article]) -> None:
    async with store.transaction() as tx:
        for i in range(30):
            await tx.insert_article(
                make_article(f"Story {i}", published=NOW + minutes(i)),
                feed="alpha", url_key=None, fingerprint=i, content_hash="h", now=NOW,
            )
    suggestions = await store.title_suggestions("story", limit=100)
    assert len(suggestions) == 25 and suggestions[0][1] == "Story 29"
    assert len(await store.title_suggestions("story", limit=3)) == 3
    assert await store.count_articles() == 30
