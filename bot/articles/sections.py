"""Blocks → the article's own sections, in order, with their titles.

A heading of any level starts a section; text before the first heading is the lead (title "").
An article with no headings stays one section unless it is long, in which case it is cut at
paragraph boundaries into a few parts, so a 5,000-word essay still gets more than one summary.
Where each cut falls follows the text: near every ~350 words, at the paragraph boundary where
the words used before and after it overlap least (TextTiling, Hearst 1997), so a part tends to be
about one thing (bench/segment.py measures it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.articles.blocks import Block
from bot.articles.stopwords import ENGLISH
from bot.articles.summarize import tokens
from bot.articles.words import word_count

#: Above this many words, an article with no headings is cut into parts.
SPLIT_UNHEADED_WORDS = 900
#: Target size of each part of an unheaded article.
PART_WORDS = 350
#: A hostile page with thousands of headings still yields a bounded number of sections.
MAX_SECTIONS = 60


@dataclass(frozen=True, slots=True)
class RawSection:
    """A section before summarizing: its title and its paragraphs."""

    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def split_sections(blocks: list[Block], *, language: str = ENGLISH) -> list[RawSection]:
    """Group blocks under their headings; headings with no text under them are dropped.

    ``language`` picks the stop words a long article without headings is compared by, where it is cut.
    """
    sections: list[RawSection] = []
    title = ""
    paragraphs: list[str] = []

    def close() -> None:
        if paragraphs:
            sections.append(RawSection(title, tuple(paragraphs)))

    for block in blocks:
        if block.kind == "heading":
            close()
            title, paragraphs = block.text, []
        else:
            paragraphs.append(block.text)
    close()

    if len(sections) == 1 and not sections[0].title:
        sections = _split_long(sections[0], language)
    if len(sections) > MAX_SECTIONS:
        head, tail = sections[: MAX_SECTIONS - 1], sections[MAX_SECTIONS - 1 :]
        merged = tuple(p for s in tail for p in ((s.title,) if s.title else ()) + s.paragraphs)
        sections = head + [RawSection(tail[0].title, merged)]
    return sections


def _split_long(section: RawSection, language: str = ENGLISH) -> list[RawSection]:
    words = [word_count(p) for p in section.paragraphs]
    total = sum(words)
    if total <= SPLIT_UNHEADED_WORDS:
        return [section]
    # At most MAX_SECTIONS parts: folding the rest together would make "Part 61" a paragraph.
    parts = min(MAX_SECTIONS, max(2, round(total / PART_WORDS)))
    cuts = topic_cuts(section.paragraphs, words, parts=parts, language=language)
    bounds = [0, *cuts, len(section.paragraphs)]
    return [
        RawSection("" if i == 0 else f"Part {i + 1}", section.paragraphs[start:end])
        for i, (start, end) in enumerate(zip(bounds, bounds[1:]))
        if end > start
    ]


#: Each side of a candidate cut is compared over at least this many words (whole paragraphs)…
#: Hearst's TextTiling compares blocks of 6 × 20 words.
WINDOW_WORDS = 120
#: …and at most this many paragraphs.
WINDOW_PARAGRAPHS = 6
#: A part is kept between these shares of its fair size (what is left over the parts left).
PART_SLACK = (0.5, 2.0)
#: What straying from the fair size costs, per fair size, against a valley's depth (0 to 2): a
#: clear shift still wins, but the small valleys of a text on one topic do not scatter its parts.
#: Chosen with bench/segment.py on another seed than the one it reports: 0 kept as many one-story
#: parts but cut a one-topic article about twice as unevenly; 1.0 lost one-story parts.
EVENNESS = 0.5


def topic_cuts(paragraphs: Sequence[str], words: Sequence[int], parts: int, *, language: str = ENGLISH) -> list[int]:
    """Indexes of the paragraphs that start parts 2…``parts``: cuts where the topic shifts most.

    Each boundary between paragraphs gets TextTiling's depth score: how far the lexical cohesion
    across it (cosine of the content words of the paragraphs just before and just after) lies
    below the nearest peaks on either side.  Then part by part, among the boundaries that keep the
    part within ``PART_SLACK`` of its fair share of the words left, the one with the deepest
    valley less ``EVENNESS`` times its distance from that fair size is cut (the nearest on a tie).
    Linear in the paragraphs, for a hostile page too.
    """
    n = len(paragraphs)
    if parts < 2 or n < 2:
        return []
    depth = _depth_scores(_cohesion(paragraphs, words, language))  # depth[b - 1]: the boundary before paragraph b
    cuts: list[int] = []
    start, left = 0, sum(words)
    for remaining in range(parts, 1, -1):
        fair = left / remaining
        low, high = fair * PART_SLACK[0], fair * PART_SLACK[1]
        best: tuple[float, float, int] | None = None
        # When no boundary fits (a huge paragraph), the first that leaves enough after it.
        first_past_low: int | None = None
        count = 0
        for b in range(start + 1, n):
            count += words[b - 1]
            if count < low:
                continue
            if left - count < low:
                break
            if first_past_low is None:
                first_past_low = b
            if count > high:
                break
            off = abs(count - fair)
            candidate = (depth[b - 1] - EVENNESS * off / fair, -off, b)
            if best is None or candidate > best:
                best = candidate
        cut = best[2] if best is not None else first_past_low
        if cut is None:
            break
        cuts.append(cut)
        left -= sum(words[start:cut])
        start = cut
    return cuts


def _cohesion(paragraphs: Sequence[str], words: Sequence[int], language: str = ENGLISH) -> list[float]:
    """For each boundary between paragraphs, the cosine of the content words on its two sides."""
    bags = [Counter(tokens(p, language)) for p in paragraphs]
    return [_cosine(_window(bags, words, range(b - 1, -1, -1)), _window(bags, words, range(b, len(bags))))
            for b in range(1, len(bags))]


def _window(bags: Sequence[Counter[str]], words: Sequence[int], order: range) -> Counter[str]:
    window: Counter[str] = Counter()
    seen = taken = 0
    for i in order:
        window.update(bags[i])
        seen += words[i]
        taken += 1
        if seen >= WINDOW_WORDS or taken >= WINDOW_PARAGRAPHS:
            break
    return window


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(count * b[word] for word, count in a.items() if word in b)
    norm = math.sqrt(sum(c * c for c in a.values()) * sum(c * c for c in b.values()))
    return dot / norm if norm else 0.0


def _depth_scores(cohesion: Sequence[float]) -> list[float]:
    """TextTiling's depth of each valley: (left peak − value) + (right peak − value), each peak
    found by climbing while the cohesion rises; one pass each way, so linear."""
    n = len(cohesion)
    left = list(cohesion)
    for i in range(1, n):
        if cohesion[i - 1] >= cohesion[i]:
            left[i] = left[i - 1]
    right = list(cohesion)
    for i in range(n - 2, -1, -1):
        if cohesion[i + 1] >= cohesion[i]:
            right[i] = right[i + 1]
    return [lp - value + rp - value for lp, value, rp in zip(left, cohesion, right)]
