"""Filters that a hostile regex cannot hang, and that can look at one field of an article.

Pure: rules and articles are built by hand.  The catastrophic patterns below backtrack for minutes
under ``re``; without the search timeout these tests would hang, so pytest-timeout stops them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, changes_from_text, managed_add_feed, managed_edit_subscription
from bot.config.describe import describe_subscription
from bot.config.filters import (
    MAX_RULE_CHARS,
    SEARCH_SECONDS_PER_MILLION_CHARS,
    SEARCH_TIMEOUT,
    Fields,
    Rule,
    compile_rule,
    compile_rules,
    evaluate,
    search_budget,
    split_rules,
)
from bot.model import Article, Section
from tests.config.conftest import BASE, Write, load, problems

CATASTROPHIC = "/(a+)+$/"
#: "a"*5000 then a character that makes ``(a+)+$`` fail only after trying every split of the a's.
TRAP = "a" * 5000 + "!"

ARTICLE = Article(
    title="Alpha wins",
    url="https://example.com/delta/story",
    author="Charlie Writer",
    sections=(Section(title="", text="Bravo said it was close."), Section(title="More", text="Golf followed.")),
    categories=("Echo", "Foxtrot news"),
)


def verdict(include: tuple[str, ...], exclude: tuple[str, ...], fields: Fields) -> tuple[bool, list[tuple[str, str]]]:
    result = evaluate(compile_rules(include), compile_rules(exclude), fields)
    return result.passed, [(kind, rule.text) for kind, rule in result.timed_out]


# -- a rule that backtracks forever is stopped, and decides the safe way ------------------------


@pytest.mark.timeout(10)
def test_a_catastrophic_exclude_rule_times_out_and_blocks_the_story() -> None:
    assert verdict((), (CATASTROPHIC,), Fields(title="Breaking", text=TRAP)) == (False, [("exclude", CATASTROPHIC)])


@pytest.mark.timeout(10)
def test_a_catastrophic_include_rule_times_out_and_lets_nothing_in() -> None:
    assert verdict((CATASTROPHIC,), (), Fields(text=TRAP)) == (False, [("include", CATASTROPHIC)])
    # ... unless another include rule lets the story in on its own.
    assert verdict((CATASTROPHIC, "breaking"), (), Fields(title="Breaking", text=TRAP)) == (
        True,
        [("include", CATASTROPHIC)],
    )


@pytest.mark.timeout(10)
def test_a_catastrophic_category_rule_is_stopped_too() -> None:
    many = Fields(categories=tuple(f"{'a' * 3000}{i}!" for i in range(50)))
    assert verdict((), (f"category:{CATASTROPHIC}",), many) == (False, [("exclude", f"category:{CATASTROPHIC}")])


class _RecordingPattern:
    """Stands in for a compiled pattern: notes the timeout each search is given, matches nothing."""

    def __init__(self) -> None:
        self.timeouts: list[float] = []

    def search(self, haystack: str, *, timeout: float) -> None:
        self.timeouts.append(timeout)
        return None


def test_a_long_story_gives_a_rule_more_time_in_proportion_so_a_linear_scan_never_runs_out() -> None:
    assert search_budget(["short"]) == pytest.approx(SEARCH_TIMEOUT, abs=1e-5)
    assert search_budget(["x" * 1_000_000]) == pytest.approx(SEARCH_TIMEOUT + SEARCH_SECONDS_PER_MILLION_CHARS)
    assert search_budget(["x" * 300_000, "y" * 200_000]) == pytest.approx(SEARCH_TIMEOUT + SEARCH_SECONDS_PER_MILLION_CHARS / 2)
    given = {}
    for size in (100, 1_000_000):
        pattern = _RecordingPattern()
        assert Rule(text="x", pattern=pattern).search(Fields(text="w" * size)) is False  # type: ignore[arg-type]
        [given[size]] = pattern.timeouts
    assert given[100] <= SEARCH_TIMEOUT + 0.001
    assert given[1_000_000] > SEARCH_TIMEOUT + 0.9 * SEARCH_SECONDS_PER_MILLION_CHARS


def test_the_same_rule_works_on_ordinary_text() -> None:
    assert verdict((), (CATASTROPHIC,), Fields(title="Banana")) == (False, [])  # matches: ends in a's
    assert verdict((), (CATASTROPHIC,), Fields(title="Hello!")) == (True, [])


# -- scopes ---------------------------------------------------------------------------------

#: Each field of ARTICLE has a word of its own.
WORDS = {"title": "alpha", "text": "bravo", "author": "charlie", "link": "delta", "category": "echo"}


@pytest.mark.parametrize("scope", list(WORDS))
@pytest.mark.parametrize("field", list(WORDS))
def test_each_scope_looks_only_at_its_field(scope: str, field: str) -> None:
    rule = f"{scope}:{WORDS[field]}"
    assert evaluate(compile_rules([rule]), (), Fields.of(ARTICLE)).passed is (scope == field)


@pytest.mark.parametrize(
    ("rule", "found"),
    [
        ("alpha", True),
        ("bravo", True),
        ("golf", True),  # every section
        ("charlie", False),  # the author is not searched by an unscoped rule ...
        ("delta", False),  # ... nor the link ...
        ("echo", False),  # ... nor the categories
        ("/^Alpha wins\\nBravo/", True),  # title, a newline, then the text: as before scopes
    ],
)
def test_an_unscoped_rule_searches_title_and_text_as_before(rule: str, found: bool) -> None:
    assert evaluate(compile_rules([rule]), (), Fields.of(ARTICLE)).passed is found


@pytest.mark.parametrize(
    ("rule", "text", "found"),
    [
        # Chinese, Japanese and Thai write no spaces between words: a keyword is found inside a
        # sentence, where "whole word" would never match (地铁 sits between 条 and 线).
        ("地铁", "该规划将在未来十年内新建五条地铁线路。", True),
        ("美術館", "東京都内に新しい現代美術館が今日開館しました。", True),
        ("ไทย", "ภาษาไทยง่ายนิดเดียว", True),
        ("北京", "该规划将在未来十年内新建五条地铁线路。", False),
        # A Latin word next to them is a whole word; inside a Latin word it is still not.
        ("iPhone", "今日はiPhoneの発売日です。", True),
        ("AI", "AI芯片的需求大增。", True),
        ("AI", "He said the chip was new.", False),
        ("phone", "今日はiPhoneの発売日です。", False),
    ],
)
def test_keywords_in_scripts_without_spaces_are_found_inside_sentences(rule: str, text: str, found: bool) -> None:
    assert evaluate(compile_rules([rule]), (), Fields(text=text)).passed is found


@pytest.mark.parametrize(
    ("rule", "categories", "found"),
    [
        ("category:foxtrot", ("Echo", "Foxtrot news"), True),  # a keyword: a whole word of one category
        ("category:/^foxtrot news$/i", ("Echo", "Foxtrot news"), True),  # anchors hold per category
        ("category:/^echo$/i", ("Echo", "Foxtrot news"), True),
        ("category:/^echo foxtrot/i", ("Echo", "Foxtrot news"), False),  # categories are not joined
        ("category:sport", ("Sports",), False),
        ("category:sport", (), False),
    ],
)
def test_category_rules_try_each_category_on_its_own(rule: str, categories: tuple[str, ...], found: bool) -> None:
    assert evaluate(compile_rules([rule]), (), Fields(categories=categories)).passed is found


def test_scoped_exclude_and_include_together() -> None:
    include, exclude = compile_rules(["category:echo"]), compile_rules(["author:/^Charlie\\b/"])
    assert not evaluate(include, exclude, Fields.of(ARTICLE)).passed
    assert evaluate(include, (), Fields.of(ARTICLE)).passed


def test_a_missing_author_or_link_is_empty_text() -> None:
    bare = Fields.of(Article(title="Alpha"))
    assert (bare.author, bare.link, bare.text, bare.categories) == ("", "", "", ())
    assert evaluate(compile_rules(["author:/^$/"]), (), bare).passed


@pytest.mark.parametrize("text", ["covid: update", "Title: update", "TEXT:x", "headline:x", "title :x"])
def test_only_the_exact_lowercase_prefixes_are_scopes(text: str) -> None:
    assert compile_rule(text).scope is None


def test_a_keyword_like_a_scope_stays_a_keyword() -> None:
    rule = compile_rule("covid: update")
    assert evaluate((rule,), (), Fields(title="Covid: update on the rules")).passed
    assert not evaluate((rule,), (), Fields(title="Covid rules update")).passed


def test_a_keyword_that_starts_with_a_scope_name_is_written_as_a_regex() -> None:
    as_regex = compile_rule("/\\btitle: the\\b/i")
    assert as_regex.scope is None
    assert evaluate((as_regex,), (), Fields(text="Its title: The End")).passed


def test_a_space_after_the_scope_is_allowed() -> None:
    rule = compile_rule("title: /^Breaking/")
    assert rule.scope == "title" and rule.pattern.pattern == "^Breaking"


@pytest.mark.parametrize(
    ("rule", "fields", "found"),
    [
        ("title:/^breaking/i", Fields(title="BREAKING: storm"), True),
        ("title:/^breaking/", Fields(title="BREAKING: storm"), False),  # case-sensitive without i
        ("text:/^Second$/m", Fields(text="First\nSecond\nThird"), True),
        ("text:/^Second$/", Fields(text="First\nSecond\nThird"), False),
        ("/storm.warning/s", Fields(title="storm", text="warning"), True),  # title, newline, text
        ("/storm.warning/", Fields(title="storm", text="warning"), False),
        ("/ storm \\s warning /x", Fields(title="storm warning"), True),
        ("link:/\\/sport\\//", Fields(link="https://example.com/sport/a"), True),
    ],
)
def test_regex_flags_still_work(rule: str, fields: Fields, found: bool) -> None:
    assert evaluate(compile_rules([rule]), (), fields).passed is found


# -- refused when the config loads -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("x" * (MAX_RULE_CHARS + 1), f"a filter of 501 characters is too long (at most {MAX_RULE_CHARS})"),
        ("title:", "'title:' names a field but no keyword or /regex/ to look for in it"),
        ("category:  ", "names a field but no keyword"),
        ("title:/(/", "bad regular expression 'title:/(/'"),
        ("/(?:(?:a|bc){100}){100}/", "repeats too much: written out, its counted repeats ({n}) come to 30,000 pieces"),
    ],
)
def test_bad_rules_say_what_is_wrong(rule: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        compile_rule(rule)
    assert message in str(caught.value)


def test_a_rule_of_the_longest_length_is_accepted() -> None:
    assert compile_rule("x" * MAX_RULE_CHARS).text == "x" * MAX_RULE_CHARS


def test_a_too_long_rule_is_a_config_error_with_file_and_line(write: Write) -> None:
    path = write(BASE + f"    exclude: [ok, {'z' * 600}]\n")
    assert problems(path) == [
        "newsbot.yaml:7:19: subscriptions[0].exclude[1]: a filter of 600 characters is too long (at most 500) — "
        "use a few shorter keywords or a simpler pattern"
    ]


def test_scoped_rules_load_and_are_kept_as_written(write: Write) -> None:
    config: Config = load(write(BASE + '    include: ["category:sport", "title:/^Breaking/i"]\n'))
    sub = config.subscriptions[0]
    assert sub.include == ("category:sport", "title:/^Breaking/i")
    sport = Article(title="Match report", categories=("Sport",))
    assert sub.matches(sport).passed
    assert not sub.matches(Article(title="Match report", categories=("Politics",))).passed
    assert sub.matches(Article(title="Breaking: storm")).passed


def test_a_pattern_that_would_crash_the_regex_compiler_is_refused_instead() -> None:
    """``regex`` unrolls counted repeats when compiling; this one crashed the interpreter
    (segmentation fault) before it was refused, so it runs in a child process."""
    code = (
        "from bot.config.filters import compile_rule\n"
        "try:\n    compile_rule('/(?:(?:a|bc){1000}){1000}/')\n"
        "except ValueError as exc:\n    print(exc)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "repeats too much" in done.stdout


# -- shown as written --------------------------------------------------------------------------------


def test_scoped_rules_are_shown_as_written_by_check_config_and_feeds_edit(write: Write) -> None:
    main = write(BASE)
    managed_add_feed(main, {"name": "web", "url": "https://example.com/feed.xml"}, {"feeds": ["web"], "channel": 42}, env={})
    typed = {"include": "category:sport, title:/^Breaking/i", "exclude": "author:/^AP$/"}  # as /feeds edit gets them
    edited = managed_edit_subscription(main, "web", None, changes_from_text(typed), env={})
    assert edited.change_lines() == [
        "include: none → category:sport, title:/^Breaking/i",
        "exclude: none → author:/^AP$/",
    ]
    sub = load(main).subscription("42:web")
    assert sub is not None
    assert "; include category:sport, title:/^Breaking/i; exclude author:/^AP$/;" in describe_subscription(sub)


def test_a_too_long_rule_from_feeds_edit_is_refused_and_nothing_is_written(write: Write) -> None:
    main = write(BASE)
    managed_add_feed(main, {"name": "web", "url": "https://example.com/feed.xml"}, {"feeds": ["web"], "channel": 42}, env={})
    before = Path("newsbot.managed.yaml").read_text()
    with pytest.raises(ConfigError) as caught:
        managed_edit_subscription(main, "web", None, {"exclude": ["q" * 501]}, env={})
    assert "a filter of 501 characters is too long (at most 500)" in str(caught.value.problems)
    assert Path("newsbot.managed.yaml").read_text() == before


@pytest.mark.parametrize(
    ("typed", "rules"),
    [
        ("ai, robots,, space ", ["ai", "robots", "space"]),
        ("/a{1,3}/i, word", ["/a{1,3}/i", "word"]),
        ("title: /x, y/ , category:sport", ["title: /x, y/", "category:sport"]),
        ("/half, open", ["/half", "open"]),  # no closing slash: an ordinary comma list
        ("", []),
    ],
)
def test_rules_typed_on_one_line_keep_their_regexes_whole(typed: str, rules: list[str]) -> None:
    assert split_rules(typed) == rules
    for rule in rules:
        compile_rule(rule)
