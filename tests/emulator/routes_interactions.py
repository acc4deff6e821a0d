"""REST routes answering interactions: the callback, follow-ups and the original response."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from . import errors as E
from . import limits as L
from .errors import ApiError
from .interactions import INTERACTION_COMMAND, InteractionRecord
from .messages import TYPE_CHAT_INPUT_COMMAND, TYPE_DEFAULT, build_message
from .permissions import Permission as P
from .rest_base import Reply, RestBase, qbool
from .state import StoredMessage


class InteractionRoutes(RestBase):
    """/interactions/{id}/{token}/callback and /webhooks/{application}/{token}[/messages/...].

    Source: Interactions > Receiving and Responding (callback types, 3-second rule, 15-minute
    tokens, follow-ups, the deferred-then-follow-up edit, with_response).
    """

    def _interaction(self, request: web.Request) -> InteractionRecord:
        rec = self.emu.interactions.get(int(request.match_info["interaction_id"])) \
            if request.match_info["interaction_id"].isdigit() else None
        if rec is None or rec.token != request.match_info["interaction_token"]:
            raise ApiError.of(404, E.UNKNOWN_INTERACTION)
        return rec

    def _by_token(self, request: web.Request) -> InteractionRecord:
        rec = self.emu.interactions_by_token.get(request.match_info["webhook_token"])
        if rec is None:
            raise ApiError.of(404, E.UNKNOWN_WEBHOOK)
        if time.monotonic() - rec.created > self.emu.interaction_token_ttl:
            raise ApiError.of(401, E.INVALID_WEBHOOK_TOKEN)
        return rec

    def _interaction_author(self) -> dict[str, Any]:
        return self.bot_author()

    def _interaction_metadata(self, rec: InteractionRecord) -> dict[str, Any]:
        # GUILD_INSTALL's owner is the guild, or "0" for a DM with the bot (Authorizing Integration Owners).
        owner = str(rec.guild_id) if rec.guild_id is not None else "0"
        meta: dict[str, Any] = {"id": str(rec.id), "type": rec.type,
                                "user": self.world.users[rec.member_id].payload(),
                                "authorizing_integration_owners": {"0": owner}}
        if rec.type == INTERACTION_COMMAND:
            meta["name"] = rec.name
            meta["command_type"] = 1
        if rec.component_message_id is not None:
            meta["interacted_message_id"] = str(rec.component_message_id)
        return meta

    def _interaction_message(self, rec: InteractionRecord, body: Mapping[str, Any], *, loading: bool = False,
                             attachments: list[dict[str, Any]] | None = None) -> StoredMessage:
        flags = int(body.get("flags") or 0)
        channel = self.world.channels.get(rec.channel_id) if rec.guild_id is not None else None
        # In a DM there is no guild: no role to mention, and no one beyond the user to ping.
        guild = self.world.guild_of(channel) if channel is not None else None
        may_mention_everyone = channel is not None and bool(self.world.bot_permissions(channel) & P.MENTION_EVERYONE)
        data = build_message(
            self.world, message_id=self.world.ids.next(), channel_id=rec.channel_id,
            guild=guild, author=self._interaction_author(), body=body,
            may_mention_everyone=may_mention_everyone,
            message_type=TYPE_CHAT_INPUT_COMMAND if rec.type == INTERACTION_COMMAND else TYPE_DEFAULT,
            webhook_id=self.emu.application_id, application_id=self.emu.application_id,
            interaction_metadata=self._interaction_metadata(rec), attachments=attachments)
        if loading:
            data["flags"] = int(data["flags"]) | L.FLAG_LOADING
        stored = StoredMessage(data, rec.channel_id, self.world.bot.id, time.monotonic(),
                               ephemeral=bool(flags & L.FLAG_EPHEMERAL), interaction_id=rec.id)
        self.world.store_message(stored)
        return stored

    async def interaction_callback(self, request: web.Request) -> Reply:
        rec = self._interaction(request)
        if rec.acknowledged is not None:
            raise ApiError.of(400, E.ALREADY_ACKNOWLEDGED)
        if rec.expired or time.monotonic() - rec.created > self.emu.interaction_timeout:
            rec.expired = True
            rec.log.append({"kind": "expired", "at": time.monotonic() - rec.created})
            self.emu._notify()
            raise ApiError.of(404, E.UNKNOWN_INTERACTION)
        body, files = await self.body(request)
        self.validate(L.check_callback(body, rec.type, rec.option_type))
        data = body.get("data") or {}
        ctype = body["type"]
        if ctype in (L.CALLBACK_MESSAGE, L.CALLBACK_UPDATE):
            self.refuse_components_v2(data)
        if files and ctype != L.CALLBACK_MESSAGE:
            raise ApiError(400, 0, "The Discord emulator takes files only with a CHANNEL_MESSAGE_WITH_SOURCE callback")
        if ctype == L.CALLBACK_MESSAGE and L.message_is_empty(data, attachments=len(files)):
            raise ApiError.of(400, E.EMPTY_MESSAGE)
        message: StoredMessage | None = None
        if ctype == L.CALLBACK_MESSAGE:
            message = self._interaction_message(rec, data, attachments=files)
            rec.original_message_id = message.id
            await self.dispatch_create(message)
        elif ctype == L.CALLBACK_DEFERRED_MESSAGE:
            message = self._interaction_message(rec, {"content": "", "flags": int(data.get("flags") or 0)},
                                                loading=True)
            rec.original_message_id = message.id
            await self.dispatch_create(message)
        elif ctype in (L.CALLBACK_UPDATE, L.CALLBACK_DEFERRED_UPDATE):
            message = self.world.messages.get(rec.component_message_id or 0)
            if message is None or message.deleted:
                raise ApiError.of(404, E.UNKNOWN_MESSAGE)
            rec.original_message_id = message.id
            if ctype == L.CALLBACK_UPDATE:
                await self._apply_edit(message, data, may_mention_everyone=False)
        rec.acknowledged = ctype
        rec.log.append({"kind": "callback", "body": {"type": ctype, "data": body.get("data")},
                        "at": time.monotonic() - rec.created})
        self.emu._notify()
        if not qbool(request, "with_response"):
            return Reply(204)
        callback: dict[str, Any] = {"id": str(rec.id), "type": rec.type}
        response: dict[str, Any] = {"interaction": callback}
        if message is not None:
            callback["response_message_id"] = str(message.id)
            callback["response_message_loading"] = ctype == L.CALLBACK_DEFERRED_MESSAGE
            callback["response_message_ephemeral"] = message.ephemeral
        if ctype in (L.CALLBACK_MESSAGE, L.CALLBACK_UPDATE) and message is not None:
            response["resource"] = {"type": ctype, "message": message.data}
        else:
            response["resource"] = {"type": ctype}
        return Reply(200, response)

    async def create_followup(self, request: web.Request) -> Reply:
        rec = self._by_token(request)
        if rec.acknowledged is None or rec.acknowledged in (L.CALLBACK_AUTOCOMPLETE, L.CALLBACK_MODAL):
            raise ApiError.of(404, E.UNKNOWN_WEBHOOK)
        body, attachments = await self.body(request)
        self.validate(L.check_message(body, "interaction"))
        self.refuse_components_v2(body)
        if L.message_is_empty(body, attachments=len(attachments)):
            raise ApiError.of(400, E.EMPTY_MESSAGE)
        original = self.world.messages.get(rec.original_message_id or 0)
        if (rec.acknowledged == L.CALLBACK_DEFERRED_MESSAGE and not rec.loading_replaced and original is not None
                and original.data.get("flags", 0) & L.FLAG_LOADING):
            # Discord: the first follow-up after a deferred response edits the loading message.
            rec.loading_replaced = True
            edit = {k: v for k, v in body.items() if k in ("content", "embeds", "components", "allowed_mentions")}
            if attachments:
                original.data["attachments"] = attachments
            await self._apply_edit(original, edit, may_mention_everyone=False)
            stored = original
        else:
            stored = self._interaction_message(rec, body, attachments=attachments)
            await self.dispatch_create(stored)
        rec.followup_ids.append(stored.id)
        rec.log.append({"kind": "followup", "message_id": stored.id, "body": body,
                        "at": time.monotonic() - rec.created})
        self.emu._notify()
        return Reply(200, stored.data)

    async def interaction_message(self, request: web.Request) -> Reply:
        rec = self._by_token(request)
        mid = request.match_info["message_id"]
        if mid == "@original":
            if rec.original_message_id is None:
                raise ApiError.of(404, E.UNKNOWN_WEBHOOK if rec.acknowledged is None else E.UNKNOWN_MESSAGE)
            target = self.world.messages.get(rec.original_message_id)
        else:
            target = self.world.messages.get(int(mid)) if mid.isdigit() else None
            if target is not None and target.interaction_id != rec.id:
                target = None
        if target is None or target.deleted:
            raise ApiError.of(404, E.UNKNOWN_MESSAGE)
        if request.method == "GET":
            return Reply(200, target.data)
        if request.method == "DELETE":
            target.deleted = True
            rec.log.append({"kind": "delete", "message_id": target.id, "at": time.monotonic() - rec.created})
            await self.dispatch_delete(target)
            self.emu._notify()
            return Reply(204)
        body, _ = await self.body(request)
        self.validate(L.check_message(body, "edit"))
        self.refuse_components_v2(body)
        await self._apply_edit(target, body, may_mention_everyone=False)
        rec.log.append({"kind": "edit", "message_id": target.id, "original": mid == "@original", "body": body,
                        "at": time.monotonic() - rec.created})
        self.emu._notify()
        return Reply(200, target.data)


