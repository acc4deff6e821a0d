"""max_age: a duration in defaults, per feed and per subscription; 0 means no limit; errors are located."""

from __future__ import annotations

import json

import pytest

from bot.config import json_schema
from tests.config.conftest import BASE, Write, load, problems

CONFIG = """\
defaults:
  max_age: 3d
feeds:
  - name: inherits
    folder: articles
  - name: own
    folder: articles
    max_age: 12h
  - name: unlimited
    folder: articles
    max_age: 0
subscriptions:
  - name: plain
    feeds: [inherits, own, unlimited]
    channel: 1
  - name: strict
    feeds: [inherits, own, unlimited]
    channel: 2
    max_age: 1h30m
  - name: everything
    feeds: [inherits, own, unlimited]
    channel: 3
    max_age: "0s"
"""


def test_feeds_inherit_the_default_unless_they_say_otherwise(write: Write) -> None:
    config = load(write(CONFIG))
    assert [(feed.name, feed.max_age) for feed in config.feeds] == [
        ("inherits", 3 * 86_400),
        ("own", 12 * 3_600),
        ("unlimited", 0),
    ]
    assert config.defaults.max_age == 3 * 86_400


def test_a_subscription_value_wins_for_that_subscription(write: Write) -> None:
    config = load(write(CONFIG))
    plain, strict, everything = config.subscriptions
    assert (plain.max_age, strict.max_age, everything.max_age) == (None, 5_400, 0)
    feeds = config.feeds
    assert [plain.max_age_for(feed) for feed in feeds] == [3 * 86_400, 12 * 3_600, 0]
    assert [strict.max_age_for(feed) for feed in feeds] == [5_400, 5_400, 5_400]
    assert [everything.max_age_for(feed) for feed in feeds] == [0, 0, 0]


def test_unset_everywhere_is_no_limit(write: Write) -> None:
    config = load(write(BASE))
    (feed,), (sub,) = config.feeds, config.subscriptions
    assert (config.defaults.max_age, feed.max_age, sub.max_age, sub.max_age_for(feed)) == (0, 0, None, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            BASE + "defaults:\n  max_age: 3x\n",
            "newsbot.yaml:8:3: defaults.max_age: '3x' is not a duration — write '90s', '15m', '2h', '1d', "
            "'1h30m' or a number of seconds",
            id="defaults-bad-unit",
        ),
        pytest.param(
            BASE.replace("folder: articles", "folder: articles\n    max_age: -1"),
            "newsbot.yaml:4:5: feeds[0].max_age: -1 is not a duration of 0 or more",
            id="feed-negative",
        ),
        pytest.param(
            BASE + "    max_age: 1.5\n",
            "newsbot.yaml:7:5: subscriptions[0].max_age: 1.5 is not a duration",
            id="subscription-float",
        ),
        pytest.param(
            BASE + "    max_age: yes\n",
            "newsbot.yaml:7:5: subscriptions[0].max_age: True is not a duration",
            id="subscription-yaml-boolean",
        ),
        pytest.param(
            BASE + "    max_agee: 2d\n",
            "newsbot.yaml:7:5: subscriptions[0].max_agee: unknown key 'max_agee' — did you mean 'max_age'?",
            id="misspelt",
        ),
    ],
)
def test_problems_name_file_line_and_key(write: Write, text: str, expected: str) -> None:
    found = problems(write(text))
    assert any(problem.startswith(expected) for problem in found), found


def test_zero_is_still_refused_for_an_interval(write: Write) -> None:
    """Accepting 0 for max_age must not let a poll interval of 0 through."""
    found = problems(write(BASE + "defaults:\n  poll_interval: 0\n"))
    assert any(p.startswith("newsbot.yaml:8:3: defaults.poll_interval: 0 is not a duration longer than zero") for p in found), found


def test_json_schema_offers_max_age_where_the_file_may_say_it() -> None:
    defs = json_schema()["$defs"]
    for model in ("Defaults", "FeedSpec", "SubscriptionSpec"):
        assert "max_age" in defs[model]["properties"], model
    text = json.dumps(defs["Defaults"]["properties"]["max_age"])
    assert '"minimum": 0' in text and "0: no limit" in text
