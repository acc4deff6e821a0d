"""feedparser's own test corpus (~2,100 feeds, many broken on purpose) through parse_feed.

One test loops over all files and reports every failure at once: faster than thousands of
parametrized cases, and the report names the files.
"""

from __future__ import annotations

import ast
import io
import re
import warnings
from pathlib import Path

import feedparser
import pytest

from bot.errors import ParseError
from bot.feeds.parse import plain_text, parse_feed
from bot.model import ParsedFeed

from .conftest import CORPUS, NOW

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"feedparser's corpus is not at {CORPUS} (../shared/corpus/feeds from the project root)"
)

#: Share of the well-formed files on which parse_feed and feedparser must agree (measured: 100%
#: on entry counts, 99.8% on titles — the misses are Atom 1.0 titles with a non-text type, which
#: RFC 4287 forbids, and a deliberately absurd HTML title).
MIN_AGREEMENT = 0.99

_HEADER = re.compile(r"^Header:\s*Content-Location:\s*(\S+)", re.M | re.I)
_EXPECT = re.compile(r"^Expect:\s*(.*)$", re.M)
_EXPECTED_VALUE = re.compile(
    r"""(entries\[0\]\['(?:title|link)'\]|feed\['(?:title|link)'\])\s*==\s*(u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*")\s*(?:and|$)"""
)


def corpus_files() -> list[Path]:
    return sorted(path for path in CORPUS.rglob("*") if path.suffix in (".xml", ".json") and path.is_file())


def base_url_for(path: Path, head: str) -> str | None:
    """What the corpus's test server would have said: its Content-Location header or its own URL."""
    header = _HEADER.search(head)
    if header:
        return header.group(1)
    return "http://127.0.0.1:8097/" + path.relative_to(CORPUS).as_posix()


def test_every_file_gives_a_feed_or_a_parse_error() -> None:
    files = corpus_files()
    assert len(files) > 2000
    surprises, refused_wellformed = [], []
    for path in files:
        name = path.relative_to(CORPUS).as_posix()
        try:
            feed = parse_feed(path.read_bytes(), source=name, now=NOW)
        except ParseError as exc:
            assert exc.source == name and exc.reason
            if name.startswith("wellformed/"):
                refused_wellformed.append(f"{name}: {exc.reason}")
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            surprises.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        assert isinstance(feed, ParsedFeed), name
    assert surprises == []
    assert refused_wellformed == []


def test_agrees_with_feedparser_on_the_wellformed_files() -> None:
    files = [path for path in corpus_files() if path.relative_to(CORPUS).parts[0] == "wellformed"]
    same_count, same_titles, differ = 0, 0, []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            data = path.read_bytes()
            reference = feedparser.parse(io.BytesIO(data))
            mine = parse_feed(data, source=path.name, now=NOW)
            same_count += len(reference.entries) == len(mine.entries)
            titles = [plain_text(entry.get("title"), 1000) for entry in reference.entries]
            if titles == [entry.title for entry in mine.entries]:
                same_titles += 1
            else:
                differ.append(path.relative_to(CORPUS).as_posix())
    count_share, title_share = same_count / len(files), same_titles / len(files)
    report = (
        f"entry counts agree on {count_share:.1%}, titles on {title_share:.1%} of {len(files)} files; "
        f"titles differ in: {differ}"
    )
    print(report)
    assert count_share >= MIN_AGREEMENT, report
    assert title_share >= MIN_AGREEMENT, report


def test_meets_the_corpus_expectations_for_titles_and_links() -> None:
    """Each file's comment says what feedparser must find (``Expect: not bozo and feed['title'] ==
    'x'``); parse_feed must find the same titles and links, titles compared as plain text."""
    checked, misses = 0, []
    for path in corpus_files():
        head = path.read_bytes()[:3000].decode("utf-8", "replace")
        expect = _EXPECT.search(head)
        if not expect or not expect.group(1).startswith("not bozo"):
            continue
        found = _EXPECTED_VALUE.findall(expect.group(1))
        if not found:
            continue
        feed = parse_feed(path.read_bytes(), source=path.name, base_url=base_url_for(path, head), now=NOW)
        for expression, literal in found:
            wanted = ast.literal_eval(literal.lstrip("u"))
            if expression.startswith("feed"):
                got = feed.title if "title" in expression else feed.link
            elif feed.entries:
                entry = feed.entries[0]
                got = entry.title if "title" in expression else entry.link
            else:
                got = None
            if "title" in expression:
                wanted = plain_text(wanted, 1000)
            checked += 1
            if got != wanted:
                misses.append(f"{path.relative_to(CORPUS).as_posix()}: {expression} == {wanted!r}, got {got!r}")
    assert checked > 150
    report = f"{checked - len(misses)} of {checked} expectations met; missed: {misses}"
    print(report)
    assert len(misses) <= 0.05 * checked, report


_NO_ENCODING = re.compile(r"^Description:.*with no encoding information.*\nExpect:.*encoding == '([\w-]+)'", re.M)


def test_feeds_that_declare_no_encoding_are_read_in_the_one_they_are_written_in() -> None:
    """The corpus's "… with no encoding information" feeds (windows-1255, EUC-JP, EUC-KR, KOI8-R,
    TIS-620): each one's comment names the encoding a reader must find without being told."""
    import codecs

    from bot.feeds.parse import _guessed_charset

    cases = {}
    for path in corpus_files():
        match = _NO_ENCODING.search(path.read_bytes()[:600].decode("ascii", "replace"))
        if match:
            cases[path.name] = (path.read_bytes(), match.group(1))
    assert len(cases) >= 5
    wrong = {
        name: (guess, expected)
        for name, (data, expected) in cases.items()
        if (guess := _guessed_charset(data, None)) is None or codecs.lookup(guess).name != codecs.lookup(expected).name
    }
    assert not wrong, wrong
