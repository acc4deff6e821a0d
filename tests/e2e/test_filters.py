"""Filters end to end: feeds on 127.0.0.1, the real store and poller, a recording sink.

A ``category:`` rule sees the categories the feed gives; a catastrophic regex in one subscription
is stopped, blocks only what it was meant to judge, and the other feeds keep being polled and
delivered — without the search timeout the poll would hang and pytest-timeout would stop the test.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

import pytest

import bot.pipeline as pipeline
from tests.e2e.harness import Clock, Item, RecordingSink, body_text, cycle, rss, started_app, write_config
from tests.support.feedserver import FeedServer

FEED = "application/rss+xml"
CATASTROPHIC = "/(a+)+$/"


def rss_with_categories(items: list[tuple[str, tuple[str, ...]]], topic: str = "") -> str:
    """An RSS feed whose items carry ``<category>`` elements (the harness's ``rss`` has none); each
    body is about the item's title, or ``topic`` when given."""
    parts = []
    for title, categories in items:
        slug = title.lower().replace(" ", "-")
        tags = "".join(f"<category>{escape(c)}</category>" for c in categories)
        parts.append(
            f"<item><title>{escape(title)}</title><guid isPermaLink=\"false\">{slug}</guid>{tags}"
            f"<description><![CDATA[{body_text(topic or slug)}]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Desk</title>'
        "<link>http://127.0.0.1/</link>" + "".join(parts) + "</channel></rss>"
    )


def config_text(server: FeedServer, db: Path, feeds: str, subs: str) -> str:
    return f"""
    storage:
      url: sqlite+aiosqlite:///{db}
    defaults:
      poll_interval: 60s
    feeds:
    {feeds}
    subscriptions:
    {subs}
    """


async def test_a_category_rule_posts_only_the_entries_in_that_category(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set(
        "/desk.xml",
        rss_with_categories([("Cup final", ("Sport", "Football")), ("Budget vote", ("Politics",)), ("Weather", ())]),
        content_type=FEED,
    )
    feeds = f"""
      - name: desk
        url: {server.url('/desk.xml')}
        backfill: 10
    """
    subs = """
      - name: sport
        feeds: [desk]
        channel: 111111111111111111
        include: [category:sport]
      - name: everything
        feeds: [desk]
        channel: 222222222222222222
    """
    app = await started_app(write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite", feeds, subs)), clock, sink)
    try:
        await cycle(app, clock)
        assert sink.titles("sport") == ["Cup final"]
        assert sorted(sink.titles("everything")) == ["Budget vote", "Cup final", "Weather"]
    finally:
        await app.stop()


async def test_an_update_is_judged_by_the_categories_of_the_story_as_read_again(
    server: FeedServer, tmp_path: Path
) -> None:
    """Categories are not stored: the update path filters the freshly read story, which has them."""
    clock, sink = Clock(), RecordingSink()
    server.set("/desk.xml", rss_with_categories([("Cup final", ("Sport",))], topic="budget"), content_type=FEED)
    feeds = f"""
      - name: desk
        url: {server.url('/desk.xml')}
        backfill: 10
        fetch_article: false
    """
    subs = """
      - name: sport
        feeds: [desk]
        channel: 111111111111111111
        include: ["category:/^sport$/i"]
        repost_updates: true
    """
    app = await started_app(write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite", feeds, subs)), clock, sink)
    try:
        await cycle(app, clock)
        server.set("/desk.xml", rss_with_categories([("Cup final", ("Sport",))], topic="harbour strike"), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert [(row.kind, a[0].article.title) for row, a in sink.posts] == [("article", "Cup final"), ("update", "Cup final")]
    finally:
        await app.stop()


@pytest.mark.timeout(60)
async def test_a_catastrophic_exclude_regex_does_not_stop_the_bot(
    server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "_TIMEOUTS_REPORTED", set())
    caplog.set_level(logging.WARNING, logger="newsbot.poll")
    clock, sink = Clock(), RecordingSink()
    trap = "<p>The code read " + "a" * 5000 + "!</p>"  # (a+)+$ tries every split of the a's here
    server.set(
        "/hostile.xml",
        rss([
            Item("Trap one", body_text("flood") + trap, guid="t1"),
            Item("Harmless", body_text("harvest"), guid="h1"),
            Item("Trap two", body_text("storm") + trap, guid="t2"),
        ]),
        content_type=FEED,
    )
    server.set("/world.xml", rss([Item("World news", body_text("election"), guid="w1")]), content_type=FEED)
    feeds = f"""
      - name: hostile
        url: {server.url('/hostile.xml')}
        backfill: 10
      - name: world
        url: {server.url('/world.xml')}
        backfill: 10
    """
    subs = f"""
      - name: guarded
        feeds: [hostile]
        channel: 111111111111111111
        exclude: ["{CATASTROPHIC}"]
      - name: news
        feeds: [world]
        channel: 222222222222222222
    """
    app = await started_app(write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite", feeds, subs)), clock, sink)
    try:
        await cycle(app, clock)
        assert sink.titles("news") == ["World news"]
        # The rule still judges ordinary stories; the ones it gave up on are kept out, as an exclude rule.
        assert sink.titles("guarded") == ["Harmless"]
        warnings = [r.getMessage() for r in caplog.records if "took longer than" in r.getMessage()]
        assert len(warnings) == 1, warnings  # once per rule, though it timed out on two stories
        assert "subscription guarded: exclude filter '/(a+)+$/'" in warnings[0]
        assert "the story is not posted there" in warnings[0]
        # The admins hear of it too (the subscription's server, via its alert channel), once.
        told = [text for text in app._notices if "took too long" in text]
        assert len(told) == 1, told
        assert "**guarded**" in told[0] and "`/(a+)+$/`" in told[0] and "**hostile**" in told[0]

        # The next poll still runs and delivers.
        server.set(
            "/world.xml",
            rss([Item("World news", body_text("election"), guid="w1"), Item("Later news", body_text("harbour"), guid="w2")]),
            content_type=FEED,
        )
        await cycle(app, clock, advance_minutes=2)
        assert sink.titles("news") == ["World news", "Later news"]
    finally:
        await app.stop()
