"""Extractive summaries: each section's most informative sentences, and a TL;DR of the whole.

The scorer is position-aware centrality after PacSum (Zheng & Lapata, 2019): a sentence is central
when it is similar to the sentences *after* it (news states its gist first and then elaborates);
PacSum also lets similarity to *earlier* sentences count against a sentence, a knob that tuned to
zero here. On top of that, a prior for being early (news puts its gist first: the lead is the
baseline any news summarizer must beat), for the TL;DR a bonus for sharing the headline's words,
and penalties for sentences that read badly on their own — too short, a run-on (often photo
captions glued together), or mostly a quotation. Sentences are then picked greedily, optionally
discounted by how much they repeat one already picked (maximal marginal relevance). TF-IDF cosine
similarity keeps it offline, deterministic and fast — no model, no download; the words compared
leave out the article's language's stop words (stopwords.py). Chosen sentences are
always whole and always returned in their original order. The knobs live in ``Weights``;
bench/tune_summary.py tunes them on the validation split of the CNN/DailyMail set and
bench/quality.py reports on its test split.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Callable, Sequence

from bot.articles.sentences import CLOSERS, ENDS, SPACE_ENDED_LETTERS, WIDE_ENDS, join_sentences, split_sentences
from bot.articles.stopwords import ENGLISH, language_of, stopwords
from bot.articles.words import plain_words, terms, word_count

DEFAULT_SECTION_SENTENCES = 2
DEFAULT_TLDR_SENTENCES = 3
#: Stop adding sentences to a summary past this size (Discord fields hold 1024 characters).
MAX_SUMMARY_CHARS = 900
#: Only the first sentences of a very long article compete for the TL;DR: bounded cost.
MAX_CANDIDATES = 120
#: Only a sentence's first characters are compared with other sentences: a longer one is a run-on
#: (penalized anyway), and a hostile megabyte-long sentence costs no more than an ordinary one.
MAX_SENTENCE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Weights:
    """The scorer's knobs, tuned on the validation split of the CNN/DM evaluation set (bench/tune_summary.py)."""

    #: Weight of similarity to earlier sentences (PacSum makes it negative: elaboration of what came
    #: before); 0 won on validation — with the position prior, the penalty only added noise.
    backward: float = 0.0
    #: Weight of similarity to later sentences.
    forward: float = 1.0
    #: Bonus for being early: position_weight / (1 + index) ** position_decay.
    position_weight: float = 2.0
    position_decay: float = 1.0
    #: Sentences shorter than this many words are poor summaries on their own.
    min_words: int = 6
    #: Longer than this many words: a run-on (often captions glued together), penalized.
    max_words: int = 60
    #: Penalty for a sentence that is mostly a direct quotation.
    quote_penalty: float = 1.0
    #: Penalty for a "sentence" with no closing punctuation: a spec line ("Tested by: … RRP: £23.99"),
    #: a date line, a credit, a list's lead-in ("Here is what we know:").  Larger than any bonus, so
    #: such a line is picked only when too few finished sentences are left.  Neutral on validation
    #: (its stories are prose: 0, 1, 2 and 3 scored the same); it is for real pages.
    unfinished_penalty: float = 10.0
    #: How much similarity to an already chosen sentence costs (maximal marginal relevance); 0 won
    #: on validation (news rarely repeats itself within three sentences), kept as a knob.
    redundancy: float = 0.0
    #: Bonus for sharing the headline's words (Edmundson's "title method"): the editors' own
    #: one-line summary says which sentences carry the story.  Only the TL;DR sees the headline.
    #: On validation 0.5 and 1.0 tie (+0.1% over 0, within noise); 0.5 is the gentler of the two
    #: and helps most where the lede is a hook ("It's amazing what make-up can do.").
    title_weight: float = 0.5


DEFAULT_WEIGHTS = Weights()

#: Penalty that effectively rules a sentence out unless nothing better exists.
_UNFIT = 1.0

_QUOTED = re.compile(r"[\"“”‘’«»「」『』]|(?<!\w)'|'(?!\w)")
_QUOTE_SPAN = re.compile(r"[\"“«‘](.+?)[\"”»’](?!\w)|(?<!\w)'(.+?)'(?!\w)|「(.+?)」|『(.+?)』")
#: How a finished sentence ends: a terminator (Latin, CJK, Indic, Arabic) or a Thai or Lao letter
#: (those scripts mark no sentence's end), then anything closing it.
_FINISHED = re.compile(f"[{ENDS}{WIDE_ENDS}{SPACE_ENDED_LETTERS}][{re.escape(CLOSERS)}]*$")
#: The closing mark of a quotation that began in an earlier sentence ("… for sale. Thanks to … China.\"").
_QUOTE_TAIL = re.compile(r"[.!?…,]\"$")


_SUFFIXES = ("ingly", "edly", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s", "e")


def _stem(word: str) -> str:
    """A light suffix stripper: enough to match "drone"/"drones", "produce"/"producing"."""
    if not word.endswith(_SUFFIXES):
        return word  # one test in C for the many words with none (every Chinese character pair)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=None)
def _content_stemmer(language: str) -> Callable[[str], str]:
    """The stem of a content word of ``language``; "" for its stop words or a single character (dropped)."""
    stop = stopwords(language)

    @lru_cache(maxsize=16384)
    def content_stem(word: str) -> str:
        return "" if word in stop or len(word) < 2 else _stem(word)

    return content_stem


@lru_cache(maxsize=4096)
def _token_tuple(sentence: str, language: str = ENGLISH) -> tuple[str, ...]:
    # Cached: the TL;DR scores the very sentences the section summaries just scored.  map/filter
    # over the cached per-word function keeps a known word's lookup out of the interpreter.
    return tuple(filter(None, map(_content_stemmer(language), terms(sentence))))


@lru_cache(maxsize=4096)
def _term_counts(sentence: str, language: str = ENGLISH) -> dict[str, int]:
    # Cached for the same reason; callers only read it.
    return Counter(_token_tuple(sentence[:MAX_SENTENCE_CHARS], language))


def tokens(sentence: str, language: str = ENGLISH) -> list[str]:
    """Content-word stems of a sentence."""
    return list(_token_tuple(sentence, language))


#: How much of an article's opening is read to tell its language (~250 words; on the AEB pages
#: 1,500 characters name the same language as 4,000 but for one Malay page read as Indonesian).
LANGUAGE_SAMPLE_CHARS = 1500


def article_language(sections: Sequence[Sequence[str]]) -> str:
    """The language whose stop words the article's text is written with (see stopwords.py)."""
    opening: list[str] = []
    length = 0
    for paragraph in chain.from_iterable(sections):
        opening.append(paragraph[: LANGUAGE_SAMPLE_CHARS - length])
        length += len(opening[-1]) + 1
        if length >= LANGUAGE_SAMPLE_CHARS:
            break
    return language_of(plain_words("\n".join(opening)))


Vector = dict[str, float]


def sentence_vectors(sentences: Sequence[str], *, also: Sequence[str] = (), language: str = ENGLISH) -> list[Vector]:
    """Unit-length TF-IDF vectors of the sentences (IDF over the sentences themselves).

    Texts in ``also`` (a headline) are vectorized after them with the sentences' IDF, so they
    take nothing away from the sentences' own weights.
    """
    n = len(sentences)
    bags = [_term_counts(s, language) for s in sentences]
    df = Counter(chain.from_iterable(bags))  # a bag's keys are its distinct words
    # One logarithm per distinct word, not one per word of every sentence.
    idf = {word: math.log((n + 1) / (count + 0.5)) for word, count in df.items()}
    unseen = math.log((n + 1) / 0.5)  # a headline's word no sentence has
    vectors: list[Vector] = []
    for bag in bags + [_term_counts(t, language) for t in also]:
        vec = {w: c * idf.get(w, unseen) for w, c in bag.items()}
        norm = math.hypot(*vec.values()) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    """Dot product of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def directed_centrality(
    vectors: Sequence[Vector], *, backward: bool = True, forward: bool = True
) -> tuple[list[float], list[float]]:
    """For each sentence, its summed similarity to the sentences before it and to those after it.

    Σ_j cos(v_i, v_j) over j > i is v_i · (Σ_j v_j): one running sum of vectors per direction
    instead of every pair, so the cost grows with the words of the text, not its square.  A
    direction whose weight is zero is not computed (its list stays zeros): it is half the cost.
    """
    n = len(vectors)
    before, after = [0.0] * n, [0.0] * n
    for wanted, order, out in ((backward, range(n), before), (forward, range(n - 1, -1, -1), after)):
        if not wanted:
            continue
        running: Vector = {}
        for i in order:
            out[i] = cosine(vectors[i], running) if running else 0.0
            for w, v in vectors[i].items():
                running[w] = running.get(w, 0.0) + v
    return before, after


#: quoted_share looks at this many characters at most: bounded cost on a hostile run-on.
MAX_QUOTE_SCAN = 600


def quoted_share(sentence: str) -> float:
    """The share of a sentence's characters inside quotation marks (0 to 1)."""
    sentence = sentence[:MAX_QUOTE_SCAN]
    if not _QUOTED.search(sentence):
        return 0.0
    inside = sum(len(m.group(0)) for m in _QUOTE_SPAN.finditer(sentence))
    if not inside and sentence.lstrip()[:1] in "\"“‘'«「『":
        return 1.0  # a quotation that runs on past this sentence
    if _continues_quotation(sentence.rstrip()):
        return 1.0  # the last words of a quotation that began earlier
    return min(1.0, inside / max(1, len(sentence)))


def _continues_quotation(sentence: str) -> bool:
    """It closes a quotation it never opened: one that began in an earlier sentence."""
    if ("”" in sentence and "“" not in sentence) or ("」" in sentence and "「" not in sentence):
        return True
    return sentence.count('"') % 2 == 1 and bool(_QUOTE_TAIL.search(sentence))


def score_sentences(
    sentences: Sequence[str],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    vectors: Sequence[Vector] | None = None,
    title_vector: Vector | None = None,
) -> list[float]:
    """PacSum-style directed centrality plus a position prior and fitness penalties, one score per sentence.

    ``title_vector`` (the headline in the sentences' TF-IDF space) adds ``weights.title_weight``
    times each sentence's similarity to it.
    """
    if vectors is None:
        vectors = sentence_vectors(sentences)
    back, fwd = directed_centrality(vectors, backward=bool(weights.backward), forward=bool(weights.forward))
    raw = [weights.backward * b + weights.forward * f for b, f in zip(back, fwd)]
    lo, hi = (min(raw), max(raw)) if raw else (0.0, 0.0)
    span = (hi - lo) or 1.0
    scores = []
    for i, value in enumerate(raw):
        words, quoted, finished = _fitness(sentences[i])
        score = (value - lo) / span + weights.position_weight / (1 + i) ** weights.position_decay
        if words < weights.min_words:
            score -= _UNFIT
        elif words > weights.max_words:
            score -= _UNFIT * min(1.0, (words - weights.max_words) / weights.max_words)
        if weights.quote_penalty:
            score -= weights.quote_penalty * quoted
        if weights.unfinished_penalty and not finished:
            score -= weights.unfinished_penalty
        if title_vector and weights.title_weight:
            score += weights.title_weight * cosine(vectors[i], title_vector)
        scores.append(score)
    return scores


@lru_cache(maxsize=4096)
def _fitness(sentence: str) -> tuple[int, float, bool]:
    """Words, quoted share, closing punctuation: cached, as the TL;DR rescores the sections' sentences."""
    return word_count(sentence), quoted_share(sentence), bool(_FINISHED.search(sentence.rstrip()))


def rank_sentences(
    sentences: Sequence[str], k: int, *, weights: Weights = DEFAULT_WEIGHTS, language: str = ENGLISH
) -> list[int]:
    """Indexes of the k best sentences, in original order."""
    n = len(sentences)
    if n <= k:
        return list(range(n))
    vectors = sentence_vectors(sentences, language=language)
    scores = score_sentences(sentences, weights=weights, vectors=vectors)
    return _select(sentences, scores, vectors, k, weights.redundancy)


def _select(
    sentences: Sequence[str], scores: list[float], vectors: Sequence[Vector], k: int, redundancy: float
) -> list[int]:
    """Greedy picks by score, each discounted by its similarity to what is already picked."""
    chosen: list[int] = []
    total = 0
    remaining = set(range(len(sentences)))

    def value(i: int) -> tuple[float, int]:
        overlap = max((cosine(vectors[i], vectors[j]) for j in chosen), default=0.0) if redundancy else 0.0
        return scores[i] - redundancy * overlap, -i

    while remaining and len(chosen) < k:
        best = max(remaining, key=value)
        remaining.discard(best)
        if chosen and total + len(sentences[best]) > MAX_SUMMARY_CHARS:
            continue
        chosen.append(best)
        total += len(sentences[best])
    return sorted(chosen)


def summarize_sentences(
    sentences: Sequence[str], k: int, *, weights: Weights = DEFAULT_WEIGHTS, language: str = ENGLISH
) -> str:
    """The k best sentences joined in their original order."""
    return join_sentences([sentences[i] for i in rank_sentences(sentences, k, weights=weights, language=language)])


#: A pointer at a photo ("(pictured)", "(left, with his wife)", "(file photo)"): a summary posts
#: no photo, so it would point at nothing.
_PHOTO_POINTER = re.compile(
    r"""\s*\(
        (?:(?:pictured|photographed|shown|seen\ here|inset|file\ (?:photo|picture|image))(?:[\s,:;][^()]{0,60})?
          | (?:(?:far|from|second|third|second\ from|third\ from)\ )?(?:left|right|cent(?:re|er)|above|below)
            (?:(?:,|\ and|\ to|\ with)\ [^()]{1,60})?
        )\)""",
    re.IGNORECASE | re.VERBOSE,
)


def without_photo_pointers(sentence: str) -> str:
    """The sentence with its pointers at the page's photos taken out."""
    return _PHOTO_POINTER.sub("", sentence).strip() if "(" in sentence else sentence


@lru_cache(maxsize=2048)
def _paragraph_sentences(paragraph: str) -> tuple[str, ...]:
    # Cached: the TL;DR splits the very paragraphs the section summaries just split.
    return tuple(t for t in (without_photo_pointers(s) for s in split_sentences(paragraph)) if t.strip())


def section_sentences(paragraphs: Sequence[str]) -> list[str]:
    """All sentences of a section, paragraph by paragraph."""
    return [s for p in paragraphs for s in _paragraph_sentences(p)]


def summarize_section(paragraphs: Sequence[str], k: int = DEFAULT_SECTION_SENTENCES, *, language: str = ENGLISH) -> str:
    """A section's summary, drawn only from its own sentences.

    A section of one or two sentences (or of no more than k) is its own summary.  ``language``
    picks the stop words (``article_language``).
    """
    sentences = section_sentences(paragraphs)
    if len(sentences) <= max(k, 2):
        return join_sentences(sentences)
    return summarize_sentences(sentences, k, language=language)


def summarize_article(
    sections: Sequence[Sequence[str]],
    k: int = DEFAULT_TLDR_SENTENCES,
    *,
    title: str | None = None,
    first_section_summary: str | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    language: str = ENGLISH,
) -> str:
    """The TL;DR over the whole article (sections given as their paragraphs).

    ``title`` is the headline: sentences that share its words rank higher (see
    ``Weights.title_weight``); it is never itself part of the TL;DR.

    When the article has several sections and the TL;DR would only repeat the first section's
    summary (every sentence it picked is in that summary), its weakest pick gives way to the best
    sentence from the other sections: a member who reads both should learn something from each.
    """
    per_section = [section_sentences(p) for p in sections]
    sentences = [s for group in per_section for s in group][:MAX_CANDIDATES]
    if not sentences:
        return ""
    if len(sentences) <= k:
        return join_sentences(sentences)
    title_vector: Vector | None = None
    if title and title.strip() and weights.title_weight:
        *vectors, title_vector = sentence_vectors(sentences, also=[title], language=language)
    else:
        vectors = sentence_vectors(sentences, language=language)
    scores = score_sentences(sentences, weights=weights, vectors=vectors, title_vector=title_vector)
    chosen = _select(sentences, scores, vectors, k, weights.redundancy)
    summary = join_sentences([sentences[i] for i in chosen])
    first_len = len(per_section[0])
    if (
        first_section_summary
        and len(per_section) > 1
        and len(sentences) > first_len
        and all(sentences[i] in first_section_summary for i in chosen)
    ):
        outside = max(range(first_len, len(sentences)), key=lambda i: (scores[i], -i))
        if len(chosen) >= k:
            chosen.remove(min(chosen, key=lambda i: (scores[i], -i)))
        chosen = sorted(chosen + [outside])
        summary = join_sentences([sentences[i] for i in chosen])
    return summary
