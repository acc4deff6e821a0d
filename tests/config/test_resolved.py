"""The Config the bot runs on: inherited values filled in, helpers, frozen."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest

from bot.config import Config
from bot.model import Article, Section
from tests.config.conftest import Write, load

CONFIG = """\
defaults:
  poll_interval: 20m
  timezone: Europe/Kyiv
  layout: thread
  backfill: 2
  fetch_article: false
  max_posts_per_run: 4
feeds:
  - name: local
    folder: articles
    interval: 10s
  - name: web
    url: https://example.com/feed.xml
    fetch_article: true
    backfill: 0
  - name: quiet
    url: https://example.com/quiet.xml
    enabled: false
subscriptions:
  - feeds: [web, local]
    channel: "123456789012345678"
  - name: digest
    feeds: web
    channel: 42
    mode: digest
    schedule: "0   9 * * 1"
    timezone: UTC
    layout: compact
    include: [drone]
    exclude: [opinion]
    max_posts_per_run: 1
    backfill: 5
    webhook: true
  - name: templated
    feeds: quiet
    channel: 42
    template: "{title}"
"""


@pytest.fixture
def config(write: Write) -> Config:
    return load(write(CONFIG))


def test_feeds_inherit_defaults_unless_they_say_otherwise(config: Config, workdir: Path) -> None:
    local, web, quiet = config.feeds
    assert (local.interval, local.fetch_article, local.backfill, local.folder) == (10, False, 2, workdir / "articles")
    assert (web.interval, web.fetch_article, web.backfill, web.url) == (1200, True, 0, "https://example.com/feed.xml")
    assert (quiet.enabled, web.enabled) == (False, True)
    assert {feed.origin for feed in config.feeds} == {"newsbot.yaml"}


def test_subscriptions_inherit_defaults_unless_they_say_otherwise(config: Config) -> None:
    plain, digest, templated = config.subscriptions
    assert (plain.timezone, plain.layout, plain.max_posts_per_run, plain.mode) == (
        "Europe/Kyiv",
        "thread",
        4,
        "immediate",
    )
    assert (plain.channel, plain.feeds, plain.webhook, plain.backfill, plain.trigger()) == (
        123456789012345678,
        ("web", "local"),
        None,
        None,
        None,
    )
    assert (digest.timezone, digest.layout, digest.max_posts_per_run, digest.backfill) == ("UTC", "compact", 1, 5)
    assert digest.schedule == "0 9 * * 1"
    assert digest.webhook is not None and digest.webhook.name is None
    assert templated.layout == "template"  # implied by the template


def test_subscription_key_is_the_name_or_channel_and_sorted_feeds(config: Config) -> None:
    assert [sub.key for sub in config.subscriptions] == ["123456789012345678:local+web", "digest", "templated"]
    assert config.subscription("digest") is config.subscriptions[1]
    assert config.subscription("nope") is None


def test_lookups(config: Config) -> None:
    assert config.feed("web") is config.feeds[1]
    assert config.feed("nope") is None
    assert [sub.key for sub in config.subscriptions_for("web")] == ["123456789012345678:local+web", "digest"]
    assert config.subscriptions_for("nope") == ()
    assert config.feed_origin("local") == "newsbot.yaml"
    assert config.feed_origin("nope") is None


def test_subscription_filters(config: Config) -> None:
    plain, digest, _ = config.subscriptions

    def story(title: str, text: str = "") -> Article:
        return Article(title=title, sections=(Section(title="", text=text),))

    assert plain.matches(story("Anything at all")).passed
    assert digest.matches(story("Drone strike")).passed
    assert not digest.matches(story("Drone strike", "An opinion piece")).passed
    assert not digest.matches(story("Tanks")).passed


def test_digest_trigger_uses_crontab_weekdays_and_the_subscription_zone(config: Config) -> None:
    trigger = config.subscriptions[1].trigger()
    assert trigger is not None and str(trigger.timezone) == "UTC"
    assert "day_of_week='mon'" in repr(trigger)


def test_config_is_frozen(config: Config) -> None:
    with pytest.raises(pydantic.ValidationError):
        config.feeds[0].interval = 5  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        config.defaults = config.defaults  # type: ignore[misc]


def test_defaults_when_sections_are_left_out_or_empty(write: Write) -> None:
    config = load(write("discord:\nstorage:\ndefaults:\nfeeds:\nsubscriptions:\n"))
    assert config.feeds == () and config.subscriptions == ()
    assert config.storage.url == "sqlite+aiosqlite:///data/newsbot.db"
    assert config.discord.api_url == "https://discord.com/api/v10"
    assert (config.defaults.poll_interval, config.defaults.summary_sentences, config.defaults.tldr_sentences) == (
        900,
        2,
        3,
    )
    assert config.managed_path == Path("newsbot.managed.yaml") and not config.managed_loaded


@pytest.mark.parametrize(
    ("written", "name", "avatar"),
    [
        ("false", None, None),
        ("true", "", None),
        ("{}", "", None),
        (
            "{name: Kyiv Independent, avatar_url: 'https://example.com/a.png'}",
            "Kyiv Independent",
            "https://example.com/a.png",
        ),
    ],
)
def test_webhook_forms(write: Write, written: str, name: str | None, avatar: str | None) -> None:
    text = "feeds:\n  - name: local\n    folder: articles\nsubscriptions:\n  - feeds: local\n    channel: 1\n"
    webhook = load(write(text + f"    webhook: {written}\n")).subscriptions[0].webhook
    if name is None:
        assert webhook is None
    else:
        assert webhook is not None and (webhook.name or "", webhook.avatar_url) == (name, avatar)
