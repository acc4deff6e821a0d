"""Every kind of mistake is reported as file:line:column: key.path: what is wrong — what would do."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from tests.config.conftest import BASE, Write, problems, with_feed

CASES = [
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
            intervall: 5m
        """,
        "newsbot.yaml:4:5: feeds[0].intervall: unknown key 'intervall' — did you mean 'interval'?",
        id="unknown-key-suggestion",
    ),
    pytest.param(
        BASE + "feed: []\n",
        "newsbot.yaml:7:1: feed: unknown key 'feed' — did you mean 'feeds'?",
        id="unknown-section",
    ),
    pytest.param(
        BASE + "discord:\n  colour: blue\n",
        "newsbot.yaml:8:3: discord.colour: unknown key 'colour' — valid keys: token, api_url, gateway_url, "
        "admin_log_channel, alert_channels, command_guilds",
        id="unknown-key-listing",
    ),
    pytest.param(
        BASE + "defaults:\n  poll_interval: 15x\n",
        "newsbot.yaml:8:3: defaults.poll_interval: '15x' is not a duration — write '90s', '15m', '2h', '1d', "
        "'1h30m' or a number of seconds",
        id="bad-duration",
    ),
    pytest.param(
        BASE + "defaults:\n  timezone: Europe/Londn\n",
        "newsbot.yaml:8:3: defaults.timezone: unknown time zone 'Europe/Londn' — did you mean 'Europe/London'?",
        id="bad-timezone",
    ),
    pytest.param(
        BASE + "defaults:\n  summary_sentences: 4\n",
        "newsbot.yaml:8:3: defaults.summary_sentences: must be at most 3, got 4",
        id="out-of-range",
    ),
    pytest.param(
        BASE + "defaults:\n  layout: embd\n",
        "newsbot.yaml:8:3: defaults.layout: 'embd' is not allowed — expected 'embed', 'thread' or 'compact' "
        "— did you mean 'embed'?",
        id="bad-choice",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
        subscriptions:
          - feeds: local
            channel: 123456789012345678
            mode: digest
            schedule: "0 25 * * *"
        """,
        "newsbot.yaml:8:5: subscriptions[0].schedule: the hour field '25' is invalid",
        id="bad-cron",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
        subscriptions:
          - feeds: local
            channel: 123456789012345678
            mode: digest
        """,
        "newsbot.yaml:5:5: subscriptions[0].schedule: missing — mode: digest needs a schedule",
        id="digest-without-schedule",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
        subscriptions:
          - feeds: local
            channel: 123456789012345678
            schedule: "0 9 * * *"
        """,
        "newsbot.yaml:7:5: subscriptions[0].schedule: only used with mode: digest — remove it, or set mode: digest",
        id="schedule-on-immediate",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
        subscriptions:
          - feeds: local
            channel: 123456789012345678
            include: ["/(unclosed/"]
        """,
        "newsbot.yaml:7:15: subscriptions[0].include[0]: bad regular expression '/(unclosed/': missing ), "
        "unterminated subpattern at position 0",
        id="bad-regex",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
          - name: local
            url: https://example.com/feed.xml
        subscriptions:
          - feeds: local
            channel: 123456789012345678
        """,
        "newsbot.yaml:4:5: feeds[1].name: duplicate feed name 'local' — feeds[0] at line 2 has it already",
        id="duplicate-feed",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
        subscriptions:
          - feeds: local
            channel: 123456789012345678
          - feeds: [local]
            channel: "123456789012345678"
        """,
        "newsbot.yaml:7:5: subscriptions[1].feeds: another subscription posting the same feeds to channel "
        "123456789012345678 is at newsbot.yaml:5 — merge them, or give each its own name",
        id="duplicate-subscription-key",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
          - name: news
            folder: articles
        subscriptions:
          - feeds: [local, tech]
            channel: 123456789012345678
        """,
        "newsbot.yaml:7:20: subscriptions[0].feeds[1]: unknown feed 'tech' — known feeds: local, news",
        id="unknown-feed",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
        subscriptions:
          - feeds: locals
            channel: 123456789012345678
        """,
        "newsbot.yaml:5:5: subscriptions[0].feeds: unknown feed 'locals' — did you mean 'local'? known feeds: local",
        id="unknown-feed-suggestion",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: no-such-folder
        """,
        "newsbot.yaml:3:5: feeds[0].folder: folder 'no-such-folder' does not exist",
        id="missing-folder",
    ),
    pytest.param(
        """\
        feeds:
          - name: web
            url: https://example.com/feed.xml
            interval: 10s
        """,
        "newsbot.yaml:4:5: feeds[0].interval: 10s is too often for a URL feed — at least 30s",
        id="url-interval-too-short",
    ),
    pytest.param(
        """\
        defaults:
          poll_interval: 5s
        feeds:
          - name: web
            url: https://example.com/feed.xml
        """,
        "newsbot.yaml:4:5: feeds[0].interval: 5s (from defaults.poll_interval) is too often for a URL feed",
        id="url-interval-inherited",
    ),
    pytest.param(
        """\
        feeds:
          - name: web
            url: ftp://example.com/feed.xml
        """,
        "newsbot.yaml:3:5: feeds[0].url: 'ftp://example.com/feed.xml' is not a URL starting with http:// or https://",
        id="bad-url",
    ),
    pytest.param(
        """\
        feeds:
          - name: web
        """,
        "newsbot.yaml:2:5: feeds[0].url: missing — a feed needs a url (https://…) or a folder (a path)",
        id="feed-without-source",
    ),
    pytest.param(
        """\
        feeds:
          - name: Hacker News
            url: https://news.ycombinator.com/rss
        """,
        "newsbot.yaml:2:5: feeds[0].name: 'Hacker News' is not a valid name — use lowercase letters, digits, "
        "'-' and '_' (at most 64), e.g. 'hacker-news'",
        id="bad-name",
    ),
    pytest.param(
        """\
        feeds:
          - name: off
            url: https://example.com/feed.xml
        """,
        "newsbot.yaml:2:5: feeds[0].name: expected text, got a true/false value — YAML reads unquoted yes, no, "
        "on, off as booleans: put it in quotes",
        id="yaml-boolean-word",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
        subscriptions:
          - feeds: local
            channel: general
        """,
        "newsbot.yaml:6:5: subscriptions[0].channel: 'general' is not a Discord id",
        id="bad-channel",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
        subscriptions:
          - feeds: local
        """,
        "newsbot.yaml:5:5: subscriptions[0].channel: required key 'channel' is missing",
        id="missing-required",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
        subscriptions:
          - feeds: local
            channel: 123456789012345678
            layout: template
        """,
        "newsbot.yaml:5:5: subscriptions[0].template: missing — layout: template needs a template",
        id="template-layout-without-template",
    ),
    pytest.param(
        """\
        feeds:
          - name: local
            folder: articles
        subscriptions:
          - feeds: local
            channel: 123456789012345678
            template: "{title} {bogus}"
        """,
        "newsbot.yaml:7:5: subscriptions[0].template: ",
        id="unknown-placeholder",
    ),
    pytest.param(
        """\
        storage:
          url: postgresql://newsbot:hunter2@db/newsbot
        """,
        "newsbot.yaml:2:3: storage.url: newsbot needs an async driver — did you mean "
        "'postgresql+asyncpg://newsbot:***@db/newsbot'?",
        id="sync-driver",
    ),
    pytest.param(
        BASE + "    webhook: {nme: Robot}\n",
        "newsbot.yaml:7:15: subscriptions[0].webhook.nme: unknown key 'nme' — did you mean 'name'?",
        id="unknown-nested-key",
    ),
    pytest.param(
        BASE + "    timezone: Europe/Kiev2\n",
        "newsbot.yaml:7:5: subscriptions[0].timezone: unknown time zone 'Europe/Kiev2' — did you mean",
        id="bad-subscription-timezone",
    ),
    pytest.param(
        BASE + "    mention: [345678901234567890, breaking]\n",
        "newsbot.yaml:7:35: subscriptions[0].mention[1]: 'breaking' is not a role id — write the role's number, "
        "e.g. 123456789012345678 (Server Settings → Roles → ⋯ → Copy Role ID, with Developer Mode on), or its "
        "mention <@&123456789012345678>",
        id="bad-mention-role",
    ),
    pytest.param(
        BASE + '    mention: "@everyone"\n',
        "newsbot.yaml:7:5: subscriptions[0].mention: @everyone is not supported — make a role for the readers to "
        "ping (e.g. 'News'), and write its id here",
        id="mention-everyone-refused",
    ),
    pytest.param(
        BASE + "    mention: [here]\n",
        "newsbot.yaml:7:15: subscriptions[0].mention[0]: @here is not supported",
        id="mention-here-refused",
    ),
    pytest.param(
        BASE + f"    mention: [{', '.join(str(n) for n in range(1, 22))}]\n",
        "newsbot.yaml:7:5: subscriptions[0].mention: 21 roles — one post may ping at most 20; make one role for "
        "those readers",
        id="mention-too-many-roles",
    ),
    pytest.param(
        BASE + "discord:\n  gateway_url: https://gateway.discord.gg\n",
        "newsbot.yaml:8:3: discord.gateway_url: 'https://gateway.discord.gg' is not a URL starting with ws:// or "
        "wss://",
        id="bad-gateway-url",
    ),
    pytest.param(
        "storage:\n  url: mysql://root@db/news\n",
        "newsbot.yaml:2:3: storage.url: not a database URL newsbot supports — write "
        "sqlite+aiosqlite:///data/newsbot.db or postgresql+asyncpg://user:password@host/dbname",
        id="unsupported-database",
    ),
    pytest.param(
        BASE + "feeds: []\n",
        "newsbot.yaml:7:1: feeds: key 'feeds' is written twice in this mapping (first at line 1) — keep one",
        id="duplicate-yaml-key",
    ),
    pytest.param(
        "feeds:\n  - name: a\n    url: [https://x\n",
        "newsbot.yaml:4:1: YAML syntax error: expected ',' or ']', but got '<stream end>' (while parsing a flow "
        "sequence at line 3)",
        id="yaml-syntax",
    ),
    pytest.param(
        "feeds:\n\t- name: a\n",
        "newsbot.yaml:2:1: YAML syntax error: found character '\\t' that cannot start any token — YAML indents "
        "with spaces, not tabs",
        id="yaml-tab",
    ),
    pytest.param(
        "# only comments\n",
        "newsbot.yaml:1:1: the file is empty — it needs at least feeds: and subscriptions:",
        id="empty-file",
    ),
    pytest.param(
        "- feeds\n- subscriptions\n",
        "newsbot.yaml:1:1: the file must be a mapping of sections (discord:, storage:, defaults:, feeds:, "
        "subscriptions:, network:, managed_file:), not a list",
        id="list-file",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_problem_is_located_and_explained(write: Write, text: str, expected: str) -> None:
    found = problems(write(text))
    assert any(problem.startswith(expected) for problem in found), found


def test_every_problem_is_reported_at_once(write: Write) -> None:
    path = write(
        """\
        defaults:
          timezone: Mars/Base
        feeds:
          - name: local
            folder: articles
            intervall: 5m
        subscriptions:
          - feeds: [local, tech]
            channel: 123456789012345678
            mode: digest
        """
    )
    found = problems(path)
    assert [problem.split(": ")[0:2] for problem in found] == [
        ["newsbot.yaml:2:3", "defaults.timezone"],
        ["newsbot.yaml:6:5", "feeds[0].intervall"],
        ["newsbot.yaml:8:5", "subscriptions[0].schedule"],
        ["newsbot.yaml:8:20", "subscriptions[0].feeds[1]"],
    ]


def test_error_message_lists_problems_and_names_the_file(write: Write) -> None:
    path = write(BASE + "feed: []\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.file == "newsbot.yaml"
    assert str(caught.value).splitlines() == [
        "newsbot.yaml: 1 problem in the config:",
        "  newsbot.yaml:7:1: feed: unknown key 'feed' — did you mean 'feeds'?",
    ]


def test_missing_file_is_a_config_error(workdir: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere\.yaml: file not found"):
        load_config(Path("nowhere.yaml"), env={})


def test_not_utf8_names_the_line(write: Write) -> None:
    path = write(BASE)
    path.write_bytes(path.read_bytes() + b"# caf\xe9\n")
    with pytest.raises(ConfigError, match=r"newsbot.yaml:7: the file is not UTF-8 text"):
        load_config(path, env={})


def test_disabled_feed_with_missing_folder_is_a_warning(write: Write) -> None:
    config = load_config(write(with_feed("  - name: later\n    folder: not-yet\n    enabled: false")), env={})
    later = config.feed("later")
    assert later is not None and later.enabled is False
    assert len(config.warnings) == 1
    assert config.warnings[0].startswith("newsbot.yaml: feeds[1].folder: folder 'not-yet' does not exist")
