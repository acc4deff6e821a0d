"""Shared pieces of the end-to-end tests: feeds built as text, a config on disk, a steerable clock,
and an App whose loops the test drives by hand (poll_due / deliver) instead of waiting for ticks."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.store.records import OutboxRow, StoredArticle

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@dataclass
class Item:
    title: str
    body: str
    guid: str | None = None
    link: str | None = None
    published: datetime | None = None


def body_text(topic: str, n: int = 6) -> str:
    """A plausible, distinct article body about ``topic`` (long enough not to be a teaser)."""
    sentences = [
        f"The {topic} story began early on Monday when officials confirmed the first reports.",
        f"Residents said the {topic} had changed daily life in the district within hours.",
        f"Experts on {topic} warned that the effects could last for several months.",
        f"The council will meet on Thursday to discuss new measures on the {topic}.",
        f"A spokesperson said funding for {topic} relief would be announced next week.",
        f"Local businesses affected by the {topic} asked for faster support and clearer rules.",
        f"Meanwhile, volunteers organised help for families hit hardest by the {topic}.",
        f"Independent observers will publish a first assessment of the {topic} response in January.",
    ]
    paragraphs = [" ".join(sentences[i : i + 2]) for i in range(0, min(n, len(sentences)), 2)]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs * 3)


def rss(items: list[Item], *, title: str = "Test Feed", ttl: int | None = None) -> str:
    parts = []
    for item in items:
        xml = [f"<title>{escape(item.title)}</title>"]
        if item.link:
            xml.append(f"<link>{escape(item.link)}</link>")
        if item.guid:
            xml.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.published:
            xml.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        xml.append(f"<description><![CDATA[{item.body}]]></description>")
        parts.append("<item>" + "".join(xml) + "</item>")
    ttl_xml = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link>{ttl_xml}" + "".join(parts) + "</channel></rss>"
    )


def write_config(path: Path, body: str) -> Path:
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class RecordingSink:
    """Stands in for Discord in the core-loop tests: records what would have been posted."""

    posts: list[tuple[OutboxRow, list[StoredArticle]]] = field(default_factory=list)
    fail_with: Exception | None = None

    async def send(self, row: OutboxRow, articles: list[StoredArticle], subscription: Any) -> list[int]:
        if self.fail_with is not None:
            raise self.fail_with
        self.posts.append((row, articles))
        return [len(self.posts)]

    def titles(self, subscription: str | None = None) -> list[str]:
        return [a[0].article.title for row, a in self.posts if subscription is None or row.subscription == subscription]


async def started_app(config: Path, clock: Clock, sink: Any) -> App:
    app = App(config, env={}, clock=clock, sink=sink, loops=False)
    await app.start()
    return app


async def cycle(app: App, clock: Clock, *, advance_minutes: float = 0) -> None:
    """Advance time, poll whatever is due, deliver everything deliverable."""
    if advance_minutes:
        clock.advance(minutes=advance_minutes)
    await app.poll_due()
    assert app.deliverer is not None
    while await app.deliverer.run_once():
        pass


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    """Poll an async condition until it holds; fail naming ``what`` after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)
