"""Outbox rows → Discord messages, in the subscription's layout, each part exactly once.

Every message carries a nonce derived from (story, channel, part) with ``enforce_nonce``, and
each accepted part is recorded before the next is sent, so a process killed mid-post resumes
after the last accepted part and Discord drops a resent duplicate.  Rate limits are discord.py's
job (it reads the bucket headers and waits); this module only maps errors to DeliveryError.

In a forum or media channel each story (or digest) is one forum post: a thread created with the
post's first message, the other messages inside it.  That creation takes no nonce, so before
creating one the sink looks for the post among the forum's active threads and, when the row may
already have been posted, among the posts archived since the row was made (see ``forum.py``);
posting the rest into an archived post unarchives it.
A webhook execution takes no nonce either: before executing one for a row an earlier attempt may
have posted, the sink looks for that webhook's message in the channel's recent history
(see ``dedupe.py``).  A webhook subscription in a forum opens its post through the webhook
(Execute Webhook with ``thread_name``; the webhook owns the thread, and the thread has the first
message's id) and posts the rest into it (``thread_id``), so the whole post shows the webhook's
name; a retry looks for such a post as for the bot's own, by the webhook as its owner.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any, Awaitable, Callable, Sequence

import aiohttp
import discord
from discord.http import MultipartParameters

from bot.discord.dedupe import claimed_at, is_webhook_copy, may_have_been_posted, message_signature, webhook_copy
from bot.discord.forum import archived_since, digest_post_name, is_candidate, story_post_name
from bot.discord.nonce import message_nonce
from bot.errors import DeliveryError
from bot.model import Article
from bot.render import (
    ActionRow,
    MessagePayload,
    ThreadPlan,
    check_payload,
    has_section_menu,
    render_compact,
    render_digest,
    render_embed,
    render_template,
    render_thread,
    section_menu_rows,
    with_menu,
)
from bot.store import Store
from bot.store.outbox import DEFAULT_LEASE
from bot.store.records import OutboxRow, StoredArticle

log = logging.getLogger("newsbot.discord")

#: Discord's "a thread has already been created for this message" error code.
THREAD_ALREADY_CREATED = 160004
#: Discord's "Unknown Webhook" error code: the webhook was deleted.
UNKNOWN_WEBHOOK = 10015
#: Threads (and forum posts) created by the bot archive after a day without activity.  (A post
#: opened through a webhook cannot set it: it archives after the forum's default, maybe an hour.)
#: A retry looks for its post among the archived ones too (``ARCHIVED_LOOKBACK_PAGES``).
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
#: How far a retry looks among a forum's archived posts for one an earlier attempt made: at most
#: this many pages of ``ARCHIVED_PAGE_SIZE`` (newest archived first), and never past the posts
#: archived before the row was made.  A backlog that archived more posts since then than these
#: pages hold can hide it (the post is then made again).
ARCHIVED_LOOKBACK_PAGES = 3
ARCHIVED_PAGE_SIZE = 50
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


def webhook_username(subscription: Any) -> str:
    """The name a webhook subscription posts as: its own, else its feeds' (Discord allows 80 characters)."""
    return (subscription.webhook.name or ", ".join(subscription.feeds))[:80]


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
        #: Each channel's webhook once found or made (dropped when Discord says it is gone).
        self._hooks: dict[int, discord.Webhook] = {}
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
        color = getattr(subscription, "color", None)
        if row.kind == "digest":
            payloads = render_digest(
                f"Digest: {subscription.key}", [a.article for a in articles], since=None, mention=mention, color=color
            )
            name = digest_post_name(subscription.key, row.created_at, subscription.timezone)
        else:
            article = articles[0].article
            updated = row.kind == "update"
            menu = self._menu(articles[0], subscription)
            if subscription.layout == "thread":
                plan = render_thread(article, updated=updated, mention=mention, color=color)
                # The menu goes on the starter: the thread below it holds the sections anyway.
                plan = replace(plan, headline=with_menu(plan.headline, menu))
                if forum is None:
                    return await self._send_thread(row, subscription, plan)
                payloads = [plan.headline, *plan.messages]
            else:
                payloads = _article_payloads(article, subscription, updated, mention, color)
                # Under the story's last message, or on a forum post's first (the post's opening).
                at = 0 if forum is not None else len(payloads) - 1
                payloads[at] = with_menu(payloads[at], menu)
            name = story_post_name(article, updated=updated)
        if forum is not None:
            return await self._send_forum_post(row, subscription, forum, name, payloads)
        return await self._send_parts(row, subscription, payloads, start=0)

    def _menu(self, stored: StoredArticle, subscription: Any) -> list[ActionRow]:
        """The section menu a post of ``stored`` carries: none when the subscription turned it off
        (``section_menu: false``), when it posts through a webhook (Discord refuses components from
        a webhook no application owns), or when the story has no sections to pick from."""
        if not getattr(subscription, "section_menu", True) or self._through_webhook(subscription):
            return []
        if not has_section_menu(stored.article.sections):
            return []
        return section_menu_rows(stored.id, stored.article.sections)

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
        self, row: OutboxRow, subscription: Any, payloads: list[MessagePayload], *, start: int,
        channel_id: int | None = None, forum_post: bool = False,
    ) -> list[int]:
        """Post the parts not sent yet, in ``channel_id`` (the subscription's channel by default);
        ``forum_post``: it is the thread of a forum post, which a webhook subscription posts into too."""
        ids: list[int] = list(row.message_ids)
        target = channel_id or row.channel_id
        for offset, payload in enumerate(payloads):
            part = start + offset
            if part in row.parts_sent:
                continue
            message_id = await self._post(row, subscription, target, payload, part, taken=ids, forum_post=forum_post)
            await self.store.record_progress(row.id, part, message_id)
            ids.append(message_id)
        return ids

    async def _post(
        self, row: OutboxRow, subscription: Any, channel_id: int, payload: MessagePayload, part: int,
        *, taken: Sequence[int] = (), forum_post: bool = False,
    ) -> int:
        """Post one part; ``taken`` are the post's messages so far (no other part may claim them).

        A webhook subscription posts through its webhook in its channel and inside its forum posts
        (``forum_post``: ``channel_id`` is the post's thread); a thread-layout thread is the bot's.
        """
        check_payload(payload)
        await self.pacer.wait()
        body: dict[str, Any] = dict(payload)
        if self._through_webhook(subscription) and (forum_post or channel_id == row.channel_id):
            return await self._post_webhook(
                row, subscription, body, taken=(*row.message_ids, *taken), thread_id=channel_id if forum_post else None
            )
        body["nonce"] = message_nonce(_story(row), channel_id, part)
        body["enforce_nonce"] = True
        try:
            data = await self.client.http.send_message(channel_id, params=MultipartParameters(body, None, None))
        except CALL_ERRORS as exc:
            raise to_delivery_error(exc, f"posting to channel {channel_id}") from exc
        return int(data["id"])

    def _through_webhook(self, subscription: Any) -> bool:
        """Whether the subscription's posts go through a channel webhook (the bot can make one)."""
        return getattr(subscription, "webhook", None) is not None and self.webhook_for is not None

    async def _hook(self, row: OutboxRow, subscription: Any) -> discord.Webhook:
        """The webhook of the subscription's channel: found or created once, then reused until
        Discord says it is gone (see ``_execute``)."""
        assert self.webhook_for is not None
        hook = self._hooks.get(row.channel_id)
        if hook is None:
            try:
                hook = await self.webhook_for(row.channel_id, subscription)
            except CALL_ERRORS as exc:
                raise to_delivery_error(exc, f"getting the webhook of channel {row.channel_id}") from exc
            self._hooks[row.channel_id] = hook
        return hook

    async def _post_webhook(
        self, row: OutboxRow, subscription: Any, body: dict[str, Any], *, taken: Sequence[int], thread_id: int | None = None
    ) -> int:
        """The part's message, executed through the channel's webhook unless an earlier attempt did;
        into the thread ``thread_id`` (a post of the forum) if given, else in the channel — which
        may itself be a thread, posted into through its own channel's webhook."""
        hook = await self._hook(row, subscription)
        if thread_id is None and hook.channel_id is not None and hook.channel_id != row.channel_id:
            thread_id = row.channel_id
        if self._may_have_been_posted(row):
            earlier = await self._find_webhook_post(
                row, thread_id or row.channel_id, hook, webhook_username(subscription), body, taken
            )
            if earlier is not None:
                log.info("channel %s already has outbox #%d's webhook message %s from an earlier attempt; "
                         "recording it", thread_id or row.channel_id, row.id, earlier)
                return earlier
        thread = discord.Object(id=thread_id) if thread_id is not None else discord.utils.MISSING
        return (await self._execute(row, subscription, body, thread=thread)).id

    async def _execute(
        self, row: OutboxRow, subscription: Any, body: dict[str, Any], *,
        thread: discord.abc.Snowflake = discord.utils.MISSING, thread_name: str = discord.utils.MISSING,
    ) -> discord.WebhookMessage:
        """Execute the channel's webhook with ``body`` under the subscription's name and avatar: in
        its channel, into ``thread``, or as a new forum post named ``thread_name``.

        An answer that does not come within ``webhook_timeout`` is a retryable failure: Discord may
        have stored the message, so the retry looks for it first.  A webhook an admin deleted
        ("Unknown Webhook") posted nothing: the bot makes a new one and executes that, once.
        """
        spec = subscription.webhook
        what = f"posting through the webhook of channel {row.channel_id}"
        if thread_name is not discord.utils.MISSING:
            what = f"opening a post in forum channel {row.channel_id} through its webhook"
        embeds = [discord.Embed.from_dict(e) for e in body.get("embeds", [])]
        for renewed in (False, True):
            hook = await self._hook(row, subscription)
            execute = hook.send(
                content=body.get("content") or discord.utils.MISSING,
                embeds=embeds or discord.utils.MISSING,
                username=webhook_username(subscription),
                avatar_url=str(spec.avatar_url) if spec.avatar_url else discord.utils.MISSING,
                allowed_mentions=webhook_mentions(body),
                thread=thread,
                thread_name=thread_name,
                wait=True,
            )
            try:
                return await asyncio.wait_for(execute, self.webhook_timeout)
            except asyncio.TimeoutError as exc:
                # Discord may well have stored it: the retry looks for it before posting again.
                raise DeliveryError(f"{what}: no answer within {self.webhook_timeout:g} s", retryable=True) from exc
            except discord.NotFound as exc:
                if renewed or exc.code != UNKNOWN_WEBHOOK:
                    raise to_delivery_error(exc, what) from exc
                log.warning("the webhook of channel %s is gone (deleted in the channel's settings?); making a new one",
                            row.channel_id)
                self._hooks.pop(row.channel_id, None)
            except CALL_ERRORS as exc:
                raise to_delivery_error(exc, what) from exc
        raise AssertionError("unreachable: the second execution returns or raises")

    async def _find_webhook_post(
        self, row: OutboxRow, channel_id: int, hook: discord.Webhook, username: str, body: dict[str, Any],
        taken: Sequence[int],
    ) -> int | None:
        """The id of this part's message if an earlier attempt posted it and the recent history of
        ``channel_id`` (the subscription's channel, or a thread of its forum) shows it.

        The history may be unreadable: without Read Message History Discord lists nothing, and
        the request may fail.  The part is then posted again: twice is better than lost.
        """
        if not self._can_read_history(row.channel_id):
            self._history_unreadable(row.channel_id, "the bot lacks Read Message History there")
            return None
        await self.pacer.wait()
        try:
            history = await self.client.http.logs_from(channel_id, WEBHOOK_LOOKBACK)
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
        """Say once per channel that a retried webhook message or forum post may show twice, and why."""
        if channel_id in self._history_warned:
            log.debug("history of channel %s still unreadable: %s", channel_id, why)
            return
        self._history_warned.add(channel_id)
        log.warning(
            "cannot check channel %s for a message or post an earlier attempt may have made (%s); "
            "posting it unchecked, so it may show twice. Read Message History in that channel avoids this.",
            channel_id, why,
        )

    def _may_have_been_posted(self, row: OutboxRow) -> bool:
        """Whether an earlier attempt (this process's, or a run that died) may have posted ``row``."""
        return may_have_been_posted(row, lease=CLAIM_LEASE, first_claim=self._first_claim)

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
        ids = await self._first_part(row, lambda: self._open_forum_post(row, subscription, forum, name, payloads[0]))
        return await self._send_parts(
            _with_ids(row, ids), subscription, payloads[1:], start=1, channel_id=ids[0], forum_post=True
        )

    async def _open_forum_post(
        self, row: OutboxRow, subscription: Any, forum: discord.ForumChannel, name: str, starter: MessagePayload
    ) -> int:
        """The post's thread id: the one an earlier attempt created if it can be found, else a new post
        (through the subscription's webhook, if it has one)."""
        check_payload(starter)
        if self._through_webhook(subscription):
            return await self._open_webhook_post(row, subscription, forum, name, starter)
        me = self.client.user
        wanted = message_signature(starter)
        existing = None if me is None else await self._find_forum_post(
            row, forum, name, owner_id=me.id, is_first=lambda first: message_signature(first) == wanted
        )
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

    async def _open_webhook_post(
        self, row: OutboxRow, subscription: Any, forum: discord.ForumChannel, name: str, starter: MessagePayload
    ) -> int:
        """The post's thread id, the post opened through the forum's webhook unless an earlier attempt did.

        Execute Webhook with ``thread_name`` creates the thread with this message as its first; the
        webhook owns the thread and is the message's author.  So the earlier attempt's post is an
        active thread of the forum owned by the webhook, with this name, whose first message is
        this webhook's under the subscription's name, made after the row, saying the same (active
        or archived).  Like a webhook message, it is looked for only when an earlier attempt may
        have made it.
        """
        hook = await self._hook(row, subscription)
        body: dict[str, Any] = dict(starter)
        if self._may_have_been_posted(row):
            is_first = partial(
                is_webhook_copy, webhook_id=hook.id, username=webhook_username(subscription),
                since=discord.utils.time_snowflake(row.created_at), signature=message_signature(body),
            )
            existing = await self._find_forum_post(row, forum, name, owner_id=hook.id, is_first=is_first)
            if existing is not None:
                log.info("forum %s already has the webhook post %r (thread %s) from an earlier attempt; resuming it",
                         forum.id, name, existing)
                return existing
        await self.pacer.wait()
        message = await self._execute(row, subscription, body, thread_name=name)
        # The message's channel is the new thread (its id is the message's, as for the bot's posts).
        return message.channel.id

    async def _find_forum_post(
        self, row: OutboxRow, forum: discord.ForumChannel, name: str, *, owner_id: int,
        is_first: Callable[[Mapping[str, Any]], bool],
    ) -> int | None:
        """A thread of ``forum`` owned by ``owner_id``, with this name, whose first message
        ``is_first`` recognises as ``row``'s post: an active one, else one archived since the row
        was made (``_forum_threads``).  The bot's posts and a webhook's are looked for alike.

        Comparing the first message keeps apart two posts that share a name (two digests of one
        day, two stories with one title).  A first message that cannot be read (deleted, or no
        Read Message History) does not count: posting again is better than losing the post.
        """
        async with aclosing(self._forum_threads(row, forum)) as threads:
            async for thread in threads:
                if not is_candidate(thread, forum_id=forum.id, owner_id=owner_id, name=name):
                    continue
                try:
                    first = await self.client.http.get_message(thread["id"], thread["id"])
                except (discord.NotFound, discord.Forbidden):
                    continue
                except CALL_ERRORS as exc:
                    raise to_delivery_error(exc, f"reading the first message of forum post {thread['id']}") from exc
                if is_first(first):
                    return int(thread["id"])
        return None

    async def _forum_threads(
        self, row: OutboxRow, forum: discord.ForumChannel
    ) -> AsyncGenerator[Mapping[str, Any], None]:
        """Where an earlier attempt's post for ``row`` may be: the guild's active threads, then,
        if that attempt may have made it (``dedupe.may_have_been_posted``), the forum's public
        archived threads archived since the row was made, newest first, a page at a time (at most
        ``ARCHIVED_LOOKBACK_PAGES``).  The caller stops at the first match, so a found active post
        costs no archived page.

        Listing archived threads needs Read Message History: without it (or if Discord refuses
        it) the archived posts are not looked at, and the post may be made twice (said once per
        forum in the log).  Any other failure is a retryable delivery error, as for the active list.
        """
        await self.pacer.wait()
        try:
            active = await self.client.http.get_active_threads(forum.guild.id)
        except CALL_ERRORS as exc:
            raise to_delivery_error(exc, f"listing the active threads of forum channel {forum.id}") from exc
        for thread in active.get("threads", []):
            yield thread
        if not self._may_have_been_posted(row):
            return
        if not self._can_read_history(forum.id):
            self._history_unreadable(forum.id, "the bot lacks Read Message History there")
            return
        before: str | None = None
        for _ in range(ARCHIVED_LOOKBACK_PAGES):
            await self.pacer.wait()
            try:
                page = await self.client.http.get_public_archived_threads(
                    forum.id, before=before, limit=ARCHIVED_PAGE_SIZE
                )
            except discord.Forbidden as exc:
                self._history_unreadable(forum.id, str(to_delivery_error(exc, "listing its archived posts")))
                return
            except CALL_ERRORS as exc:
                raise to_delivery_error(exc, f"listing the archived posts of forum channel {forum.id}") from exc
            recent, before = archived_since(page, row.created_at)
            for thread in recent:
                yield thread
            if before is None:
                return


def _article_payloads(
    article: Article, subscription: Any, updated: bool, mention: tuple[int, ...], color: int | None
) -> list[MessagePayload]:
    """A story in the embed, compact or template layout (the thread layout has its own plan)."""
    if subscription.layout == "compact":
        return [render_compact(article, mention=mention)]
    if subscription.layout == "template":
        return [render_template(article, subscription.template, mention=mention)]
    return render_embed(article, updated=updated, mention=mention, color=color)


def _with_ids(row: OutboxRow, ids: list[int]) -> OutboxRow:
    return replace(row, message_ids=tuple(ids), parts_sent=tuple(sorted({*row.parts_sent, 0})))
