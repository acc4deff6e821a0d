"""Recognising a post Discord already holds, when a retry cannot tell whether an earlier attempt
got through.  Pure.

Channel messages carry a nonce that Discord checks, so a resent one is dropped by Discord itself.
Forum posts and webhook executions take no nonce: a retry after a lost answer (a timeout, or a
process that died between Discord accepting the post and the bot recording it) looks for the post
instead and compares what it says (``message_signature``) and, for a webhook's post, who posted it
(``is_webhook_copy``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store.records import OutboxRow

EmbedSignature = tuple[str, str, tuple[tuple[str, str], ...]]
Signature = tuple[str, tuple[EmbedSignature, ...]]


def message_signature(message: Mapping[str, Any]) -> Signature:
    """What a message says, in the fields Discord stores as sent: content, and each embed's title,
    text and fields.

    The same for the payload the bot sends and the message Discord returns for it (Discord adds
    fields such as the embed ``type``, which are left out).  The fields count: the "(continued)"
    embeds of a long post differ in nothing else.
    """
    return _text(message.get("content")), tuple(_embed_signature(embed) for embed in message.get("embeds") or ())


def _embed_signature(embed: Mapping[str, Any]) -> EmbedSignature:
    fields = tuple((_text(f.get("name")), _text(f.get("value"))) for f in embed.get("fields") or ())
    return _text(embed.get("title")), _text(embed.get("description")), fields


def _text(value: Any) -> str:
    return (value or "").strip()


def claimed_at(row: OutboxRow, lease: timedelta) -> datetime | None:
    """When ``row`` was claimed: its lease's end minus the lease it was claimed with (None: unleased)."""
    return None if row.leased_until is None else row.leased_until - lease


def may_have_been_posted(row: OutboxRow, *, lease: timedelta, first_claim: datetime | None) -> bool:
    """Whether an earlier attempt at ``row`` may have reached Discord without being recorded.

    The store counts failed attempts, but not a claim whose holder died: a lone process releases
    such leases at start, and elsewhere the lease runs out.  So besides ``attempts``, a row counts
    as possibly attempted when it was already in the outbox at this process's first claim
    (``first_claim``), or when this claim came at least a whole lease after the row was created
    (a lease can only have run out by then).  A row without a lease cannot tell: it counts too.
    A wrong "yes" costs a look (a history read, or a forum's archived posts, a page or a few); a
    wrong "no" could post twice, so every doubt is a yes.
    """
    claimed = claimed_at(row, lease)
    if row.attempts > 0 or claimed is None or first_claim is None:
        return True
    return row.created_at <= first_claim or claimed - row.created_at >= lease


def is_webhook_copy(
    message: Mapping[str, Any], *, webhook_id: int, username: str, since: int, signature: Signature
) -> bool:
    """Whether ``message`` is one an earlier attempt posted through this webhook for this part.

    It must come from this webhook (not another one, nor the bot itself), under the name the
    subscription posts as, with an id from the snowflake ``since`` on (made once the outbox row
    existed), and say what this part says.  A forum post the webhook opened is recognised by its
    first message the same way.
    """
    return (
        str(message.get("webhook_id")) == str(webhook_id)
        and int(message["id"]) >= since
        and (message.get("author") or {}).get("username") == username
        and message_signature(message) == signature
    )


def webhook_copy(
    history: Iterable[Mapping[str, Any]],
    *,
    webhook_id: int,
    username: str,
    since: int,
    signature: Signature,
    taken: Iterable[int] = (),
) -> int | None:
    """The id of the message in ``history`` that an earlier attempt posted for this part, if any.

    One that ``is_webhook_copy`` accepts and that is not already recorded for another part
    (``taken``).  Discord lists the newest first; the newest match wins.
    """
    skip = {int(i) for i in taken}
    for message in history:
        message_id = int(message["id"])
        if message_id not in skip and is_webhook_copy(
            message, webhook_id=webhook_id, username=username, since=since, signature=signature
        ):
            return message_id
    return None
