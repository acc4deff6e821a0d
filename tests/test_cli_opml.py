"""`newsbot feeds import|export`: OPML in through the managed file, OPML out of both files; newsbot.yaml never rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.config.opml import parse_opml
from tests.config.conftest import BASE
from tests.config.test_opml import BILLION_LAUGHS, opml

MANAGED = Path("config/newsbot.managed.yaml")
CONFIG = Path("config/newsbot.yaml")

LIST = opml(
    """<outline text="Tech">
  <outline text="Hacker News" type="rss" xmlUrl="https://news.example.com/rss"/>
  <outline text="Python" xmlUrl="https://python.example.org/feed?a=1&amp;b=$2"/>
</outline>
<outline text="Local" xmlUrl="https://example.com/taken-name.xml"/>
<outline text="Relative" xmlUrl="feed.xml"/>"""
)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with config/newsbot.yaml (one folder feed, "local") and list.opml."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    (tmp_path / "articles").mkdir()
    (tmp_path / "config").mkdir()
    CONFIG.write_text(BASE, encoding="utf-8")
    Path("list.opml").write_bytes(LIST)
    return CONFIG


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_adds_feeds_with_subscriptions_and_says_what_it_skipped(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = config.read_bytes()
    code, out, err = run(capsys, "feeds", "import", "list.opml", "--channel", "42", "--config", str(config))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "added: hacker-news — https://news.example.com/rss (Tech) → channel 42",
        "added: python — https://python.example.org/feed?a=1&b=$2 (Tech) → channel 42",
        "skipped: local — https://example.com/taken-name.xml: a feed named 'local' is already in newsbot.yaml "
        "— retitle it to add it too",
        "skipped: line 9 'Relative': 'feed.xml' is a relative URL — OPML has no base address to resolve it against",
        "2 added to config/newsbot.managed.yaml, 2 skipped",
    ]
    assert config.read_bytes() == before
    loaded = load_config(config, env={})
    assert [(f.name, f.url, f.origin) for f in loaded.feeds if f.url] == [
        ("hacker-news", "https://news.example.com/rss", "managed"),
        ("python", "https://python.example.org/feed?a=1&b=$2", "managed"),
    ]
    assert [s.key for s in loaded.subscriptions] == ["123456789012345678:local", "42:hacker-news", "42:python"]


def test_importing_again_adds_nothing_and_writes_nothing(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "feeds", "import", "list.opml", "--config", str(config))[0] == 0
    written = MANAGED.read_bytes()
    code, out, _ = run(capsys, "feeds", "import", "list.opml", "--config", str(config))
    assert code == 0
    assert "skipped: hacker-news — https://news.example.com/rss: its URL is already feed 'hacker-news' in newsbot.managed.yaml" in out
    assert out.splitlines()[-1] == "0 added, 4 skipped; nothing to write"
    assert MANAGED.read_bytes() == written


def test_import_without_a_channel_says_the_feeds_post_nowhere(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "feeds", "import", "list.opml", "--config", str(config))
    assert code == 0 and "posted nowhere until a subscription names them" in out
    assert [s.key for s in load_config(config, env={}).subscriptions] == ["123456789012345678:local"]


def test_dry_run_writes_nothing(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "feeds", "import", "list.opml", "--dry-run", "--channel", "42", "--config", str(config))
    assert code == 0
    assert out.splitlines()[0] == "would add: hacker-news — https://news.example.com/rss (Tech) → channel 42"
    assert out.splitlines()[-1] == (
        "dry run: 2 would be added to config/newsbot.managed.yaml, 2 skipped; nothing was written"
    )
    assert not MANAGED.exists()


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"<opml><body>\n<outline text='x'>\n</body></opml>", "newsbot: bad.opml:3: not well-formed XML: mismatched tag"),
        (BILLION_LAUGHS, "newsbot: bad.opml:3: the file declares the XML entity 'lol' — refused"),
        (b"", "newsbot: bad.opml: the file is empty"),
        (opml(""), "newsbot: bad.opml: no feeds in it (no outline has an xmlUrl)"),
    ],
)
def test_a_bad_opml_file_is_one_error_and_exit_1(
    config: Path, capsys: pytest.CaptureFixture[str], data: bytes, expected: str
) -> None:
    Path("bad.opml").write_bytes(data)
    code, out, err = run(capsys, "feeds", "import", "bad.opml", "--config", str(config))
    assert (code, out) == (1, "")
    assert len(err.splitlines()) == 1 and err.startswith(expected)
    assert not MANAGED.exists()


def test_a_bad_channel_is_a_usage_error(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "feeds", "import", "list.opml", "--channel", "general", "--config", str(config))
    assert code == 2 and err.startswith("newsbot: --channel: 'general' is not a Discord id")
    assert not MANAGED.exists()


def test_export_lists_url_feeds_of_both_files_and_notes_folder_feeds(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(BASE.replace("subscriptions:", "  - name: hand\n    url: https://hand.example/rss\nsubscriptions:"))
    MANAGED.write_text("feeds:\n  - name: bot-added\n    url: https://bot.example/rss?x=1&y=2\n")
    code, out, err = run(capsys, "feeds", "export", "--config", str(config))
    assert code == 0
    assert err == f"newsbot: skipped folder feed 'local' ({Path('articles').resolve()}): OPML lists URLs only\n"
    parsed = parse_opml(out.encode(), "stdout")
    assert parsed.title == "newsbot feeds (newsbot.yaml)"
    assert [(f.title, f.xml_url) for f in parsed.feeds] == [
        ("hand", "https://hand.example/rss"),
        ("bot-added", "https://bot.example/rss?x=1&y=2"),
    ]


def test_import_then_export_round_trips_and_never_rewrites_the_admins_file(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = config.read_bytes()
    assert run(capsys, "feeds", "import", "list.opml", "--channel", "42", "--config", str(config))[0] == 0
    code, out, _ = run(capsys, "feeds", "export", "--output", "out.opml", "--config", str(config))
    assert (code, out) == (0, "wrote 2 feed(s) to out.opml\n")
    exported = parse_opml(Path("out.opml").read_bytes(), "out.opml")
    imported = parse_opml(LIST, "list.opml")
    assert [f.xml_url for f in exported.feeds] == [f.xml_url for f in imported.feeds[:2]]
    assert [f.title for f in exported.feeds] == ["hacker-news", "python"]
    written = MANAGED.read_bytes()
    code, out, _ = run(capsys, "feeds", "import", "out.opml", "--config", str(config))
    assert code == 0 and out.splitlines()[-1] == "0 added, 2 skipped; nothing to write"
    assert MANAGED.read_bytes() == written
    assert config.read_bytes() == before
