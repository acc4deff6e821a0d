"""A subscription's role ping: written at the start of a post's first message, and the only ping allowed.

An admin who sets ``mention:`` wants readers told once per story, so only the first message of a
post carries it; the rest of a long post, a thread's section messages and every article text stay
unable to ping.  ``allowed_mentions`` names the roles (``role_mentions``) rather than parsing all role
mentions, so an ``<@&…>`` in article text or in the admin's template could not ping even unescaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.limits import MENTION_ROLES_LIMIT
from bot.render.payloads import MessagePayload, role_mentions

#: Roles to ping: Discord role ids, as the config gives them.
Roles = Sequence[int]


def mention_line(roles: Roles) -> str:
    """``<@&1> <@&2>``: the ping as Discord writes it; "" for no roles.

    ValueError for what is not a role id or for more than ``MENTION_ROLES_LIMIT`` roles: the config
    refuses both, so reaching here with one is a caller's bug, not something to post half of.
    """
    roles = list(dict.fromkeys(roles))
    for role in roles:
        if isinstance(role, bool) or not isinstance(role, int) or not 0 < role < 2**64:
            raise ValueError(f"mention: {role!r} is not a Discord role id")
    if len(roles) > MENTION_ROLES_LIMIT:
        raise ValueError(f"mention: {len(roles)} roles, at most {MENTION_ROLES_LIMIT} may be pinged by one post")
    return " ".join(f"<@&{role}>" for role in roles)


def mention_room(roles: Roles) -> int:
    """Characters the ping takes from a message's content: its line and the newline after it."""
    line = mention_line(roles)
    return len(line) + 1 if line else 0


def with_mention(payload: MessagePayload, roles: Roles) -> MessagePayload:
    """``payload`` opening with the ping on its own line, allowed to ping exactly ``roles``.

    The caller leaves ``mention_room(roles)`` free in the content.  No roles: ``payload`` unchanged.
    """
    line = mention_line(roles)
    if not line:
        return payload
    content = payload.get("content", "")
    return {**payload, "content": f"{line}\n{content}" if content else line, "allowed_mentions": role_mentions(roles)}


def mention_first(payloads: list[MessagePayload], roles: Roles) -> list[MessagePayload]:
    """A post of several messages pings once: ``with_mention`` on its first message only.

    For layouts whose first message has no content of its own (embeds carry the article).
    """
    if not payloads:
        return payloads
    return [with_mention(payloads[0], roles), *payloads[1:]]
