"""Shared fixtures for the feed tests."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

import bot.feeds.parse as parse_module

#: The project root (tests/feeds/ is two levels down).
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
#: feedparser's test corpus, shared by all helpers and never copied into the project.
CORPUS = PROJECT_ROOT / ".." / "shared" / "corpus" / "feeds"
#: A fixed "now" so that "in the future" means the same thing on every run.
NOW = datetime(2025, 7, 1, tzinfo=timezone.utc)


@pytest.fixture(params=["fast path", "feedparser only"])
def parser_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test twice: as shipped (feedparser-rs validated, feedparser fallback) and with
    feedparser alone — the two paths must give the same answers."""
    if request.param == "feedparser only":
        monkeypatch.setattr(parse_module, "_feedparser_rs", None)
    elif parse_module._feedparser_rs is None:
        pytest.skip("feedparser-rs is not installed: only the feedparser path exists")
    return request.param
