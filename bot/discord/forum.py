"""Forum posts: what a story or a digest is called in a forum channel, and how a post the bot
already made is recognised when a retry cannot tell whether its first attempt got through.  Pure.

In a forum (or media) channel every post is a thread created together with its first message, and
that call takes no nonce.  So a retry after a lost answer looks for the post instead: a thread of
that forum, owned by whoever opened it, with this name, whose first message says what this one says
(``dedupe.message_signature``).  The bot owns the posts it opens; a post opened through a webhook
(Execute Webhook with ``thread_name``) is owned by the webhook, and its first message's author is
the webhook too (``dedupe.is_webhook_copy``).

A post with no activity for its auto-archive duration is archived: it leaves the guild's active
threads and shows among the forum's public archived threads, newest archived first, a page at a
time.  Only those archived since the outbox row was made can be its post (``archived_since``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
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


def archived_at(thread: Mapping[str, Any]) -> datetime | None:
    """When ``thread`` was archived: its ``thread_metadata.archive_timestamp`` (None if unreadable)."""
    raw = (thread.get("thread_metadata") or {}).get("archive_timestamp")
    try:
        when = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if when is None or when.tzinfo is not None:
        return when
    return when.replace(tzinfo=timezone.utc)


def archived_since(
    page: Mapping[str, Any], since: datetime
) -> tuple[Sequence[Mapping[str, Any]], str | None]:
    """One page of a forum's public archived threads (newest archived first, as Discord lists them)
    → those archived at ``since`` or later, and the ``before`` to ask the next page with.

    The next page is None when no later one can hold such a thread: Discord has no more
    (``has_more``), or this page already reached one archived before ``since``.  A post made for
    an outbox row is archived after the row was made, so ``since`` is the row's creation.  A thread
    whose time cannot be read counts as recent (a wrong "maybe" costs one read, a wrong "no" a
    second post), but cannot carry the paging on.
    """
    threads = list(page.get("threads") or ())
    recent: list[Mapping[str, Any]] = []
    for thread in threads:
        when = archived_at(thread)
        if when is not None and when < since:
            return recent, None
        recent.append(thread)
    if not page.get("has_more") or not threads or archived_at(threads[-1]) is None:
        return recent, None
    return recent, str(threads[-1]["thread_metadata"]["archive_timestamp"])
