"""Pour fields and text into embeds and messages in order, opening a new one before a limit breaks.

Every layout that can outgrow one embed (a long article, a digest) goes through ``EmbedPacker``,
so the per-embed limits (25 fields, 4096 description) and the per-message ones (10 embeds, 6000
characters over all embeds) are enforced in one place.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.render.limits import (
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    MESSAGE_EMBED_CHARS,
    embed_size,
)
from bot.render.payloads import Embed, MessagePayload, no_mentions


class EmbedPacker:
    """Builds messages from a first embed plus a stream of fields and text blocks, order kept.

    ``continuation`` makes the embed that takes over when the current one is full (it carries the
    "(continued)" marker); callers keep every field ≤ 256 + 1024 and every text ≤ 4096, so one
    always fits in a fresh continuation embed.
    """

    def __init__(self, first: Embed, continuation: Callable[[], Embed]):
        self._continuation = continuation
        self._messages: list[list[Embed]] = [[first]]
        self._used = embed_size(first)  # characters counted in the current message

    @property
    def _current(self) -> Embed:
        return self._messages[-1][-1]

    def _fits(self, cost: int) -> bool:
        return self._used + cost <= MESSAGE_EMBED_CHARS

    def _open(self, cost: int) -> Embed:
        """Start a continuation embed with room for ``cost`` more characters, in a new message if need be."""
        embed = self._continuation()
        base = embed_size(embed)
        if len(self._messages[-1]) >= EMBEDS_PER_MESSAGE or not self._fits(base + cost):
            self._messages.append([])
            self._used = 0
        self._messages[-1].append(embed)
        self._used += base
        return embed

    def add_field(self, name: str, value: str) -> None:
        """Append a field after everything added so far."""
        assert len(name) <= FIELD_NAME_LIMIT and len(value) <= FIELD_VALUE_LIMIT, "caller must fit the field"
        cost = len(name) + len(value)
        embed = self._current
        if len(embed.get("fields", [])) >= FIELDS_PER_EMBED or not self._fits(cost):
            embed = self._open(cost)
        embed.setdefault("fields", []).append({"name": name, "value": value, "inline": False})
        self._used += cost

    def add_text(self, text: str, sep: str = "\n\n") -> None:
        """Append a block to the description, or to a new embed's when it would not come next.

        Discord shows the description above the fields, so text is never added to an embed that
        already has fields: that would move it before them.
        """
        assert len(text) <= DESCRIPTION_LIMIT, "caller must fit the text"
        embed = self._current
        description = embed.get("description", "")
        cost = len(text) + (len(sep) if description else 0)
        if "fields" not in embed and len(description) + cost <= DESCRIPTION_LIMIT and self._fits(cost):
            embed["description"] = description + sep + text if description else text
            self._used += cost
            return
        embed = self._open(len(text))
        embed["description"] = text
        self._used += len(text)

    def payloads(self) -> list[MessagePayload]:
        """The messages, in posting order."""
        return [{"embeds": embeds, "allowed_mentions": no_mentions()} for embeds in self._messages]
