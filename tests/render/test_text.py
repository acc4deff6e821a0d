"""escape_markdown, neutralize_mentions, truncate, split_text: tables plus seeded random properties."""

from __future__ import annotations

import random

import pytest

from bot.render.text import (
    ELLIPSIS,
    ZWSP,
    escape_line_start,
    escape_markdown,
    first_sentence,
    neutralize_mentions,
    safe_text,
    safe_url,
    split_safe,
    split_text,
    truncate,
)
from tests.render.builders import PING_RE, prose, rejoin


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain words", "plain words"),
        ("*bold*", r"\*bold\*"),
        ("**bold**", r"\*\*bold\*\*"),
        ("_it_ and __under__", r"\_it\_ and \_\_under\_\_"),
        ("~~gone~~", r"\~\~gone\~\~"),
        ("`code`", r"\`code\`"),
        ("||spoiler||", r"\|\|spoiler\|\|"),
        ("> quote", r"\> quote"),
        (">>> block", r"\>>> block"),
        ("first\n> quote", "first\n\\> quote"),
        ("a > b", "a > b"),
        ("# heading", r"\# heading"),
        ("-# subtext", r"\-# subtext"),
        ("- item", r"\- item"),
        ("1. item", r"1\. item"),
        ("in 2025. Then", "in 2025. Then"),
        ("[link](https://evil.example/x)", r"\[link\](https://evil.example/x)"),
        ("back\\slash", "back\\\\slash"),
        ("see https://example.com/a_b*c_d", "see https://example.com/a_b*c_d"),
        ("end https://example.com/a_b.", "end https://example.com/a_b."),
        ("(https://example.com/x_y)", "(https://example.com/x_y)"),
    ],
)
def test_escape_markdown(raw: str, escaped: str) -> None:
    assert escape_markdown(raw) == escaped


@pytest.mark.parametrize(
    ("raw", "neutral"),
    [
        ("@everyone", f"@{ZWSP}everyone"),
        ("hi @here!", f"hi @{ZWSP}here!"),
        ("@EVERYONE", f"@{ZWSP}EVERYONE"),
        ("<@123>", f"<@{ZWSP}123>"),
        ("<@!123>", f"<@{ZWSP}!123>"),
        ("<@&456>", f"<@{ZWSP}&456>"),
        ("<#789>", f"<#{ZWSP}789>"),
        ("</news:123>", f"</{ZWSP}news:123>"),
        ("mail a@b.com or @someone", "mail a@b.com or @someone"),
        ("@hereafter", "@hereafter"),
    ],
)
def test_neutralize_mentions(raw: str, neutral: str) -> None:
    assert neutralize_mentions(raw) == neutral
    assert not PING_RE.search(neutralize_mentions(raw))


def test_channel_links_keep_channel_mentions_and_nothing_else() -> None:
    notice = "@everyone: <@123> <@&456> </news:1> cannot post in <#789>"
    assert neutralize_mentions(notice, channel_links=True) == (
        f"@{ZWSP}everyone: <@{ZWSP}123> <@{ZWSP}&456> </{ZWSP}news:1> cannot post in <#789>")
    assert [m.group(0) for m in PING_RE.finditer(neutralize_mentions(notice, channel_links=True))] == ["<#789>"]


def test_safe_text_escapes_and_neutralizes() -> None:
    assert safe_text("*hi* @everyone") == f"\\*hi\\* @{ZWSP}everyone"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("  http://example.com  ", "http://example.com"),
        ("HTTPS://EXAMPLE.COM/", "HTTPS://EXAMPLE.COM/"),
        ("https://example.com/a b(c)<d>", "https://example.com/a%20b%28c%29%3Cd%3E"),
        ("javascript:alert(1)", None),
        ("ftp://example.com/f", None),
        ("https://", None),
        ("/relative/path", None),
        ("https://example.com/\x00", None),
        ("https://example.com/" + "a" * 3000, None),
        (None, None),
        ("", None),
    ],
)
def test_safe_url(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("hello world", 20, "hello world"),
        ("hello world", 11, "hello world"),
        ("hello world foo", 10, "hello…"),
        ("hello world foo", 12, "hello world…"),
        ("a" * 20, 10, "a" * 9 + "…"),
        ("abc", 1, "…"),
        ("  leading", 5, "  le…"),
        ("\\*\\*\\*\\*", 6, "\\*\\*…"),  # never ends in a lone escaping backslash
        ("word \\*\\*\\*\\*\\*\\*", 9, "word…"),
    ],
)
def test_truncate_table(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected


@pytest.mark.parametrize("limit", [0, -5])
def test_truncate_rejects_silly_limits(limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        truncate("text", limit)


def _random_text(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return prose(rng, rng.randint(1, 3000))
    if kind == 1:  # long words mixed in
        return " ".join("y" * rng.randint(1, 300) for _ in range(rng.randint(1, 30)))
    if kind == 2:  # escaped text, where a cut must not strand a backslash
        return safe_text(prose(rng, 500).replace("e", "*").replace("o", "_"))
    return "\n".join(prose(rng, rng.randint(10, 400)) for _ in range(rng.randint(1, 5)))


CASES = [(seed, random.Random(seed).choice([2, 3, 10, 50, 256, 1024])) for seed in range(150)]


def _dangling_backslash(text: str) -> bool:
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1


@pytest.mark.parametrize(("seed", "limit"), CASES)
def test_truncate_properties(seed: int, limit: int) -> None:
    text = _random_text(random.Random(seed))
    out = truncate(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
        return
    assert out.endswith(ELLIPSIS)
    kept = out[: -len(ELLIPSIS)]
    assert text.startswith(kept)
    assert not _dangling_backslash(kept)
    boundary = any(text[i].isspace() and text[:i].strip() for i in range(1, limit))
    if boundary:
        assert text[len(kept)].isspace()  # cut between words: no word is cut
    else:
        assert len(kept) >= limit - 2  # one word longer than the limit: hard cut, marked "…"


@pytest.mark.parametrize(("seed", "limit"), CASES)
def test_split_text_properties(seed: int, limit: int) -> None:
    text = _random_text(random.Random(seed))
    parts = split_text(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    # nothing lost, order kept, and no word cut without "…" (a silent cut would add a word)
    assert rejoin(parts) == text.split()
    for part in parts:
        if part.endswith(ELLIPSIS):
            assert not _dangling_backslash(part[:-1])


def test_split_text_prefers_paragraphs_then_sentences() -> None:
    first, second = "One two three. Four five six.", "Seven eight nine. Ten eleven."
    assert split_text(f"{first}\n\n{second}", 40) == [first, second]
    assert split_text(f"{first} {second}", 40) == ["One two three. Four five six.", "Seven eight nine. Ten eleven."]
    assert split_text("One two three four five six", 10) == ["One two", "three four", "five six"]


def test_split_text_cuts_chinese_between_sentences_and_loses_nothing() -> None:
    first, second, third = "上海市政府今天发布了新的城市交通规划。", "该规划将在未来十年内新建五条地铁线路。", "市长表示满意。"
    parts = split_text(first + second + third, 30)
    assert parts == [first, second + third]


def test_split_text_hard_cuts_a_long_word_with_ellipses() -> None:
    parts = split_text("a " + "x" * 25 + " b", 10)
    assert parts == ["a", "x" * 9 + "…", "x" * 9 + "…", "xxxxxxx b"]


@pytest.mark.parametrize(("text", "expected"), [("", []), ("   \n\n ", []), ("short", ["short"])])
def test_split_text_small_inputs(text: str, expected: list[str]) -> None:
    assert split_text(text, 10) == expected


def test_split_text_rejects_silly_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        split_text("text", 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("> b", "\\> b"),
        ("# b", "\\# b"),
        ("12. b", "12\\. b"),
        ("plain", "plain"),
        ("\\> already", "\\> already"),
    ],
)
def test_escape_line_start(text: str, expected: str) -> None:
    assert escape_line_start(text) == expected


def test_split_safe_escapes_a_marker_a_cut_brings_to_the_start() -> None:
    parts = split_safe("aaaaa > bb", 6)
    assert parts == ["aaaaa", "\\> bb"]
    assert all(len(p) <= 6 for p in parts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("First one. Second one.", "First one."),
        ("The U.S. Army said so. Then more.", "The U.S. Army said so."),
        ("Dr. Who arrived! Later.", "Dr. Who arrived!"),
        ("No full stop", "No full stop"),
        ("Line\nbreaks. Here", "Line breaks."),
        ("", ""),
        # Chinese and Japanese write no space after a full-width mark.
        ("上海发布了新的交通规划。该规划将新建地铁。", "上海发布了新的交通规划。"),
        ("「ぜひ来てください。」と話した。開館は十時です。", "「ぜひ来てください。」と話した。"),
    ],
)
def test_first_sentence(text: str, expected: str) -> None:
    assert first_sentence(text) == expected
