"""REST routes for forum and media channels, whose every post is a thread, and for listing threads.

Source: Resources > Channel "Start Thread in Forum or Media Channel" (POST /channels/{id}/threads
with a ``message``) and Resources > Guild "List Active Guild Threads".
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import errors as E
from . import limits as L
from .errors import ApiError
from .permissions import Permission as P
from .rest_base import Reply, RestBase
from .state import FORUM_TYPES, Channel, iso

#: Channel type of every forum post: "The type of the created thread is PUBLIC_THREAD".
PUBLIC_THREAD = 11
#: What a forum post's message may carry; everything else a channel message knows (``nonce``,
#: ``enforce_nonce``, ``message_reference``...) is not a documented field there and is ignored.
FORUM_MESSAGE_FIELDS = ("content", "embeds", "allowed_mentions", "components", "sticker_ids", "attachments",
                        "flags", "tts")


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

        The emulator never archives a thread, so that is every live thread.
        """
        guild = self._guild(request)
        threads = [t for t in (self.world.live_channel(c) for c in guild.channel_ids)
                   if t is not None and t.is_thread and self.world.bot_permissions(t) & P.VIEW_CHANNEL]
        members = [self._membership(t) for t in threads if t.owner_id == self.world.bot.id]
        return Reply(200, {"threads": [t.payload() for t in threads], "members": members})

    def _membership(self, thread: Channel) -> dict[str, Any]:
        """The bot's thread member object: it joined every thread it created, when it created it."""
        return {"id": str(thread.id), "user_id": str(self.world.bot.id), "join_timestamp": iso(thread.created),
                "flags": 0}
