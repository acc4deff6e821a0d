"""max_age end to end: a feed on 127.0.0.1 with old and new entries, the real store, a fake clock.

An entry published longer ago than a subscription's max_age is never posted there; one too old for
every subscription is marked seen without being read, so no later poll (or later config) posts it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.harness import T0, Clock, Item, RecordingSink, body_text, cycle, rss, started_app, write_config
from tests.support.feedserver import FeedServer

FEED = "application/rss+xml"


def config_text(server: FeedServer, db: Path, *, defaults: str = "", feed: str = "", subs: str) -> str:
    return f"""
    storage:
      url: sqlite+aiosqlite:///{db}
    defaults:
      poll_interval: 60s
    {defaults}
    feeds:
      - name: world
        url: {server.url('/world.xml')}
    {feed}
    subscriptions:
    {subs}
    """


ONE_SUB = """
      - name: news
        feeds: [world]
        channel: 111111111111111111
"""


def dated(server: FeedServer, title: str, age: timedelta | None) -> Item:
    """An item whose link is a page on the server (to count reads), published ``age`` before T0."""
    slug = title.lower().replace(" ", "-")
    server.set(f"/a/{slug}", f"<html><body><h1>{title}</h1>{body_text(slug)}</body></html>", content_type="text/html")
    return Item(title, body_text(slug, n=1), guid=slug, link=server.url(f"/a/{slug}"),
                published=T0 - age if age is not None else None)


async def test_old_entries_are_marked_seen_unread_and_backfill_applies_after_the_age_filter(
    server: FeedServer, tmp_path: Path
) -> None:
    clock, sink = Clock(), RecordingSink()
    old = [dated(server, f"Archive {i}", timedelta(days=30 + i)) for i in range(3)]
    new = [dated(server, f"Fresh {i}", timedelta(hours=i + 1)) for i in range(2)]
    server.set("/world.xml", rss(old + new), content_type=FEED)
    text = config_text(server, tmp_path / "db.sqlite", defaults="  backfill: 10\n      max_age: 2d",
                       feed="    fetch_article: true", subs=ONE_SUB)
    cfg = write_config(tmp_path / "newsbot.yaml", text)
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        assert sink.titles() == ["Fresh 1", "Fresh 0"]  # a backfill of 10 reaches only the young ones
        assert [server.hits[f"/a/archive-{i}"] for i in range(3)] == [0, 0, 0]  # old ones never read
        assert server.hits["/a/fresh-0"] == 1

        # Lift the limit and change the feed: the old entries were handled for good, never posted later.
        write_config(cfg, text.replace("max_age: 2d", "max_age: 0"))
        assert app.watcher is not None and await app.watcher.check_now() is not None
        later = dated(server, "Later", timedelta(0))
        server.set("/world.xml", rss(old + new + [later]), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert sink.titles() == ["Fresh 1", "Fresh 0", "Later"]
        assert [server.hits[f"/a/archive-{i}"] for i in range(3)] == [0, 0, 0]
        assert server.hits["/a/fresh-0"] == 1  # nor are the posted ones read again
    finally:
        await app.stop()


async def test_a_subscription_value_wins_for_that_subscription(
    server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([]), content_type=FEED)
    subs = """
      - name: inherits
        feeds: [world]
        channel: 111111111111111111
      - name: lenient
        feeds: [world]
        channel: 222222222222222222
        max_age: 0
      - name: strict
        feeds: [world]
        channel: 333333333333333333
        max_age: 1h
    """
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(
        server, tmp_path / "db.sqlite", feed="    fetch_article: false\n        max_age: 2d", subs=subs))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)  # first poll of an empty feed
        items = [
            dated(server, "Five days old", timedelta(days=5)),
            dated(server, "Three hours old", timedelta(hours=3)),
            dated(server, "Just now", timedelta(minutes=5)),
        ]
        server.set("/world.xml", rss(items), content_type=FEED)
        with caplog.at_level(logging.INFO, logger="newsbot.poll"):
            await cycle(app, clock, advance_minutes=2)
        assert sink.titles("inherits") == ["Three hours old", "Just now"]  # the feed's 2d
        assert sink.titles("lenient") == ["Five days old", "Three hours old", "Just now"]  # 0: no limit
        assert sink.titles("strict") == ["Just now"]  # its own 1h
        summaries = [r.getMessage() for r in caplog.records if "older than max_age" in r.getMessage()]
        assert summaries == [
            "feed world: entries older than max_age not posted — inherits 1, strict 2; "
            "0 too old everywhere, marked seen unread"
        ]
    finally:
        await app.stop()


async def test_entries_without_dates_are_posted(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([]), content_type=FEED)
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(
        server, tmp_path / "db.sqlite", defaults="  max_age: 1h", feed="    fetch_article: false", subs=ONE_SUB))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        items = [dated(server, "Undated", None), dated(server, "Ancient", timedelta(days=900))]
        server.set("/world.xml", rss(items), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert sink.titles() == ["Undated"]
    finally:
        await app.stop()


async def test_an_update_of_a_posted_story_is_reposted_however_old(server: FeedServer, tmp_path: Path) -> None:
    """repost_updates is about a story already posted: max_age does not hold its update back."""
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([]), content_type=FEED)
    subs = ONE_SUB + "        repost_updates: true\n"
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(
        server, tmp_path / "db.sqlite", defaults="  max_age: 1d", feed="    fetch_article: false", subs=subs))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        story = Item("Budget talks", body_text("budget"), guid="b1", published=T0)
        server.set("/world.xml", rss([story]), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        clock.advance(days=3)  # the story is now older than max_age
        rewritten = Item("Budget talks", body_text("harbour strike"), guid="b1", published=T0)
        server.set("/world.xml", rss([rewritten]), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert [row.kind for row, _ in sink.posts] == ["article", "update"]
    finally:
        await app.stop()


async def test_an_update_goes_only_where_the_story_went(server: FeedServer, tmp_path: Path) -> None:
    """A subscription that found the story too old (or filtered it out) gets no "update" of it."""
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([]), content_type=FEED)
    subs = """
      - name: everything
        feeds: [world]
        channel: 111111111111111111
        repost_updates: true
      - name: fresh-only
        feeds: [world]
        channel: 222222222222222222
        max_age: 1h
        repost_updates: true
      - name: strikes
        feeds: [world]
        channel: 333333333333333333
        include: [strike]
        repost_updates: true
"""
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(
        server, tmp_path / "db.sqlite", feed="    fetch_article: false", subs=subs))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        story = Item("Budget talks", body_text("budget"), guid="b1", published=T0 - timedelta(hours=5))
        server.set("/world.xml", rss([story]), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert [(row.subscription, row.kind) for row, _ in sink.posts] == [("everything", "article")]
        # Rewritten: now it is about a strike too, and all three subscriptions ask for updates.
        rewritten = Item("Budget talks", body_text("harbour strike"), guid="b1", published=T0 - timedelta(hours=5))
        server.set("/world.xml", rss([rewritten]), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert [(row.subscription, row.kind) for row, _ in sink.posts] == [
            ("everything", "article"), ("everything", "update")
        ]
    finally:
        await app.stop()
