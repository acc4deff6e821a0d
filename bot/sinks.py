"""The terminal sink: with no Discord token, the outbox is delivered to stdout, readably.

It is a real sink (rows are marked sent only after printing), so a newcomer sees exactly the
flow the Discord sink will follow once a token is configured.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from bot.store.records import OutboxRow, StoredArticle
from bot.terminal import format_article


class TerminalSink:
    """Prints each post: the subscription and channel it is for, then the article(s)."""

    def __init__(self, stream: TextIO | None = None, *, color: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.color = self.stream.isatty() if color is None else color
        self._count = 0

    async def send(self, row: OutboxRow, articles: list[StoredArticle], subscription: Any) -> list[int]:
        what = {"digest": "digest", "update": "updated story"}.get(row.kind, "new story")
        header = f"── {what} for #{row.channel_id} (subscription {row.subscription}) ──"
        if row.kind == "digest":
            body = "\n\n".join(format_article(a.article, color=self.color) for a in articles)
            text = f"{header}\n{len(articles)} stories since the last digest\n\n{body}"
        else:
            text = format_article(articles[0].article, color=self.color, header=header)
        self.stream.write(text + "\n\n")
        self.stream.flush()
        self._count += 1
        return [self._count]
