"""Where a long article without headings is cut into parts: at topic shifts, against even cuts.

    python -m bench.segment [--docs N] [--seed S]

Built as Choi (2000) built the standard text-segmentation test: each document is 3 to 5 article
bodies of the Article Extraction Benchmark (``../shared/eval``; human-marked text, paragraphs as
its annotators gave them) laid end to end with no headings, so the true boundaries are where one
article ends and the next begins.  The product's splitter (``bot.articles.sections.split_sections``,
TextTiling-placed cuts) cuts each document; in the same run, on the same documents, so do two
baselines: the product's splitter before it placed cuts by topic (a cut after every ~350 words),
and even cuts into as many parts as the product makes (which isolates *where* the cuts fall from
*how many* there are).  Two measures: the share of parts that hold text of one article only (what a
member notices: a part about one thing), and Pk (Beeferman et al., 1999), the standard error of a
segmentation: the share of paragraph pairs k apart that a split puts wrongly in the same part or
in different parts, k half the mean true segment length; lower is better.  The product makes more
parts than there are articles (one every ~350 words), so neither can reach its ideal.  Only
documents over the 900 words at which the product starts cutting are kept.  What cutting by topic
costs a text on one topic is shown too: how unevenly the long AEB articles, each alone, are cut.
The last line:

    segment: <p>% of parts hold one article (cuts every ~350 words: <q>%); Pk <a>, <r>x theirs
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.quality import AEB_DIR, DEFAULT_DATA, DataError
from bot.articles.blocks import Block
from bot.articles.sections import PART_WORDS, SPLIT_UNHEADED_WORDS, split_sections

#: Articles per document, as Choi's set mixes 3 to 11 segments; AEB bodies are long, so fewer.
ARTICLES_PER_DOC = (3, 5)
#: An article of fewer paragraphs tells nothing about where inside it a cut falls.
MIN_PARAGRAPHS = 3


def load_bodies(data: Path = DEFAULT_DATA) -> list[list[str]]:
    """Each AEB reference body as its paragraphs, in id order (those with enough of them)."""
    path = data / AEB_DIR / "ground-truth.json"
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from exc
    bodies = []
    for page_id in sorted(truth):
        paragraphs = [" ".join(p.split()) for p in str(truth[page_id].get("articleBody", "")).split("\n\n")]
        paragraphs = [p for p in paragraphs if p]
        if len(paragraphs) >= MIN_PARAGRAPHS:
            bodies.append(paragraphs)
    return bodies


def documents(bodies: Sequence[list[str]], count: int, seed: int) -> list[tuple[list[str], list[int]]]:
    """``count`` documents over the cutting threshold: (paragraphs, true segment of each)."""
    rng = random.Random(seed)
    docs: list[tuple[list[str], list[int]]] = []
    attempts = 0
    while len(docs) < count and attempts < count * 20:
        attempts += 1
        picked = rng.sample(list(bodies), rng.randint(*ARTICLES_PER_DOC))
        paragraphs = [p for body in picked for p in body]
        if sum(len(p.split()) for p in paragraphs) <= SPLIT_UNHEADED_WORDS:
            continue
        docs.append((paragraphs, [segment for segment, body in enumerate(picked) for _ in body]))
    return docs


def product_labels(paragraphs: Sequence[str]) -> list[int]:
    """The part of each paragraph as the product cuts the document."""
    sections = split_sections([Block("para", p) for p in paragraphs])
    return [part for part, section in enumerate(sections) for _ in section.paragraphs]


def fixed_size_labels(paragraphs: Sequence[str]) -> list[int]:
    """newsbot's splitter before it placed cuts by topic: a new part once ~350 words are in the
    current one, unless fewer than half that would be left for the last."""
    words = sum(len(p.split()) for p in paragraphs)
    labels, part, count = [], 0, 0
    for paragraph in paragraphs:
        if count >= PART_WORDS and words - count > PART_WORDS // 2:
            part += 1
            words -= count
            count = 0
        labels.append(part)
        count += len(paragraph.split())
    return labels


def even_labels(paragraphs: Sequence[str], parts: int) -> list[int]:
    """``parts`` parts, each cut at the paragraph boundary nearest its even share of the words."""
    sizes = [len(p.split()) for p in paragraphs]
    total = sum(sizes)
    starts, running = [], 0
    ends = [running := running + s for s in sizes]  # words up to the end of each paragraph
    for i in range(1, parts):
        target = total * i / parts
        cut = min(range(1, len(sizes)), key=lambda b: abs(ends[b - 1] - target)) if len(sizes) > 1 else 0
        starts.append(cut)
    return [sum(1 for s in set(starts) if s <= i) for i in range(len(sizes))]


def one_article_share(reference: Sequence[int], hypothesis: Sequence[int]) -> float:
    """The share of the hypothesis's parts whose units all have one reference segment."""
    parts: dict[int, set[int]] = {}
    for truth, part in zip(reference, hypothesis, strict=True):
        parts.setdefault(part, set()).add(truth)
    return sum(len(segments) == 1 for segments in parts.values()) / len(parts) if parts else 1.0


def size_spread(paragraphs: Sequence[str], labels: Sequence[int]) -> float:
    """How unevenly a text is cut: the coefficient of variation of its parts' word counts."""
    sizes: dict[int, int] = {}
    for paragraph, part in zip(paragraphs, labels, strict=True):
        sizes[part] = sizes.get(part, 0) + len(paragraph.split())
    return statistics.pstdev(sizes.values()) / statistics.fmean(sizes.values())


def pk(reference: Sequence[int], hypothesis: Sequence[int], k: int | None = None) -> float:
    """Beeferman's Pk: over all pairs of units ``k`` apart, the share where the two segmentations
    disagree on whether the pair is in one segment.  ``k`` defaults to half the mean reference
    segment length (at least 1)."""
    if len(reference) != len(hypothesis):
        raise ValueError("the two segmentations must label the same units")
    n = len(reference)
    if k is None:
        k = max(1, round(n / len(set(reference)) / 2))
    if n <= k:
        return 0.0
    wrong = sum((reference[i] == reference[i + k]) != (hypothesis[i] == hypothesis[i + k]) for i in range(n - k))
    return wrong / (n - k)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.segment", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=300, help="documents to build (default 300)")
    parser.add_argument("--seed", type=int, default=2000, help="the random seed that picks each document's articles")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the eval data folder")
    args = parser.parse_args(argv)
    try:
        docs = documents(load_bodies(args.data), args.docs, args.seed)
    except DataError as exc:
        print(f"bench.segment: {exc}", file=sys.stderr)
        return 1
    scores: dict[str, list[tuple[float, float]]] = {"ours": [], "fixed": [], "even": []}
    for paragraphs, truth in docs:
        product = product_labels(paragraphs)
        splits = {"ours": product, "fixed": fixed_size_labels(paragraphs), "even": even_labels(paragraphs, max(product) + 1)}
        for name, labels in splits.items():
            scores[name].append((one_article_share(truth, labels), pk(truth, labels)))
    one = {name: statistics.fmean(s for s, _ in rows) for name, rows in scores.items()}
    err = {name: statistics.fmean(p for _, p in rows) for name, rows in scores.items()}
    print(f"{len(docs)} documents of {ARTICLES_PER_DOC[0]}–{ARTICLES_PER_DOC[1]} AEB articles end to end "
          f"({statistics.median(len(p) for p, _ in docs):.0f} paragraphs each, median); means over documents")
    for name, label in (("ours", "newsbot (TextTiling)"), ("fixed", "every ~350 words"), ("even", "even, as many parts")):
        print(f"  {label:22} {one[name]:.1%} of parts hold one article   Pk {err[name]:.3f}")
    singles = [body for body in load_bodies(args.data) if sum(len(p.split()) for p in body) > SPLIT_UNHEADED_WORDS]
    if singles:
        ours_spread = statistics.fmean(size_spread(body, product_labels(body)) for body in singles)
        fixed_spread = statistics.fmean(size_spread(body, fixed_size_labels(body)) for body in singles)
        print(f"  the {len(singles)} AEB articles over {SPLIT_UNHEADED_WORDS} words, each alone (one topic): part sizes "
              f"spread ±{ours_spread:.0%} (every ~350 words: ±{fixed_spread:.0%}; coefficient of variation)")
    print(f"segment: {one['ours']:.0%} of parts hold one article (cuts every ~350 words: {one['fixed']:.0%}); "
          f"Pk {err['ours']:.3f}, {err['ours'] / err['fixed']:.2f}x theirs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
