"""discord.max_feeds_per_server: the config key, the pure room left (bot.config.feedcap), what a server
counts (bot.config.scope), and a capped batch add or import (bot.config.managed, bot.config.feedlist)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Config, Feed, Subscription, describe_config, json_schema
from bot.config.feedcap import FeedCap, cap_refusal, feeds_left
from bot.config.feedlist import OVER_CAP_NAMED, import_opml
from bot.config.managed import managed_add_feeds
from bot.config.opml import parse_opml
from bot.config.schema import DiscordSection
from bot.config.scope import guild_scope
from tests.config.conftest import BASE, Write, load, problems
from tests.config.test_opml import opml

AT_CAP = "this server follows 2 feeds, the most this bot allows (max_feeds_per_server); remove one with /feeds remove first"


def discord(value: str) -> str:
    return f"discord:\n  max_feeds_per_server: {value}\n" + BASE


# --- the config key ----------------------------------------------------------------------------


def test_unset_is_zero_no_cap(write: Write) -> None:
    assert load(write(BASE)).discord.max_feeds_per_server == 0
    assert load(write(discord("25"))).discord.max_feeds_per_server == 25


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-1", "newsbot.yaml:2:3: discord.max_feeds_per_server: must be at least 0, got -1"),
        ("2.5", "newsbot.yaml:2:3: discord.max_feeds_per_server: expected a whole number, got 2.5"),
        ("lots", "newsbot.yaml:2:3: discord.max_feeds_per_server:"),
    ],
)
def test_a_negative_or_not_whole_cap_is_refused_with_file_and_line(write: Write, value: str, expected: str) -> None:
    found = problems(write(discord(value)))
    assert any(problem.startswith(expected) for problem in found), found


def test_check_config_shows_the_cap_on_the_discord_line_only_when_set(write: Write) -> None:
    lines = describe_config(load(write(discord("2")))).splitlines()
    assert "  slash commands: global; at most 2 feeds per server" in lines
    assert "  slash commands: global; at most 1 feed per server" in describe_config(load(write(discord("1")))).splitlines()
    text = describe_config(load(write(discord("0"))))
    assert "  slash commands: global" in text.splitlines() and "per server" not in text


def test_json_schema_offers_it_under_discord() -> None:
    field = json_schema()["$defs"]["DiscordSection"]["properties"]["max_feeds_per_server"]
    assert field["default"] == 0 and field["minimum"] == 0 and field["type"] == "integer"
    assert "0: no cap" in json.dumps(field)


def test_the_example_config_documents_it() -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "newsbot.yaml"
    assert "  # max_feeds_per_server: " in example.read_text(encoding="utf-8")


# --- the room left (pure) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "cap", "left"),
    [(0, 0, None), (500, 0, None), (0, 2, 2), (1, 2, 1), (2, 2, 0), (5, 2, 0), (0, 1, 1)],
)
def test_feeds_left(count: int, cap: int, left: int | None) -> None:
    assert feeds_left(count, cap) == left
    assert FeedCap(count=count, cap=cap).left == left


@pytest.mark.parametrize(
    ("count", "cap", "would", "reason"),
    [
        (2, 2, False, AT_CAP),
        (1, 1, False, "this server follows 1 feed, the most this bot allows (max_feeds_per_server); "
                      "remove one with /feeds remove first"),
        (2, 2, True, AT_CAP.replace("follows", "would follow")),
        (5, 2, False, "this server follows 5 feeds, more than the 2 this bot allows (max_feeds_per_server); "
                      "remove 4 with /feeds remove first"),
    ],
)
def test_the_reason_says_how_many_and_what_to_do(count: int, cap: int, would: bool, reason: str) -> None:
    assert cap_refusal(count, cap, would=would) == reason


def test_the_reason_counts_the_feeds_added_before_it() -> None:
    assert FeedCap(count=1, cap=2).refusal(1) == AT_CAP
    assert FeedCap(count=1, cap=2).refusal(1, dry_run=True) == AT_CAP.replace("follows", "would follow")


# --- what a server counts: the feeds it owns -----------------------------------------------------

A_NEWS, B_NEWS = 11, 21


def _config(cap: int) -> Config:
    """``a1``, ``a2`` post in A only (``a2`` twice), ``b1`` in B, ``shared`` in both, ``orphan`` nowhere."""
    names = ("a1", "a2", "b1", "shared", "orphan")
    feeds = tuple(Feed(name=name, url=f"https://{name}.example/feed.xml", interval=600) for name in names)
    subscriptions = (
        Subscription(feeds=("a1", "a2", "shared"), channel=A_NEWS),
        Subscription(name="a2-again", feeds=("a2",), channel=A_NEWS),
        Subscription(feeds=("b1", "shared"), channel=B_NEWS),
    )
    return Config(
        path=Path("newsbot.yaml"), managed_path=Path("newsbot.managed.yaml"), feeds=feeds, subscriptions=subscriptions,
        discord=DiscordSection(max_feeds_per_server=cap),
    )


@pytest.mark.parametrize(
    ("channels", "only_server", "count"),
    [({A_NEWS}, False, 2), ({B_NEWS}, False, 1), ({99}, False, 0), ({A_NEWS}, True, 5)],
    ids=["A: not the shared feed", "B", "a server with no feed", "the only server: every feed"],
)
def test_a_server_counts_the_feeds_it_owns(channels: set[int], only_server: bool, count: int) -> None:
    config = _config(3)
    cap = guild_scope(config, channels, only_server=only_server).feed_cap(config)
    assert cap == FeedCap(count=count, cap=3)


# --- a capped batch add and import -------------------------------------------------------------

BATCH = [
    {"name": "one", "url": "https://example.com/one.xml"},
    {"name": "local", "url": "https://example.com/dup-name.xml"},
    {"name": "two", "url": "https://example.com/two.xml"},
    {"name": "three", "url": "https://example.com/three.xml"},
    {"name": "one-again", "url": "https://example.com/one.xml"},
    {"name": "four", "url": "https://example.com/four.xml"},
]


@pytest.mark.parametrize(
    ("limit", "added", "over", "skipped"),
    [
        (None, ("one", "two", "three", "four"), (), ["local", "one-again"]),
        (2, ("one", "two"), ("three", "four"), ["local", "one-again"]),  # the usual skips take no room
        (0, (), ("one", "two", "three", "one-again", "four"), ["local"]),  # "one" was not added: no twin
    ],
)
def test_a_limited_batch_adds_in_order_and_lists_the_rest(
    write: Write, limit: int | None, added: tuple[str, ...], over: tuple[str, ...], skipped: list[str]
) -> None:
    main = write(BASE)
    result = managed_add_feeds(main, BATCH, channel=42, env={}, limit=limit)
    assert result.added == added and result.over_limit == over
    assert [name for name, _ in result.skipped] == skipped
    assert Path("newsbot.managed.yaml").exists() == bool(added)
    if added:
        assert [feed.name for feed in load(main).feeds if feed.origin == "managed"] == list(added)


def _import(main: Path, count: int, body: str, *, dry_run: bool = False) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    data = opml(body)
    report = import_opml(main, parse_opml(data, "list.opml"), "list.opml", channel=42, env={}, dry_run=dry_run,
                         cap=FeedCap(count=count, cap=2))
    return report.lines, report.summary, report.added


def _outlines(*names: str) -> str:
    return "".join(f'<outline text="{name}" xmlUrl="https://example.com/{name}.xml"/>' for name in names)


def test_an_import_adds_up_to_the_cap_and_skips_the_rest_on_one_line(write: Write) -> None:
    main = write(BASE)
    lines, summary, added = _import(main, 1, _outlines("one", "two", "three"))
    assert added == ("one",)
    assert lines == (
        "added: one — https://example.com/one.xml → channel 42",
        f"skipped 2 feeds (two, three): {AT_CAP}",
    )
    assert summary == "1 added to newsbot.managed.yaml, 2 skipped"
    assert load(main).feed("two") is None


def test_a_dry_run_reports_the_same_and_writes_nothing(write: Write) -> None:
    main = write(BASE)
    lines, summary, added = _import(main, 1, _outlines("one", "two", "three"), dry_run=True)
    assert added == ("one",)
    assert lines[1] == f"skipped 2 feeds (two, three): {AT_CAP.replace('follows', 'would follow')}"
    assert summary == "dry run: 1 would be added to newsbot.managed.yaml, 2 skipped; nothing was written"
    assert not Path("newsbot.managed.yaml").exists()


def test_one_feed_over_the_cap_is_an_ordinary_skip_line_and_many_are_counted(write: Write) -> None:
    main = write(BASE)
    lines, summary, _ = _import(main, 2, _outlines("one"))
    assert lines == (f"skipped: one — https://example.com/one.xml: {AT_CAP}",)
    assert summary == "0 added, 1 skipped; nothing to write"
    names = [f"f{index}" for index in range(OVER_CAP_NAMED + 3)]
    lines, _, _ = _import(main, 2, _outlines(*names))
    assert lines == (f"skipped {len(names)} feeds ({', '.join(names[:OVER_CAP_NAMED])}, … and 3 more): {AT_CAP}",)


def test_without_a_cap_an_import_adds_everything(write: Write) -> None:
    main = write(BASE)
    report = import_opml(main, parse_opml(opml(_outlines("one", "two", "three")), "list.opml"), "list.opml", channel=42, env={})
    assert report.added == ("one", "two", "three")
    report = import_opml(main, parse_opml(opml(_outlines("four")), "list.opml"), "list.opml", channel=42, env={},
                         cap=FeedCap(count=9, cap=0))
    assert report.added == ("four",)
