"""Issue #8 end to end: feeds served on 127.0.0.1, the real store on disk, the real config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model import Article
from tests.e2e.harness import T0, Clock, Item, RecordingSink, body_text, cycle, rss, started_app, write_config
from tests.support.feedserver import FeedServer


def config_text(server: FeedServer, db: Path, *, extra_feeds: str = "", subs: str | None = None, backfill: int = 0) -> str:
    subs = subs if subs is not None else """
      - name: world
        feeds: [world]
        channel: 111111111111111111
      - name: sports-only
        feeds: [world]
        channel: 222222222222222222
        include: [football]
    """
    return f"""
    storage:
      url: sqlite+aiosqlite:///{db}
    defaults:
      poll_interval: 60s
      backfill: {backfill}
    feeds:
      - name: world
        url: {server.url('/world.xml')}
        fetch_article: false
    {extra_feeds}
    subscriptions:
    {subs}
    """


async def test_new_item_reaches_exactly_the_subscriptions_that_want_it(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    first = [Item("Old news", body_text("harbour"), guid="old", published=T0)]
    server.set("/world.xml", rss(first), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite"))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        assert sink.posts == []  # first poll: backfill 0, the old item is only marked seen
        items = first + [
            Item("Football final tonight", body_text("football"), guid="f1", published=T0),
            Item("Parliament votes budget", body_text("budget"), guid="b1", published=T0),
        ]
        server.set("/world.xml", rss(items), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        assert sorted(sink.titles("world")) == ["Football final tonight", "Parliament votes budget"]
        assert sink.titles("sports-only") == ["Football final tonight"]
    finally:
        await app.stop()


async def test_first_poll_posts_only_the_backfill_newest_first_in_time_order(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    items = [Item(f"Story {i}", body_text(f"topic{i}"), guid=f"g{i}", published=T0.replace(hour=i + 1)) for i in range(5)]
    server.set("/world.xml", rss(items), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite", backfill=2, subs="""
      - name: world
        feeds: [world]
        channel: 111111111111111111
    """))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        assert sink.titles() == ["Story 3", "Story 4"]
        await cycle(app, clock, advance_minutes=2)
        assert sink.titles() == ["Story 3", "Story 4"]
    finally:
        await app.stop()


MISBEHAVING = {
    "guid changes every fetch": lambda n: [Item("Stable story", body_text("flood"), guid=f"rand-{n}", link="http://127.0.0.1/a?utm_source=x" + str(n), published=T0)],
    "pubDate changes every fetch": lambda n: [Item("Stable story", body_text("flood"), guid="same", published=T0.replace(minute=n))],
    "item disappears and comes back": lambda n: [] if n == 1 else [Item("Stable story", body_text("flood"), guid="same", published=T0)],
}


@pytest.mark.parametrize("case", list(MISBEHAVING))
async def test_misbehaving_feed_posts_its_story_once(server: FeedServer, tmp_path: Path, case: str) -> None:
    clock, sink = Clock(), RecordingSink()
    make = MISBEHAVING[case]
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite", subs="""
      - name: world
        feeds: [world]
        channel: 111111111111111111
    """))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)  # first poll of an empty feed
        for n in range(4):
            server.set("/world.xml", rss(make(n)), content_type="application/rss+xml")
            await cycle(app, clock, advance_minutes=2)
        assert sink.titles() == ["Stable story"]
    finally:
        await app.stop()


async def test_same_story_from_two_feeds_of_one_subscription_posts_once(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    server.set("/mirror.xml", rss([], title="Mirror"), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(
        server, tmp_path / "db.sqlite",
        extra_feeds=f"""  - name: mirror
        url: {server.url('/mirror.xml')}
        fetch_article: false""",
        subs="""
      - name: both
        feeds: [world, mirror]
        channel: 111111111111111111
    """))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        story = body_text("wildfire")
        server.set("/world.xml", rss([Item("Wildfire spreads", story, guid="w1", link="http://a.test/wildfire")]), content_type="application/rss+xml")
        server.set("/mirror.xml", rss([Item("Wildfire spreads (syndicated)", story + "<p>Share This Article</p>", guid="m9", link="http://b.test/x/123")], title="Mirror"), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        assert len(sink.posts) == 1
    finally:
        await app.stop()


async def test_restart_posts_nothing_again(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite", subs="""
      - name: world
        feeds: [world]
        channel: 111111111111111111
    """))
    app = await started_app(cfg, clock, sink)
    await cycle(app, clock)
    server.set("/world.xml", rss([Item("Once only", body_text("storm"), guid="s1")]), content_type="application/rss+xml")
    await cycle(app, clock, advance_minutes=2)
    await app.stop()
    assert sink.titles() == ["Once only"]

    again = RecordingSink()
    app2 = await started_app(cfg, clock, again)
    try:
        server.set("/world.xml", rss([Item("Once only", body_text("storm"), guid="s1")]) + " ", content_type="application/rss+xml")
        await cycle(app2, clock, advance_minutes=2)
        assert again.posts == []
    finally:
        await app2.stop()


async def test_unchanged_feed_costs_one_request_and_no_parse(server: FeedServer, tmp_path: Path, monkeypatch) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([Item("A", body_text("rain"), guid="a")]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite"))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        import bot.pipeline as pipeline

        parsed: list[str] = []
        real = pipeline.parse_feed
        monkeypatch.setattr(pipeline, "parse_feed", lambda *a, **k: parsed.append("x") or real(*a, **k))
        clock.advance(minutes=2)
        reports = await app.poll_due()
        assert [r.status for r in reports] == ["not-modified"]
        last = server.requests_for("/world.xml")[-1]
        assert last.headers.get("If-None-Match")
        assert parsed == []
    finally:
        await app.stop()


async def test_failing_feed_backs_off_and_410_disables_it(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", "oops", status=500)
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite"))
    app = await started_app(cfg, clock, sink)
    try:
        waits = []
        for _ in range(3):
            reports = await app.poll_due()
            assert [r.status for r in reports] == ["failed"]
            waits.append(reports[0].next_poll_at - clock.now)
            clock.now = reports[0].next_poll_at
        assert waits[0] < waits[1] < waits[2]
        server.set("/world.xml", "gone", status=410)
        reports = await app.poll_due()
        assert [r.status for r in reports] == ["disabled"]
        clock.advance(days=2)
        assert await app.poll_due() == []
        state = await app.store.get_feed("world")
        assert state.disabled and "410" in (state.disabled_reason or "")
        assert any("disabled" in n for n in app._notices)
    finally:
        await app.stop()


async def test_config_edit_is_picked_up_live_and_a_broken_one_is_refused(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    db = tmp_path / "db.sqlite"
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, db))
    app = await started_app(cfg, clock, sink)
    try:
        assert app.watcher is not None
        text = cfg.read_text()
        cfg.write_text(text.replace("include: [football]", "include: [tennis]"))
        await app.watcher.check_now()
        assert app.config.subscription("sports-only").include == ("tennis",)

        cfg.write_text(text.replace("poll_interval: 60s", "poll_intervall: 60s"))
        await app.watcher.check_now()
        assert app.config.subscription("sports-only").include == ("tennis",)  # old config still in force
        notice = app._notices[-1]
        assert "poll_intervall" in notice and "newsbot.yaml:" in notice and "poll_interval" in notice
    finally:
        await app.stop()


async def _posted_with_pages(server: FeedServer, tmp_path: Path, items: list[Item]) -> dict[str, Article]:
    """The stories posted from a feed of ``items`` (after a first empty poll), article pages fetched
    for teasers (``fetch_article: auto``), by title."""
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite", subs="""
      - name: world
        feeds: [world]
        channel: 111111111111111111
    """).replace("fetch_article: false", "fetch_article: auto"))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        server.set("/world.xml", rss(items), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        return {a[0].article.title: a[0].article for _, a in sink.posts}
    finally:
        await app.stop()


async def test_teaser_entry_gets_its_article_page_and_falls_back_to_the_feed_text(server: FeedServer, tmp_path: Path) -> None:
    page = (Path(__file__).parents[1] / "articles" / "fixtures" / "seed_page.html").read_text()
    server.set("/story.html", page, content_type="text/html")
    by_title = await _posted_with_pages(server, tmp_path, [
        Item("UK funds joint drone production with Ukraine", "Ukraine and the UK agree to make drones…", guid="t1", link=server.url("/story.html")),
        Item("Missing page story", "A short teaser about a page that is gone…", guid="t2", link=server.url("/gone.html")),
    ])
    assert len(by_title["UK funds joint drone production with Ukraine"].sections) == 8
    assert by_title["Missing page story"].summary.startswith("A short teaser")


async def test_article_pages_are_read_in_their_own_encoding(server: FeedServer, tmp_path: Path) -> None:
    # Read as UTF-8 whatever they said, these pages reached the reader as rows of "�".
    japanese = "東京都内に新しい現代美術館が今日開館しました。館内には国内外の作家による約三百点の作品が展示されています。"
    chinese = "上海市政府今天发布了新的城市交通规划。该规划将在未来十年内新建五条地铁线路。"

    def page(text: str, head: str = "") -> str:
        return f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body><article><p>{text}</p><p>{text}</p></article></body></html>"

    server.set("/ja.html", page(japanese, '<meta charset="Shift_JIS">').encode("shift_jis"), content_type="text/html")
    server.set("/zh.html", page(chinese).encode("gbk"), content_type="text/html; charset=GBK")
    by_title = await _posted_with_pages(server, tmp_path, [
        Item("美術館が開館", "東京で…", guid="ja", link=server.url("/ja.html")),
        Item("上海交通规划", "上海…", guid="zh", link=server.url("/zh.html")),
    ])
    assert japanese in by_title["美術館が開館"].sections[0].text
    assert chinese in by_title["上海交通规划"].sections[0].text


async def test_permanent_redirect_updates_the_stored_url(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set("/new.xml", rss([]), content_type="application/rss+xml")
    server.redirect("/world.xml", server.url("/new.xml"), status=301)
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite"))
    app = await started_app(cfg, clock, sink)
    try:
        await cycle(app, clock)
        assert (await app.store.get_feed("world")).moved_to == server.url("/new.xml")
        before = server.hits.get("/world.xml", 0)
        await cycle(app, clock, advance_minutes=2)
        assert server.hits.get("/world.xml", 0) == before  # polled at its new address directly
    finally:
        await app.stop()


async def test_feed_failing_for_a_day_is_reported_once(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", "down", status=503)
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite"))
    app = await started_app(cfg, clock, sink)
    try:
        for _ in range(12):
            reports = await app.poll_due()
            if reports:
                clock.now = reports[0].next_poll_at
            else:
                clock.advance(hours=3)
        reports_about = [n for n in app._notices if "failing since" in n]
        assert len(reports_about) == 1 and "world" in reports_about[0]
    finally:
        await app.stop()


async def test_digest_missed_while_stopped_is_sent_once_at_start(server: FeedServer, tmp_path: Path) -> None:
    clock, sink = Clock(), RecordingSink()
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", config_text(server, tmp_path / "db.sqlite", subs="""
      - name: daily
        feeds: [world]
        channel: 111111111111111111
        mode: digest
        schedule: "0 9 * * *"
    """))
    app = await started_app(cfg, clock, sink)
    await app.catch_up_digests()  # first start: nothing owed
    await cycle(app, clock)
    server.set("/world.xml", rss([Item("Held story", body_text("held"), guid="h")]), content_type="application/rss+xml")
    await cycle(app, clock, advance_minutes=2)
    await app.stop()
    assert sink.posts == []

    clock.advance(days=3)  # three 09:00 firings missed
    app = await started_app(cfg, clock, sink)
    try:
        await app.catch_up_digests()
        await cycle(app, clock)
        assert [row.kind for row, _ in sink.posts] == ["digest"]
        await app.catch_up_digests()
        await cycle(app, clock)
        assert len(sink.posts) == 1
    finally:
        await app.stop()
