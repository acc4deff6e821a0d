"""What every REST handler shares: replies, body parsing, lookups with Discord's errors, dispatching.

Handlers return a ``Reply`` or raise ``ApiError``; the server's middleware does authentication,
rate limits, fault injection and counting around them (see server.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from . import errors as E
from . import limits as L
from .errors import ApiError
from .messages import TYPE_DEFAULT, TYPE_REPLY, apply_edit, build_message
from .permissions import Permission as P
from .state import Channel, Guild, StoredMessage

if TYPE_CHECKING:  # pragma: no cover
    from .server import DiscordEmulator

API_PREFIX = "/api/v10"
MAX_REQUEST_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful answer: status and JSON body (None → empty body)."""

    status: int = 200
    body: Any = None


Handler = Callable[["Rest", web.Request], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """How the middleware treats a route."""

    method: str
    template: str
    handler: Handler
    #: "bot" needs the bot token; "token" is authenticated by the webhook/interaction token in the path.
    auth: str = "bot"
    #: "message", "webhook", "route", "interaction" or None: which rate the bucket uses.
    bucket: str | None = "route"


def qbool(request: web.Request, name: str, default: bool = False) -> bool:
    """Discord's boolean query strings: True/true/1 and False/false/0."""
    raw = request.query.get(name)
    if raw is None:
        return default
    return raw.lower() in ("true", "1")


def snowflake(request: web.Request, name: str, unknown: tuple[int, str]) -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise ApiError.of(404, unknown)
    return int(raw)


class RestBase:
    """State access and helpers; the route mixins in ``routes_*.py`` build on it."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.world = emu.world

    # --- body parsing --------------------------------------------------------------------------

    async def body(self, request: web.Request, *, expect: type = dict) -> tuple[Any, list[dict[str, Any]]]:
        """The JSON body (or multipart ``payload_json``) and any uploaded files as attachments."""
        attachments: list[dict[str, Any]] = []
        if request.content_type.startswith("multipart/"):
            payload: Any = {}
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                if name == "payload_json":
                    payload = self._decode(await part.text())
                elif name.startswith("files["):
                    data = await part.read()
                    attachments.append(self.world.add_file(
                        self.emu.base_url, part.filename or name, bytes(data),
                        part.headers.get("Content-Type", "application/octet-stream")))
        else:
            text = await request.text()
            payload = self._decode(text) if text.strip() else ({} if expect is dict else [])
        if not isinstance(payload, expect):
            raise ApiError.invalid_form([E.FieldError(("_",), "MODEL_TYPE_CONVERT",
                                                      f"Expected a JSON {'object' if expect is dict else 'array'}.")])
        return payload, attachments

    async def get_attachment(self, request: web.Request) -> web.Response:
        """GET /attachments/{attachment_id}/{filename}: an uploaded file's bytes, as Discord's CDN serves
        them (no token needed); 404 for an unknown id."""
        raw = request.match_info["attachment_id"]
        data = self.world.files.get(int(raw)) if raw.isdigit() else None
        if data is None:
            return web.Response(status=404, text="404: Not Found")
        self.world.file_downloads[int(raw)] = self.world.file_downloads.get(int(raw), 0) + 1
        return web.Response(body=data, content_type="application/octet-stream")

    @staticmethod
    def _decode(text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            raise ApiError.of(400, E.INVALID_JSON) from None

    # --- shared checks -------------------------------------------------------------------------

    def channel(self, request: web.Request, name: str = "channel_id") -> Channel:
        channel = self.world.live_channel(snowflake(request, name, E.UNKNOWN_CHANNEL))
        if channel is None:
            raise ApiError.of(404, E.UNKNOWN_CHANNEL)
        return channel

    def _guild(self, request: web.Request) -> Guild:
        guild = self.world.guilds.get(snowflake(request, "guild_id", E.UNKNOWN_GUILD))
        if guild is None:
            raise ApiError.of(404, E.UNKNOWN_GUILD)
        return guild

    def require(self, channel: Channel, *needed: int) -> int:
        """403 50001 without VIEW_CHANNEL, 403 50013 without any other needed permission."""
        have = self.world.bot_permissions(channel)
        if not have & P.VIEW_CHANNEL:
            raise ApiError.of(403, E.MISSING_ACCESS)
        for bit in needed:
            if not have & bit:
                raise ApiError.of(403, E.MISSING_PERMISSIONS)
        return have

    def message_in(self, channel: Channel, request: web.Request) -> StoredMessage:
        mid = snowflake(request, "message_id", E.UNKNOWN_MESSAGE)
        stored = self.world.messages.get(mid)
        if stored is None or stored.deleted or stored.ephemeral or stored.channel_id != channel.id:
            raise ApiError.of(404, E.UNKNOWN_MESSAGE)
        return stored

    @staticmethod
    def validate(problems: list[E.FieldError]) -> None:
        if problems:
            raise ApiError.invalid_form(problems)

    @staticmethod
    def refuse_components_v2(body: Mapping[str, Any]) -> None:
        if int(body.get("flags") or 0) & L.FLAG_IS_COMPONENTS_V2:
            raise ApiError(400, 0, "The Discord emulator does not implement IS_COMPONENTS_V2 messages")

    @staticmethod
    def refuse_extras_without_permission(body: Mapping[str, Any], attachments: list[dict[str, Any]],
                                         have: int) -> None:
        """TTS needs SEND_TTS_MESSAGES and files ATTACH_FILES (403 50013), in a channel or a forum post."""
        if body.get("tts") and not have & P.SEND_TTS_MESSAGES:
            raise ApiError.of(403, E.MISSING_PERMISSIONS)
        if attachments and not have & P.ATTACH_FILES:
            raise ApiError.of(403, E.MISSING_PERMISSIONS)

    def store_bot_message(self, channel: Channel, message_id: int, body: Mapping[str, Any], have: int,
                          attachments: list[dict[str, Any]], *, reference: dict[str, Any] | None = None
                          ) -> StoredMessage:
        """Store an accepted bot message in ``channel`` (a channel, a thread or a new forum post).

        Synchronous, so the caller can record what must be known before anything else runs (a
        nonce); ``announce_create`` then sends MESSAGE_CREATE.
        """
        data = build_message(
            self.world, message_id=message_id, channel_id=channel.id, guild=self.world.guild_of(channel),
            author=self.bot_author(), body=body, may_mention_everyone=bool(have & P.MENTION_EVERYONE),
            embeds_allowed=bool(have & P.EMBED_LINKS), attachments=attachments,
            message_type=TYPE_REPLY if reference else TYPE_DEFAULT, message_reference=reference)
        stored = StoredMessage(data, channel.id, self.world.bot.id, time.monotonic())
        self.world.store_message(stored)
        return stored

    async def announce_create(self, stored: StoredMessage) -> None:
        await self.dispatch_create(stored)
        self.emu._notify()

    def bot_author(self) -> dict[str, Any]:
        return self.world.bot.payload()

    def gateway_message(self, stored: StoredMessage) -> dict[str, Any]:
        data = dict(stored.data)
        channel = self.world.channels.get(stored.channel_id)
        if channel is not None:
            data["guild_id"] = str(channel.guild_id)
            guild = self.world.guilds[channel.guild_id]
            member = guild.members.get(stored.author_id)
            if member is not None and "webhook_id" not in data:
                data["member"] = member.payload(with_user=False)
        return data

    async def dispatch_create(self, stored: StoredMessage) -> None:
        if not stored.ephemeral:
            await self.emu.gateway.dispatch("MESSAGE_CREATE", self.gateway_message(stored))

    async def dispatch_update(self, stored: StoredMessage) -> None:
        if not stored.ephemeral:
            await self.emu.gateway.dispatch("MESSAGE_UPDATE", self.gateway_message(stored))

    async def dispatch_delete(self, stored: StoredMessage) -> None:
        if not stored.ephemeral:
            channel = self.world.channels.get(stored.channel_id)
            event = {"id": str(stored.id), "channel_id": str(stored.channel_id)}
            if channel is not None:  # a DM message's event has no guild_id at all
                event["guild_id"] = str(channel.guild_id)
            await self.emu.gateway.dispatch("MESSAGE_DELETE", event)


    async def _apply_edit(self, stored: StoredMessage, body: Mapping[str, Any], *, may_mention_everyone: bool,
                          embeds_allowed: bool = True) -> None:
        candidate = dict(stored.data)
        channel = self.world.channels.get(stored.channel_id)
        guild = self.world.guilds.get(channel.guild_id) if channel else None
        apply_edit(self.world, candidate, body, guild=guild, may_mention_everyone=may_mention_everyone,
                   embeds_allowed=embeds_allowed)
        if L.message_is_empty(candidate, attachments=len(candidate.get("attachments") or [])):
            raise ApiError.of(400, E.EMPTY_MESSAGE)
        candidate["flags"] = int(candidate.get("flags", 0)) & ~L.FLAG_LOADING
        stored.data.clear()
        stored.data.update(candidate)
        await self.dispatch_update(stored)
        self.emu._notify()


    async def open_thread(self, parent: Channel, thread_id: int, name: str, type_: int, *,
                          applied_tags: list[int] | None = None, owner_id: int | None = None) -> Channel:
        """Create a thread (the bot's unless ``owner_id`` says whose), record it under its parent
        (``emu.threads``), send THREAD_CREATE."""
        thread = self.world.add_thread(parent, thread_id, name, type_, applied_tags=applied_tags, owner_id=owner_id)
        self.emu.thread_parents.setdefault(parent.id, []).append(thread.id)
        await self.emu.gateway.dispatch("THREAD_CREATE", thread.payload() | {"newly_created": True})
        return thread

    def is_interaction_webhook(self, request: web.Request) -> bool:
        """Interaction follow-ups use the webhook routes with the application id as webhook id."""
        return request.match_info["webhook_id"] == str(self.emu.application_id)
