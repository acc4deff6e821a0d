"""Stop words in the article's own language: the words a summary's similarity should not count.

The summarizer compares sentences by the words they share.  "the", "of" and "said" are shared by
every sentence of an English story and say nothing about which ones carry it, so English's are
left out (on the CNN/DM validation split, counting them drops the TL;DR from 1.045x to 1.036x its
length-matched lead: ``python -m bench.quality --split validation`` with the list emptied).  A German,
French or Russian story had the same problem with its own "der", "de" and "и", which English's
list does not hold.

Each language's list comes from the stop-words package (BSD; plain word lists, no model), except
English's, which is newsbot's own, tuned on the validation split.  Which list applies is decided
once per article, by which one covers most of its first words — the classic stop-word language
guess, which needs nothing but the lists themselves.  English wins ties, so an English article
gets exactly what it got before.  Chinese and Japanese are compared by character pairs, which no
word list matches, so they are not candidates.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from itertools import chain, islice, repeat
from typing import Iterable

from stop_words import AVAILABLE_LANGUAGES, get_stop_words

ENGLISH = "english"
#: newsbot's English list: the common function words, plus what every news sentence says
#: ("said", "mr", "year"), which the validation split showed to be noise.
ENGLISH_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves out over own same she should
    so some such than that the their theirs them themselves then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves said says say also would could one two new year years mr mrs ms""".split()
)
#: Lists that single words never match here: those scripts are compared by character pairs.
_UNSPACED = frozenset({"chinese", "japanese"})
#: How many of an article's first words decide its language: enough for a clear majority, few
#: enough that a long article costs no more than a short one.
SAMPLE_WORDS = 400
#: An article at least this share of whose words are in English's list is English without
#: comparing the others: on the AEB pages English prose is 24% or more, every other language's 8%
#: or less (CNN/DM stories: 30% or more).
ENGLISH_AT_ONCE = 0.2
#: A language must cover at least this share of those words: on the AEB pages the prose of the
#: other languages is 23% or more its own list's words, while the few Latin words of a Korean or
#: Japanese page ("for", "PC") are a small share of its words and name no language.
MIN_SHARE = 0.15


@lru_cache(maxsize=None)
def stopwords(language: str) -> frozenset[str]:
    """The stop words of ``language`` (a stop-words package name, such as "german"), lowercased."""
    if language == ENGLISH:
        return ENGLISH_STOPWORDS
    return frozenset(word.strip().lower().replace("’", "'") for word in get_stop_words(language) if word.strip())


@lru_cache(maxsize=1)
def _languages_of_word() -> dict[str, tuple[str, ...]]:
    """Each stop word, and the languages whose list holds it: one lookup per word of an article."""
    table: dict[str, list[str]] = {}
    candidates = [ENGLISH] + sorted(set(AVAILABLE_LANGUAGES) - {ENGLISH} - _UNSPACED)
    for language in candidates:
        for word in stopwords(language):
            table.setdefault(word, []).append(language)
    return {word: tuple(languages) for word, languages in table.items()}


def language_of(words: Iterable[str]) -> str:
    """The language whose stop words cover most of ``words`` (lowercased terms); English on a tie."""
    sample = list(islice(words, SAMPLE_WORDS))
    if sum(map(ENGLISH_STOPWORDS.__contains__, sample)) >= ENGLISH_AT_ONCE * len(sample) > 0:
        return ENGLISH  # most articles: one set lookup a word, in C
    # Counted in C: each word's languages looked up and tallied without a Python loop per word.
    hits = Counter(chain.from_iterable(map(_languages_of_word().get, sample, repeat((), len(sample)))))
    sampled = len(sample)
    best = max(hits.values(), default=0)
    if best < MIN_SHARE * sampled or hits[ENGLISH] == best:
        return ENGLISH
    return min(language for language, n in hits.items() if n == best)
