"""identity_keys against the misbehaving feeds of issue #8, fetch after fetch.

A tiny in-memory "seen" store stands in for the real one: feed-local keys (guid/title) are scoped by
feed, the others by subscription, as the bot.detect docstring asks of the real store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from bot.detect import content_hash, identity_keys, is_feed_local
from bot.model import FeedEntry

T0 = datetime(2025, 6, 25, 9, 0, tzinfo=timezone.utc)


@dataclass
class SeenStore:
    """Per-subscription memory of keys, scoping feed-local ones by feed."""

    keys: set[tuple[str, str]] = field(default_factory=set)

    def _scoped(self, feed: str, key: str) -> tuple[str, str]:
        return (feed if is_feed_local(key) else "*", key)

    def is_new(self, feed: str, entry: FeedEntry) -> bool:
        """Record the entry's keys; True when none of them was known before."""
        scoped = {self._scoped(feed, k) for k in identity_keys(entry)}
        new = not (scoped & self.keys)
        self.keys |= scoped
        return new


def new_entries(store: SeenStore, feed: str, entries: list[FeedEntry]) -> list[str]:
    return [e.title for e in entries if store.is_new(feed, e)]


def test_guid_that_changes_on_every_fetch_is_caught_by_the_link() -> None:
    store = SeenStore()
    for fetch in range(4):
        entry = FeedEntry(id=f"urn:random:{fetch}", title="Drones", link="https://news.example/drones")
        assert new_entries(store, "feed", [entry]) == (["Drones"] if fetch == 0 else [])


def test_pubdate_that_changes_on_every_fetch_does_not_matter_with_guid_or_link() -> None:
    store = SeenStore()
    for fetch in range(4):
        entries = [
            FeedEntry(id="a-1", title="With guid", published=T0 + timedelta(days=fetch)),
            FeedEntry(id=None, title="With link", link="https://news.example/b", published=T0 + timedelta(days=fetch)),
        ]
        assert new_entries(store, "feed", entries) == (["With guid", "With link"] if fetch == 0 else [])


def test_an_item_that_disappears_and_comes_back_is_not_new() -> None:
    store = SeenStore()
    a = FeedEntry(id="1", title="A", link="https://news.example/a")
    b = FeedEntry(id="2", title="B", link="https://news.example/b")
    c = FeedEntry(id="3", title="C", link="https://news.example/c")
    assert new_entries(store, "feed", [a, b]) == ["A", "B"]
    assert new_entries(store, "feed", [c]) == ["C"]  # A and B fell out of the feed's window
    assert new_entries(store, "feed", [a, c]) == []  # A is back


def test_same_story_from_two_feeds_of_one_subscription_is_caught_by_the_link() -> None:
    store = SeenStore()
    main = FeedEntry(id="https://news.example/?p=123", title="Drones", link="https://news.example/drones/")
    category = FeedEntry(
        id="tag:news.example,2025:123",
        title="Drones deal",
        link="http://www.news.example/drones?utm_source=rss&utm_medium=category",
    )
    assert new_entries(store, "main-feed", [main]) == ["Drones"]
    assert new_entries(store, "category-feed", [category]) == []


def test_equal_guids_in_two_feeds_are_not_the_same_story() -> None:
    """Feeds number their items independently; guid "1" of one feed says nothing about another's."""
    store = SeenStore()
    a = FeedEntry(id="1", title="Story of feed A", link="https://a.example/story")
    b = FeedEntry(id="1", title="Story of feed B", link="https://b.example/story")
    assert new_entries(store, "feed-a", [a]) == ["Story of feed A"]
    assert new_entries(store, "feed-b", [b]) == ["Story of feed B"]


def test_same_title_is_not_the_same_story_when_links_differ() -> None:
    store = SeenStore()
    monday = FeedEntry(id=None, title="Daily briefing", link="https://news.example/briefing-0623", published=T0)
    tuesday = FeedEntry(id=None, title="Daily briefing", link="https://news.example/briefing-0624", published=T0)
    assert new_entries(store, "feed", [monday, tuesday]) == ["Daily briefing", "Daily briefing"]


def test_permalink_guid_counts_as_a_link() -> None:
    store = SeenStore()
    with_guid = FeedEntry(id="https://news.example/a", title="A")
    with_link = FeedEntry(id=None, title="A, elsewhere", link="https://www.news.example/a/")
    assert new_entries(store, "feed-1", [with_guid]) == ["A"]
    assert new_entries(store, "feed-2", [with_link]) == []


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            FeedEntry(id=" abc ", title="T", link="https://www.example.com/a/?utm_source=x"),
            ("guid:abc", "link:example.com/a"),
        ),
        (
            FeedEntry(id="https://example.com/a", title="T", link="https://example.com/a/"),
            ("guid:https://example.com/a", "link:example.com/a"),
        ),
        (
            FeedEntry(id="https://example.com/a", title="T", link="https://example.com/other"),
            ("guid:https://example.com/a", "link:example.com/a", "link:example.com/other"),
        ),
        (FeedEntry(id="ABC", title="T"), ("guid:ABC",)),  # ids are opaque: no case folding
        (FeedEntry(id=None, title="T", link="https://example.com/a"), ("link:example.com/a",)),
        # title key only as the fallback, cut to the day; updated when there is no published
        (FeedEntry(id=None, title="  Daily Briefing! ", published=T0), ("title:daily briefing|2025-06-25",)),
        (FeedEntry(id=None, title="Daily briefing", updated=T0), ("title:daily briefing|2025-06-25",)),
        (FeedEntry(id=None, title="Daily briefing"), ("title:daily briefing|",)),
        (FeedEntry(id="", title="T", link="  "), ("title:t|",)),
        # nothing but text
        (FeedEntry(id=None, title="", content="Body text."), (f"text:{content_hash('body text')}",)),
        (FeedEntry(id=None, title="", summary="Teaser."), (f"text:{content_hash('teaser')}",)),
    ],
)
def test_identity_keys(entry: FeedEntry, expected: tuple[str, ...]) -> None:
    assert identity_keys(entry) == expected


def test_title_key_tolerates_a_timestamp_that_moves_within_the_day() -> None:
    morning = FeedEntry(id=None, title="Briefing", published=T0)
    evening = FeedEntry(id=None, title="Briefing", published=T0 + timedelta(hours=10))
    assert identity_keys(morning) == identity_keys(evening)


def test_every_entry_has_at_least_one_key() -> None:
    empty = FeedEntry(id=None, title="")
    assert len(identity_keys(empty)) == 1
    store = SeenStore()
    assert new_entries(store, "feed", [empty, empty]) == [""]


@pytest.mark.parametrize(
    ("key", "local"),
    [("guid:1", True), ("title:x|", True), ("link:example.com/a", False), ("text:ab12", False)],
)
def test_is_feed_local(key: str, local: bool) -> None:
    assert is_feed_local(key) is local
