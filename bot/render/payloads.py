"""The shapes of the Discord message payloads render produces, as plain ``TypedDict``s.

They mirror discord.py's ``discord/types/embed.py`` and ``discord/types/message.py``, kept apart
from any discord.py class so that render stays pure and its output can be compared, stored and
sent as JSON without the library.  Only the keys newsbot fills are declared.
"""

from __future__ import annotations

from typing import NotRequired, Required, TypedDict


class EmbedFooter(TypedDict):
    text: str


class EmbedField(TypedDict):
    name: str
    value: str
    inline: NotRequired[bool]


class EmbedMedia(TypedDict):
    url: str


class EmbedAuthor(TypedDict):
    name: str


class Embed(TypedDict, total=False):
    title: str
    description: str
    url: str
    #: ISO 8601 with a UTC offset, e.g. ``2025-06-25T09:00:00+00:00``.
    timestamp: str
    color: int
    footer: EmbedFooter
    image: EmbedMedia
    thumbnail: EmbedMedia
    author: EmbedAuthor
    fields: list[EmbedField]


class AllowedMentions(TypedDict):
    parse: list[str]


class MessagePayload(TypedDict, total=False):
    content: str
    embeds: list[Embed]
    #: Always ``{"parse": []}``: nothing newsbot posts may ping anyone.
    allowed_mentions: Required[AllowedMentions]


def no_mentions() -> AllowedMentions:
    """A fresh ``allowed_mentions`` that allows none, so one caller mutating it harms no other payload."""
    return {"parse": []}
