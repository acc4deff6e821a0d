"""Outbox rows → Discord messages, in the subscription's layout, each part exactly once.

Every message carries a nonce derived from (story, channel, part) with ``enforce_nonce``, and
each accepted part is recorded before the next is sent, so a process killed mid-post resumes
after the last accepted part and Discord drops a resent duplicate.  Rate limits are discord.py's
job (it reads the bucket headers and waits); this module only maps errors to DeliveryError.

In a forum or media channel each story (or digest) is one forum post: a thread created with the
post's first message, the other messages inside it.  That creation takes no nonce, so before
creating one the sink looks for the post among the forum's active threads (see ``forum.py``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

import aiohttp
import discord
from discord.http import MultipartParameters

from bot.discord.forum import digest_post_name, is_candidate, message_signature, story_post_name
from bot.discord.nonce import message_nonce
from bot.errors import DeliveryError
from bot.model import Article
from bot.render import (
    MessagePayload,
    ThreadPlan,
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
#: Threads (and forum posts) created by the bot archive after a day without activity.  A forum
#: post is only found again by a retry while it is active, i.e. within a day of its last message.
THREAD_ARCHIVE_MINUTES = 1440
#: discord.py's errors and the network's, as a call to Discord may raise them.
CALL_ERRORS = (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError, OSError)
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


def webhook_mentions(body: dict[str, Any]) -> discord.AllowedMentions:
    """The payload's ``allowed_mentions`` in discord.py's terms: the roles render allowed, nothing else."""
    roles = body.get("allowed_mentions", {}).get("roles") or []
    return discord.AllowedMentions(
        everyone=False,
        users=False,
        replied_user=False,
        roles=[discord.Object(id=int(role)) for role in roles] if roles else False,
    )


class DiscordSink:
    """Posts outbox rows through discord.py's HTTP client (its rate limiter included)."""

    def __init__(self, client: discord.Client, store: Store, *, webhook_for: Callable[[int, Any], Awaitable[discord.Webhook]] | None = None) -> None:
        self.client = client
        self.store = store
        self.webhook_for = webhook_for
        self.pacer = Pacer(GLOBAL_POSTS_PER_SECOND)

    async def send(self, row: OutboxRow, articles: list[StoredArticle], subscription: Any) -> list[int]:
        forum = await self._forum(row.channel_id)
        mention = subscription.mention_for(row.kind)
        if row.kind == "digest":
            payloads = render_digest(
                f"Digest: {subscription.key}", [a.article for a in articles], since=None, mention=mention
            )
            name = digest_post_name(subscription.key, row.created_at, subscription.timezone)
        else:
            article = articles[0].article
            updated = row.kind == "update"
            if subscription.layout == "thread":
                plan = render_thread(article, updated=updated, mention=mention)
                if forum is None:
                    return await self._send_thread(row, subscription, plan)
                payloads = [plan.headline, *plan.messages]
            else:
                payloads = _article_payloads(article, subscription, updated, mention)
            name = story_post_name(article, updated=updated)
        if forum is not None:
            return await self._send_forum_post(row, subscription, forum, name, payloads)
        return await self._send_parts(row, subscription, payloads, start=0)

    async def _forum(self, channel_id: int) -> discord.ForumChannel | None:
        """The channel if it is a forum or media channel (discord.py's ForumChannel is both), else None."""
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except CALL_ERRORS as exc:
                raise to_delivery_error(exc, f"looking up channel {channel_id}") from exc
        return channel if isinstance(channel, discord.ForumChannel) else None

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
        except CALL_ERRORS as exc:
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
                allowed_mentions=webhook_mentions(body),
                wait=True,
            )
        except CALL_ERRORS as exc:
            raise to_delivery_error(exc, f"posting through the webhook of channel {row.channel_id}") from exc
        return message.id

    async def _first_part(self, row: OutboxRow, create: Callable[[], Awaitable[int]]) -> list[int]:
        """The post's message ids, part 0 created (and recorded) unless an earlier attempt did it."""
        if 0 in row.parts_sent:
            return list(row.message_ids)
        first = await create()
        await self.store.record_progress(row.id, 0, first)
        return [*row.message_ids, first]

    async def _send_thread(self, row: OutboxRow, subscription: Any, plan: ThreadPlan) -> list[int]:
        ids = await self._first_part(row, lambda: self._post(row, subscription, row.channel_id, plan.headline, 0))
        # A thread started from a message has the message's id, so a retry finds it again.
        thread_id = ids[0]
        if not plan.messages:
            return ids
        try:
            await self.client.http.start_thread_with_message(
                row.channel_id, thread_id, name=plan.thread_name, auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                rate_limit_per_user=None,
            )
        except discord.HTTPException as exc:
            if exc.code != THREAD_ALREADY_CREATED:
                raise to_delivery_error(exc, f"starting a thread in channel {row.channel_id}") from exc
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise to_delivery_error(exc, f"starting a thread in channel {row.channel_id}") from exc
        return await self._send_parts(_with_ids(row, ids), subscription, plan.messages, start=1, channel_id=thread_id)

    async def _send_forum_post(
        self, row: OutboxRow, subscription: Any, forum: discord.ForumChannel, name: str, payloads: list[MessagePayload]
    ) -> list[int]:
        """One forum post: the first payload opens it (part 0, its id the thread's), the rest go inside."""
        if not payloads:
            return list(row.message_ids)
        ids = await self._first_part(row, lambda: self._open_forum_post(forum, name, payloads[0]))
        return await self._send_parts(_with_ids(row, ids), subscription, payloads[1:], start=1, channel_id=ids[0])

    async def _open_forum_post(self, forum: discord.ForumChannel, name: str, starter: MessagePayload) -> int:
        """The post's thread id: the one an earlier attempt created if it can be found, else a new post."""
        check_payload(starter)
        existing = await self._find_forum_post(forum, name, starter)
        if existing is not None:
            log.info("forum %s already has the post %r (thread %s) from an earlier attempt; resuming it", forum.id, name, existing)
            return existing
        await self.pacer.wait()
        body = {"name": name, "auto_archive_duration": THREAD_ARCHIVE_MINUTES, "message": dict(starter)}
        try:
            data = await self.client.http.start_thread_in_forum(forum.id, params=MultipartParameters(body, None, None))
        except CALL_ERRORS as exc:
            raise to_delivery_error(exc, f"creating a post in forum channel {forum.id}") from exc
        return int(data["id"])

    async def _find_forum_post(self, forum: discord.ForumChannel, name: str, starter: MessagePayload) -> int | None:
        """An active thread of ``forum`` the bot created with this name and this first message.

        Comparing the first message keeps apart two posts that share a name (two digests of one
        day, two stories with one title).  A first message that cannot be read (deleted, or no
        Read Message History) does not count: posting again is better than losing the post.
        """
        me = self.client.user
        if me is None:
            return None
        await self.pacer.wait()
        try:
            active = await self.client.http.get_active_threads(forum.guild.id)
        except CALL_ERRORS as exc:
            raise to_delivery_error(exc, f"listing the active threads of forum channel {forum.id}") from exc
        wanted = message_signature(starter)
        for thread in active.get("threads", []):
            if not is_candidate(thread, forum_id=forum.id, owner_id=me.id, name=name):
                continue
            try:
                first = await self.client.http.get_message(thread["id"], thread["id"])
            except (discord.NotFound, discord.Forbidden):
                continue
            except CALL_ERRORS as exc:
                raise to_delivery_error(exc, f"reading the first message of forum post {thread['id']}") from exc
            if message_signature(first) == wanted:
                return int(thread["id"])
        return None


def _article_payloads(
    article: Article, subscription: Any, updated: bool, mention: tuple[int, ...]
) -> list[MessagePayload]:
    """A story in the embed, compact or template layout (the thread layout has its own plan)."""
    if subscription.layout == "compact":
        return [render_compact(article, mention=mention)]
    if subscription.layout == "template":
        return [render_template(article, subscription.template, mention=mention)]
    return render_embed(article, updated=updated, mention=mention)


def _with_ids(row: OutboxRow, ids: list[int]) -> OutboxRow:
    from dataclasses import replace

    return replace(row, message_ids=tuple(ids), parts_sent=tuple(sorted({*row.parts_sent, 0})))
