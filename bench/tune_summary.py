"""Grid search for the summarizer's ``Weights`` on the VALIDATION split of the CNN/DM set only.

    python -m bench.tune_summary                 # the default grid, best settings last
    python -m bench.tune_summary --cv            # + what the search itself is worth on unseen stories
    python -m bench.tune_summary --split test    # only to look, never to choose

Each story goes through the product's own text stages (Markdown blocks → clean → sections), so
the TL;DR scored here is the one ``preview`` would print for the same story; only the ``Weights``
vary.  The objective is the one bench/quality.py reports: mean ROUGE-1/2/L F1 of the TL;DR over
the mean of the length-matched lead's (see bench/metrics.py).  Pick a setting near the top that
is also stable across its neighbours — with 75 stories, the single best cell is partly noise.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
import sys
from typing import Iterable, Sequence

from bench.metrics import RougeFn, RougeMeans, length_matched_lead, nested_cv_ratios, ratio, rouge_means, word_count
from bench.quality import Story, cached, load_stories, rouge_fn
from bot.articles.blocks import markdown_to_blocks
from bot.articles.clean import clean_blocks
from bot.articles.sections import split_sections
from bot.articles.summarize import DEFAULT_TLDR_SENTENCES, DEFAULT_WEIGHTS, Weights, summarize_article

#: --cv: folds of the nested cross-validation (bench.metrics.nested_cv_ratios).
CV_FOLDS = 5

#: The default grid: each knob's candidate values (the others stay at their defaults).
GRID: dict[str, tuple[float, ...]] = {
    "backward": (0.0, -0.5, -1.0),
    "position_weight": (1.0, 2.0, 3.0),
    "quote_penalty": (0.0, 0.3, 1.0),
    "redundancy": (0.0, 0.3),
    "title_weight": (0.0, 0.5, 1.0, 2.0),
}


def story_sections(story: Story) -> list[list[str]]:
    """The story's sections as paragraph lists, as the product's text stages cut them."""
    sections = split_sections(clean_blocks(markdown_to_blocks(story.text), title=story.headline))
    return [list(s.paragraphs) for s in sections]


def summaries_and_leads(
    stories: Sequence[Story], sections: Sequence[list[list[str]]], weights: Weights, headlines: bool = True
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(TL;DR, reference) and (length-matched lead, reference) pairs for one setting."""
    ours: list[tuple[str, str]] = []
    lead: list[tuple[str, str]] = []
    for story, secs in zip(stories, sections):
        tldr = summarize_article(secs, DEFAULT_TLDR_SENTENCES, title=story.headline if headlines else None, weights=weights)
        ours.append((tldr, story.reference))
        lead.append((length_matched_lead(story.text, word_count(tldr)), story.reference))
    return ours, lead


def evaluate(
    stories: Sequence[Story], sections: Sequence[list[list[str]]], weights: Weights, rouge: object, headlines: bool = True
) -> tuple[RougeMeans, RougeMeans, float]:
    """(TL;DR ROUGE, length-matched lead ROUGE, ratio of their means) for one setting."""
    ours, lead = summaries_and_leads(stories, sections, weights, headlines)
    mine, base = rouge_means(ours, rouge), rouge_means(lead, rouge)  # type: ignore[arg-type]
    return mine, base, ratio(mine.mean, base.mean)


def story_scores(
    stories: Sequence[Story], sections: Sequence[list[list[str]]], weights: Weights, rouge: RougeFn
) -> list[tuple[float, float]]:
    """Per story, (TL;DR, length-matched lead) as the mean of their ROUGE-1/2/L F1."""
    ours, lead = summaries_and_leads(stories, sections, weights)
    return [(sum(rouge(*a)) / 3, sum(rouge(*b)) / 3) for a, b in zip(ours, lead)]


def settings(grid: dict[str, tuple[float, ...]]) -> Iterable[Weights]:
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        yield dataclasses.replace(DEFAULT_WEIGHTS, **dict(zip(keys, values)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tune_summary", description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("validation", "test"), default="validation")
    parser.add_argument("--top", type=int, default=15, help="print the N best settings")
    parser.add_argument("--cv", action="store_true", help="also estimate the grid search itself by nested cross-validation")
    args = parser.parse_args(argv)

    stories = load_stories(args.split)
    sections = [story_sections(s) for s in stories]
    rouge = cached(rouge_fn())
    results = []
    mine, base, r = evaluate(stories, sections, DEFAULT_WEIGHTS, rouge)
    print(f"current defaults: R-1/2/L {mine}, lead {base}, {r:.4f}x  {DEFAULT_WEIGHTS}")
    for weights in settings(GRID):
        mine, base, r = evaluate(stories, sections, weights, rouge)
        results.append((r, mine, base, weights))
    results.sort(key=lambda item: item[0])
    for r, mine, base, weights in results[-args.top :]:
        changed = {f.name: getattr(weights, f.name) for f in dataclasses.fields(weights) if f.name in GRID}
        print(f"{r:.4f}x  R-1/2/L {mine} (lead {base})  {changed}")
    if args.cv:
        cells = {weights: story_scores(stories, sections, weights, rouge) for weights in settings(GRID)}
        estimates = nested_cv_ratios(cells, folds=CV_FOLDS)
        print(
            f"nested {CV_FOLDS}-fold cross-validation of this grid search ({len(estimates)} shuffles): "
            f"{statistics.fmean(estimates):.4f}x (range {min(estimates):.4f}–{max(estimates):.4f}); "
            "the best cell above is optimistic (it was chosen on these very stories); this estimate "
            "takes that selection out, not the luck of which stories the split holds"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
