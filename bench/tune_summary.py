"""Grid search for the summarizer's ``Weights`` on the VALIDATION split of the CNN/DM set only.

    python -m bench.tune_summary                 # the default grid, best settings last
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
import sys
from typing import Iterable, Sequence

from bench.metrics import RougeMeans, length_matched_lead, ratio, rouge_means, word_count
from bench.quality import Story, cached, load_stories, rouge_fn
from bot.articles.blocks import markdown_to_blocks
from bot.articles.clean import clean_blocks
from bot.articles.sections import split_sections
from bot.articles.summarize import DEFAULT_TLDR_SENTENCES, DEFAULT_WEIGHTS, Weights, summarize_article

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


def evaluate(
    stories: Sequence[Story], sections: Sequence[list[list[str]]], weights: Weights, rouge: object, headlines: bool = True
) -> tuple[RougeMeans, RougeMeans, float]:
    """(TL;DR ROUGE, length-matched lead ROUGE, ratio of their means) for one setting."""
    ours: list[tuple[str, str]] = []
    lead: list[tuple[str, str]] = []
    for story, secs in zip(stories, sections):
        tldr = summarize_article(secs, DEFAULT_TLDR_SENTENCES, title=story.headline if headlines else None, weights=weights)
        ours.append((tldr, story.reference))
        lead.append((length_matched_lead(story.text, word_count(tldr)), story.reference))
    mine, base = rouge_means(ours, rouge), rouge_means(lead, rouge)  # type: ignore[arg-type]
    return mine, base, ratio(mine.mean, base.mean)


def settings(grid: dict[str, tuple[float, ...]]) -> Iterable[Weights]:
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        yield dataclasses.replace(DEFAULT_WEIGHTS, **dict(zip(keys, values)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tune_summary", description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("validation", "test"), default="validation")
    parser.add_argument("--top", type=int, default=15, help="print the N best settings")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
