"""paginate, clamp_page, numbered_pages, feed_list_pages: exact pages from small tables."""

from __future__ import annotations

import pytest

from bot.render.limits import DESCRIPTION_LIMIT, FIELD_VALUE_LIMIT, embed_size, payload_problems
from bot.render.pages import clamp_page, feed_list_pages, numbered_pages, paginate
from bot.render.text import ELLIPSIS


@pytest.mark.parametrize(
    ("blocks", "limit", "sep", "pages"),
    [
        ([], 10, "\n\n", []),
        (["abc"], 10, "\n\n", ["abc"]),
        # "aaa\n\nbbb" is 8: fits; adding "\n\nccc" would make 13
        (["aaa", "bbb", "ccc"], 10, "\n\n", ["aaa\n\nbbb", "ccc"]),
        (["aaa", "bbb", "ccc"], 11, "\n", ["aaa\nbbb\nccc"]),
        # exactly at the limit stays on the page; one more character moves the block on
        (["aaaa", "bbbb"], 9, "\n", ["aaaa\nbbbb"]),
        (["aaaa", "bbbb"], 8, "\n", ["aaaa", "bbbb"]),
        # a block is never split: "b b b b" does not fit after "aa", so it starts the next page whole
        (["aa", "b b b b", "c"], 9, "\n", ["aa", "b b b b\nc"]),
    ],
)
def test_paginate_packs_whole_blocks_in_order(blocks: list[str], limit: int, sep: str, pages: list[str]) -> None:
    assert paginate(blocks, limit, sep) == pages


def test_a_block_longer_than_a_page_is_cut_to_fit_on_a_page_of_its_own() -> None:
    pages = paginate(["short", "one two three four five six", "tail"], 12, "\n")
    assert pages == ["short", f"one two{ELLIPSIS}", "tail"]
    assert all(len(page) <= 12 for page in pages)


def test_pages_of_many_feed_like_blocks_lose_nothing_and_respect_the_limit() -> None:
    blocks = [f"**feed-{i}** (managed) — https://example.com/{'x' * (i % 50)}\nnever polled" for i in range(120)]
    pages = paginate(blocks, DESCRIPTION_LIMIT)
    assert len(pages) > 1 and all(len(page) <= DESCRIPTION_LIMIT for page in pages)
    assert [block for page in pages for block in page.split("\n\n")] == blocks


@pytest.mark.parametrize(("page", "count", "shown"), [(1, 3, 1), (3, 3, 3), (4, 3, 3), (9, 1, 1), (0, 3, 1), (-2, 3, 1)])
def test_clamp_page(page: int, count: int, shown: int) -> None:
    assert clamp_page(page, count) == shown


def test_numbered_pages_count_across_chapters_and_a_lone_page_keeps_its_heading() -> None:
    embeds = numbered_pages([("Feeds", ["f1", "f2"]), ("Subscriptions", ["s1"])])
    assert embeds == [
        {"title": "Feeds — page 1 of 3", "description": "f1"},
        {"title": "Feeds — page 2 of 3", "description": "f2"},
        {"title": "Subscriptions — page 3 of 3", "description": "s1"},
    ]
    assert numbered_pages([("Feeds", ["only"]), ("Subscriptions", [])]) == [{"title": "Feeds", "description": "only"}]


def test_a_short_feed_list_is_one_embed_with_its_subscriptions_as_a_field() -> None:
    assert feed_list_pages(["**a**", "**b**"], ["`s1` → <#1>", "`s2` → <#2>"], empty="none") == [
        {"title": "Feeds", "description": "**a**\n\n**b**", "fields": [{"name": "Subscriptions", "value": "`s1` → <#1>\n`s2` → <#2>"}]}
    ]
    assert feed_list_pages([], [], empty="No feeds yet") == [{"title": "Feeds", "description": "No feeds yet"}]


def test_a_long_feed_list_pages_the_feeds_then_the_subscriptions() -> None:
    blocks = [f"**feed-{i}** — https://example.com/{'x' * 900}" for i in range(9)]  # 4 a page
    subs = [f"`sub-{i}` → <#{i}>" for i in range(9)]
    embeds = feed_list_pages(blocks, subs, empty="none")
    assert [e["title"] for e in embeds] == [
        "Feeds — page 1 of 4",
        "Feeds — page 2 of 4",
        "Feeds — page 3 of 4",
        "Subscriptions — page 4 of 4",
    ]
    assert embeds[0]["description"] == "\n\n".join(blocks[:4]) and embeds[2]["description"] == blocks[8]
    assert embeds[3]["description"] == "\n".join(subs)
    for embed in embeds:
        assert "fields" not in embed and embed_size(embed) <= 6000
        assert payload_problems({"embeds": [embed], "allowed_mentions": {"parse": []}}) == []


def test_subscriptions_too_long_for_a_field_get_pages_of_their_own() -> None:
    subs = [f"`sub-{i:03}` → <#{10**17 + i}> (immediate, embed)" for i in range(40)]
    assert len("\n".join(subs)) > FIELD_VALUE_LIMIT
    embeds = feed_list_pages(["**a**"], subs, empty="none")
    assert [e["title"] for e in embeds] == ["Feeds — page 1 of 2", "Subscriptions — page 2 of 2"]
    assert embeds[1]["description"].splitlines() == subs
