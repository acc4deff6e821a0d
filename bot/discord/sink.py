"""Outbox rows → Discord messages, in the subscription's layout, each part exactly once.

Every message carries a nonce derived from (story, channel, part) with ``enforce_nonce``, and
each accepted part is recorded before the next is sent, so a process killed mid-post resumes
after the last accepted part and Discord drops a resent duplicate.  Rate limits are discord.py's
job (it reads the bucket headers and waits); this module only maps errors to DeliveryError.

In a forum or media channel each story (or digest) is one forum post: a thread created with the
post's first message, the other messages inside it.  That creation takes no nonce, so before
creating one the sink looks for the post among the forum's active threads (see ``forum.py``).
A webhook execution takes no nonce either: before executing one for a row an earlier attempt may
have posted, the sink looks for that webhook's message in the channel's recent history
(see ``dedupe.py``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Awaitable, Callable, Sequence

import aiohttp
import discord
from discord.http import MultipartParameters

from bot.discord.dedupe import claimed_at, may_have_been_posted, message_signature, webhook_copy
from bot.discord.forum import digest_post_name, is_candidate, story_post_name
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
from bot.store.outbox import DEFAULT_LEASE
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
#: A webhook execution whose answer has not come after this long counts as a failed attempt (and
#: is looked for before the retry).  Well under the outbox lease, so the attempt is recorded before
#: the lease could run out; aiohttp's own limit (5 minutes) is the lease itself.
WEBHOOK_TIMEOUT = 30.0
#: How much of a channel's recent history a retry searches for its own earlier webhook message
#: (Discord's default page; the message was posted by the latest attempt, so it is recent).
WEBHOOK_LOOKBACK = 50
#: The lease the delivery loop claims rows with (``Deliverer`` uses the store's default): a row's
#: ``leased_until`` minus it is when the row was claimed.
CLAIM_LEASE = DEFAULT_LEASE


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

    def __init__(
        self,
        client: discord.Client,
        store: Store,
        *,
        webhook_for: Callable[[int, Any], Awaitable[discord.Webhook]] | None = None,
        webhook_timeout: float = WEBHOOK_TIMEOUT,
    ) -> None:
        self.client = client
        self.store = store
        self.webhook_for = webhook_for
        self.webhook_timeout = webhook_timeout
        self.pacer = Pacer(GLOBAL_POSTS_PER_SECOND)
        #: When this process claimed its first row: rows created before it may have been in
        #: flight in a run that died (see ``dedupe.may_have_been_posted``).
        self._first_claim: datetime | None = None
        #: Channels whose history could not be read, already reported in the log.
        self._history_warned: set[int] = set()

    async def send(self, row: OutboxRow, articles: list[StoredArticle], subscription: Any) -> list[int]:
        self._note_claim(row)
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
            message_id = await self._post(row, subscription, target, payload, part, taken=ids)
            await self.store.record_progress(row.id, part, message_id)
            ids.append(message_id)
        return ids

    async def _post(
        self, row: OutboxRow, subscription: Any, channel_id: int, payload: MessagePayload, part: int,
        *, taken: Sequence[int] = (),
    ) -> int:
        """Post one part; ``taken`` are the post's messages so far (no other part may claim them)."""
        check_payload(payload)
        await self.pacer.wait()
        body: dict[str, Any] = dict(payload)
        webhook = getattr(subscription, "webhook", None)
        if webhook is not None and self.webhook_for is not None and channel_id == row.channel_id:
            return await self._post_webhook(row, subscription, body, taken=(*row.message_ids, *taken))
        body["nonce"] = message_nonce(_story(row), channel_id, part)
        body["enforce_nonce"] = True
        try:
            data = await self.client.http.send_message(channel_id, params=MultipartParameters(body, None, None))
        except CALL_ERRORS as exc:
            raise to_delivery_error(exc, f"posting to channel {channel_id}") from exc
        return int(data["id"])

    async def _post_webhook(self, row: OutboxRow, subscription: Any, body: dict[str, Any], *, taken: Sequence[int]) -> int:
        """The part's message, executed through the channel's webhook unless an earlier attempt did."""
        assert self.webhook_for is not None
        spec = subscription.webhook
        name = (spec.name or ", ".join(subscription.feeds))[:80]
        what = f"posting through the webhook of channel {row.channel_id}"
        try:
            hook = await self.webhook_for(row.channel_id, subscription)
        except CALL_ERRORS as exc:
            raise to_delivery_error(exc, what) from exc
        if may_have_been_posted(row, lease=CLAIM_LEASE, first_claim=self._first_claim):
            earlier = await self._find_webhook_post(row, hook, name, body, taken)
            if earlier is not None:
                log.info("channel %s already has outbox #%d's webhook message %s from an earlier attempt; "
                         "recording it", row.channel_id, row.id, earlier)
                return earlier
        embeds = [discord.Embed.from_dict(e) for e in body.get("embeds", [])]
        execute = hook.send(
            content=body.get("content") or discord.utils.MISSING,
            embeds=embeds or discord.utils.MISSING,
            username=name,
            avatar_url=str(spec.avatar_url) if spec.avatar_url else discord.utils.MISSING,
            allowed_mentions=webhook_mentions(body),
            wait=True,
        )
        try:
            message = await asyncio.wait_for(execute, self.webhook_timeout)
        except asyncio.TimeoutError as exc:
            # Discord may well have stored it: the retry looks for it before posting again.
            raise DeliveryError(f"{what}: no answer within {self.webhook_timeout:g} s", retryable=True) from exc
        except CALL_ERRORS as exc:
            raise to_delivery_error(exc, what) from exc
        return message.id

    async def _find_webhook_post(
        self, row: OutboxRow, hook: discord.Webhook, username: str, body: dict[str, Any], taken: Sequence[int]
    ) -> int | None:
        """The id of this part's message if an earlier attempt posted it and the recent history shows it.

        The history may be unreadable: without Read Message History Discord lists nothing, and
        the request may fail.  The part is then posted again: twice is better than lost.
        """
        if not self._can_read_history(row.channel_id):
            self._history_unreadable(row.channel_id, "the bot lacks Read Message History there")
            return None
        await self.pacer.wait()
        try:
            history = await self.client.http.logs_from(row.channel_id, WEBHOOK_LOOKBACK)
        except CALL_ERRORS as exc:
            self._history_unreadable(row.channel_id, str(to_delivery_error(exc, "reading it")))
            return None
        return webhook_copy(
            history,
            webhook_id=hook.id,
            username=username,
            since=discord.utils.time_snowflake(row.created_at),
            signature=message_signature(body),
            taken=taken,
        )

    def _can_read_history(self, channel_id: int) -> bool:
        """False when discord.py's cache says the bot may not read the channel's history; True if unsure."""
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel) or channel.guild.me is None:
            return True
        return channel.permissions_for(channel.guild.me).read_message_history

    def _history_unreadable(self, channel_id: int, why: str) -> None:
        """Say once per channel that a retried webhook post may show twice there, and why."""
        if channel_id in self._history_warned:
            log.debug("history of channel %s still unreadable: %s", channel_id, why)
            return
        self._history_warned.add(channel_id)
        log.warning(
            "cannot check channel %s for a webhook message an earlier attempt may have posted (%s); "
            "posting it unchecked, so it may show twice. Read Message History in that channel avoids this.",
            channel_id, why,
        )

    def _note_claim(self, row: OutboxRow) -> None:
        """Remember the earliest claim this process made (a claimed row is leased from then on)."""
        claimed = claimed_at(row, CLAIM_LEASE)
        if claimed is None:
            return
        if self._first_claim is None or claimed < self._first_claim:
            self._first_claim = claimed

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
