"""Full-text search: finds body words, ranks title matches first, never chokes on user input."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.model import Article, Section
from bot.store import Store
from bot.store.search import fts5_query, search_terms
from tests.store.conftest import NOW, add_article


async def _corpus(store: Store, make_article: Callable[..., Article]) -> dict[str, int]:
    ids = {}
    ids["body"] = await add_article(
        store,
        make_article(
            "Council meeting notes",
            sections=(
                Section("", "The council met on Tuesday."),
                Section("Budget", "Members discussed the glacier monitoring programme at length."),
            ),
        ),
    )
    ids["title"] = await add_article(
        store,
        make_article("Glacier retreat accelerates", body="Scientists measured the ice loss over ten years."),
    )
    ids["other"] = await add_article(store, make_article("Football results", body="The home team won again."))
    return ids


async def test_search_finds_a_word_from_a_section_body(store: Store, make_article: Callable[..., Article]) -> None:
    ids = await _corpus(store, make_article)
    hits = await store.search("monitoring")
    assert [hit.article_id for hit in hits] == [ids["body"]]
    hit = hits[0]
    assert hit.title == "Council meeting notes" and hit.url == "https://alpha.example/a"
    assert "monitoring" in hit.snippet and "*" not in hit.snippet


async def test_a_title_match_ranks_above_a_body_match(store: Store, make_article: Callable[..., Article]) -> None:
    ids = await _corpus(store, make_article)
    hits = await store.search("glacier")
    assert [hit.article_id for hit in hits] == [ids["title"], ids["body"]]
    assert hits[0].rank > hits[1].rank


async def test_search_words_are_and_ed_and_stemmed(store: Store, make_article: Callable[..., Article]) -> None:
    ids = await _corpus(store, make_article)
    assert [h.article_id for h in await store.search("glaciers programme")] == [ids["body"]]
    assert await store.search("glacier football") == []


async def test_search_limit(store: Store, make_article: Callable[..., Article]) -> None:
    await _corpus(store, make_article)
    assert len(await store.search("the", limit=1)) <= 1
    assert await store.search("glacier", limit=0) == []


async def test_update_article_reindexes(store: Store, make_article: Callable[..., Article]) -> None:
    ids = await _corpus(store, make_article)
    async with store.transaction() as tx:
        await tx.update_article(
            ids["other"], make_article("Football results", body="A volcano erupted."), content_hash="h2",
            fingerprint=2, now=NOW,
        )
    assert [h.article_id for h in await store.search("volcano")] == [ids["other"]]
    assert await store.search("home team") == []


HOSTILE = [
    '"',
    '""',
    "AND OR",
    "NOT",
    "NEAR(",
    "glacier*",
    "title:glacier",
    "^glacier",
    "(glacier",
    "glacier AND",
    "-glacier",
    "' OR 1=1 --",
    "'; DROP TABLE articles; --",
    "\x00",
    "glacier\x00retreat",
    "{title body}: x",
    "   ",
    "",
    "💥🔥",
    "a" * 5000,
    " ".join(["glacier"] * 500),
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_queries_never_raise(store: Store, make_article: Callable[..., Article], query: str) -> None:
    ids = await _corpus(store, make_article)
    hits = await store.search(query)
    assert all(hit.article_id in ids.values() for hit in hits)
    assert await store.count_articles() == 3


@pytest.mark.parametrize(
    ("query", "terms", "match"),
    [
        ("glacier retreat", ["glacier", "retreat"], '"glacier" "retreat"'),
        ('"quoted" AND (x OR y)', ["quoted", "AND", "x", "OR", "y"], '"quoted" "AND" "x" "OR" "y"'),
        ('"', [], ""),
        ("naïve café", ["naïve", "café"], '"naïve" "café"'),
    ],
)
def test_fts5_queries_are_built_from_quoted_words(query: str, terms: list[str], match: str) -> None:
    assert search_terms(query) == terms
    assert fts5_query(terms) == match
