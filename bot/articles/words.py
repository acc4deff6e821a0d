"""Words in any writing system: how many a text has, and the terms sentences are compared by.

English puts spaces between its words; Chinese, Japanese, Thai, Lao, Khmer and Myanmar do not, so
``text.split()`` counts a Chinese paragraph as one word and a word pattern returns a whole clause
as one term — the summarizer then found nothing in common between two sentences, counted every
sentence "too short", and a feed's whole entry looked like a teaser.  Runs of those scripts are
read instead as overlapping pairs of characters (bigrams: the unit CJK search engines index,
as Lucene's CJK bigram filter does, since it needs no dictionary), and they count as one word per
two characters (a Chinese word is 1.5–2 characters on average).  Every other script — Latin,
Cyrillic, Greek, Arabic, Hebrew, Devanagari, Hangul — is split on spaces, as before.

Plain ASCII text, most of English news, takes the old fast path and gets exactly what it got
before; other text is matched with the ``regex`` package, whose ``\\p{M}`` keeps the vowel signs of
Devanagari and the other Indic scripts inside their words (``re``'s ``\\w`` cuts "हिन्दी" into
four pieces).
"""

from __future__ import annotations

import re

import regex

#: Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, Japanese kana, CJK
#: ideographs (with extension A, compatibility forms and the supplementary planes), half-width
#: katakana.  Hangul is not among them: Korean spaces its words.
UNSPACED_CHARS = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_UNSPACED_RUN = re.compile(f"[{UNSPACED_CHARS}]+")
#: A word of ASCII text: letters and digits, with an apostrophe inside ("it's"), lowercased.
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
#: A word in any script: a letter or digit, then letters, digits and combining marks.
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:'[\p{L}\p{N}\p{M}]+)?")
#: What may cling to a word in running text: split on spaces, a word is stripped of these.
_PUNCTUATION = "\"'.,;:!?()[]{}<>«»“”‘„¿¡…—–-/*&%#@|·、，。！？：；（）「」『』।॥؟،"
#: Characters per word in an unspaced script, for counting.
CHARS_PER_WORD = 2


def has_unspaced(text: str) -> bool:
    """True when some of the text is in a script written without spaces."""
    return not text.isascii() and _UNSPACED_RUN.search(text) is not None


def word_count(text: str) -> int:
    """How many words the text has: its space-separated words, plus a word per two characters of
    an unspaced script (a run of one character is a word)."""
    if not has_unspaced(text):
        return len(text.split())
    count = 0
    for run in _UNSPACED_RUN.findall(text):
        count += -(-len(run) // CHARS_PER_WORD)
    rest = _UNSPACED_RUN.sub(" ", text)
    # Between two runs is often only their punctuation ("。"), which is no word.
    return count + sum(1 for token in rest.split() if any(c.isalnum() for c in token))


def terms(text: str) -> list[str]:
    """The text's words, lowercased, in order; a run of an unspaced script as its character pairs.

    A run of a single character is returned as that character.  Apostrophes are straightened so
    "it’s" and "it's" are one word.
    """
    text = text.lower().replace("’", "'")
    if text.isascii():
        return _ASCII_WORD.findall(text)
    out: list[str] = []
    for word in _WORD.findall(text):
        if not _UNSPACED_RUN.search(word):
            out.append(word)
            continue
        position = 0
        for run in _UNSPACED_RUN.finditer(word):
            if run.start() > position:
                out.append(word[position : run.start()])  # "g7" of "g7峰会"
            chars = run.group()
            out.extend([chars] if len(chars) == 1 else [chars[i : i + 2] for i in range(len(chars) - 1)])
            position = run.end()
        if position < len(word):
            out.append(word[position:])
    return out


def plain_words(text: str) -> list[str]:
    """The text's space-separated words, lowercased, without the punctuation around them.

    For what looks words up in a list (the stop words that tell an article's language): no
    character pairs, which would match nothing there, and no regex, which costs 0.1 ms a page.
    """
    return [w for w in (token.strip(_PUNCTUATION) for token in text.lower().replace("’", "'").split()) if w]


def spaced_characters(text: str, separator: str, *, before: str | None = None, after: str | None = None) -> str:
    """The text with ``separator`` between the characters of each unspaced run, and ``before`` and
    ``after`` it (the separator again, unless given).

    A search engine that splits words at separators (SQLite's FTS5, PostgreSQL's text search)
    reads "新建五条地铁线路" as one word, so a search for "地铁" would never find it; with a
    separator between the characters, each is a word, and "地铁" is searched for as the phrase
    of its two characters, which matches them only side by side.
    """
    if not has_unspaced(text):
        return text
    opening = separator if before is None else before
    closing = separator if after is None else after
    return _UNSPACED_RUN.sub(lambda run: opening + separator.join(run.group()) + closing, text)
