"""REST routes for channel messages and threads started from them."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from . import errors as E
from . import limits as L
from .errors import ApiError
from .permissions import Permission as P
from .rest_base import Reply, RestBase
from .routes_forum import unarchive_to_send
from .state import TEXT_LIKE, Channel, StoredMessage

#: Message flag set on a message a thread was started from (Resources > Message > Message Flags).
FLAG_HAS_THREAD = 1 << 5


class MessageRoutes(RestBase):
    """/channels/{id}/messages[/{message}[/threads]] (Resources > Message; Resources > Channel)."""

    # --- messages -------------------------------------------------------------------------------

    async def list_messages(self, request: web.Request) -> Reply:
        channel = self.channel(request)
        have = self.require(channel)
        if not have & P.READ_MESSAGE_HISTORY:
            return Reply(200, [])
        try:
            limit = int(request.query.get("limit", "50"))
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            raise ApiError.invalid_form([E.FieldError(("limit",), "NUMBER_TYPE_MAX",
                                                      "int value should be between 1 and 100.")])
        history = self.world.channel_history(channel.id)
        before, after = request.query.get("before"), request.query.get("after")
        for key, value in (("before", before), ("after", after)):
            if value is not None and not value.isdigit():
                raise ApiError.invalid_form([E.FieldError((key,), "NUMBER_TYPE_COERCE",
                                                          f"Value \"{value}\" is not snowflake.")])
        if before:
            history = [m for m in history if m.id < int(before)]
        if after:
            history = [m for m in history if m.id > int(after)]
            return Reply(200, [m.data for m in reversed(history[:limit])])
        return Reply(200, [m.data for m in reversed(history[-limit:])])

    async def get_message(self, request: web.Request) -> Reply:
        channel = self.channel(request)
        have = self.require(channel)
        if not have & P.READ_MESSAGE_HISTORY:
            raise ApiError.of(403, E.MISSING_PERMISSIONS)
        return Reply(200, self.message_in(channel, request).data)

    def _nonce_hit(self, author_id: int, nonce: Any) -> StoredMessage | None:
        key = (author_id, str(nonce))
        hit = self.emu.nonces.get(key)
        if hit is None:
            return None
        mid, when = hit
        stored = self.world.messages.get(mid)
        if time.monotonic() - when > self.emu.nonce_window or stored is None or stored.deleted:
            del self.emu.nonces[key]
            return None
        return stored

    async def create_message(self, request: web.Request) -> Reply:
        channel = self.channel(request)
        if channel.type not in TEXT_LIKE:
            raise ApiError.of(400, E.NON_TEXT_CHANNEL)
        have = self.require(channel, P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES)
        body, attachments = await self.body(request)
        self.validate(L.check_message(body, "channel"))
        self.refuse_components_v2(body)
        self.refuse_extras_without_permission(body, attachments, have)
        reference = self._reference(channel, body, have)
        if L.message_is_empty(body, attachments=len(attachments)):
            raise ApiError.of(400, E.EMPTY_MESSAGE)
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            original = self._nonce_hit(self.world.bot.id, nonce)
            if original is not None:
                self.emu.nonce_hits += 1
                return Reply(200, original.data)
        await unarchive_to_send(self, channel, may_unlock=bool(have & P.MANAGE_THREADS))
        stored = self.store_bot_message(channel, self.world.ids.next(), body, have, attachments, reference=reference)
        if nonce is not None and body.get("enforce_nonce"):
            self.emu.nonces[(self.world.bot.id, str(nonce))] = (stored.id, stored.created)
        await self.announce_create(stored)
        return Reply(200, stored.data)

    def _reference(self, channel: Channel, body: Mapping[str, Any], have: int) -> dict[str, Any] | None:
        ref = body.get("message_reference")
        if ref is None:
            return None
        if not isinstance(ref, Mapping) or not str(ref.get("message_id", "")).isdigit():
            raise ApiError.invalid_form([E.FieldError(("message_reference", "message_id"), "BASE_TYPE_REQUIRED",
                                                      "This field is required")])
        if not have & P.READ_MESSAGE_HISTORY:
            raise ApiError(400, 160002, "Cannot reply without permission to read message history")
        target = self.world.messages.get(int(ref["message_id"]))
        if target is None or target.deleted or target.channel_id != channel.id:
            if ref.get("fail_if_not_exists", True):
                raise ApiError.invalid_form([E.FieldError(("message_reference",), "REPLIES_UNKNOWN_MESSAGE",
                                                          "Unknown message")])
            return None
        return {"type": 0, "message_id": str(target.id), "channel_id": str(channel.id),
                "guild_id": str(channel.guild_id)}

    async def edit_message(self, request: web.Request) -> Reply:
        channel = self.channel(request)
        have = self.require(channel)
        stored = self.message_in(channel, request)
        if stored.author_id != self.world.bot.id or "webhook_id" in stored.data:
            raise ApiError.of(403, E.CANNOT_EDIT_OTHERS)
        body, _ = await self.body(request)
        self.validate(L.check_message(body, "edit"))
        self.refuse_components_v2(body)
        await self._apply_edit(stored, body, may_mention_everyone=bool(have & P.MENTION_EVERYONE),
                               embeds_allowed=bool(have & P.EMBED_LINKS))
        return Reply(200, stored.data)

    async def delete_message(self, request: web.Request) -> Reply:
        channel = self.channel(request)
        have = self.require(channel)
        stored = self.message_in(channel, request)
        if stored.author_id != self.world.bot.id and not have & P.MANAGE_MESSAGES:
            raise ApiError.of(403, E.MISSING_PERMISSIONS)
        stored.deleted = True
        await self.dispatch_delete(stored)
        self.emu._notify()
        return Reply(204)

    # --- threads --------------------------------------------------------------------------------

    async def start_thread(self, request: web.Request) -> Reply:
        channel = self.channel(request)
        if channel.type not in (0, 5):
            raise ApiError.of(400, E.WRONG_CHANNEL_TYPE)
        self.require(channel, P.CREATE_PUBLIC_THREADS)
        stored = self.message_in(channel, request)
        body, _ = await self.body(request)
        self.validate(L.check_thread_start(body))
        if stored.thread_id is not None:
            raise ApiError.of(400, E.THREAD_ALREADY_CREATED)
        thread = await self.open_thread(channel, stored.id, body["name"], 10 if channel.type == 5 else 11)
        stored.thread_id = thread.id
        stored.data["flags"] = int(stored.data.get("flags", 0)) | FLAG_HAS_THREAD
        stored.data["thread"] = thread.payload()
        await self.dispatch_update(stored)
        self.emu._notify()
        return Reply(201, thread.payload())

