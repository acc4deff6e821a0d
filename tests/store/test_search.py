"""Full-text search: finds body words, ranks title matches first, never chokes on user input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from bot.model import Article, Section
from bot.store import Store, open_store
from bot.store.engine import create_engine
from bot.store.search import CHARACTER_BREAK, FTS_TABLE, PG_SEARCH_TABLE, fts5_query, search_terms, websearch_query
from tests.store.conftest import NOW, add_article, migrate


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
    "地" * 5000,
    '"上海 -"地铁 or',
    "\u200b地\u200b",
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
        # A run of Chinese is the phrase of its characters, as it was indexed.
        ("上海 地铁", ["上海", "地铁"], '"\u200b上\u200b海\u200b" "\u200b地\u200b铁\u200b"'),
        ("iPhone发布", ["iPhone发布"], '"iPhone\u200b发\u200b布\u200b"'),
    ],
)
def test_fts5_queries_are_built_from_quoted_words(query: str, terms: list[str], match: str) -> None:
    assert search_terms(query) == terms
    assert fts5_query(terms) == match


CHINESE = "上海市政府今天发布了新的城市交通规划。该规划将在未来十年内新建五条地铁线路。"


async def test_chinese_is_found_inside_its_sentences(store: Store, make_article: Callable[..., Article]) -> None:
    # One word to the search engine before: "地铁" found nothing inside "新建五条地铁线路".
    await _corpus(store, make_article)
    zh = await add_article(store, make_article("上海发布交通规划", body=CHINESE))
    hits = await store.search("地铁")
    assert [hit.article_id for hit in hits] == [zh]
    assert "地铁线路" in hits[0].snippet and CHARACTER_BREAK not in hits[0].snippet
    assert [hit.article_id for hit in await store.search("交通规划")] == [zh]
    assert [hit.article_id for hit in await store.search("上海 地铁")] == [zh]
    assert await store.search("铁地") == []  # the characters side by side, in their order
    assert await store.search("地铁 glacier") == []


async def test_a_latin_word_inside_japanese_is_found(store: Store, make_article: Callable[..., Article]) -> None:
    ja = await add_article(store, make_article("新製品", body="今日はiPhoneの発売日です。"))
    assert [hit.article_id for hit in await store.search("iphone")] == [ja]
    assert [hit.article_id for hit in await store.search("発売日")] == [ja]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("glacier -retreat", "glacier -retreat"),  # no unspaced script: as the member typed it
        ("上海地铁", ' "上\u200b海\u200b地\u200b铁" '),
        ("地铁 -北京", ' "地\u200b铁"  - "北\u200b京" '),
        # Inside the member's own quotes a run is already in a phrase.
        ('"上海 metro"', '"\u200b上\u200b海\u200b metro"'),
        ('"unclosed 地铁', '"unclosed \u200b地\u200b铁\u200b'),
    ],
)
def test_websearch_queries_make_each_run_a_phrase(query: str, expected: str) -> None:
    assert websearch_query(query) == expected


async def test_stories_stored_before_the_upgrade_are_reindexed(db_url: str, make_article: Callable[..., Article]) -> None:
    # Back to the revision before: the index as the older bot wrote it, each run one word.
    zh, en = await _stored_then_downgraded(
        db_url,
        [
            make_article("上海发布交通规划", body=CHINESE),
            make_article("Glacier retreat", body="Ice loss over ten years."),
        ],
        "0004_channel_servers",
    )
    assert await _indexed_body(db_url, zh) == CHINESE
    store = await open_store(db_url)  # the bot starting again: upgraded to head
    try:
        assert CHARACTER_BREAK in await _indexed_body(db_url, zh)
        assert [hit.article_id for hit in await store.search("地铁")] == [zh]
        assert [hit.article_id for hit in await store.search("glacier")] == [en]
    finally:
        await store.close()


async def _stored_then_downgraded(db_url: str, articles: list[Article], revision: str) -> list[int]:
    """The articles stored by the bot as it is, then the database taken back to ``revision``."""
    store = await open_store(db_url)
    try:
        await store.upsert_feed("alpha", "https://alpha.example/feed.xml")
        ids = [await add_article(store, article) for article in articles]
    finally:
        await store.close()
    await migrate(db_url, "downgrade", revision)
    return ids


async def _indexed_body(db_url: str, article_id: int) -> str:
    """The body the search table holds for an article, read without migrating anything."""
    table, key = (FTS_TABLE, "rowid") if db_url.startswith("sqlite") else (PG_SEARCH_TABLE, "article_id")
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(f"SELECT body FROM {table} WHERE {key} = :id"), {"id": article_id})).scalar_one()
    finally:
        await engine.dispose()


GERMAN = (
    "Die alten Häuser am Hafen werden ab dem Frühjahr renoviert, und die Stadt zahlt dafür mehr als "
    "die Hälfte der Kosten. Die Bewohner der Häuser können während der Arbeiten in ihren Wohnungen bleiben."
)
RUSSIAN = (
    "Городской совет утвердил бюджет, и новые автобусы выйдут на линии уже весной. "
    "Об этом сообщают городские новости."
)


def _postgresql_only(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's FTS5 stems English only (its porter tokenizer); per-language stemming is PostgreSQL's")


async def test_each_story_is_stemmed_in_its_own_language(store: Store, make_article: Callable[..., Article]) -> None:
    # Stemmed as English, "Häuser" was not found by "Haus", nor "новости" by "новостей".
    _postgresql_only(store)
    de = await add_article(store, make_article("Hafen wird renoviert", body=GERMAN))
    ru = await add_article(store, make_article("Новый бюджет", body=RUSSIAN))
    en = await add_article(store, make_article("Harbour houses", body="The old houses by the harbour are renovated."))
    assert [hit.article_id for hit in await store.search("Haus")] == [de]
    assert [hit.article_id for hit in await store.search("новостей")] == [ru]
    assert [hit.article_id for hit in await store.search("house renovation")] == [en]
    hit = (await store.search("Bewohner Haus"))[0]
    assert hit.article_id == de and "Häuser" in hit.snippet


async def test_a_query_is_read_in_each_story_s_language(store: Store, make_article: Callable[..., Article]) -> None:
    # "die" is a German stop word, so a German story is not found by it; an English one is.
    _postgresql_only(store)
    await add_article(store, make_article("Hafen wird renoviert", body=GERMAN))
    en = await add_article(store, make_article("Plants die in the drought", body="Many plants die when it is dry."))
    assert [hit.article_id for hit in await store.search("die")] == [en]


async def test_stories_indexed_before_languages_keep_english_and_are_found(
    db_url: str, make_article: Callable[..., Article]
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("only PostgreSQL's search table records a language")
    # Back to the revision before: every row indexed in English again, as that bot searches.
    de, en = await _stored_then_downgraded(
        db_url,
        [
            make_article("Hafen wird renoviert", body=GERMAN),
            make_article("Glacier retreat", body="Ice loss over ten years."),
        ],
        "0005_search_characters",
    )
    store = await open_store(db_url)  # upgraded again: rows from before are 'english'
    try:
        assert [hit.article_id for hit in await store.search("Häuser")] == [de]
        assert [hit.article_id for hit in await store.search("glaciers")] == [en]
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(text(f"SELECT DISTINCT config::text FROM {PG_SEARCH_TABLE}"))
                configs = rows.scalars().all()
        finally:
            await engine.dispose()
        assert configs == ["english"]
    finally:
        await store.close()
