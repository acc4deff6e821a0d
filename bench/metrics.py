"""The scores bench/quality.py reports, kept pure so each one can be checked on hand-made cases.

Extraction uses the Article Extraction Benchmark's own metric (scrapinghub/article-extraction-
benchmark, ``evaluate.py``), re-implemented here so our figures are comparable with the ones it
publishes: ``\\w+`` tokens, word 4-gram shingles counted as a multiset, TP/FP/FN per page
normalized by the page's shingle total (so a long page weighs no more than a short one),
precision and recall averaged over pages, and F1 computed from the two averages.

Summaries are compared with two lead baselines built here, because "lead" is the baseline any
extractive news summarizer has to beat:

* **Lead-k** — the story's first k sentences.
* **Length-matched lead** — the story's first *N* words, where *N* is the number of words of the
  summary it is compared with.  It is the lead cut to exactly the same length, so the only
  difference left between the two is *which* text was chosen; ROUGE F1 rewards and punishes
  length on its own, and a baseline of any other length would measure length, not choice.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Mapping, Sequence

#: The benchmark's shingle size.
SHINGLE_N = 4

_TOKEN = re.compile(r"\w+", re.UNICODE)


# ---------------------------------------------------------------------------------------------
# Extraction: the AEB shingle metric
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageCounts:
    """One page's shingle matches, normalized so tp + fp + fn == 1 (all zero for two empty texts)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        """None when the page predicted nothing and expected nothing: it is left out of the mean."""
        if self.tp + self.fp <= 0:
            return None
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        if self.tp + self.fn <= 0:
            return None
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn)


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision and recall averaged over pages; F1 of those two averages (as the benchmark does)."""

    precision: float
    recall: float
    f1: float


def word_tokens(text: str) -> list[str]:
    """The benchmark's tokens: runs of word characters, case kept."""
    return _TOKEN.findall(text or "")


def shingles(text: str, n: int = SHINGLE_N) -> Counter[tuple[str, ...]]:
    """Word n-grams of a text, counted.  A text shorter than n words is a single shorter shingle,
    as in the benchmark; an empty text has none."""
    tokens = word_tokens(text)
    grams: Counter[tuple[str, ...]] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        gram = tuple(tokens[i : i + n])
        if gram:
            grams[gram] += 1
    return grams


def page_counts(reference: str, predicted: str, n: int = SHINGLE_N) -> PageCounts:
    """TP/FP/FN of one page's shingles, normalized by their sum."""
    true, pred = shingles(reference, n), shingles(predicted, n)
    tp = fp = fn = 0.0
    for gram in true.keys() | pred.keys():
        t, p = true.get(gram, 0), pred.get(gram, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total > 0:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageCounts(tp, fp, fn)


def aggregate(pages: Iterable[PageCounts]) -> PRF:
    """Mean precision and mean recall over the pages where each is defined; F1 of the two means."""
    pages = list(pages)
    precisions = [p.precision for p in pages if p.precision is not None]
    recalls = [p.recall for p in pages if p.recall is not None]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return PRF(precision, recall, f1)


# ---------------------------------------------------------------------------------------------
# Summaries: lead baselines and ROUGE bookkeeping
# ---------------------------------------------------------------------------------------------


def lead_sentences(sentences: Sequence[str], k: int = 3) -> str:
    """Lead-k: the first k sentences, joined."""
    return " ".join(sentences[:k])


def length_matched_lead(text: str, words: int) -> str:
    """The first ``words`` whitespace-separated words of the story (the lead cut to a summary's length)."""
    if words <= 0:
        return ""
    return " ".join(text.split()[:words])


def word_count(text: str) -> int:
    """Words as length-matched lead counts them: whitespace-separated."""
    return len(text.split())


#: ROUGE F1 of one candidate against one reference, for the three variants in this order.
RougeFn = Callable[[str, str], tuple[float, float, float]]


@dataclass(frozen=True, slots=True)
class RougeMeans:
    """Mean ROUGE-1/2/L F1 over stories, in percent."""

    r1: float
    r2: float
    rl: float

    @property
    def mean(self) -> float:
        """The single figure ratios use: the mean of R-1, R-2 and R-L F1."""
        return (self.r1 + self.r2 + self.rl) / 3

    def __str__(self) -> str:
        return f"{self.r1:.1f}/{self.r2:.1f}/{self.rl:.1f}"


def rouge_means(pairs: Iterable[tuple[str, str]], rouge: RougeFn) -> RougeMeans:
    """Average ``rouge(candidate, reference)`` over (candidate, reference) pairs, as percentages."""
    scores = [rouge(candidate, reference) for candidate, reference in pairs]
    if not scores:
        return RougeMeans(0.0, 0.0, 0.0)
    return RougeMeans(*(100 * statistics.fmean(s[i] for s in scores) for i in range(3)))


#: Resamples for the bootstrap interval, and its seed (the interval must be reproducible).
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0


def paired_ratio_interval(
    ours: Sequence[float], baseline: Sequence[float], *, confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """A paired bootstrap interval for sum(ours) / sum(baseline) over the same items.

    Items (stories) are resampled with replacement, each keeping both of its scores, so the
    interval says how much the ratio owes to which stories happened to be in the split — with
    175 stories, about ±1.5%: a ratio inside that of 1.0 is a tie, not a win or a loss.
    """
    if len(ours) != len(baseline):
        raise ValueError("paired scores must be of the same items")
    if not ours:
        raise ValueError("an interval of no items")
    rng = random.Random(seed)
    n = len(ours)
    ratios = []
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        ratios.append(ratio(sum(ours[i] for i in picks), sum(baseline[i] for i in picks)))
    tail = (1 - confidence) / 2 * 100
    return percentile(ratios, tail), percentile(ratios, 100 - tail)


def nested_cv_ratios(
    cells: Mapping[Hashable, Sequence[tuple[float, float]]], *, folds: int = 5, repeats: int = 20, seed: int = 0
) -> list[float]:
    """What "pick the setting with the best ratio" is worth on stories it did not see.

    ``cells`` maps each setting to its per-story (ours, baseline) scores, the same stories in the
    same order for every setting.  Each repeat shuffles the stories into ``folds`` folds; for each
    fold the setting with the best sum(ours) / sum(baseline) on the other folds is chosen and
    scored on that fold; the held-out scores are pooled into one ratio per repeat.  The best cell's
    own ratio is optimistic (it was chosen *because* it scored well on these stories); this is
    the estimate to expect on a fresh split such as the test one.
    """
    settings = list(cells)
    if not settings:
        raise ValueError("no settings to choose from")
    n = len(cells[settings[0]])
    if any(len(cells[s]) != n for s in settings):
        raise ValueError("every setting must be scored on the same stories")
    if not 2 <= folds <= n:
        raise ValueError(f"cannot cut {n} stories into {folds} folds")
    rng = random.Random(seed)
    estimates = []
    for _ in range(repeats):
        order = list(range(n))
        rng.shuffle(order)
        ours = base = 0.0
        for k in range(folds):
            held = set(order[k::folds])
            train = [i for i in order if i not in held]

            def train_ratio(setting: Hashable) -> float:
                rows = cells[setting]
                return ratio(sum(rows[i][0] for i in train), sum(rows[i][1] for i in train))

            best = max(settings, key=train_ratio)
            ours += sum(cells[best][i][0] for i in held)
            base += sum(cells[best][i][1] for i in held)
        estimates.append(ratio(ours, base))
    return estimates


def ratio(ours: float, baseline: float) -> float:
    """ours / baseline, with a baseline of 0 giving inf (or 1.0 when both are 0)."""
    if baseline == 0:
        return 1.0 if ours == 0 else float("inf")
    return ours / baseline


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
