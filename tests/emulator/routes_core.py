"""REST routes for identity, the gateway URL, application commands, guilds and channels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from . import errors as E
from . import limits as L
from .errors import ApiError
from .permissions import Permission as P
from .rest_base import Reply, RestBase, qbool, snowflake


class CoreRoutes(RestBase):
    """/users, /oauth2/applications, /gateway, /applications/.../commands, /guilds, /channels/{id}."""

    # --- users, application, gateway ------------------------------------------------------------

    async def get_me(self, request: web.Request) -> Reply:
        return Reply(200, self.world.bot.payload() | {"verified": True, "mfa_enabled": False, "email": None,
                                                      "locale": "en-US"})

    async def get_user(self, request: web.Request) -> Reply:
        user = self.world.users.get(snowflake(request, "user_id", E.UNKNOWN_USER))
        if user is None:
            raise ApiError.of(404, E.UNKNOWN_USER)
        return Reply(200, user.payload())

    async def get_application(self, request: web.Request) -> Reply:
        return Reply(200, self.world.application_payload(self.emu.application_flags))

    async def get_gateway(self, request: web.Request) -> Reply:
        return Reply(200, {"url": self.emu.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> Reply:
        used = self.emu.gateway.identify_count
        return Reply(200, {"url": self.emu.gateway_url, "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": max(1000 - used, 0), "reset_after": 86_400_000, "max_concurrency": 1}})

    # --- application commands ------------------------------------------------------------------

    def _command_scope(self, request: web.Request) -> int | None:
        app = request.match_info["application_id"]
        if app != str(self.emu.application_id):
            raise ApiError(403, 20012, "You are not authorized to perform this action on this application")
        if "guild_id" not in request.match_info:
            return None
        gid = snowflake(request, "guild_id", E.UNKNOWN_GUILD)
        if gid not in self.world.guilds:
            raise ApiError.of(403, E.MISSING_ACCESS)
        return gid

    def _store_command(self, scope: int | None, body: Mapping[str, Any], existing: dict[str, Any] | None
                       ) -> dict[str, Any]:
        command = dict(body)
        command.setdefault("type", L.COMMAND_CHAT_INPUT)
        command.setdefault("options", [])
        if command["type"] != L.COMMAND_CHAT_INPUT:
            command["description"] = ""
        command["id"] = existing["id"] if existing else str(self.world.ids.next())
        command["application_id"] = str(self.emu.application_id)
        command["version"] = str(self.world.ids.next())
        command.setdefault("default_member_permissions", None)
        command.setdefault("nsfw", False)
        command.setdefault("name_localizations", None)
        command.setdefault("description_localizations", None)
        if scope is not None:
            command["guild_id"] = str(scope)
        else:
            command.setdefault("contexts", None)
            command.setdefault("integration_types", [0])
        return command

    async def list_commands(self, request: web.Request) -> Reply:
        scope = self._command_scope(request)
        return Reply(200, list(self.emu.commands.get(scope, {}).values()))

    async def put_commands(self, request: web.Request) -> Reply:
        scope = self._command_scope(request)
        body, _ = await self.body(request, expect=list)
        self.validate(L.check_command_list(body))
        old = self.emu.commands.get(scope, {})
        by_key = {(c.get("type", 1), c["name"]): c for c in old.values()}
        new: dict[str, dict[str, Any]] = {}
        for item in body:
            command = self._store_command(scope, item, by_key.get((item.get("type", 1), item["name"])))
            new[command["id"]] = command
        self.emu.commands[scope] = new
        self.emu._notify()
        return Reply(200, list(new.values()))

    async def post_command(self, request: web.Request) -> Reply:
        scope = self._command_scope(request)
        body, _ = await self.body(request)
        self.validate(L.check_command(body))
        commands = self.emu.commands.setdefault(scope, {})
        existing = next((c for c in commands.values()
                         if (c.get("type", 1), c["name"]) == (body.get("type", 1), body.get("name"))), None)
        if existing is None and sum(1 for c in commands.values() if c.get("type", 1) == body.get("type", 1)) >= \
                L.COMMANDS_PER_TYPE_MAX.get(body.get("type", 1), 100):
            raise ApiError(400, 30032, "Maximum number of application commands reached")
        command = self._store_command(scope, body, existing)
        commands[command["id"]] = command
        self.emu._notify()
        return Reply(200 if existing else 201, command)

    def _command(self, request: web.Request, scope: int | None) -> dict[str, Any]:
        command = self.emu.commands.get(scope, {}).get(request.match_info["command_id"])
        if command is None:
            raise ApiError.of(404, E.UNKNOWN_APPLICATION_COMMAND)
        return command

    async def get_command(self, request: web.Request) -> Reply:
        return Reply(200, self._command(request, self._command_scope(request)))

    async def patch_command(self, request: web.Request) -> Reply:
        scope = self._command_scope(request)
        command = self._command(request, scope)
        body, _ = await self.body(request)
        merged = {k: v for k, v in command.items()} | body
        self.validate(L.check_command({k: v for k, v in merged.items() if k not in ("id", "application_id",
                                                                                     "version", "guild_id")}))
        updated = self._store_command(scope, merged, command)
        self.emu.commands[scope][updated["id"]] = updated
        return Reply(200, updated)

    async def delete_command(self, request: web.Request) -> Reply:
        scope = self._command_scope(request)
        command = self._command(request, scope)
        del self.emu.commands[scope][command["id"]]
        return Reply(204)

    # --- guilds and channels --------------------------------------------------------------------

    async def get_guild(self, request: web.Request) -> Reply:
        guild = self._guild(request)
        data = self.world.rest_guild_payload(guild)
        if qbool(request, "with_counts"):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = 0
        return Reply(200, data)

    async def get_guild_channels(self, request: web.Request) -> Reply:
        guild = self._guild(request)
        channels = [self.world.channels[c] for c in guild.channel_ids]
        return Reply(200, [c.payload() for c in channels if not c.deleted and not c.is_thread])

    async def get_member(self, request: web.Request) -> Reply:
        guild = self._guild(request)
        member = guild.members.get(snowflake(request, "user_id", E.UNKNOWN_MEMBER))
        if member is None:
            raise ApiError.of(404, E.UNKNOWN_MEMBER)
        return Reply(200, member.payload())

    async def get_channel(self, request: web.Request) -> Reply:
        channel = self.channel(request)
        self.require(channel)
        return Reply(200, channel.payload())

    async def typing(self, request: web.Request) -> Reply:
        channel = self.channel(request)
        self.require(channel, P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES)
        return Reply(204)

