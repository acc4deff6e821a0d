"""Live reload: an edit swaps the config in, a broken edit is reported once and changes nothing."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, managed_add_feed
from bot.config_watch import ConfigWatcher
from tests.config.conftest import BASE, Write, load


class Recorder:
    """Collects what the watcher reports (fakes over mocks)."""

    def __init__(self) -> None:
        self.changes: list[Config] = []
        self.errors: list[ConfigError] = []
        self.event = asyncio.Event()

    async def on_change(self, config: Config) -> None:
        self.changes.append(config)
        self.event.set()

    def on_error(self, error: ConfigError) -> None:  # a plain function works too
        self.errors.append(error)
        self.event.set()


@pytest.fixture
def main(write: Write) -> Path:
    return write(BASE)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def watcher(main: Path, recorder: Recorder) -> ConfigWatcher:
    return ConfigWatcher(main, load(main), on_change=recorder.on_change, on_error=recorder.on_error, env={})


async def test_nothing_changed_nothing_happens(watcher: ConfigWatcher, recorder: Recorder, main: Path) -> None:
    first = watcher.current
    assert await watcher.check_now() is None
    os.utime(main)  # touch
    assert await watcher.check_now() is None
    assert watcher.current is first
    assert recorder.changes == [] and recorder.errors == []


async def test_an_edit_is_swapped_in(watcher: ConfigWatcher, recorder: Recorder, main: Path) -> None:
    main.write_text(BASE.replace("folder: articles", "folder: articles\n    interval: 5m"))
    new = await watcher.check_now()
    assert new is not None and new.feed("local").interval == 300  # type: ignore[union-attr]
    assert watcher.current is new and recorder.changes == [new]
    assert await watcher.check_now() is None and recorder.changes == [new]


async def test_a_comment_only_edit_changes_nothing(watcher: ConfigWatcher, recorder: Recorder, main: Path) -> None:
    main.write_text("# a comment\n" + BASE)
    assert await watcher.check_now() is None
    assert recorder.changes == [] and recorder.errors == []


async def test_broken_edit_is_reported_once_and_the_old_config_stays(
    watcher: ConfigWatcher, recorder: Recorder, main: Path
) -> None:
    old = watcher.current
    main.write_text(BASE.replace("folder: articles", "folder: articles\n    intervall: 5m"))
    assert await watcher.check_now() is None
    assert await watcher.check_now() is None
    assert len(recorder.errors) == 1
    assert recorder.errors[0].problems == [
        "newsbot.yaml:4:5: feeds[0].intervall: unknown key 'intervall' — did you mean 'interval'?"
    ]
    assert watcher.current is old

    main.write_text(BASE.replace("folder: articles", "folder: articles\n    intervall: 6m"))
    assert await watcher.check_now() is None
    assert len(recorder.errors) == 2  # a different broken content is reported again

    main.write_text(BASE.replace("folder: articles", "folder: articles\n    interval: 6m"))
    fixed = await watcher.check_now()
    assert fixed is not None and recorder.changes == [fixed] and watcher.current is fixed


async def test_reverting_a_broken_edit_reports_the_recovery(
    watcher: ConfigWatcher, recorder: Recorder, main: Path
) -> None:
    main.write_text("feeds: [\n")
    await watcher.check_now()
    main.write_text(BASE)
    restored = await watcher.check_now()
    assert len(recorder.errors) == 1 and recorder.errors[0].problems[0].startswith(
        "newsbot.yaml:2:1: YAML syntax error"
    )
    assert restored is not None and recorder.changes == [restored]


async def test_a_deleted_file_is_an_error_and_the_config_stays(
    watcher: ConfigWatcher, recorder: Recorder, main: Path
) -> None:
    old = watcher.current
    main.unlink()
    assert await watcher.check_now() is None
    assert "file not found" in str(recorder.errors[0]) and watcher.current is old


async def test_managed_file_changes_are_picked_up(watcher: ConfigWatcher, recorder: Recorder, main: Path) -> None:
    managed_add_feed(main, {"name": "web", "url": "https://example.com/feed.xml"}, env={})
    new = await watcher.check_now()
    assert new is not None and new.feed_origin("web") == "managed"


async def test_an_edit_made_before_watching_is_seen(main: Path, recorder: Recorder) -> None:
    loaded = load(main)
    main.write_text(BASE.replace("channel: 123456789012345678", "channel: 42"))
    watcher = ConfigWatcher(main, loaded, on_change=recorder.on_change, on_error=recorder.on_error, env={})
    new = await watcher.check_now()
    assert new is not None and new.subscriptions[0].channel == 42


async def test_the_loop_checks_until_stopped(watcher: ConfigWatcher, recorder: Recorder, main: Path) -> None:
    watcher.interval = 0.01
    watcher.start()
    try:
        main.write_text(BASE.replace("channel: 123456789012345678", "channel: 42"))
        await asyncio.wait_for(recorder.event.wait(), timeout=10)
    finally:
        await watcher.stop()
    assert [config.subscriptions[0].channel for config in recorder.changes] == [42]


async def test_a_failing_callback_does_not_end_the_loop(main: Path) -> None:
    events = [asyncio.Event(), asyncio.Event()]
    calls: list[int] = []

    def explode(config: Config) -> None:
        calls.append(config.subscriptions[0].channel)
        events[len(calls) - 1].set()
        if len(calls) == 1:
            raise RuntimeError("callback bug")

    watcher = ConfigWatcher(main, load(main), on_change=explode, on_error=lambda e: None, interval=0.01, env={})
    watcher.start()
    try:
        main.write_text(BASE.replace("channel: 123456789012345678", "channel: 42"))
        await asyncio.wait_for(events[0].wait(), timeout=10)
        main.write_text(BASE.replace("channel: 123456789012345678", "channel: 43"))
        await asyncio.wait_for(events[1].wait(), timeout=10)
    finally:
        await watcher.stop()
    assert calls == [42, 43]
