"""The managed file: what /feeds commands write, merged into the admins' config, never overwriting it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, managed_add_feed, managed_remove_feed, managed_set_paused
from tests.config.conftest import BASE, Write, load, problems

MANAGED = Path("newsbot.managed.yaml")
WEB = {"name": "web", "url": "https://example.com/feed.xml"}


@pytest.fixture
def main(write: Write) -> Path:
    return write(BASE)


def test_add_feed_and_subscription(main: Path) -> None:
    before = main.read_text()
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    assert main.read_text() == before  # the admins' file is never touched
    assert MANAGED.read_text().startswith("# Written by newsbot when admins use /feeds in Discord or `newsbot feeds import`")
    config = load(main)
    assert config.managed_loaded
    assert config.feed_origin("web") == "managed" and config.feed_origin("local") == "newsbot.yaml"
    assert [(sub.key, sub.origin) for sub in config.subscriptions_for("web")] == [("42:web", "managed")]
    assert [path.name for path in Path().iterdir() if path.name.endswith(".tmp")] == []


def test_a_managed_subscription_may_use_a_hand_written_feed(main: Path) -> None:
    managed_add_feed(main, WEB, {"name": "both", "feeds": ["web", "local"], "channel": 42}, env={})
    assert load(main).subscription("both").feeds == ("web", "local")  # type: ignore[union-attr]


def test_adding_a_feed_named_like_a_hand_written_one_is_refused(main: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        managed_add_feed(main, {"name": "local", "url": "https://example.com/x.xml"}, env={})
    assert "the change was refused" in str(caught.value)
    assert any(
        "feeds[0].name: feed 'local' is defined in both newsbot.yaml:2 and newsbot.managed.yaml:4" in problem
        for problem in caught.value.problems
    ), caught.value.problems
    assert not MANAGED.exists()


def test_an_invalid_addition_is_refused_and_nothing_is_written(main: Path) -> None:
    managed_add_feed(main, WEB, env={})
    before = MANAGED.read_text()
    with pytest.raises(ConfigError) as caught:
        managed_add_feed(main, {"name": "bad", "url": "gopher://old.net"}, env={})
    assert any("feeds[1].url: 'gopher://old.net' is not a URL" in problem for problem in caught.value.problems)
    assert MANAGED.read_text() == before


def test_a_feed_in_both_files_names_both_files_and_lines(main: Path, write: Write) -> None:
    write("feeds:\n  - name: local\n    folder: articles\n", name=str(MANAGED))
    assert problems(main) == [
        "newsbot.managed.yaml:2:5: feeds[0].name: feed 'local' is defined in both newsbot.yaml:2 and "
        "newsbot.managed.yaml:2 — keep one (remove it here with /feeds remove, or from the other file)"
    ]


def test_managed_file_problems_are_located_in_it(main: Path, write: Write) -> None:
    write("feeds:\n  - name: web\n    url: https://example.com/x.xml\n    intervall: 1h\n", name=str(MANAGED))
    assert problems(main) == [
        "newsbot.managed.yaml:4:5: feeds[0].intervall: unknown key 'intervall' — did you mean 'interval'?"
    ]


def test_remove_a_managed_feed_with_its_subscriptions_and_pause(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    managed_add_feed(
        main,
        {"name": "other", "url": "https://example.com/o.xml"},
        {"name": "mix", "feeds": ["web", "other"], "channel": 7},
        env={},
    )
    managed_set_paused(main, "web", True, env={})
    managed_remove_feed(main, "web", env={})
    config = load(main)
    assert [feed.name for feed in config.feeds] == ["local", "other"]
    assert [(sub.key, sub.feeds) for sub in config.subscriptions] == [
        ("123456789012345678:local", ("local",)),
        ("mix", ("other",)),
    ]
    assert "paused" not in MANAGED.read_text()


def test_removing_a_hand_written_feed_is_refused(main: Path) -> None:
    with pytest.raises(ConfigError, match=r"feed 'local' is written in newsbot.yaml .* edit newsbot.yaml to remove it"):
        managed_remove_feed(main, "local", env={})


def test_removing_an_unknown_feed_suggests_a_name(main: Path) -> None:
    managed_add_feed(main, WEB, env={})
    with pytest.raises(ConfigError, match=r"unknown feed 'wbe' — did you mean 'web'\? known feeds: local, web"):
        managed_remove_feed(main, "wbe", env={})


def test_removing_a_feed_still_used_in_the_admins_file_is_refused(write: Write) -> None:
    main = write(BASE + "  - feeds: web\n    channel: 9\n")
    MANAGED.write_text("feeds:\n  - name: web\n    url: https://example.com/feed.xml\n")
    with pytest.raises(ConfigError, match=r"feed 'web' is still used by subscriptions\[1\] in newsbot.yaml"):
        managed_remove_feed(main, "web", env={})
    assert "web" in MANAGED.read_text()


def test_pause_and_resume_a_hand_written_feed(main: Path) -> None:
    managed_set_paused(main, "local", True, env={})
    config = load(main)
    local = config.feed("local")
    assert local is not None and (local.enabled, local.paused, local.origin) == (False, True, "newsbot.yaml")
    written = MANAGED.read_text()
    managed_set_paused(main, "local", True, env={})
    assert MANAGED.read_text() == written  # pausing twice changes nothing
    managed_set_paused(main, "local", False, env={})
    assert load(main).feed("local").enabled is True  # type: ignore[union-attr]


def test_pausing_an_unknown_feed_is_refused(main: Path) -> None:
    with pytest.raises(ConfigError, match="unknown feed 'locl' — did you mean 'local'"):
        managed_set_paused(main, "locl", True, env={})
    assert not MANAGED.exists()


def test_a_stale_pause_is_a_warning(main: Path) -> None:
    MANAGED.write_text("paused: [gone]\n")
    assert load(main).warnings == ("newsbot.managed.yaml: paused[0]: feed 'gone' is not defined; ignored",)


def test_text_from_discord_cannot_read_the_environment(main: Path) -> None:
    managed_add_feed(main, {"name": "sneaky", "url": "https://evil.example/?t=${DISCORD_TOKEN}"}, env={})
    config = load(main, {"DISCORD_TOKEN": "secret"})
    assert config.feed("sneaky").url == "https://evil.example/?t=${DISCORD_TOKEN}"  # type: ignore[union-attr]


def test_managed_file_location_can_be_configured(write: Write, workdir: Path) -> None:
    (workdir / "state").mkdir()
    main = write(BASE + "managed_file: state/feeds.yaml\n")
    managed_add_feed(main, WEB, env={})
    assert (workdir / "state" / "feeds.yaml").exists() and not MANAGED.exists()
    assert load(main).managed_path == Path("state/feeds.yaml")


def test_a_subscription_in_both_files_is_reported_in_the_managed_one(main: Path, write: Write) -> None:
    write("subscriptions:\n  - feeds: [local]\n    channel: 123456789012345678\n", name=str(MANAGED))
    assert problems(main) == [
        "newsbot.managed.yaml:2:5: subscriptions[0].feeds: another subscription posting the same feeds to channel "
        "123456789012345678 is at newsbot.yaml:5 — merge them, or give each its own name"
    ]
