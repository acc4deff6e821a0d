"""Retention end to end: a feed on 127.0.0.1 that still lists a pruned story, the real store, a fake clock.

A pruned story's seen keys stay, so its feed listing it again (changed or not) posts nothing, with or
without repost_updates; the lookups behind /article, /search and /latest no longer find it.  What
retention keeps of it (its URL and fingerprint) stops another feed that lists it later, too.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.errors import StoreError
from tests.e2e.harness import Clock, Item, RecordingSink, body_text, cycle, rss, started_app, write_config
from tests.support.feedserver import FeedServer

FEED = "application/rss+xml"
CHANNEL = "111111111111111111"


def config_text(server: FeedServer, db: Path, *, repost: bool = False, retention: str = "90d") -> str:
    return f"""
    storage:
      url: sqlite+aiosqlite:///{db}
      retention: {retention}
    defaults:
      poll_interval: 60s
    feeds:
      - name: world
        url: {server.url('/world.xml')}
        fetch_article: false
    subscriptions:
      - name: news
        feeds: [world]
        channel: {CHANNEL}
        repost_updates: {'true' if repost else 'false'}
    """


def story(title: str, topic: str, guid: str) -> Item:
    return Item(title, body_text(topic), guid=guid, link=f"http://127.0.0.1/{guid}")


async def _post_then_age(server: FeedServer, tmp_path: Path, clock: Clock, sink: RecordingSink, **options: object):
    """Start the bot, post "Harbour strike", then let 100 days pass; returns the app and the story's id."""
    server.set("/world.xml", rss([]), content_type=FEED)
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite", **options))  # type: ignore[arg-type]
    app = await started_app(cfg, clock, sink)
    await cycle(app, clock)  # first poll of an empty feed
    server.set("/world.xml", rss([story("Harbour strike", "harbour strike", "h1")]), content_type=FEED)
    await cycle(app, clock, advance_minutes=2)
    assert sink.titles() == ["Harbour strike"]
    clock.advance(days=100)
    return app, sink.posts[0][1][0].id


async def test_a_pruned_story_still_in_its_feed_is_not_posted_again(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    app, old_id = await _post_then_age(server, tmp_path, clock, sink)
    try:
        assert app.store is not None
        report = await app.prune_old_stories()
        assert report is not None and (report.stories, report.posts) == (1, 1) and report.sections >= 1
        assert await app.store.get_article(old_id) is None

        # The feed still lists it (and has a new story, so the body changed and is parsed again).
        items = [story("Harbour strike", "harbour strike", "h1"), story("Budget vote", "budget", "b1")]
        server.set("/world.xml", rss(items), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert sink.titles() == ["Harbour strike", "Budget vote"]
        # And again on the next poll, and after a restart.
        await app.stop()
        app = await started_app(app.config_path, clock, sink)
        server.set("/world.xml", rss(items + [story("Rail news", "rail", "r1")]), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert sink.titles() == ["Harbour strike", "Budget vote", "Rail news"]
    finally:
        await app.stop()


async def test_a_changed_pruned_story_is_not_reposted_as_an_update(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    app, _ = await _post_then_age(server, tmp_path, clock, sink, repost=True)
    try:
        server.set("/world.xml", rss([story("Harbour strike", "harbour strike", "h1"), story("Budget vote", "budget", "b1")]),
                   content_type=FEED)
        await cycle(app, clock, advance_minutes=2)  # a recent story, posted now
        report = await app.prune_old_stories()
        assert report is not None and report.stories == 1  # the old story only
        # Both stories rewritten: the recent one is re-posted as an update, the pruned one is not.
        rewritten = [story("Harbour strike", "rail closure", "h1"), story("Budget vote", "harbour strike", "b1")]
        server.set("/world.xml", rss(rewritten), content_type=FEED)
        clock.advance(minutes=2)
        reports = await app.poll_due()
        assert [(r.feed, r.status, r.updated) for r in reports] == [("world", "unchanged", 1)]  # no crash, one update
        assert app.deliverer is not None
        while await app.deliverer.run_once():
            pass
        assert [(row.kind, a[0].article.title) for row, a in sink.posts] == [
            ("article", "Harbour strike"), ("article", "Budget vote"), ("update", "Budget vote"),
        ]
    finally:
        await app.stop()


async def test_a_story_pruned_while_its_update_is_being_read_is_left_alone(
    server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The prune runs beside the polls: the story may go between the update's read and its write."""
    clock, sink = Clock(), RecordingSink()
    app, old_id = await _post_then_age(server, tmp_path, clock, sink, repost=True)
    try:
        assert app.poller is not None and app.store is not None
        read = app.poller._read

        async def read_then_prune(*args: object) -> object:
            article = await read(*args)  # type: ignore[arg-type]
            assert (await app.prune_old_stories()) is not None
            return article

        async def story_still_stored() -> bool:
            return await app.store.get_article(old_id) is not None  # type: ignore[union-attr]

        monkeypatch.setattr(app.poller, "_read", read_then_prune)
        assert await story_still_stored()  # its entry still points at it when the poll starts
        server.set("/world.xml", rss([story("Harbour strike", "rail closure", "h1")]), content_type=FEED)
        clock.advance(minutes=2)
        reports = await app.poll_due()
        assert [(r.feed, r.status, r.updated) for r in reports] == [("world", "unchanged", 0)]
        assert not await story_still_stored()
        assert app.deliverer is not None
        while await app.deliverer.run_once():
            pass
        assert [row.kind for row, _ in sink.posts] == ["article"]
    finally:
        await app.stop()


async def test_lookups_behind_article_search_and_latest_no_longer_find_a_pruned_story(
    server: FeedServer, tmp_path: Path
) -> None:
    clock, sink = Clock(), RecordingSink()
    app, old_id = await _post_then_age(server, tmp_path, clock, sink)
    try:
        assert app.store is not None
        channels = frozenset({int(CHANNEL)})
        assert await app.store.get_article(old_id, channels=channels) is not None  # found before the prune
        assert [hit.article_id for hit in await app.store.search("harbour", channels=channels)] == [old_id]
        await app.prune_old_stories()
        assert await app.store.get_article(old_id, channels=channels) is None
        assert await app.store.get_article(old_id) is None
        assert await app.store.search("harbour") == []
        assert await app.store.latest_articles(5) == []
        assert await app.store.title_suggestions("Harbour") == []
    finally:
        await app.stop()


async def test_prune_logs_one_line_and_a_failure_never_stops_the_bot(
    server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, sink = Clock(), RecordingSink()
    app, _ = await _post_then_age(server, tmp_path, clock, sink)
    try:
        assert app.store is not None
        with caplog.at_level(logging.INFO, logger="newsbot"):
            await app.prune_old_stories()
        lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("pruned")]
        assert len(lines) == 1 and lines[0].startswith("pruned 1 story (") and lines[0].endswith(
            " and 1 post older than 90d"
        ), lines

        def broken(*_: object, **__: object) -> None:
            raise StoreError("prune: database is locked")

        monkeypatch.setattr(app.store, "prune", broken)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="newsbot"):
            assert await app.prune_old_stories() is None
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert [r.getMessage() for r in errors] == [
            "pruning stories older than 90d failed (prune: database is locked); the next run tries again"
        ]
        # The bot goes on.
        server.set("/world.xml", rss([story("Budget vote", "budget", "b1")]), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert sink.titles()[-1] == "Budget vote"
    finally:
        await app.stop()


async def test_a_retention_of_zero_keeps_everything(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    app, old_id = await _post_then_age(server, tmp_path, clock, sink, retention="0")
    try:
        assert app.store is not None
        clock.advance(days=3650)
        assert await app.prune_old_stories() is None
        assert await app.store.get_article(old_id) is not None
    finally:
        await app.stop()


async def test_the_prune_is_a_daily_job_that_first_runs_minutes_after_start(server: FeedServer, tmp_path: Path) -> None:
    from bot.app import PRUNE_DELAY, PRUNE_EVERY

    clock, sink = Clock(), RecordingSink()
    app, _ = await _post_then_age(server, tmp_path, clock, sink)
    try:
        assert app.scheduler is not None
        job = app.scheduler.get_job("prune")
        assert job is not None and job.func == app.prune_old_stories
        assert job.trigger.interval == PRUNE_EVERY
        assert timedelta(minutes=1) <= PRUNE_DELAY <= timedelta(minutes=15)
        poll = app.scheduler.get_job("poll")
        assert poll is not None
        assert job.next_run_time - poll.next_run_time >= PRUNE_DELAY - timedelta(minutes=1)  # not during startup
    finally:
        await app.stop()



@pytest.mark.parametrize("same_link", [True, False], ids=["same-url", "same-text-other-url"])
async def test_a_pruned_story_another_feed_lists_later_is_not_posted_again(
    server: FeedServer, tmp_path: Path, same_link: bool
) -> None:
    """"wire" carries the story "world" posted, only after retention pruned it: recognised by its URL
    (forever) or, under another URL, by its text (within the duplicate window, hence a short retention)."""
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([]), content_type=FEED)
    server.set("/wire.xml", rss([]), content_type=FEED)
    cfg = write_config(tmp_path / "newsbot.yaml", f"""
    storage:
      url: sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}
      retention: 1d
    defaults:
      poll_interval: 60s
      fetch_article: false
    feeds:
      - name: world
        url: {server.url('/world.xml')}
      - name: wire
        url: {server.url('/wire.xml')}
    subscriptions:
      - name: news
        feeds: [world, wire]
        channel: {CHANNEL}
    """)
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        server.set("/world.xml", rss([story("Harbour strike", "harbour strike", "h1")]), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert sink.titles() == ["Harbour strike"]
        clock.advance(days=2)
        report = await app.prune_old_stories()
        assert report is not None and report.stories == 1

        again = story("Harbour strike", "harbour strike", "wire-7")
        if same_link:
            again = Item(again.title, again.body, guid="wire-7", link="http://127.0.0.1/h1")
        server.set("/wire.xml", rss([again, story("Budget vote", "budget", "b1")]), content_type=FEED)
        await cycle(app, clock, advance_minutes=2)
        assert sink.titles() == ["Harbour strike", "Budget vote"]
    finally:
        await app.stop()
