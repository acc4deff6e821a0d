"""Subscription filters: keywords (case-insensitive, whole words) or ``/regex/flags``, each on the
title and text of an article or, written ``title:…``, ``author:…``, ``link:…``, ``category:…`` or
``text:…``, on that one field.

A rule is compiled once when the config loads, so a bad regex is a config error with a line number
rather than a failure in the middle of a poll.

Rules are hostile input: any server's admins can set them from Discord, and a pattern such as
``/(a+)+$/`` backtracks for minutes on a long article.  Python's ``re`` cannot be stopped, and the
search runs on the bot's one event loop, so every rule is compiled with the ``regex`` package
(``re``'s syntax) and searched with a ``timeout`` (``SEARCH_TIMEOUT``).  A search that runs out of
time decides the safe way — a timeout never lets through a story a working rule would have stopped:

- an ``include`` rule that timed out did not match (it lets nothing in);
- an ``exclude`` rule that timed out did match (the admin wanted such stories kept out).

This module does not log (it is pure): ``Verdict.timed_out`` names the rules that ran out of time,
and the poller logs them.
"""

from __future__ import annotations

import re
import re._constants as _re_constants  # re's own parse tree, to bound repeat counts (see _compile_regex)
import re._parser as _re_parser
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, get_args

import regex

from bot.articles.words import UNSPACED_CHARS
from bot.model import Article

#: Flags a ``/regex/flags`` rule may carry, JavaScript-style.
REGEX_FLAGS: dict[str, int] = {"i": regex.IGNORECASE, "m": regex.MULTILINE, "s": regex.DOTALL, "x": regex.VERBOSE}
#: Seconds one rule may search one article (all of its categories together, for ``category:``),
#: plus ``SEARCH_SECONDS_PER_MILLION_CHARS`` for the length searched.  Ordinary rules take
#: microseconds on an ordinary article; only a backtracking pattern gets near this.
SEARCH_TIMEOUT = 0.05
#: The allowance for length: a rule that scans in linear time must never run out on a long but
#: ordinary article (an alternation such as ``/(war|peace) (talks|deal)/i`` scans a million
#: characters in ~30 ms on a developer's machine, and a feed's body may hold a million), while a
#: backtracking one, whose time grows far faster than the text, still does.  At the largest body
#: a rule may hold the loop 0.3 s.
SEARCH_SECONDS_PER_MILLION_CHARS = 0.25
#: Longest rule accepted, in characters, scope included: a filter is a word or a short pattern.
MAX_RULE_CHARS = 500
#: Largest size of a regex with its counted repeats written out (``(?:ab{50}){100}`` is 5,100):
#: ``regex`` unrolls them when compiling, in time and C stack that grow with it — a pattern that
#: unrolls to 200,000 pieces crashed the process (see ``_compile_regex``).
MAX_UNROLLED_SIZE = 10_000

#: The fields a rule may be scoped to, by the prefix written before the colon.
Scope = Literal["title", "author", "link", "category", "text"]
SCOPES: tuple[str, ...] = get_args(Scope)

_REGEX_RULE = re.compile(r"/(?P<body>.*)/(?P<flags>[A-Za-z]*)", re.DOTALL)
# Only these exact lowercase names are scopes: "Covid: update" or "covid: update" stay keywords.
_SCOPED_RULE = re.compile(rf"(?P<scope>{'|'.join(SCOPES)}):(?P<rule>.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Fields:
    """The parts of an article a rule may look at, as plain text."""

    #: The headline.
    title: str = ""
    #: The body: every section's text, in order.
    text: str = ""
    #: The byline ("" when there is none).
    author: str = ""
    #: The article's URL ("" when there is none).
    link: str = ""
    #: The feed's categories or tags of the entry, each searched on its own.
    categories: tuple[str, ...] = ()

    @classmethod
    def of(cls, article: Article) -> Fields:
        """What the rules see of ``article``: the story as freshly built, categories included."""
        return cls(
            title=article.title,
            text="\n".join(section.text for section in article.sections),
            author=article.author or "",
            link=article.url or "",
            categories=article.categories,
        )

    def haystacks(self, scope: Scope | None) -> tuple[str, ...]:
        """The texts a rule with ``scope`` searches; an unscoped rule searches title and text together."""
        if scope is None:
            return (f"{self.title}\n{self.text}",)
        if scope == "category":
            return self.categories
        return (getattr(self, scope),)


def search_budget(haystacks: Iterable[str]) -> float:
    """Seconds a rule may take to search ``haystacks``: ``SEARCH_TIMEOUT`` and the allowance for their length."""
    return SEARCH_TIMEOUT + SEARCH_SECONDS_PER_MILLION_CHARS * sum(map(len, haystacks)) / 1_000_000


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled filter rule, keeping the text the admin wrote for messages and summaries."""

    #: The rule as written in the config.
    text: str
    #: The compiled pattern: a whole-word keyword match, or the admin's own regex.
    pattern: regex.Pattern[str]
    #: The one field it looks at; None: title and text.
    scope: Scope | None = None

    def search(self, fields: Fields) -> bool:
        """Whether the rule occurs in its field (in any one category, for ``category:``).

        Raises TimeoutError when the search took longer in all than ``search_budget`` allows.
        """
        haystacks = fields.haystacks(self.scope)
        deadline = time.monotonic() + search_budget(haystacks)
        for haystack in haystacks:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"filter {self.text!r} timed out")
            if self.pattern.search(haystack, timeout=left) is not None:
                return True
        return False


#: Which of a subscription's lists a rule is in.
RuleList = Literal["include", "exclude"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether an article passes a subscription's filters, and which rules ran out of time deciding."""

    #: True: post it here.
    passed: bool
    #: The rules whose search timed out, with their list: an include rule counted as not matching,
    #: an exclude rule as matching (see the module docstring).
    timed_out: tuple[tuple[RuleList, Rule], ...] = ()


def compile_rule(text: str) -> Rule:
    """Compile a rule; ValueError saying what is wrong with it.

    A keyword matches as a whole word (or phrase) in any case: "AI" matches "new AI chip" but not
    "said".  A rule written ``/…/flags`` is a regular expression (Python's syntax), case-sensitive
    unless the ``i`` flag is given, as in JavaScript.  Either may start with a scope —
    ``title:``, ``author:``, ``link:``, ``category:`` or ``text:`` — to look at that field only;
    a keyword that itself starts with one of those words and a colon is written as a regex.
    """
    if not text.strip():
        raise ValueError("an empty filter matches nothing useful — remove it or write a keyword")
    if len(text) > MAX_RULE_CHARS:
        raise ValueError(
            f"a filter of {len(text):,} characters is too long (at most {MAX_RULE_CHARS}) — "
            "use a few shorter keywords or a simpler pattern"
        )
    scope, body = _split_scope(text)
    regex_rule = _REGEX_RULE.fullmatch(body)
    if regex_rule is None or len(body) < 2:
        return Rule(text, _keyword_pattern(body.strip()), scope)
    flags = 0
    for letter in regex_rule["flags"]:
        if letter not in REGEX_FLAGS:
            raise ValueError(f"unknown regex flag {letter!r} in {text!r} — flags are i, m, s, x")
        flags |= REGEX_FLAGS[letter]
    return Rule(text, _compile_regex(text, regex_rule["body"], flags), scope)


#: A word character of a script written without spaces (Chinese, Japanese, Thai…): no word
#: boundary is ever written next to it, so it counts as one.
_UNSPACED = f"[{UNSPACED_CHARS}]"
#: Not preceded (followed) by a letter or digit that would make the keyword part of a longer word.
_WORD_BEFORE = rf"(?<!(?!{_UNSPACED})\w)"
_WORD_AFTER = rf"(?!(?!{_UNSPACED})\w)"


def _keyword_pattern(keyword: str) -> regex.Pattern[str]:
    """The keyword as a whole word or phrase, any case.

    In Chinese, Japanese or Thai nothing separates words, so a keyword there is found wherever it
    stands ("地铁" in "新建五条地铁线路"), and a Latin keyword next to such a character is a whole
    word ("iPhone" in "今日はiPhoneの…"); between Latin letters it is not ("AI" in "said").
    """
    before = "" if regex.match(_UNSPACED, keyword) else _WORD_BEFORE
    after = "" if regex.search(f"{_UNSPACED}$", keyword) else _WORD_AFTER
    return regex.compile(f"{before}{regex.escape(keyword)}{after}", regex.IGNORECASE)


def _compile_regex(text: str, body: str, flags: int) -> regex.Pattern[str]:
    """The admin's regex, compiled by ``regex`` once ``re`` has vouched for it.

    ``re`` checks the syntax first: the language stays Python's (``regex`` accepts more, such as
    ``(?V1)``), and its messages are the ones admins have always had.  Then the counted repeats are
    bounded (``MAX_UNROLLED_SIZE``): ``regex`` unrolls them when compiling, and the 25 characters
    ``(?:(?:a|bc){1000}){1000}`` crash the process with a segmentation fault (regex 2026.11.19),
    as do twenty copies of ``(?:(?:a|bc){100}){100}`` — before any search timeout could help.
    """
    try:
        re.compile(body, flags)
        size = _unrolled_size(_re_parser.parse(body, flags))
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"bad regular expression {text!r}: {exc}") from exc
    if size > MAX_UNROLLED_SIZE:
        raise ValueError(
            f"regular expression {text!r} repeats too much: written out, its counted repeats ({{n}}) "
            f"come to {size:,} pieces, more than {MAX_UNROLLED_SIZE:,} — use smaller counts, or + and *"
        )
    try:
        return regex.compile(body, flags)
    except (regex.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"bad regular expression {text!r}: {exc}") from exc


_REPEATS = frozenset({_re_constants.MAX_REPEAT, _re_constants.MIN_REPEAT, _re_constants.POSSESSIVE_REPEAT})


def _unrolled_size(pattern: _re_parser.SubPattern) -> int:
    """How many pieces ``pattern`` would be with its counted repeats written out, from ``re``'s parse tree.

    Each character, class or anchor is one piece; a repeat multiplies its body by its upper bound,
    or by its lower bound when it has none (``a{1000,}``), so ``*`` and ``+`` multiply by 1 (nothing
    is unrolled for them); alternatives, groups and lookarounds add up their parts.
    """
    size = 0
    for opcode, argument in pattern:
        if opcode in _REPEATS:
            low, high, inner = argument
            count = low if high == _re_constants.MAXREPEAT else high
            size += max(count, 1) * _unrolled_size(inner)
        else:
            size += max(1, sum(_unrolled_size(inner) for inner in _subpatterns(argument)))
    return size


def _subpatterns(argument: Any) -> Iterator[_re_parser.SubPattern]:
    """The sub-patterns inside an opcode's argument (a group's body, a branch's alternatives…)."""
    if isinstance(argument, _re_parser.SubPattern):
        yield argument
    elif isinstance(argument, (list, tuple)):
        for item in argument:
            yield from _subpatterns(item)


def _split_scope(text: str) -> tuple[Scope | None, str]:
    """(scope, the rule after it), or (None, text) for a rule on title and text."""
    scoped = _SCOPED_RULE.fullmatch(text)
    if scoped is None:
        return None, text
    body = scoped["rule"].lstrip()
    if not body:
        raise ValueError(f"{text!r} names a field but no keyword or /regex/ to look for in it — write e.g. '{scoped['scope']}:sport'")
    scope: Scope = scoped["scope"]  # type: ignore[assignment]  # one of SCOPES, by the pattern
    return scope, body


#: A rule typed as a regex, scoped or not: where its body starts.
_REGEX_START = re.compile(rf"(?:(?:{'|'.join(SCOPES)}):\s*)?/")
#: Where a regex typed in a list ends: a slash, its flags, then a comma or the end of the text.
_REGEX_END = re.compile(r"/[A-Za-z]*\s*(?:,|$)")


def split_rules(typed: str) -> list[str]:
    """Rules typed on one line, comma-separated (``/feeds edit include:``), each stripped.

    A comma inside a ``/regex/`` is part of it (``/a{1,3}/``, ``title:/x, y/i``): a regex runs
    to the first slash that its flags and a comma (or the end) follow.  Empty items are dropped.
    """
    rules: list[str] = []
    rest = typed.strip()
    while rest:
        start = _REGEX_START.match(rest)
        end = _REGEX_END.search(rest, start.end()) if start else None
        if end is not None:
            rule, rest = rest[: end.end()].rstrip().removesuffix(",").rstrip(), rest[end.end():]
        else:
            rule, _, rest = rest.partition(",")
        if rule.strip():
            rules.append(rule.strip())
        rest = rest.strip()
    return rules


def compile_rules(texts: Iterable[str]) -> tuple[Rule, ...]:
    """Compile every rule in order."""
    return tuple(compile_rule(text) for text in texts)


def evaluate(include: Iterable[Rule], exclude: Iterable[Rule], fields: Fields) -> Verdict:
    """Some include rule matches (or there are none) and no exclude rule does; timed-out rules named.

    Rules are tried in order and stop at the first that decides, so a slow rule after a deciding
    one costs nothing.
    """
    timed_out: list[tuple[RuleList, Rule]] = []
    include = tuple(include)
    if include and not any(_hit("include", rule, fields, timed_out) for rule in include):
        return Verdict(False, tuple(timed_out))
    blocked = any(_hit("exclude", rule, fields, timed_out) for rule in exclude)
    return Verdict(not blocked, tuple(timed_out))


def _hit(kind: RuleList, rule: Rule, fields: Fields, timed_out: list[tuple[RuleList, Rule]]) -> bool:
    """Whether ``rule`` matched; a timed-out rule is noted and counts the safe way for its list."""
    try:
        return rule.search(fields)
    except TimeoutError:
        timed_out.append((kind, rule))
        return kind == "exclude"
