"""REST routes for forum and media channels, whose every post is a thread, and for listing threads
(active ones, and a channel's public archived ones); what sending into an archived thread does.

Source: Resources > Channel "Start Thread in Forum or Media Channel" (POST /channels/{id}/threads
with a ``message``) and "List Public Archived Threads", Resources > Guild "List Active Guild
Threads", Topics > Threads "Active & Archived Threads".
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from . import errors as E
from . import limits as L
from .errors import ApiError, FieldError
from .permissions import Permission as P
from .rest_base import Reply, RestBase, snowflake
from .state import CHANNEL_TYPES, FORUM_TYPES, Channel, iso

#: Channel type of every forum post: "The type of the created thread is PUBLIC_THREAD".
PUBLIC_THREAD = 11
#: What a forum post's message may carry; everything else a channel message knows (``nonce``,
#: ``enforce_nonce``, ``message_reference``...) is not a documented field there and is ignored.
FORUM_MESSAGE_FIELDS = ("content", "embeds", "allowed_mentions", "components", "sticker_ids", "attachments",
                        "flags", "tts")
#: Channels whose public archived threads can be listed: text, announcement, forum, media.
ARCHIVED_LIST_TYPES = (0, 5, *FORUM_TYPES)
#: List Public Archived Threads' ``limit``: the docs give no bounds; discord.py notes that "the API
#: doesn't let you request less than 2 threads", and asks for at most 100 (50 by default).
ARCHIVED_LIMIT_MIN, ARCHIVED_LIMIT_MAX, ARCHIVED_LIMIT_DEFAULT = 2, 100, 50
#: "Operation cannot be performed on an archived thread" (JSON Error Codes).
ARCHIVED_THREAD = (50083, "Operation cannot be performed on an archived thread.")


async def unarchive_to_send(routes: RestBase, thread: Channel, *, may_unlock: bool) -> None:
    """Make ``thread`` active again before a message is stored in it, as sending does: "Sending a
    message will automatically unarchive the thread, unless the thread has been locked by a
    moderator" (Topics > Threads); a locked one is unarchived only by MANAGE_THREADS
    (``may_unlock``), else the message is refused (400/50083).  Execute Webhook's ``thread_id``:
    "The thread will automatically be unarchived" — a webhook holds no MANAGE_THREADS, so a
    locked thread refuses it too (the emulator's reading; the docs do not say).  THREAD_UPDATE.
    """
    if not thread.archived:
        return
    if thread.locked and not may_unlock:
        raise ApiError.of(400, ARCHIVED_THREAD)
    thread.set_archived(False)
    await routes.emu.gateway.dispatch("THREAD_UPDATE", thread.payload())


async def open_forum_post(routes: RestBase, forum: Channel, name: str, *, owner_id: int | None = None) -> Channel:
    """A new post's thread in ``forum`` (THREAD_CREATE sent), before its first message is stored.

    The first message takes the thread's id.  The owner is whoever creates the post: the bot
    (Start Thread in Forum), or the webhook executed with ``thread_name`` (``owner_id``).  A
    forum's last_message_id is its newest post.
    """
    thread = await routes.open_thread(forum, routes.world.ids.next(), name, PUBLIC_THREAD, applied_tags=[],
                                      owner_id=owner_id)
    forum.last_message_id = thread.id
    return thread


class ForumRoutes(RestBase):
    """/channels/{forum}/threads and /guilds/{guild}/threads/active."""

    async def start_forum_thread(self, request: web.Request) -> Reply:
        """A forum post: a PUBLIC_THREAD whose first message has the thread's id.

        Discord checks SEND_MESSAGES on the forum ("CREATE_PUBLIC_THREADS is ignored").  There is
        no nonce: sending the same post twice makes two posts, which is what a client must guard
        against on its own.
        """
        channel = self.channel(request)
        if channel.type in (0, 5):
            raise ApiError(400, 0, "The Discord emulator does not implement Start Thread without Message "
                                   "(POST /channels/{id}/threads on a text or announcement channel)")
        if channel.type not in FORUM_TYPES:
            raise ApiError.of(400, E.WRONG_CHANNEL_TYPE)
        have = self.require(channel, P.SEND_MESSAGES)
        body, attachments = await self.body(request)
        self.validate(L.check_forum_post(body))
        message = {k: v for k, v in body["message"].items() if k in FORUM_MESSAGE_FIELDS}
        self.refuse_components_v2(message)
        self.refuse_extras_without_permission(message, attachments, have)
        if L.message_is_empty(message, attachments=len(attachments)):
            raise ApiError.of(400, E.EMPTY_MESSAGE)
        thread = await open_forum_post(self, channel, body["name"])
        stored = self.store_bot_message(thread, thread.id, message, have, attachments)
        await self.announce_create(stored)
        return Reply(201, thread.payload() | {"message": stored.data})

    async def list_active_threads(self, request: web.Request) -> Reply:
        """Every unarchived thread of the guild the bot can see, and the bot's memberships in them.

        A thread is archived only when a test says so (``DiscordEmulator.archive_thread``).
        """
        guild = self._guild(request)
        threads = [t for t in (self.world.live_channel(c) for c in guild.channel_ids)
                   if t is not None and t.is_thread and not t.archived
                   and self.world.bot_permissions(t) & P.VIEW_CHANNEL]
        return Reply(200, {"threads": [t.payload() for t in threads], "members": self._memberships(threads)})

    async def list_public_archived_threads(self, request: web.Request) -> Reply:
        """A channel's archived public threads (a forum's archived posts), "ordered by
        archive_timestamp, in descending order": at most ``limit``, those archived strictly before
        ``before`` (an ISO 8601 timestamp) if given, ``has_more`` when more match.

        "Requires the READ_MESSAGE_HISTORY permission" (403/50013; 50001 without VIEW_CHANNEL).
        """
        channel = self.channel(request)
        if channel.type not in ARCHIVED_LIST_TYPES:
            raise ApiError.of(400, E.WRONG_CHANNEL_TYPE)
        self.require(channel, P.READ_MESSAGE_HISTORY)
        limit = _archived_limit(request.query.get("limit"))
        before = _archived_before(request.query.get("before"))
        threads = [t for t in (self.world.live_channel(c) for c in self.emu.thread_parents.get(channel.id, []))
                   if t is not None and t.archived and t.type != CHANNEL_TYPES["private_thread"]
                   and (before is None or datetime.fromtimestamp(t.archive_changed, timezone.utc) < before)]
        threads.sort(key=lambda t: t.archive_changed, reverse=True)
        page = threads[:limit]
        return Reply(200, {"threads": [t.payload() for t in page], "members": self._memberships(page),
                           "has_more": len(threads) > limit})

    async def get_thread_member(self, request: web.Request) -> Reply:
        """Get Thread Member: "a thread member object for the specified user if they are a member of
        the thread, returns a 404 response otherwise" (Unknown Member).  No intent or permission is
        needed beyond seeing the thread (403/50001); a channel that is not a thread is 400/50024.
        ``with_member`` is ignored: the emulator never adds the guild member."""
        channel = self.channel(request)
        if not channel.is_thread:
            raise ApiError.of(400, E.WRONG_CHANNEL_TYPE)
        self.require(channel)
        user_id = snowflake(request, "user_id", E.UNKNOWN_MEMBER)
        if user_id not in channel.member_ids:
            raise ApiError.of(404, E.UNKNOWN_MEMBER)
        return Reply(200, {"id": str(channel.id), "user_id": str(user_id), "join_timestamp": iso(channel.created),
                           "flags": 0})

    def _memberships(self, threads: list[Channel]) -> list[dict[str, Any]]:
        """The bot's thread member objects among ``threads``: those it created or was added to."""
        bot = self.world.bot.id
        return [self._membership(t) for t in threads if t.owner_id == bot or bot in t.member_ids]

    def _membership(self, thread: Channel) -> dict[str, Any]:
        """The bot's thread member object: it joined every thread it created, when it created it."""
        return {"id": str(thread.id), "user_id": str(self.world.bot.id), "join_timestamp": iso(thread.created),
                "flags": 0}


def _archived_limit(raw: str | None) -> int:
    """List Public Archived Threads' ``limit`` query value, checked (50035 NUMBER_TYPE_*)."""
    if raw is None:
        return ARCHIVED_LIMIT_DEFAULT
    try:
        limit = int(raw)
    except ValueError:
        raise ApiError.invalid_form([FieldError(("limit",), "NUMBER_TYPE_COERCE",
                                                f"Value \"{raw}\" is not int.")]) from None
    if limit < ARCHIVED_LIMIT_MIN:
        raise ApiError.invalid_form([FieldError(("limit",), "NUMBER_TYPE_MIN",
                                                f"int value should be greater than or equal to {ARCHIVED_LIMIT_MIN}.")])
    if limit > ARCHIVED_LIMIT_MAX:
        raise ApiError.invalid_form([FieldError(("limit",), "NUMBER_TYPE_MAX",
                                                f"int value should be less than or equal to {ARCHIVED_LIMIT_MAX}.")])
    return limit


def _archived_before(raw: str | None) -> datetime | None:
    """List Public Archived Threads' ``before`` (ISO 8601), checked (50035 DATE_TYPE_PARSE).

    Compared with each thread's timestamp as its payload shows it (to the microsecond), so the
    last thread of one page, given as ``before``, is never on the next."""
    if raw is None:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError.invalid_form([FieldError(("before",), "DATE_TYPE_PARSE",
                                                f"Could not parse {raw}. Should be ISO8601.")]) from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
