"""Articles as readable terminal text: what `newsbot preview` shows and what `newsbot run` prints
when no Discord token is configured.  Pure: returns strings, never prints."""

from __future__ import annotations

import textwrap
from datetime import datetime

from bot.model import Article

_RESET = "\033[0m"
_STYLES = {"title": "\033[1;36m", "meta": "\033[2m", "head": "\033[1;33m", "label": "\033[1m"}


def _style(text: str, kind: str, color: bool) -> str:
    return f"{_STYLES[kind]}{text}{_RESET}" if color else text


def _wrap(text: str, indent: str, width: int) -> str:
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent) if text else ""


def format_article(article: Article, *, color: bool = False, width: int = 88, header: str | None = None) -> str:
    """Title, byline line, TL;DR, then each section's title and summary."""
    lines: list[str] = []
    if header:
        lines.append(_style(header, "meta", color))
    lines.append(_style(article.title, "title", color))
    meta = [part for part in (_by(article.author), article.source, _when(article.published), article.url) if part]
    if meta:
        lines.append(_style(" · ".join(meta), "meta", color))
    if article.summary:
        lines.append("")
        lines.append(_style("TL;DR", "label", color))
        lines.append(_wrap(article.summary, "  ", width))
    for index, section in enumerate(article.sections, start=1):
        lines.append("")
        title = section.title or "In brief"
        lines.append(_style(f"{index}. {title}", "head", color))
        lines.append(_wrap(section.summary, "   ", width))
    return "\n".join(lines)


def _by(author: str | None) -> str | None:
    return f"by {author}" if author else None


def _when(published: datetime | None) -> str | None:
    return published.strftime("%Y-%m-%d %H:%M UTC") if published else None


def article_json(article: Article) -> dict[str, object]:
    """The JSON shape `preview --json` promises (and bench/quality.py reads)."""
    return {
        "title": article.title,
        "url": article.url,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "summary": article.summary,
        "sections": [{"title": s.title, "summary": s.summary, "text": s.text} for s in article.sections],
    }
