"""Subscription filters: keywords (case-insensitive, whole words) or ``/regex/flags``.

A rule is compiled once when the config loads, so a bad regex is a config error with a line number
rather than a failure in the middle of a poll.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Flags a ``/regex/flags`` rule may carry, JavaScript-style.
REGEX_FLAGS: dict[str, re.RegexFlag] = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}

_REGEX_RULE = re.compile(r"/(?P<body>.*)/(?P<flags>[A-Za-z]*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled filter rule, keeping the text the admin wrote for messages and summaries."""

    #: The rule as written in the config.
    text: str
    #: The compiled pattern: a whole-word keyword match, or the admin's own regex.
    pattern: re.Pattern[str]

    def search(self, haystack: str) -> bool:
        """Whether the rule occurs anywhere in ``haystack``."""
        return self.pattern.search(haystack) is not None


def compile_rule(text: str) -> Rule:
    """Compile a rule; ValueError saying what is wrong with it.

    A keyword matches as a whole word (or phrase) in any case: "AI" matches "new AI chip" but not
    "said".  A rule written ``/…/flags`` is a Python regular expression, case-sensitive unless the
    ``i`` flag is given, as in JavaScript.
    """
    if not text.strip():
        raise ValueError("an empty filter matches nothing useful — remove it or write a keyword")
    regex = _REGEX_RULE.fullmatch(text)
    if regex is None or len(text) < 2:
        words = re.escape(text.strip())
        return Rule(text, re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE))
    flags = 0
    for letter in regex["flags"]:
        if letter not in REGEX_FLAGS:
            raise ValueError(f"unknown regex flag {letter!r} in {text!r} — flags are i, m, s, x")
        flags |= REGEX_FLAGS[letter]
    try:
        return Rule(text, re.compile(regex["body"], flags))
    except re.error as exc:
        raise ValueError(f"bad regular expression {text!r}: {exc}") from exc


def compile_rules(texts: Iterable[str]) -> tuple[Rule, ...]:
    """Compile every rule in order."""
    return tuple(compile_rule(text) for text in texts)


def passes(include: Iterable[Rule], exclude: Iterable[Rule], title: str, text: str) -> bool:
    """True when some include rule matches (or there are none) and no exclude rule does.

    Title and text are searched together, so a keyword found in either counts.
    """
    haystack = f"{title}\n{text}"
    include = tuple(include)
    if include and not any(rule.search(haystack) for rule in include):
        return False
    return not any(rule.search(haystack) for rule in exclude)
