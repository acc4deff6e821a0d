"""Forum posts: what a story or a digest is called in a forum channel, and how a post the bot
already made is recognised when a retry cannot tell whether its first attempt got through.  Pure.

In a forum (or media) channel every post is a thread created together with its first message, and
that call takes no nonce.  So a retry after a lost answer looks for the post instead: a thread of
that forum, owned by whoever opened it, with this name, whose first message says what this one says
(``dedupe.message_signature``).  The bot owns the posts it opens; a post opened through a webhook
(Execute Webhook with ``thread_name``) is owned by the webhook, and its first message's author is
the webhook too (``dedupe.is_webhook_copy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.model import Article
from bot.render import THREAD_NAME_LIMIT, truncate
from bot.render.parts import UPDATED_PREFIX, plain_title

#: Separates a digest post's subscription from its date, as in "world digest — 2026-11-20".
DIGEST_NAME_SEPARATOR = " digest — "


def story_post_name(article: Article, *, updated: bool = False) -> str:
    """The post's name: the story's title on one line (never empty), marked when it is an update.

    An update is a new post of a story already posted; the mark keeps the two apart in the forum's
    list, as the "Updated:" embed title does in a channel.
    """
    return truncate((UPDATED_PREFIX if updated else "") + plain_title(article), THREAD_NAME_LIMIT)


def digest_post_name(subscription: str, fired_at: datetime, timezone: str) -> str:
    """"<subscription> digest — <date>", the date the digest fired, in the subscription's time zone."""
    day = fired_at.astimezone(ZoneInfo(timezone)).date().isoformat()
    return truncate(subscription, THREAD_NAME_LIMIT - len(DIGEST_NAME_SEPARATOR) - len(day)) + DIGEST_NAME_SEPARATOR + day


def is_candidate(thread: Mapping[str, Any], *, forum_id: int, owner_id: int, name: str) -> bool:
    """A thread that may be this post: in this forum, owned by ``owner_id`` (the bot, or the
    webhook that opened it), with this name."""
    return (
        str(thread.get("parent_id")) == str(forum_id)
        and str(thread.get("owner_id")) == str(owner_id)
        and (thread.get("name") or "").strip() == name.strip()
    )
