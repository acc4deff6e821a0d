"""The managed file: what /feeds commands write, merged into the admins' config, never overwriting it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    ConfigError,
    changes_from_text,
    managed_add_feed,
    managed_edit_subscription,
    managed_remove_feed,
    managed_set_paused,
)
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


# --- /feeds edit ------------------------------------------------------------------------------


def test_edit_changes_the_managed_subscription_and_says_what_changed(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    before = main.read_text()
    edited = managed_edit_subscription(
        main,
        "web",
        None,
        {"layout": "compact", "mention": 555, "include": ["ai", "robots"], "webhook": "Wire", "max_age": "3d"},
        env={},
    )
    assert main.read_text() == before  # the admins' file is never touched
    sub = load(main).subscription("42:web")
    assert sub is not None
    assert (sub.layout, sub.mention, sub.include, sub.max_age) == ("compact", (555,), ("ai", "robots"), 3 * 86400)
    assert sub.webhook is not None and sub.webhook.name == "Wire"
    assert edited.after == sub and edited.changed == ("layout", "mention", "include", "webhook", "max_age")
    assert edited.change_lines() == [
        "layout: embed → compact",
        "mention: none → <@&555>",
        "include: none → ai, robots",
        "webhook: off → as 'Wire'",
        "max_age: the feed's → 3d",
    ]
    assert [path.name for path in Path().iterdir() if path.name.endswith(".tmp")] == []


def test_edit_to_none_removes_the_key_and_the_default_applies_again(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42, "layout": "thread", "mention": 555}, env={})
    edited = managed_edit_subscription(main, "web", None, {"layout": None, "mention": None}, env={})
    assert edited.change_lines() == ["layout: thread → embed", "mention: <@&555> → none"]
    assert "layout" not in MANAGED.read_text() and "mention" not in MANAGED.read_text()


def test_an_edit_that_changes_nothing_writes_nothing(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42, "layout": "thread"}, env={})
    written = MANAGED.stat().st_mtime_ns, MANAGED.read_text()
    edited = managed_edit_subscription(main, "web", None, {"layout": "thread"}, env={})
    assert edited.changed == () and edited.after.layout == "thread"
    assert (MANAGED.stat().st_mtime_ns, MANAGED.read_text()) == written


def test_back_to_immediate_drops_the_digest_schedule(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    managed_edit_subscription(main, "web", None, {"mode": "digest", "schedule": "0 8 * * *"}, env={})
    edited = managed_edit_subscription(main, "web", None, {"mode": "immediate"}, env={})
    assert edited.after.mode == "immediate" and edited.changed == ("mode", "schedule")
    assert "schedule" not in MANAGED.read_text()


def test_an_invalid_edit_is_refused_with_the_loaders_message_and_nothing_is_written(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    before = MANAGED.read_text()
    with pytest.raises(ConfigError) as caught:
        managed_edit_subscription(main, "web", None, {"mode": "digest", "schedule": "61 * * * *"}, env={})
    assert "the change was refused" in str(caught.value)
    assert any("subscriptions[0].schedule" in problem for problem in caught.value.problems), caught.value.problems
    assert MANAGED.read_text() == before


def test_editing_a_hand_written_feed_is_refused(main: Path) -> None:
    with pytest.raises(ConfigError, match=r"feed 'local' is written in newsbot.yaml .* edit newsbot.yaml to change"):
        managed_edit_subscription(main, "local", None, {"layout": "compact"}, env={})
    assert not MANAGED.exists()


def test_editing_an_unknown_feed_suggests_a_name(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    with pytest.raises(ConfigError, match=r"unknown feed 'wbe' — did you mean 'web'\?"):
        managed_edit_subscription(main, "wbe", None, {"layout": "compact"}, env={})


def test_unknown_or_no_keys_are_refused(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    with pytest.raises(ConfigError, match=r"'channel' cannot be changed here — give one or more of layout, mode"):
        managed_edit_subscription(main, "web", None, {"channel": 7}, env={})
    with pytest.raises(ConfigError, match="nothing to change"):
        managed_edit_subscription(main, "web", None, {}, env={})


def test_a_feed_posting_to_several_channels_needs_the_channel(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    other = {"name": "other", "url": "https://example.com/o.xml"}
    managed_add_feed(main, other, {"feeds": ["web", "other"], "channel": 7}, env={})
    with pytest.raises(ConfigError, match=r"feed 'web' posts to several channels \(42, 7\) — say which one"):
        managed_edit_subscription(main, "web", None, {"layout": "thread"}, env={})
    with pytest.raises(ConfigError, match=r"feed 'web' does not post to channel 9 — it posts to 42, 7"):
        managed_edit_subscription(main, "web", 9, {"layout": "thread"}, env={})
    edited = managed_edit_subscription(main, "web", 7, {"layout": "thread"}, env={})
    config = load(main)
    assert edited.after.key == "7:other+web"
    assert [(sub.key, sub.layout) for sub in config.subscriptions_for("web")] == [
        ("42:web", "embed"),
        ("7:other+web", "thread"),
    ]


def test_a_webhook_name_keeps_the_avatar_and_none_turns_the_webhook_off(main: Path) -> None:
    hook = {"name": "Old", "avatar_url": "https://example.com/a.png"}
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42, "webhook": hook}, env={})
    managed_edit_subscription(main, "web", None, {"webhook": "New"}, env={})
    webhook = load(main).subscription("42:web").webhook  # type: ignore[union-attr]
    assert webhook is not None and (webhook.name, webhook.avatar_url) == ("New", "https://example.com/a.png")
    managed_edit_subscription(main, "web", None, {"webhook": None}, env={})
    assert load(main).subscription("42:web").webhook is None  # type: ignore[union-attr]


def test_edited_text_cannot_read_the_environment(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    managed_edit_subscription(main, "web", None, {"include": ["${DISCORD_TOKEN}"]}, env={})
    sub = load(main, {"DISCORD_TOKEN": "secret"}).subscription("42:web")
    assert sub is not None and sub.include == ("${DISCORD_TOKEN}",)


@pytest.mark.parametrize(
    ("options", "changes"),
    [
        ({"layout": "thread"}, {"layout": "thread"}),
        ({"schedule": " 0 9 * * mon "}, {"schedule": "0 9 * * mon"}),
        ({"timezone": "None", "max_age": "-"}, {"timezone": None, "max_age": None}),
        ({"include": "ai, robots,, space "}, {"include": ["ai", "robots", "space"]}),
        ({"include": "/a{1,3}b/i, title:/x, y/, ai"}, {"include": ["/a{1,3}b/i", "title:/x, y/", "ai"]}),
        ({"exclude": "none"}, {"exclude": None}),
        ({"mention": 555, "repost_updates": False}, {"mention": 555, "repost_updates": False}),
    ],
)
def test_changes_from_text(options: dict[str, object], changes: dict[str, object]) -> None:
    assert changes_from_text(options) == changes


def test_edit_sets_and_clears_the_embed_color(main: Path) -> None:
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    edited = managed_edit_subscription(main, "web", None, changes_from_text({"color": "#1E90FF"}), env={})
    assert edited.after.color == 0x1E90FF and edited.change_lines() == ["color: Discord's → #1e90ff"]
    edited = managed_edit_subscription(main, "web", None, changes_from_text({"color": "none"}), env={})
    assert edited.after.color is None and "color" not in MANAGED.read_text()


def test_writers_at_the_same_time_lose_no_change(main: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each writer reads the file, validates, writes it back: without the lock, writers that read it
    before any of them wrote would each write back their own change alone.  Reading is slowed down so
    that, unlocked, every thread would read the empty file first."""
    import threading
    import time

    from bot.config import managed

    read = managed._current

    def slow_read(config_path: Path) -> tuple[Path, dict]:
        found = read(config_path)
        time.sleep(0.05)
        return found

    monkeypatch.setattr(managed, "_current", slow_read)
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            managed_add_feed(main, {"name": f"web-{n}", "url": f"https://example.com/{n}.xml"}, env={})
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(f.name for f in load(main).feeds if f.name.startswith("web-")) == [f"web-{n}" for n in range(4)]


def test_a_writer_that_cannot_get_the_lock_says_so_and_writes_nothing(main: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from filelock import FileLock

    from bot.config import managed

    monkeypatch.setattr(managed, "LOCK_TIMEOUT", 0.2)
    with FileLock(Path(".newsbot.managed.yaml.lock")):  # another process's writer, mid-change
        with pytest.raises(ConfigError) as caught:
            managed_add_feed(main, WEB, env={})
    assert str(caught.value) == (
        "newsbot.managed.yaml is being changed by another command (or `newsbot feeds import`); try again in a moment"
    )
    assert not MANAGED.exists()
    managed_add_feed(main, WEB, env={})  # the lock released, the same change goes through
    assert load(main).feed("web") is not None
