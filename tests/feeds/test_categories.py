"""Categories and tags of an entry, for ``category:`` filters: RSS, Atom, JSON Feed and front matter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bot.feeds.parse as parse_module
from bot.articles.build import build_article
from bot.errors import ParseError
from bot.feeds.local import read_article_file
from bot.feeds.parse import MAX_CATEGORIES, MAX_CATEGORY_CHARS, parse_feed

from .conftest import NOW

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Sport desk</title><link>https://example.com/</link>
<item><title>Cup final</title><link>https://example.com/cup</link><guid>cup</guid>
  <category>Sport</category><category domain="https://example.com/tags">Football &amp; more</category>
  <category>Sport</category><category>  </category></item>
<item><title>Budget</title><link>https://example.com/budget</link><guid>budget</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Desk</title><id>urn:desk</id>
<updated>2025-06-01T00:00:00Z</updated><link href="https://example.com/"/>
<entry><id>urn:cup</id><title>Cup final</title><updated>2025-06-01T00:00:00Z</updated>
  <link href="https://example.com/cup"/>
  <category term="world-cup" label="World Cup"/><category term="sport"/></entry>
</feed>"""


def parsed(data: bytes, parser_path: str) -> parse_module.ParsedFeed:
    if parser_path == "fast path":  # the fast path must really answer, not fall back to feedparser
        fast = parse_module._run_feedparser_rs(data)
        assert fast is not None and parse_module._fallback_reason(fast, data) is None
    return parse_feed(data, source="test", now=NOW)


def test_rss_categories(parser_path: str) -> None:
    cup, budget = parsed(RSS, parser_path).entries
    assert cup.categories == ("Sport", "Football & more")  # entities decoded, each once, blanks dropped
    assert budget.categories == ()


def test_atom_categories_keep_term_and_label(parser_path: str) -> None:
    (cup,) = parsed(ATOM, parser_path).entries
    assert cup.categories == ("world-cup", "World Cup", "sport")


def test_json_feed_tags() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Desk",
        "items": [
            {"id": "1", "title": "Cup final", "content_text": "x", "tags": ["Sport", "<b>Final</b>", 2026, None, {"x": 1}]},
            {"id": "2", "title": "Budget", "content_text": "x", "tags": "not a list"},
        ],
    }
    cup, budget = parse_feed(json.dumps(doc).encode(), source="test", now=NOW).entries
    assert cup.categories == ("Sport", "Final", "2026")  # plain text; junk values skipped
    assert budget.categories == ()


def test_categories_are_capped() -> None:
    tags = [f"tag {i}" for i in range(MAX_CATEGORIES + 10)] + ["x" * (MAX_CATEGORY_CHARS * 3)]
    doc = {"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "T", "tags": tags}]}
    (entry,) = parse_feed(json.dumps(doc).encode(), source="test", now=NOW).entries
    assert entry.categories == tuple(f"tag {i}" for i in range(MAX_CATEGORIES))
    long = {"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "T", "tags": ["y" * 1000]}]}
    (entry,) = parse_feed(json.dumps(long).encode(), source="test", now=NOW).entries
    assert len(entry.categories[0]) == MAX_CATEGORY_CHARS and entry.categories[0].endswith("…")


def test_categories_reach_the_article() -> None:
    cup = parse_feed(RSS, source="test", now=NOW).entries[0]
    assert build_article(cup).categories == ("Sport", "Football & more")


# -- front matter ----------------------------------------------------------------------------------


def article_file(tmp_path: Path, front_matter: str, name: str = "story.md") -> Path:
    path = tmp_path / name
    path.write_text(f"---\ntitle: Cup final\n{front_matter}---\n\nThe final was played on Sunday.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("tags: [Sport, Football]\n", ("Sport", "Football")),
        ("categories: [Sport]\n", ("Sport",)),
        ("tags: Sport, Football\n", ("Sport", "Football")),  # one text, split on commas
        ("tags: [sport]\ncategories: [News, sport]\n", ("sport", "News")),  # both, each once
        ("tags:\n  - 2026\n  - World Cup\n", ("2026", "World Cup")),
        ("", ()),
    ],
)
def test_front_matter_tags_and_categories(tmp_path: Path, front_matter: str, expected: tuple[str, ...]) -> None:
    assert read_article_file(article_file(tmp_path, front_matter)).categories == expected


def test_front_matter_categories_in_an_html_file(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("---\ntags: [Sport]\n---\n<html><head><title>Cup</title></head><body><p>Text.</p></body></html>")
    assert read_article_file(path).categories == ("Sport",)


def test_front_matter_tags_as_a_mapping_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="front matter 'tags' must be a list of names or one text, not dict"):
        read_article_file(article_file(tmp_path, "tags: {a: 1}\n"))
