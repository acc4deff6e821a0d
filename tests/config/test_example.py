"""The shipped config/newsbot.yaml is the documentation: it must load, and so must its commented examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.config import describe_config, json_schema, load_config, write_json_schema
from bot.config.schema_file import render_json_schema
from tests.config.conftest import REPO

EXAMPLE = REPO / "config" / "newsbot.yaml"
SCHEMA = REPO / "config" / "newsbot.schema.json"

#: A commented-out example line: '# key: …', '# - key: …' or a deeper '#   key: …' continuation.
_EXAMPLE_LINE = re.compile(r"^(\s*)# (\s*(?:- )?[A-Za-z_][A-Za-z0-9_-]*:(?:\s|$).*)$")


def uncomment_examples(text: str) -> str:
    """Turn every commented-out option into a live one (prose comments stay comments)."""
    lines = []
    for line in text.splitlines():
        match = _EXAMPLE_LINE.match(line)
        if match and (match.group(1) or re.match(r"[a-z_]+:", match.group(2))):
            line = match.group(1) + match.group(2)
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture
def at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths in the example are relative to where newsbot runs: the repository root."""
    monkeypatch.chdir(REPO)


@pytest.mark.usefixtures("at_repo_root")
def test_shipped_config_loads_without_a_token() -> None:
    config = load_config(Path("config/newsbot.yaml"), env={})
    assert config.discord.token is None and not config.has_token
    assert [(feed.name, feed.folder, feed.enabled) for feed in config.feeds] == [
        ("local-articles", REPO / "articles", True)
    ]
    assert [(sub.feeds, sub.mode) for sub in config.subscriptions] == [(("local-articles",), "immediate")]
    assert config.warnings == ()
    assert "no token" in describe_config(config)


@pytest.mark.usefixtures("at_repo_root")
def test_shipped_config_uses_the_token_from_the_environment() -> None:
    config = load_config(Path("config/newsbot.yaml"), env={"DISCORD_TOKEN": "secret-from-env"})
    assert config.discord.token is not None and config.discord.token.get_secret_value() == "secret-from-env"


def test_every_commented_example_is_valid(at_repo_root: None, tmp_path: Path) -> None:
    full = tmp_path / "newsbot.yaml"
    full.write_text(uncomment_examples(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    config = load_config(full, env={"NEWS_API_KEY": "k"})
    assert {feed.name for feed in config.feeds} == {"local-articles", "kyiv-independent"}
    assert {sub.mode for sub in config.subscriptions} == {"immediate", "digest"}
    assert {sub.layout for sub in config.subscriptions} == {"embed", "thread", "template"}
    assert any(sub.webhook is not None for sub in config.subscriptions)
    assert any(sub.include and sub.exclude for sub in config.subscriptions)
    assert any(sub.mention for sub in config.subscriptions)
    assert config.discord.admin_log_channel is not None and config.discord.command_guilds
    assert config.feed("kyiv-independent").headers == {"Authorization": "Bearer k"}  # type: ignore[union-attr]


def test_uncommenting_is_real() -> None:
    """Guard the guard: the uncommented text really differs where examples are."""
    text = uncomment_examples(EXAMPLE.read_text(encoding="utf-8"))
    assert "\n  - name: kyiv-independent\n" in text and "\n    mode: digest" in text
    assert "\n# Notes that apply everywhere:\n" in text


def test_example_points_editors_at_the_schema() -> None:
    assert EXAMPLE.read_text(encoding="utf-8").splitlines()[0] == "# yaml-language-server: $schema=newsbot.schema.json"


def test_shipped_schema_is_what_the_code_generates() -> None:
    """Regenerate with: python -c "from bot.config import write_json_schema; write_json_schema()"."""
    assert SCHEMA.read_text(encoding="utf-8") == render_json_schema()


def test_schema_describes_the_file(tmp_path: Path) -> None:
    schema = json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"discord", "storage", "defaults", "feeds", "subscriptions", "network", "managed_file"}
    feed = schema["$defs"]["FeedSpec"]
    assert feed["required"] == ["name"] and feed["additionalProperties"] is False
    write_json_schema(tmp_path / "schema.json")
    assert json.loads((tmp_path / "schema.json").read_text()) == schema
