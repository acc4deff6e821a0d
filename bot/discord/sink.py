"""Outbox rows → Discord messages, in the subscription's layout, each part exactly once.

Every message carries a nonce derived from (story, channel, part) with ``enforce_nonce``, and
each accepted part is recorded before the next is sent, so a process killed mid-post resumes
after the last accepted part and Discord drops a resent duplicate.  Rate limits are discord.py's
job (it reads the bucket headers and waits); this module only maps errors to DeliveryError.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

import aiohttp
import discord
from discord.http import MultipartParameters

from bot.discord.nonce import message_nonce
from bot.errors import DeliveryError
from bot.render import (
    MessagePayload,
    check_payload,
    render_compact,
    render_digest,
    render_embed,
    render_template,
    render_thread,
)
from bot.store import Store
from bot.store.records import OutboxRow, StoredArticle

log = logging.getLogger("newsbot.discord")

#: Discord's "a thread has already been created for this message" error code.
THREAD_ALREADY_CREATED = 160004
#: Threads created by the bot archive after a day without activity.
THREAD_ARCHIVE_MINUTES = 1440
#: Discord's global limit is 50 requests a second per bot, and no header warns before it is hit
#: (discord.py learns of it from the 429).  Posts are paced a little under it so a backlog drained
#: over many channels in parallel never trips it.
GLOBAL_POSTS_PER_SECOND = 45.0


class Pacer:
    """Spaces calls at least ``1/rate`` seconds apart, across all tasks of the process."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._lock = asyncio.Lock()
        self._next = 0.0

    async def wait(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            now = loop.time()
            if self._next > now:
                await asyncio.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


def _story(row: OutboxRow) -> str:
    if row.kind == "digest":
        return f"digest:{row.subscription}:{row.dedupe_key}"
    return f"{row.kind}:{row.article_id}"


def to_delivery_error(exc: BaseException, what: str) -> DeliveryError:
    """discord.py / aiohttp errors → DeliveryError, retryable or not."""
    if isinstance(exc, discord.HTTPException):
        status, code = exc.status, exc.code
        retryable = status == 429 or status >= 500
        text = exc.text or exc.__class__.__name__
        return DeliveryError(f"{what}: Discord said {text!r}", status=status, code=code, retryable=retryable)
    return DeliveryError(f"{what}: {exc.__class__.__name__}: {exc}", retryable=True)


class DiscordSink:
    """Posts outbox rows through discord.py's HTTP client (its rate limiter included)."""

    def __init__(self, client: discord.Client, store: Store, *, webhook_for: Callable[[int, Any], Awaitable[discord.Webhook]] | None = None) -> None:
        self.client = client
        self.store = store
        self.webhook_for = webhook_for
        self.pacer = Pacer(GLOBAL_POSTS_PER_SECOND)

    async def send(self, row: OutboxRow, articles: list[StoredArticle], subscription: Any) -> list[int]:
        layout = subscription.layout
        if row.kind == "digest":
            payloads = render_digest(f"Digest: {subscription.key}", [a.article for a in articles], since=None)
            return await self._send_parts(row, subscription, payloads, start=0)
        article = articles[0].article
        updated = row.kind == "update"
        if layout == "thread":
            return await self._send_thread(row, subscription, article, updated)
        if layout == "compact":
            payloads = [render_compact(article)]
        elif layout == "template":
            payloads = [render_template(article, subscription.template)]
        else:
            payloads = render_embed(article, updated=updated)
        return await self._send_parts(row, subscription, payloads, start=0)

    async def _send_parts(
        self, row: OutboxRow, subscription: Any, payloads: list[MessagePayload], *, start: int, channel_id: int | None = None
    ) -> list[int]:
        ids: list[int] = list(row.message_ids)
        target = channel_id or row.channel_id
        for offset, payload in enumerate(payloads):
            part = start + offset
            if part in row.parts_sent:
                continue
            message_id = await self._post(row, subscription, target, payload, part)
            await self.store.record_progress(row.id, part, message_id)
            ids.append(message_id)
        return ids

    async def _post(self, row: OutboxRow, subscription: Any, channel_id: int, payload: MessagePayload, part: int) -> int:
        check_payload(payload)
        await self.pacer.wait()
        body: dict[str, Any] = dict(payload)
        webhook = getattr(subscription, "webhook", None)
        if webhook is not None and self.webhook_for is not None and channel_id == row.channel_id:
            return await self._post_webhook(row, subscription, body)
        body["nonce"] = message_nonce(_story(row), channel_id, part)
        body["enforce_nonce"] = True
        try:
            data = await self.client.http.send_message(channel_id, params=MultipartParameters(body, None, None))
        except (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise to_delivery_error(exc, f"posting to channel {channel_id}") from exc
        return int(data["id"])

    async def _post_webhook(self, row: OutboxRow, subscription: Any, body: dict[str, Any]) -> int:
        assert self.webhook_for is not None
        spec = subscription.webhook
        name = (spec.name or ", ".join(subscription.feeds))[:80]
        try:
            hook = await self.webhook_for(row.channel_id, subscription)
            embeds = [discord.Embed.from_dict(e) for e in body.get("embeds", [])]
            message = await hook.send(
                content=body.get("content") or discord.utils.MISSING,
                embeds=embeds or discord.utils.MISSING,
                username=name,
                avatar_url=str(spec.avatar_url) if spec.avatar_url else discord.utils.MISSING,
                allowed_mentions=discord.AllowedMentions.none(),
                wait=True,
            )
        except (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise to_delivery_error(exc, f"posting through the webhook of channel {row.channel_id}") from exc
        return message.id

    async def _send_thread(self, row: OutboxRow, subscription: Any, article: Any, updated: bool) -> list[int]:
        plan = render_thread(article, updated=updated)
        ids = list(row.message_ids)
        if 0 in row.parts_sent:
            headline_id = ids[0]
        else:
            headline_id = await self._post(row, subscription, row.channel_id, plan.headline, 0)
            await self.store.record_progress(row.id, 0, headline_id)
            ids.append(headline_id)
        # A thread started from a message has the message's id, so a retry finds it again.
        thread_id = headline_id
        if not plan.messages:
            return ids
        try:
            await self.client.http.start_thread_with_message(
                row.channel_id, headline_id, name=plan.thread_name, auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                rate_limit_per_user=None,
            )
        except discord.HTTPException as exc:
            if exc.code != THREAD_ALREADY_CREATED:
                raise to_delivery_error(exc, f"starting a thread in channel {row.channel_id}") from exc
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise to_delivery_error(exc, f"starting a thread in channel {row.channel_id}") from exc
        rest = await self._send_parts(
            _with_ids(row, ids), subscription, plan.messages, start=1, channel_id=thread_id
        )
        return rest


def _with_ids(row: OutboxRow, ids: list[int]) -> OutboxRow:
    from dataclasses import replace

    return replace(row, message_ids=tuple(ids), parts_sent=tuple(sorted({*row.parts_sent, 0})))
