"""Articles built by hand for the render tests, from ordinary to hostile.  No I/O."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from bot.model import Article, Section
from bot.render.text import ELLIPSIS

PUBLISHED = datetime(2025, 6, 25, 9, 0, tzinfo=UTC)

_VOCABULARY = (
    "drone production agreement ministry funding defense industry capability program "
    "partners reconnaissance naval aerial ground technology investment scale companies "
    "Ukraine Britain alliance support attack city civilian train missile statement "
    "cooperation initiative resolve challenge effort forward significant international"
).split()


def sentence(rng: random.Random, words: int | None = None) -> str:
    count = words or rng.randint(6, 22)
    text = " ".join(rng.choice(_VOCABULARY) for _ in range(count))
    return text[0].upper() + text[1:] + rng.choice(".!?")


def paragraph(rng: random.Random, sentences: int | None = None) -> str:
    return " ".join(sentence(rng) for _ in range(sentences or rng.randint(2, 6)))


def prose(rng: random.Random, chars: int) -> str:
    """Paragraphs of made-up sentences, at least ``chars`` long."""
    paragraphs: list[str] = []
    while sum(len(p) + 2 for p in paragraphs) < chars:
        paragraphs.append(paragraph(rng))
    return "\n\n".join(paragraphs)


SEED_TITLES = (
    "Ukraine and UK Agree to Jointly Produce Drones",
    "Ukraine’s Rapid Drone Development",
    "UK Funding for Drone Production",
    "Supporting Ukraine’s Defense",
    "Global Developments",
    "Russia’s Aggressive Actions",
    "US Response",
    "Ukraine’s Resolve",
)


def seed_like() -> Article:
    """Shaped like the seed article: 8 titled sections, 1–3 sentence summaries."""
    rng = random.Random(8)
    sections = tuple(
        Section(title=title, text=prose(rng, 600), summary=" ".join(sentence(rng) for _ in range(rng.randint(1, 3))))
        for title in SEED_TITLES
    )
    return Article(
        title="UK funds joint drone production with Ukraine",
        url="https://kyivindependent.com/uk-funds-joint-drone-production-with-ukraine/",
        author="AI",
        published=PUBLISHED,
        source="Kyiv Independent",
        image="https://kyivindependent.com/content/images/drones.jpg",
        summary="Ukraine and the United Kingdom have agreed to jointly produce drones. "
        "The UK will finance Ukrainian-designed drones built in Britain.",
        sections=sections,
    )


def huge() -> Article:
    """30 sections, over 50,000 characters of text, some summaries longer than a field,
    and a TL;DR longer than a description."""
    rng = random.Random(30)
    sections = []
    for i in range(30):
        summary_chars = 2500 if i % 7 == 3 else rng.randint(150, 900)
        sections.append(
            Section(
                title=f"Part {i + 1}: " + sentence(rng, 5)[:-1],
                text=prose(rng, 1700),
                summary=prose(rng, summary_chars).replace("\n\n", " "),
            )
        )
    return Article(
        title="A very long report " + sentence(rng, 10),
        url="https://example.com/report",
        author="Staff",
        published=PUBLISHED,
        source="Example News",
        image="https://example.com/report.png",
        summary=prose(rng, 5000),
        sections=tuple(sections),
    )


def one_section() -> Article:
    return Article(
        title="Short note",
        url="https://example.com/note",
        summary="Only one thing happened.",
        sections=(Section(title="", text="Only one thing happened today.", summary="Only one thing happened."),),
    )


def long_title() -> Article:
    rng = random.Random(5000)
    title = " ".join(rng.choice(_VOCABULARY) for _ in range(800))[:5000]
    return Article(title=title, url="https://example.com/t", summary="Short.", sections=seed_like().sections)


LONG_WORD = "x" * 3000


def long_word() -> Article:
    """A 3,000-character single word in every text slot."""
    return Article(
        title=LONG_WORD,
        url="https://example.com/w",
        author=LONG_WORD,
        source=LONG_WORD,
        summary=LONG_WORD,
        sections=(Section(title=LONG_WORD, text=LONG_WORD, summary=LONG_WORD), Section(title="After", text="t", summary="s")),
    )


def empty_summary() -> Article:
    return Article(
        title="Nothing to say",
        url="https://example.com/e",
        summary="",
        sections=(Section(title="Empty", text="", summary=""), Section(title="Text only", text="Some text. More.", summary="")),
    )


def bare() -> Article:
    """No url, author, published, source or image."""
    return Article(title="Bare", summary="Bare summary. Second sentence.", sections=(Section("", "lead", "lead summary"),))


def no_title_no_sections() -> Article:
    return Article(title="", summary="")


HOSTILE_TITLE = "*Breaking* _news_ @everyone <@123> ~~old~~ `code` ||spoiler||"


def hostile() -> Article:
    """Markdown and mentions in every slot that comes from the article."""
    evil = (
        "> quoted @here\n# heading <@&456> and <#789>\n"
        "Click [here](https://evil.example/phish) now, <@!123> **bold** __under__ ~~gone~~ `x` ||spoil||\n"
        "- list item\n1. numbered @everyone"
    )
    return Article(
        title=HOSTILE_TITLE,
        url="https://example.com/h",
        author="@everyone <@123>",
        source="<@&456> @here",
        summary=evil,
        sections=(Section(title="**Loud** @here", text=evil, summary=evil), Section(title="<#789>", text=evil, summary=evil)),
    )


ARTICLES: dict[str, Article] = {
    "seed_like": seed_like(),
    "huge": huge(),
    "one_section": one_section(),
    "long_title": long_title(),
    "long_word": long_word(),
    "empty_summary": empty_summary(),
    "bare": bare(),
    "no_title_no_sections": no_title_no_sections(),
    "hostile": hostile(),
}


def strings(payload: Any) -> Iterator[str]:
    """Every string in a payload, keys excluded (to scan for pings)."""
    if isinstance(payload, str):
        yield payload
    elif isinstance(payload, dict):
        for value in payload.values():
            yield from strings(value)
    elif isinstance(payload, list | tuple):
        for value in payload:
            yield from strings(value)


PING_RE = re.compile(r"@(?:everyone|here)\b|<@[!&]?\d+>|<#\d+>", re.IGNORECASE)


def rejoin(parts: list[str]) -> list[str]:
    """The words of parts produced by a splitter: a part ending in "…" was cut mid-word and
    continues in the next part; any other part ended at whitespace."""
    text = ""
    for part in parts:
        text += part[: -len(ELLIPSIS)] if part.endswith(ELLIPSIS) else part + " "
    return text.split()
