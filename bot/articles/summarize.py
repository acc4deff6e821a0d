"""Extractive summaries: each section's most informative sentences, and a TL;DR of the whole.

The scorer is position-aware centrality after PacSum (Zheng & Lapata, 2019): a sentence is
central when it is similar to the sentences *after* it (news states its gist first and then
elaborates), and similarity to earlier sentences counts against it (it is elaboration itself).
On top of that, a prior for being early (news puts its gist first: the lead is the baseline any
news summarizer must beat) and a few penalties for sentences that read badly on their own — too
short, a run-on, a bare quotation, or one that leans on a sentence before it ("He said…",
"But…").  Sentences are then picked greedily, each new pick discounted by how much it repeats
one already picked (maximal marginal relevance), so a photo caption restating the lead does not
take a second slot.  TF-IDF cosine similarity keeps it offline, deterministic and fast — no
model, no download.  Chosen sentences are always whole and always returned in their original
order.  The knobs live in ``Weights``; bench/tune_summary.py tunes them on the validation split
of the CNN/DailyMail set and bench/quality.py reports on its test split.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from bot.articles.sentences import split_sentences

DEFAULT_SECTION_SENTENCES = 2
DEFAULT_TLDR_SENTENCES = 3
#: Stop adding sentences to a summary past this size (Discord fields hold 1024 characters).
MAX_SUMMARY_CHARS = 900
#: Only the first sentences of a very long article compete for the TL;DR: bounded cost.
MAX_CANDIDATES = 120


@dataclass(frozen=True, slots=True)
class Weights:
    """The scorer's knobs, tuned on the validation split of the CNN/DM evaluation set (bench/tune_summary.py)."""

    #: Weight of similarity to earlier sentences (negative: elaboration of what came before).
    backward: float = -1.0
    #: Weight of similarity to later sentences.
    forward: float = 1.0
    #: Similarities below min + beta·(max − min) count as zero.
    beta: float = 0.0
    #: Bonus for being early: position_weight / (1 + index) ** position_decay.
    position_weight: float = 2.0
    position_decay: float = 1.0
    #: Sentences shorter than this many words are poor summaries on their own.
    min_words: int = 6
    #: Longer than this many words: a run-on (often captions glued together), penalized.
    max_words: int = 60
    #: Penalty for a sentence that is mostly a direct quotation.
    quote_penalty: float = 0.0
    #: Penalty for a sentence (not the first) that opens leaning on an earlier one ("He", "But"…).
    dangling_penalty: float = 0.0
    #: How much similarity to an already chosen sentence costs (maximal marginal relevance).
    redundancy: float = 0.0


DEFAULT_WEIGHTS = Weights()

#: Penalty that effectively rules a sentence out unless nothing better exists.
_UNFIT = 1.0

_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves out over own same she should
    so some such than that the their theirs them themselves then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves said says say also would could one two new year years mr mrs ms""".split()
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
#: Words that make a sentence lean on the one before it when they open it.
_DANGLING_OPENERS = frozenset(
    """he she it they them his her its their this that these those there but and or so also yet however
    meanwhile instead still then thus hence moreover furthermore besides otherwise nevertheless
    nonetheless additionally likewise similarly indeed""".split()
)
_OPENING_WORD = re.compile(r"^[\W_]*([A-Za-z]+)")
_QUOTED = re.compile(r"[\"“”‘’«»]|(?<!\w)'|'(?!\w)")
_QUOTE_SPAN = re.compile(r"[\"“«‘](.+?)[\"”»’](?!\w)|(?<!\w)'(.+?)'(?!\w)")


def _stem(word: str) -> str:
    """A light suffix stripper: enough to match "drone"/"drones", "produce"/"producing"."""
    for suffix in ("ingly", "edly", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def tokens(sentence: str) -> list[str]:
    """Content-word stems of a sentence."""
    return [_stem(w) for w in _TOKEN.findall(sentence.lower().replace("’", "'")) if w not in _STOPWORDS and len(w) > 1]


def similarity_matrix(sentences: Sequence[str]) -> list[list[float]]:
    """TF-IDF cosine similarity of every pair of sentences (IDF over the sentences themselves)."""
    n = len(sentences)
    bags = [tokens(s) for s in sentences]
    df: dict[str, int] = {}
    for bag in bags:
        for word in set(bag):
            df[word] = df.get(word, 0) + 1
    vectors: list[dict[str, float]] = []
    for bag in bags:
        tf: dict[str, float] = {}
        for word in bag:
            tf[word] = tf.get(word, 0.0) + 1.0
        vec = {w: c * math.log((n + 1) / (df[w] + 0.5)) for w, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    sims = [[0.0] * n for _ in range(n)]
    for i in range(n):
        vi = vectors[i]
        if not vi:
            continue
        for j in range(i + 1, n):
            vj = vectors[j]
            small, large = (vi, vj) if len(vi) < len(vj) else (vj, vi)
            sim = sum(v * large.get(w, 0.0) for w, v in small.items())
            if sim:
                sims[i][j] = sims[j][i] = sim
    return sims


def quoted_share(sentence: str) -> float:
    """The share of a sentence's characters inside quotation marks (0 to 1)."""
    if not _QUOTED.search(sentence):
        return 0.0
    inside = sum(len(m.group(0)) for m in _QUOTE_SPAN.finditer(sentence))
    if not inside and sentence.lstrip()[:1] in "\"“‘'«":
        return 1.0  # a quotation that runs on past this sentence
    return min(1.0, inside / max(1, len(sentence)))


def is_dangling(sentence: str) -> bool:
    """True when the sentence opens with a word that points back at an earlier sentence."""
    match = _OPENING_WORD.match(sentence)
    return bool(match) and match.group(1).lower() in _DANGLING_OPENERS


def score_sentences(
    sentences: Sequence[str], *, weights: Weights = DEFAULT_WEIGHTS, sims: list[list[float]] | None = None
) -> list[float]:
    """PacSum-style directed centrality plus a position prior and fitness penalties, one score per sentence."""
    n = len(sentences)
    if sims is None:
        sims = similarity_matrix(sentences)
    values = [sims[i][j] for i in range(n) for j in range(i + 1, n)]
    lo, hi = (min(values), max(values)) if values else (0.0, 0.0)
    if hi <= 0:
        lo, hi = 0.0, 1.0
    threshold = lo + weights.beta * (hi - lo)

    raw: list[float] = []
    for i in range(n):
        row = sims[i]
        back = sum(max(0.0, row[j] - threshold) for j in range(i))
        fwd = sum(max(0.0, row[j] - threshold) for j in range(i + 1, n))
        raw.append(weights.backward * back + weights.forward * fwd)
    lo_c, hi_c = (min(raw), max(raw)) if raw else (0.0, 0.0)
    span = (hi_c - lo_c) or 1.0
    scores = []
    for i, value in enumerate(raw):
        sentence = sentences[i]
        words = len(sentence.split())
        score = (value - lo_c) / span + weights.position_weight / (1 + i) ** weights.position_decay
        if words < weights.min_words:
            score -= _UNFIT
        elif words > weights.max_words:
            score -= _UNFIT * min(1.0, (words - weights.max_words) / weights.max_words)
        if weights.quote_penalty:
            score -= weights.quote_penalty * quoted_share(sentence)
        if i and weights.dangling_penalty and is_dangling(sentence):
            score -= weights.dangling_penalty
        scores.append(score)
    return scores


def rank_sentences(sentences: Sequence[str], k: int, *, weights: Weights = DEFAULT_WEIGHTS) -> list[int]:
    """Indexes of the k best sentences, in original order."""
    n = len(sentences)
    if n <= k:
        return list(range(n))
    sims = similarity_matrix(sentences)
    scores = score_sentences(sentences, weights=weights, sims=sims)
    return _select(sentences, scores, sims, k, weights.redundancy)


def _select(sentences: Sequence[str], scores: list[float], sims: list[list[float]], k: int, redundancy: float) -> list[int]:
    """Greedy picks by score, each discounted by its similarity to what is already picked."""
    chosen: list[int] = []
    total = 0
    remaining = set(range(len(sentences)))
    while remaining and len(chosen) < k:
        best = max(
            remaining,
            key=lambda i: (scores[i] - redundancy * max((sims[i][j] for j in chosen), default=0.0), -i),
        )
        remaining.discard(best)
        if chosen and total + len(sentences[best]) > MAX_SUMMARY_CHARS:
            continue
        chosen.append(best)
        total += len(sentences[best])
    return sorted(chosen)


def summarize_sentences(sentences: Sequence[str], k: int, *, weights: Weights = DEFAULT_WEIGHTS) -> str:
    """The k best sentences joined in their original order."""
    return " ".join(sentences[i] for i in rank_sentences(sentences, k, weights=weights))


def section_sentences(paragraphs: Sequence[str]) -> list[str]:
    """All sentences of a section, paragraph by paragraph."""
    return [s for p in paragraphs for s in split_sentences(p)]


def summarize_section(paragraphs: Sequence[str], k: int = DEFAULT_SECTION_SENTENCES) -> str:
    """A section's summary, drawn only from its own sentences.

    A section of one or two sentences (or of no more than k) is its own summary.
    """
    sentences = section_sentences(paragraphs)
    if len(sentences) <= max(k, 2):
        return " ".join(sentences)
    return summarize_sentences(sentences, k)


def summarize_article(
    sections: Sequence[Sequence[str]],
    k: int = DEFAULT_TLDR_SENTENCES,
    *,
    first_section_summary: str | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> str:
    """The TL;DR over the whole article (sections given as their paragraphs).

    When the article has several sections, the TL;DR is made to differ from the first
    section's summary: a member who reads both should learn something from each.
    """
    per_section = [section_sentences(p) for p in sections]
    sentences = [s for group in per_section for s in group][:MAX_CANDIDATES]
    if not sentences:
        return ""
    if len(sentences) <= k:
        return " ".join(sentences)
    sims = similarity_matrix(sentences)
    scores = score_sentences(sentences, weights=weights, sims=sims)
    chosen = _select(sentences, scores, sims, k, weights.redundancy)
    summary = " ".join(sentences[i] for i in chosen)
    first_len = len(per_section[0]) if per_section else 0
    if (
        first_section_summary is not None
        and len(per_section) > 1
        and summary == first_section_summary
        and len(sentences) > first_len
    ):
        outside = max(range(first_len, len(sentences)), key=lambda i: (scores[i], -i))
        chosen = sorted(chosen[:-1] + [outside]) if len(chosen) > 1 else sorted(chosen + [outside])
        summary = " ".join(sentences[i] for i in chosen)
    return summary
