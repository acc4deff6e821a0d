"""What `newsbot check-config` prints: everything an admin wants to see, no secret."""

from __future__ import annotations

from pathlib import Path

from bot.config import describe_config, managed_add_feed, managed_set_paused
from bot.config.fieldtypes import hide_password
from tests.config.conftest import Write, load

CONFIG = """\
discord:
  token: ${DISCORD_TOKEN}
  command_guilds: [111]
storage:
  url: postgresql+asyncpg://newsbot:${PGPASSWORD}@db.internal/newsbot
feeds:
  - name: local
    folder: articles
    interval: 90s
  - name: web
    url: https://example.com/feed.xml
    headers:
      Authorization: Bearer ${API_KEY}
  - name: quiet
    url: https://example.com/quiet.xml
    enabled: false
subscriptions:
  - name: morning
    feeds: [web, local]
    channel: 42
    mode: digest
    schedule: "0 8 * * 1-5"
    timezone: Europe/Kyiv
    layout: thread
    include: [drone]
"""
ENV = {"DISCORD_TOKEN": "tok-SECRET", "PGPASSWORD": "pg-SECRET", "API_KEY": "api-SECRET"}


def test_summary_lists_feeds_subscriptions_and_hides_secrets(write: Write) -> None:
    main = write(CONFIG)
    managed_add_feed(main, {"name": "extra", "url": "https://example.com/extra.xml", "interval": "2h"}, env=ENV)
    managed_set_paused(main, "local", True, env=ENV)
    text = describe_config(load(main, ENV))
    assert "SECRET" not in text
    lines = text.splitlines()
    assert lines[0] == "Config: newsbot.yaml + newsbot.managed.yaml"
    assert "Discord: token set; posts go to Discord" in lines
    assert "  slash commands: guilds 111 (instant)" in lines
    assert "Storage: postgresql+asyncpg://newsbot:***@db.internal/newsbot; stories kept 90d" in lines
    assert f"  local: folder {Path.cwd() / 'articles'}; paused; fetch article auto [newsbot.yaml]" in lines
    assert (
        "  web: url https://example.com/feed.xml; every 15m; fetch article auto; headers: Authorization [newsbot.yaml]"
        in lines
    )
    assert "  quiet: url https://example.com/quiet.xml; disabled; fetch article auto [newsbot.yaml]" in lines
    assert "  extra: url https://example.com/extra.xml; every 2h; fetch article auto [managed]" in lines
    assert (
        "  morning: web, local → channel 42; digest '0 8 * * 1-5' (Europe/Kyiv); layout thread; include drone; "
        "max 10 per run [newsbot.yaml]" in lines
    )


def test_summary_without_token(write: Write) -> None:
    text = describe_config(load(write("feeds:\n  - name: local\n    folder: articles\n")))
    assert "Discord: no token — posts are printed to the terminal" in text
    assert "Subscriptions (0):\n  (none)" in text


def test_hide_password() -> None:
    assert hide_password("postgresql+asyncpg://u:p%40ss@h:5432/db") == "postgresql+asyncpg://u:***@h:5432/db"
    assert hide_password("sqlite+aiosqlite:///data/newsbot.db") == "sqlite+aiosqlite:///data/newsbot.db"
    assert hide_password("postgresql+asyncpg://u@h/db") == "postgresql+asyncpg://u@h/db"


def test_summary_shows_age_limits_where_they_are_set(write: Write) -> None:
    text = describe_config(load(write("""\
defaults:
  max_age: 2d
feeds:
  - name: web
    url: https://example.com/feed.xml
    max_age: 12h
subscriptions:
  - feeds: [web]
    channel: 42
    max_age: 0
  - feeds: [web]
    channel: 43
""")))
    assert "posts per run, nothing older than 2d" in text
    assert "web: url https://example.com/feed.xml; every 15m; fetch article auto; nothing older than 12h" in text
    assert "max 10 per run; no age limit" in text
    assert text.count("nothing older than") == 2  # the second subscription keeps the feed's
