"""`newsbot status [--json]`: the bot's state read from its database, without Discord, writing nothing."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.model import Article, Section
from bot.store import open_store
from tests.config.conftest import BASE

CONFIG = BASE.replace(
    "subscriptions:",
    "  - name: remote\n    url: https://remote.example/feed.xml\nsubscriptions:",
) + """\
  - name: daily
    feeds: [local, remote]
    channel: 42
    mode: digest
    schedule: "0 8 * * *"
"""
#: A time as the text says it, replaced so the lines can be compared.
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC")


def _config(tmp_path: Path, url: str | None = None) -> Path:
    path = tmp_path / "newsbot.yaml"
    (tmp_path / "articles").mkdir(exist_ok=True)
    url = url or f"sqlite+aiosqlite:///{tmp_path / 'data' / 'db.sqlite'}"
    path.write_text(CONFIG + f"storage:\n  url: {url}\n", encoding="utf-8")
    return path


async def _seed(url: str) -> None:
    """What a bot leaves behind: a healthy feed, a failing one, a removed one, a backlog, a paused digest."""
    now = datetime.now(UTC)
    store = await open_store(url)
    try:
        for name, where in (("local", "articles"), ("remote", "https://remote.example/feed.xml"), ("old", "https://old.example/rss")):
            await store.upsert_feed(name, where)
        await store.update_feed("local", last_success_at=now - timedelta(hours=3), next_poll_at=now + timedelta(hours=2, seconds=30))
        await store.update_feed(
            "remote", failures=4, first_failure_at=now - timedelta(hours=5), last_error="HTTP 503 Service Unavailable"
        )
        for n, feed in enumerate(("local", "local", "old")):
            article = Article(title=f"Story {n}", url=None, sections=(Section("", f"Text {n}."),))
            async with store.transaction() as tx:
                article_id = await tx.insert_article(
                    article, feed=feed, url_key=None, fingerprint=n, content_hash="h", now=now
                )
                await tx.enqueue(
                    subscription="123456789012345678:local", channel_id=123456789012345678, kind="article",
                    article_id=article_id, dedupe_key=f"story:{n}", now=now - timedelta(hours=6),
                )
                await tx.enqueue(
                    subscription="daily", channel_id=42, kind="article", article_id=article_id,
                    dedupe_key=f"story:{n}", status="held", now=now,
                )
        await store.mark_sent(1, message_ids=[7], now=now - timedelta(hours=4))
        await store.set_subscription_paused("daily", True, "channel not found")
    finally:
        await store.close()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_status_prints_feeds_subscriptions_and_totals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    asyncio.run(_seed(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'db.sqlite'}"))
    code, out, err = run(capsys, "status", "--config", str(config))
    assert (code, err) == (0, "")
    assert [TIME.sub("<t>", line) for line in out.splitlines()] == [
        f"newsbot status at <t>, from sqlite+aiosqlite:///{tmp_path / 'data' / 'db.sqlite'}",
        "Feeds (2):",
        "  local: enabled; last success <t> (3h ago); next poll <t> (in 2h); 2 stories stored",
        "  remote: enabled, FAILING: 4 failures in a row since <t> (5h ago); last success never; "
        "next poll due now; 0 stories stored",
        "    last error: HTTP 503 Service Unavailable",
        "Not in the config (1, left from removed feeds; their stories stay until retention prunes them):",
        "  old: not in the config; https://old.example/rss; last success never; 1 story stored",
        "Subscriptions (2):",
        "  123456789012345678:local → channel 123456789012345678, immediate: active; "
        "outbox 2 pending, 0 held, 0 failed; last post sent <t> (4h ago)",
        "  daily → channel 42, digest: PAUSED (channel not found); outbox 0 pending, 3 held, 0 failed; "
        "last post sent never; last digest sent never, schedule last fired never",
        "Totals: 3 stories stored; outbox 2 pending, 3 held, 0 digested, 1 sent, 0 failed; "
        "oldest pending post queued <t> (6h ago)",
    ]


def test_status_json_parses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    asyncio.run(_seed(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'db.sqlite'}"))
    code, out, err = run(capsys, "status", "--json", "--config", str(config))
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [(f["name"], f["state"], f["failing"], f["stories"]) for f in data["feeds"]] == [
        ("local", "enabled", False, 2), ("remote", "enabled", True, 0), ("old", "not_in_config", False, 1),
    ]
    assert [(s["key"], s["paused"], s["outbox"]) for s in data["subscriptions"]] == [
        ("123456789012345678:local", False, {"pending": 2, "held": 0, "failed": 0}),
        ("daily", True, {"pending": 0, "held": 3, "failed": 0}),
    ]
    assert data["totals"]["outbox"] == {"pending": 2, "held": 3, "digested": 0, "sent": 1, "failed": 0}
    assert 6 * 3600 - 60 <= data["totals"]["oldest_pending_age_seconds"] <= 6 * 3600 + 60
    assert datetime.fromisoformat(data["generated_at"]).utcoffset() == timedelta(0)


@pytest.mark.parametrize("as_json", [False, True])
def test_no_database_yet_is_one_clear_line_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    config = _config(tmp_path)
    code, out, err = run(capsys, "status", *(["--json"] if as_json else []), "--config", str(config))
    assert (code, out) == (1, "")
    assert err == (
        f"newsbot: there is no database at {tmp_path / 'data' / 'db.sqlite'} yet: the bot creates it when it first "
        "starts (newsbot run); if it has run, storage.url names another file\n"
    )
    assert not (tmp_path / "data").exists()


def test_status_writes_nothing_to_the_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    db = tmp_path / "data" / "db.sqlite"
    asyncio.run(_seed(f"sqlite+aiosqlite:///{db}"))
    before = db.read_bytes()
    assert run(capsys, "status", "--config", str(config))[0] == 0
    assert db.read_bytes() == before


def test_an_unreachable_server_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, "postgresql+asyncpg://bot:secret@127.0.0.1:1/news")
    code, out, err = run(capsys, "status", "--config", str(config))
    assert (code, out) == (1, "")
    assert err.startswith("newsbot: cannot read the database postgresql+asyncpg://bot:***@127.0.0.1:1/news: ")
    assert err.count("\n") == 1 and "Traceback" not in err and "secret" not in err


async def _set_schema(url: str, *statements: str) -> None:
    """Make the database look like another newsbot's (not through open_store: that would migrate)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def test_a_database_at_an_older_revision_is_shown_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Just after newsbot is upgraded, before the bot restarts and migrates: the operator still sees it all."""
    from bot.store.migrate import head_revision

    config = _config(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'db.sqlite'}"
    asyncio.run(_seed(url))
    asyncio.run(_set_schema(url, "UPDATE alembic_version SET version_num = '0001_initial'"))
    code, out, err = run(capsys, "status", "--config", str(config))
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == (
        f"Note: the database's schema is at revision 0001_initial, older than this newsbot's {head_revision()}: "
        "the bot brings it up to date when it next starts."
    )
    assert "Totals: 3 stories stored" in out


def test_what_another_schema_cannot_answer_is_one_line_with_the_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.store.migrate import head_revision

    config = _config(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'db.sqlite'}"
    asyncio.run(_seed(url))
    asyncio.run(_set_schema(url, "UPDATE alembic_version SET version_num = '9999_future'", "ALTER TABLE outbox RENAME TO deliveries"))
    code, out, err = run(capsys, "status", "--json", "--config", str(config))
    assert (code, out) == (1, "")
    assert err.startswith("newsbot: store_status: ") and "outbox" in err
    assert err.endswith(
        f"(the database's schema is at revision 9999_future, which this newsbot ({head_revision()}) does not know: "
        "a newer newsbot wrote it, so some of it may not be shown)\n"
    )
    assert err.count("\n") == 1
