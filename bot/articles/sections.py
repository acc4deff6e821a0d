"""Blocks → the article's own sections, in order, with their titles.

A heading of any level starts a section; text before the first heading is the lead (title "").
An article with no headings stays one section unless it is long, in which case it is cut at
paragraph boundaries into a few parts, so a 5,000-word essay still gets more than one summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.articles.blocks import Block

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


def split_sections(blocks: list[Block]) -> list[RawSection]:
    """Group blocks under their headings; headings with no text under them are dropped."""
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
        sections = _split_long(sections[0])
    if len(sections) > MAX_SECTIONS:
        head, tail = sections[: MAX_SECTIONS - 1], sections[MAX_SECTIONS - 1 :]
        merged = tuple(p for s in tail for p in ((s.title,) if s.title else ()) + s.paragraphs)
        sections = head + [RawSection(tail[0].title, merged)]
    return sections


def _split_long(section: RawSection) -> list[RawSection]:
    words = sum(len(p.split()) for p in section.paragraphs)
    if words <= SPLIT_UNHEADED_WORDS:
        return [section]
    parts: list[list[str]] = [[]]
    count = 0
    for paragraph in section.paragraphs:
        if count >= PART_WORDS and words - count > PART_WORDS // 2:
            parts.append([])
            words -= count
            count = 0
        parts[-1].append(paragraph)
        count += len(paragraph.split())
    return [
        RawSection("" if i == 0 else f"Part {i + 1}", tuple(paras)) for i, paras in enumerate(parts) if paras
    ]
