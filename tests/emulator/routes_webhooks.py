"""REST routes for channel webhooks: create, list, fetch, execute (MonitoRSS-style posts), edit."""

from __future__ import annotations

import secrets
import time

from aiohttp import web

from . import errors as E
from . import limits as L
from .errors import ApiError, FieldError
from .messages import build_message
from .permissions import Permission as P
from .rest_base import Reply, RestBase, qbool, snowflake
from .routes_forum import open_forum_post, unarchive_to_send
from .state import FORUM_TYPES, Channel, StoredMessage, Webhook

#: "Maximum number of webhooks reached (15)" (JSON error code 30007).
MAX_WEBHOOKS_PER_CHANNEL = 15
#: Channel types a webhook can be created in: text, voice, announcement, forum, media.
WEBHOOK_CHANNEL_TYPES = (0, 2, 5, *FORUM_TYPES)
#: Execute Webhook's refusals around forum posts (Topics > Opcodes and Status Codes > JSON Error Codes).
FORUM_NEEDS_THREAD = (220001, "Webhooks posted to forum channels must have a thread_name or thread_id")
THREAD_NAME_AND_ID = (220002, "Webhooks posted to forum channels cannot have both a thread_name and thread_id")
THREAD_NAME_OUTSIDE_FORUM = (220003, "Webhooks can only create threads in forum channels")


class WebhookRoutes(RestBase):
    """/channels/{id}/webhooks and /webhooks/{id}[/{token}[/messages/{message}]] (Resources > Webhook)."""

    async def create_webhook(self, request: web.Request) -> Reply:
        channel = self.channel(request)
        if channel.type not in WEBHOOK_CHANNEL_TYPES:
            raise ApiError.of(400, E.WRONG_CHANNEL_TYPE)
        self.require(channel, P.MANAGE_WEBHOOKS)
        body, _ = await self.body(request)
        self.validate(L.check_webhook_name(body.get("name")))
        if sum(1 for w in self.world.webhooks.values() if w.channel_id == channel.id) >= MAX_WEBHOOKS_PER_CHANNEL:
            raise ApiError.of(400, E.MAX_WEBHOOKS)
        hook = Webhook(self.world.ids.next(), secrets.token_urlsafe(51), channel.id, channel.guild_id, body["name"],
                       self.emu.application_id, self.world.bot.id)
        self.world.webhooks[hook.id] = hook
        await self.emu.gateway.dispatch("WEBHOOKS_UPDATE", {"guild_id": str(channel.guild_id),
                                                            "channel_id": str(channel.id)})
        return Reply(200, hook.payload(self.world.bot))

    async def list_webhooks(self, request: web.Request) -> Reply:
        channel = self.channel(request)
        self.require(channel, P.MANAGE_WEBHOOKS)
        hooks = [w for w in self.world.webhooks.values() if w.channel_id == channel.id]
        return Reply(200, [w.payload(self.world.users.get(w.creator_id)) for w in hooks])

    def _webhook(self, request: web.Request, *, with_token: bool) -> Webhook:
        hook = self.world.webhooks.get(snowflake(request, "webhook_id", E.UNKNOWN_WEBHOOK))
        if hook is None or self.world.live_channel(hook.channel_id) is None:
            raise ApiError.of(404, E.UNKNOWN_WEBHOOK)
        if with_token and request.match_info["webhook_token"] != hook.token:
            raise ApiError.of(401, E.INVALID_WEBHOOK_TOKEN)
        return hook

    async def get_webhook(self, request: web.Request) -> Reply:
        hook = self._webhook(request, with_token=False)
        channel = self.world.live_channel(hook.channel_id)
        assert channel is not None
        if hook.application_id != self.emu.application_id:
            self.require(channel, P.MANAGE_WEBHOOKS)
        return Reply(200, hook.payload(self.world.users.get(hook.creator_id)))

    async def delete_webhook(self, request: web.Request) -> Reply:
        hook = self._webhook(request, with_token=False)
        channel = self.world.live_channel(hook.channel_id)
        assert channel is not None
        self.require(channel, P.MANAGE_WEBHOOKS)
        del self.world.webhooks[hook.id]
        return Reply(204)

    async def webhook_with_token(self, request: web.Request) -> Reply:
        if self.is_interaction_webhook(request):
            raise ApiError.of(404, E.UNKNOWN_WEBHOOK)
        hook = self._webhook(request, with_token=True)
        if request.method == "DELETE":
            del self.world.webhooks[hook.id]
            return Reply(204)
        data = hook.payload(None)
        return Reply(200, data)

    async def execute_webhook(self, request: web.Request) -> Reply:
        """Post as the webhook: in its channel, in a thread of it (``?thread_id``), or, in a forum or
        media channel, as a new post named ``thread_name`` that the webhook owns and whose first
        message is this one (so it has the thread's id)."""
        hook = self._webhook(request, with_token=True)
        channel = self.world.live_channel(hook.channel_id)
        assert channel is not None
        body, attachments = await self.body(request)
        thread_name = body.get("thread_name")
        target = self._execute_target(channel, request.query.get("thread_id"), thread_name)
        self.validate(L.check_message(body, "webhook"))
        self.refuse_components_v2(body)
        if L.message_is_empty(body, attachments=len(attachments)):
            raise ApiError.of(400, E.EMPTY_MESSAGE)
        if target is None:
            target = await open_forum_post(self, channel, str(thread_name), owner_id=hook.id)
            message_id = target.id
        else:
            await unarchive_to_send(self, target, may_unlock=False)
            message_id = self.world.ids.next()
        author = {"id": str(hook.id), "username": body.get("username") or hook.name, "avatar": None,
                  "discriminator": "0000", "global_name": None, "public_flags": 0, "flags": 0, "bot": True}
        if body.get("avatar_url"):
            author["avatar_url"] = body["avatar_url"]
        data = build_message(
            self.world, message_id=message_id, channel_id=target.id, guild=self.world.guild_of(channel),
            author=author, body=body, may_mention_everyone=True, attachments=attachments, webhook_id=hook.id,
            application_id=hook.application_id)
        stored = StoredMessage(data, target.id, hook.id, time.monotonic())
        self.world.store_message(stored)
        await self.dispatch_create(stored)
        self.emu._notify()
        if qbool(request, "wait"):
            return Reply(200, data)
        return Reply(204)

    def _execute_target(self, channel: Channel, thread_id: str | None, thread_name: object) -> Channel | None:
        """Where an execution posts: ``channel``, the thread ``thread_id`` of it, or None for a new
        forum post named ``thread_name`` (checked here; the post is made once the message is valid).

        Discord's rules (Resources > Webhook "Execute Webhook"): in a forum or media channel one of
        the two is required (220001), never both (220002); ``thread_name`` only there (220003).
        """
        if thread_id is not None and thread_name is not None:
            raise ApiError.of(400, THREAD_NAME_AND_ID)
        if thread_id is not None:
            thread = self.world.live_channel(int(thread_id)) if thread_id.isdigit() else None
            if thread is None or not thread.is_thread or thread.parent_id != channel.id:
                raise ApiError.of(404, E.UNKNOWN_CHANNEL)
            return thread
        if thread_name is not None:
            if channel.type not in FORUM_TYPES:
                raise ApiError.of(400, THREAD_NAME_OUTSIDE_FORUM)
            self.validate([FieldError(("thread_name",), p.code, p.message)
                           for p in L.check_thread_start({"name": thread_name}) if p.path == ("name",)])
            return None
        if channel.type in FORUM_TYPES:
            raise ApiError.of(400, FORUM_NEEDS_THREAD)
        return channel

    def _webhook_message(self, request: web.Request, hook: Webhook) -> StoredMessage:
        mid = request.match_info["message_id"]
        stored = self.world.messages.get(int(mid)) if mid.isdigit() else None
        if stored is None or stored.deleted or stored.data.get("webhook_id") != str(hook.id):
            raise ApiError.of(404, E.UNKNOWN_MESSAGE)
        return stored

    async def webhook_message(self, request: web.Request) -> Reply:
        hook = self._webhook(request, with_token=True)
        stored = self._webhook_message(request, hook)
        if request.method == "GET":
            return Reply(200, stored.data)
        if request.method == "DELETE":
            stored.deleted = True
            await self.dispatch_delete(stored)
            self.emu._notify()
            return Reply(204)
        body, _ = await self.body(request)
        self.validate(L.check_message(body, "edit"))
        self.refuse_components_v2(body)
        await self._apply_edit(stored, body, may_mention_everyone=True)
        return Reply(200, stored.data)

