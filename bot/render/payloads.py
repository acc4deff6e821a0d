"""The shapes of the Discord message payloads render produces, as plain ``TypedDict``s.

They mirror discord.py's ``discord/types/embed.py`` and ``discord/types/message.py``, kept apart
from any discord.py class so that render stays pure and its output can be compared, stored and
sent as JSON without the library.  Only the keys newsbot fills are declared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NotRequired, Required, TypedDict


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
    #: Always empty: no kind of mention (users, roles, @everyone) is parsed from the text.
    parse: list[str]
    #: The only roles that may ping: a subscription's own ``mention`` roles, as id strings.
    roles: NotRequired[list[str]]


class SelectOption(TypedDict):
    label: str
    value: str
    #: A second, dimmer line under the label.
    description: NotRequired[str]


class SelectMenu(TypedDict):
    #: 3: a string select.
    type: Literal[3]
    custom_id: str
    placeholder: str
    options: list[SelectOption]


class ActionRow(TypedDict):
    #: 1: an action row (newsbot's hold one select each).
    type: Literal[1]
    components: list[SelectMenu]


class MessagePayload(TypedDict, total=False):
    content: str
    embeds: list[Embed]
    #: The section menu under a story the bot posts itself (never through a webhook, which cannot
    #: carry components); see ``menu``.
    components: list[ActionRow]
    #: ``{"parse": []}``: nothing newsbot posts may ping anyone — except the first message of a post
    #: for a subscription with ``mention``, which lets exactly those roles ping (``role_mentions``).
    allowed_mentions: Required[AllowedMentions]


def no_mentions() -> AllowedMentions:
    """A fresh ``allowed_mentions`` that allows none, so one caller mutating it harms no other payload."""
    return {"parse": []}


def role_mentions(roles: Sequence[int]) -> AllowedMentions:
    """``allowed_mentions`` that lets exactly ``roles`` ping and nothing else (no roles: ``no_mentions``).

    Naming the roles, instead of ``parse: ["roles"]``, is what keeps a role mention that article text
    brings along inert even where the text's own neutralizing would miss it.
    """
    allowed = no_mentions()
    if roles:
        allowed["roles"] = [str(role) for role in roles]
    return allowed
