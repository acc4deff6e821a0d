"""Helpers for config tests: each test works in its own folder, with files named as admins name them."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]

#: A valid config with one folder feed and one subscription; tests append to or replace parts of it.
BASE = """\
feeds:
  - name: local
    folder: articles
subscriptions:
  - feeds: local
    channel: 123456789012345678
"""


def with_feed(feed: str, base: str = BASE) -> str:
    """``base`` with one more feed (YAML lines of a list item, indented as under ``feeds:``)."""
    return base.replace("subscriptions:", feed.rstrip("\n") + "\nsubscriptions:", 1)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with an ``articles/`` folder, so relative paths and messages are short."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "articles").mkdir()
    return tmp_path


Write = Callable[..., Path]


@pytest.fixture
def write(workdir: Path) -> Write:
    """Write a (dedented) file in the working directory and return its relative path."""

    def write(text: str, name: str = "newsbot.yaml") -> Path:
        path = Path(name)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def problems(path: Path, env: Mapping[str, str] | None = None) -> list[str]:
    """The problems load_config reports for ``path`` (fails the test when it loads)."""
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=env or {})
    return caught.value.problems


def load(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """load_config with an empty environment unless given one."""
    return load_config(path, env=env or {})
