"""`newsbot prune [--dry-run]`: the bot's daily prune, now, with the configured retention."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.model import Article, Section
from bot.store import open_store
from tests.config.conftest import BASE


def _config(tmp_path: Path, retention: str = "90d") -> Path:
    path = tmp_path / "newsbot.yaml"
    (tmp_path / "articles").mkdir(exist_ok=True)
    db = tmp_path / "db.sqlite"
    path.write_text(BASE + f"storage:\n  url: sqlite+aiosqlite:///{db}\n  retention: {retention}\n", encoding="utf-8")
    return path


def _url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"


async def _seed(url: str) -> tuple[int, int]:
    """One story stored and posted 100 days ago, one stored today; returns their ids."""
    store = await open_store(url)
    try:
        await store.upsert_feed("local", "articles")
        ids = []
        for title, age in (("Old story", timedelta(days=100)), ("New story", timedelta(0))):
            when = datetime.now(UTC) - age
            article = Article(title=title, url=None, sections=(Section("", f"{title} one."), Section("B", f"{title} two.")))
            async with store.transaction() as tx:
                article_id = await tx.insert_article(
                    article, feed="local", url_key=None, fingerprint=len(ids), content_hash="h", now=when
                )
                await tx.mark_seen("local", [title], article_id, when)
                row = await tx.enqueue(
                    subscription="s", channel_id=1, kind="article", article_id=article_id,
                    dedupe_key=f"story:{article_id}", now=when,
                )
            assert row is not None
            await store.mark_sent(row, message_ids=[row], now=when)
            ids.append(article_id)
        return ids[0], ids[1]
    finally:
        await store.close()


async def _stored(url: str, *ids: int) -> list[bool]:
    store = await open_store(url)
    try:
        return [await store.get_article(i) is not None for i in ids]
    finally:
        await store.close()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_dry_run_reports_counts_and_removes_nothing_then_prune_removes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    old, new = asyncio.run(_seed(_url(tmp_path)))

    assert main(["prune", "--dry-run", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"would remove 1 story \(2 sections\) and 1 post stored before \d{4}-\d\d-\d\d \d\d:\d\d UTC "
        r"\(storage\.retention 90d\); nothing was removed \(--dry-run\)\n",
        out,
    ), out
    assert asyncio.run(_stored(_url(tmp_path), old, new)) == [True, True]

    assert main(["prune", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("removed 1 story (2 sections) and 1 post stored before "), out
    assert asyncio.run(_stored(_url(tmp_path), old, new)) == [False, True]


def test_retention_zero_prunes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, "0")
    old, new = asyncio.run(_seed(_url(tmp_path)))
    assert main(["prune", "--config", str(config)]) == 0
    assert capsys.readouterr().out == "storage.retention is 0: every story is kept, nothing to prune\n"
    assert asyncio.run(_stored(_url(tmp_path), old, new)) == [True, True]


def test_a_broken_config_is_reported_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, "1h")
    assert main(["prune", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "storage.retention: 1h is shorter than a day" in err and "Traceback" not in err
