"""``DiscordEmulator``: Discord's REST API and gateway on 127.0.0.1, plus the test API around them.

One aiohttp application serves ``/api/v10/...`` and the gateway websocket.  A middleware does
what Discord's edge does before a handler runs, in this order: count the request, apply
injected faults (slowness, 5xx, 429), authenticate, rate-limit (global, then the route bucket),
then turn handler results and ``ApiError`` into responses with ``Via`` and ``X-RateLimit-*``
headers.  See README.md for what is covered and where each rule comes from.
"""

from __future__ import annotations

import asyncio
import base64
import fnmatch
import json
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from . import ratelimit
from .errors import ApiError, EmulatorUsageError, method_not_allowed, not_found, unauthorized
from .gateway import APP_FLAG_FOR_INTENT, OP_HEARTBEAT, OP_RECONNECT, Gateway
from .interactions import (
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    InteractionHandle,
    InteractionRecord,
    OptionsArg,
    Origin,
    build_command_data,
    build_component_data,
    find_component,
    new_record,
)
from .permissions import Permission
from .rest import API_PREFIX, MAX_REQUEST_BYTES, Rest, RouteSpec, route_table
from .state import CHANNEL_TYPES, Channel, DMChannel, Guild, Member, StoredMessage, User, World

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Discord's heartbeat interval (ms → s) as sent in HELLO today.
DEFAULT_HEARTBEAT_INTERVAL = 41.25
#: "You must send an initial response within 3 seconds" (Receiving and Responding).
DEFAULT_INTERACTION_TIMEOUT = 3.0
#: "Interaction tokens are valid for 15 minutes".
DEFAULT_INTERACTION_TOKEN_TTL = 15 * 60.0
#: enforce_nonce: "checked for uniqueness in the past few minutes" — the emulator uses 5 minutes.
DEFAULT_NONCE_WINDOW = 5 * 60.0
#: Discord puts every API response behind Google's front end; discord.py treats a 429 without
#: ``Via`` as a Cloudflare ban, so the header matters.
VIA = "1.1 google"


@dataclass
class FaultRule:
    """An injected fault: the next ``remaining`` requests matching ``pattern`` get ``status``."""

    pattern: str
    status: int
    remaining: int | None
    retry_after: float = 0.1
    delay: float = 0.0
    #: Delay the *answer*: the request is carried out (a message is stored) and only then held,
    #: as when a connection dies after Discord accepted a post.
    after: bool = False
    #: Set by ``clear_faults``: whatever this rule is holding goes on at once.
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def hold(self) -> None:
        """Wait ``delay`` seconds, or until the rule is released, whichever comes first."""
        try:
            await asyncio.wait_for(self.released.wait(), self.delay)
        except asyncio.TimeoutError:
            pass

    def matches(self, method: str, template: str, path: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        method_pat, _, path_pat = self.pattern.partition(" ") if " " in self.pattern else ("*", "", self.pattern)
        if not fnmatch.fnmatchcase(method, method_pat.upper()):
            return False
        return fnmatch.fnmatchcase(template, path_pat) or fnmatch.fnmatchcase(path, path_pat)


class RequestCounts:
    """Requests seen: ``total``, and per route template, e.g. ``counts["POST /channels/{channel_id}/messages"]``."""

    def __init__(self) -> None:
        self.total = 0
        self.by_route: Counter[str] = Counter()
        self.by_path: Counter[str] = Counter()

    def __getitem__(self, route: str) -> int:
        return self.by_route[route]

    def matching(self, pattern: str) -> int:
        """Requests whose "METHOD /concrete/path" or "METHOD /template" matches a glob."""
        by_template = sum(v for k, v in self.by_route.items() if fnmatch.fnmatchcase(k, pattern))
        by_path = sum(v for k, v in self.by_path.items() if fnmatch.fnmatchcase(k, pattern))
        return max(by_template, by_path)

    def __repr__(self) -> str:
        return f"RequestCounts(total={self.total}, by_route={dict(self.by_route)})"


class DiscordEmulator:
    """A stand-in for Discord on 127.0.0.1: ``async with DiscordEmulator() as emu: ...``.

    Rates are ``(requests, seconds)``; ``None`` switches a limit off.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "newsbot",
        token: str | None = None,
        message_rate: ratelimit.Rate | None = ratelimit.DEFAULT_MESSAGE_RATE,
        webhook_rate: ratelimit.Rate | None = ratelimit.DEFAULT_WEBHOOK_RATE,
        route_rate: ratelimit.Rate | None = ratelimit.DEFAULT_ROUTE_RATE,
        global_rate: ratelimit.Rate | None = ratelimit.DEFAULT_GLOBAL_RATE,
        interaction_timeout: float = DEFAULT_INTERACTION_TIMEOUT,
        interaction_token_ttl: float = DEFAULT_INTERACTION_TOKEN_TTL,
        nonce_window: float = DEFAULT_NONCE_WINDOW,
        heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL,
        privileged_intents: int = 0,
    ) -> None:
        for name, rate in (("message_rate", message_rate), ("webhook_rate", webhook_rate),
                           ("route_rate", route_rate), ("global_rate", global_rate)):
            if rate is not None and not (len(rate) == 2 and int(rate[0]) >= 1 and float(rate[1]) > 0):
                raise ValueError(f"{name} must be (requests >= 1, seconds > 0) or None, got {rate!r}")
        self.host = host
        self._requested_port = port
        self.port = 0
        self.world = World(bot_name=bot_name)
        self.token = token or self._make_token(self.world.bot.id)
        self.rates: dict[str, ratelimit.Rate | None] = {
            "message": message_rate, "webhook": webhook_rate, "route": route_rate, "interaction": route_rate}
        self.limiter = ratelimit.RateLimiter(global_rate)
        self.interaction_timeout = interaction_timeout
        self.interaction_token_ttl = interaction_token_ttl
        self.nonce_window = nonce_window
        self.heartbeat_interval = heartbeat_interval
        self.privileged_intents = privileged_intents
        self.gateway = Gateway(self)
        self.rest = Rest(self)
        #: scope (guild id, or None for global) → command id → command object.
        self.commands: dict[int | None, dict[str, dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        #: (author id, nonce) → (message id, monotonic time).
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}
        #: How many POSTs were answered with the original message because of enforce_nonce.
        self.nonce_hits = 0
        self.thread_parents: dict[int, list[int]] = {}
        self.request_count = RequestCounts()
        self._rate_limited = 0
        self.faults: list[FaultRule] = []
        #: Exceptions raised inside handlers (emulator bugs); the test fixture fails on any.
        self.internal_errors: list[BaseException] = []
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._specs = {(s.method, s.template): s for s in route_table()}

    @staticmethod
    def _make_token(bot_id: int) -> str:
        head = base64.urlsafe_b64encode(str(bot_id).encode()).decode().rstrip("=")
        return f"{head}.emulator.{secrets.token_urlsafe(27)}"

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> DiscordEmulator:
        app = web.Application(middlewares=[self._middleware], client_max_size=MAX_REQUEST_BYTES)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self.rest.get_attachment)  # the "CDN"
        for spec in route_table():
            app.router.add_route(spec.method, API_PREFIX + spec.template, self._bind(spec))
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port)
        await site.start()
        server = site._server  # noqa: SLF001 - the only way to learn the port chosen for port 0
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # --- addresses ------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Set ``discord.http.Route.BASE`` to this."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """What GET /gateway/bot returns; discord.py's ``DiscordWebSocket.DEFAULT_GATEWAY`` must be this."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """Sent in READY; a different path, so tests can see that clients resume where told."""
        return f"ws://{self.host}:{self.port}/gateway/resume"

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot_user_id(self) -> int:
        return self.world.bot.id

    @property
    def application_flags(self) -> int:
        flags = 0
        for intent, flag in APP_FLAG_FOR_INTENT.items():
            if self.privileged_intents & intent:
                flags |= flag
        return flags

    # --- change notification --------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], T | None], timeout: float, what: str = "condition") -> T:
        """Wait until ``predicate()`` returns something truthy (re-checked on every state change)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), min(remaining, 0.25))
            except asyncio.TimeoutError:
                pass

    # --- middleware -----------------------------------------------------------------------------

    def _bind(self, spec: RouteSpec) -> Callable[[web.Request], Any]:
        async def handler(request: web.Request) -> web.StreamResponse:
            reply = await spec.handler(self.rest, request)
            return self._json(reply.status, reply.body)

        return handler

    @staticmethod
    def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
        headers = {"Via": VIA, **(headers or {})}
        if body is None:
            return web.Response(status=status, headers=headers)
        # Exactly "application/json", no charset: discord.py only decodes that exact value.
        return web.Response(status=status, body=json.dumps(body).encode(), content_type="application/json",
                            headers=headers)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        route = request.match_info.route
        resource = route.resource
        template = resource.canonical[len(API_PREFIX):] if resource is not None else request.path[len(API_PREFIX):]
        spec = self._specs.get((request.method, template))
        method = request.method
        route_key = f"{method} {template}"
        path_key = f"{method} {request.path[len(API_PREFIX):]}"
        self.request_count.total += 1
        self.request_count.by_route[route_key] += 1
        self.request_count.by_path[path_key] += 1
        fault = await self._apply_faults(method, template, request.path[len(API_PREFIX):])
        if fault is not None:
            return fault
        if spec is None:
            error = method_not_allowed() if request.match_info.http_exception is not None and \
                request.match_info.http_exception.status == 405 else not_found()
            return self._json(error.status, error.body())
        if spec.auth == "bot" and request.headers.get("Authorization") != f"Bot {self.token}":
            error = unauthorized()
            return self._json(error.status, error.body())
        verdict = self._rate_check(spec, request)
        if not verdict.allowed:
            self._rate_limited += 1
            self._notify()
            headers = dict(verdict.headers)
            headers["Retry-After"] = str(max(1, int(verdict.retry_after + 0.999)))
            headers["X-RateLimit-Scope"] = verdict.scope
            if verdict.is_global:
                headers["X-RateLimit-Global"] = "true"
            return self._json(429, verdict.body(), headers)
        try:
            response = await handler(request)
            for rule in [r for r in self.faults if r.after and r.matches(method, template, request.path[len(API_PREFIX):])]:
                if rule.remaining is not None:
                    rule.remaining -= 1
                await rule.hold()
        except ApiError as exc:
            response = self._json(exc.status, exc.body())
        except web.HTTPRequestEntityTooLarge:
            response = self._json(413, {"message": "Request entity too large", "code": 40005})
        except Exception as exc:  # an emulator bug: answer like Discord's 500, and keep it for the test
            log.exception("emulator error on %s %s", method, request.path)
            self.internal_errors.append(exc)
            response = self._json(500, {"message": f"500: Internal Server Error (emulator bug: {exc!r})",
                                        "code": 0})
        response.headers.update(verdict.headers)
        return response

    def _rate_check(self, spec: RouteSpec, request: web.Request) -> ratelimit.Verdict:
        info = request.match_info
        major = "+".join(info[k] for k in ("channel_id", "guild_id", "webhook_id", "webhook_token",
                                            "interaction_id", "interaction_token") if k in info)
        bucket = spec.bucket
        if bucket == "webhook" and info.get("webhook_id") == str(self.application_id):
            bucket = "interaction"  # follow-ups: webhook rules, no global limit
        rate = self.rates.get(bucket) if bucket else None
        counts_global = spec.auth == "bot"
        return self.limiter.check(f"{spec.method} {spec.template}", major, rate, now=time.monotonic(),
                                  wall_now=time.time(), counts_global=counts_global)

    async def _apply_faults(self, method: str, template: str, path: str) -> web.Response | None:
        for rule in list(self.faults):
            if rule.after or not rule.matches(method, template, path):
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
            if rule.delay:
                await rule.hold()
                continue
            return self._fault_response(rule)
        return None

    def _fault_response(self, rule: FaultRule) -> web.Response:
        status = rule.status
        if status == 429:
            self._rate_limited += 1
            headers = {"Retry-After": str(max(1, int(rule.retry_after + 0.999))), "X-RateLimit-Scope": "shared"}
            body = {"message": "The resource is being rate limited.", "retry_after": rule.retry_after,
                    "global": False}
            return self._json(429, body, headers)
        if status >= 502:
            reason = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "Error")
            return web.Response(status=status, text=f"<html><body><h1>{status} {reason}</h1></body></html>",
                                content_type="text/html", headers={"Via": VIA})
        return self._json(status, {"message": f"{status}: Internal Server Error", "code": 0})

    # --- fault injection (test API) -------------------------------------------------------------

    def fail_next(self, route: str, status: int = 500, count: int = 1, *, retry_after: float = 0.1) -> FaultRule:
        """Answer the next ``count`` requests matching ``route`` with ``status``.

        ``route`` is a glob over "METHOD /path" or "METHOD /template" without the /api/v10 prefix,
        e.g. ``"POST /channels/*/messages"``; without a method it matches any method.
        A 429 here is a "shared" resource limit with the given ``retry_after``.
        """
        rule = FaultRule(route, status, count, retry_after=retry_after)
        self.faults.append(rule)
        return rule

    def slow(self, route: str, seconds: float, count: int | None = None, *, after: bool = False) -> FaultRule:
        """Delay matching requests by ``seconds`` (all of them unless ``count`` is given).

        ``after=True`` carries the request out first and delays only the response.
        """
        rule = FaultRule(route, 0, count, delay=seconds, after=after)
        self.faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        """Forget every injected fault; requests a ``slow`` rule is holding go on at once."""
        for rule in self.faults:
            rule.released.set()
        self.faults.clear()

    async def drop_gateway(self) -> int:
        """Cut every gateway connection without a close frame; the client must RESUME."""
        return await self.gateway.drop()

    async def invalidate_session(self, resumable: bool = False) -> int:
        """Send INVALID_SESSION; unless ``resumable`` the session is gone and the client must IDENTIFY."""
        return await self.gateway.invalidate(resumable)

    async def reconnect(self) -> int:
        """Send RECONNECT (op 7): the client should reconnect and resume."""
        return await self.gateway.send_op(OP_RECONNECT, None)

    async def request_heartbeat(self) -> int:
        """Send HEARTBEAT (op 1): the client must heartbeat at once."""
        return await self.gateway.send_op(OP_HEARTBEAT, None)

    # --- world building (test API) --------------------------------------------------------------

    def add_guild(self, name: str) -> int:
        """A guild with an @everyone role, the bot (with its managed role) and an owner; returns its id."""
        guild = self.world.add_guild(name)
        self._spawn(self.gateway.dispatch("GUILD_CREATE", self.world.guild_create_payload(guild)))
        return guild.id

    def add_channel(self, guild_id: int, name: str, *, bot_permissions: int | None = None,
                    kind: str = "text") -> int:
        """A channel; ``bot_permissions`` makes the bot's effective permissions there exactly that."""
        guild = self._guild(guild_id)
        if kind not in CHANNEL_TYPES or kind.endswith("thread"):
            raise EmulatorUsageError(f"channel kind {kind!r}: use one of text, voice, category, announcement, forum, "
                                     "media")
        channel = self.world.add_channel(guild, name, CHANNEL_TYPES[kind])
        if bot_permissions is not None:
            self.world.set_bot_permissions(channel, bot_permissions)
        self._spawn(self.gateway.dispatch("CHANNEL_CREATE", channel.payload()))
        return channel.id

    def set_bot_permissions(self, channel_id: int, permissions: int) -> None:
        """Make the bot's permissions in a channel exactly ``permissions`` (via a bot-role overwrite)."""
        channel = self._channel(channel_id)
        self.world.set_bot_permissions(channel, permissions)
        self._spawn(self.gateway.dispatch("CHANNEL_UPDATE", channel.payload()))

    def set_overwrite(self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0) -> None:
        """Set a channel's permission overwrite for a role or a member, replacing theirs: e.g. deny
        VIEW_CHANNEL to @everyone (whose id is the guild's) and allow it to one member, for a
        private channel.  CHANNEL_UPDATE, as Discord sends after an edit of its overwrites."""
        channel = self._channel(channel_id)
        self.world.set_overwrite(channel, target_id, allow=int(allow), deny=int(deny))
        self._spawn(self.gateway.dispatch("CHANNEL_UPDATE", channel.payload()))

    def bot_permissions(self, channel_id: int) -> int:
        return self.world.bot_permissions(self._channel(channel_id))

    def delete_channel(self, channel_id: int) -> None:
        """Delete a channel (and its threads and webhooks), or a thread: REST then answers 404
        Unknown Channel.  CHANNEL_DELETE; for a thread THREAD_DELETE, whose payload is its id,
        guild_id, parent_id and type only (Gateway Events "Thread Delete")."""
        channel = self._channel(channel_id)
        channel.deleted = True
        for hook_id in [w.id for w in self.world.webhooks.values() if w.channel_id == channel_id]:
            del self.world.webhooks[hook_id]
        if channel.is_thread:
            full = channel.payload()
            self._spawn(self.gateway.dispatch("THREAD_DELETE", {k: full[k] for k in ("id", "guild_id", "parent_id", "type")}))
        else:
            self._spawn(self.gateway.dispatch("CHANNEL_DELETE", channel.payload()))

    def add_thread(self, parent_id: int, name: str, *, owner_id: int | None = None, private: bool = False) -> int:
        """A thread a member opened in a text or announcement channel (a public thread; an
        announcement thread in an announcement channel), as Start Thread without Message makes it;
        returns its id.  Owned by ``owner_id`` (a member), else by the bot.  It inherits its
        parent's permissions, so deny the bot SEND_MESSAGES_IN_THREADS on the parent to mute it
        there.  THREAD_CREATE.

        ``private``: a private thread (text channels only).  Only its members (its owner, then those
        ``add_thread_member`` adds) and those with MANAGE_THREADS in its channel can see it: to
        anyone else it answers 403 50001, and the bot hears of it (THREAD_CREATE) only if it can."""
        parent = self._channel(parent_id)
        if parent.type not in (CHANNEL_TYPES["text"], CHANNEL_TYPES["announcement"]):
            raise EmulatorUsageError(f"channel {parent_id} is not a text or announcement channel: "
                                     "a forum's threads are its posts (open them through the REST API)")
        if private and parent.type != CHANNEL_TYPES["text"]:
            raise EmulatorUsageError(f"channel {parent_id} is not a text channel: only those have private threads")
        kind = ("private_thread" if private
                else "announcement_thread" if parent.type == CHANNEL_TYPES["announcement"] else "public_thread")
        thread = self.world.add_thread(parent, self.world.ids.next(), name, CHANNEL_TYPES[kind], owner_id=owner_id)
        self.thread_parents.setdefault(parent.id, []).append(thread.id)
        if self.world.bot_permissions(thread) & Permission.VIEW_CHANNEL:
            self._spawn(self.gateway.dispatch("THREAD_CREATE", thread.payload() | {"newly_created": True}))
        self._notify()
        return thread.id

    def add_thread_member(self, thread_id: int, user_id: int) -> None:
        """Add a member to a private thread (as mentioning them in it does).  The bot, added,
        receives THREAD_CREATE: "sent when … the current user is added to a thread"."""
        thread = self._channel(thread_id)
        if thread.type != CHANNEL_TYPES["private_thread"]:
            raise EmulatorUsageError(f"channel {thread_id} is not a private thread")
        if user_id not in self.world.guild_of(thread).members:
            raise EmulatorUsageError(f"{user_id} is not a member of the thread's guild")
        thread.member_ids.add(user_id)
        if user_id == self.world.bot.id:
            self._spawn(self.gateway.dispatch("THREAD_CREATE", thread.payload()))
        self._notify()

    def remove_thread_member(self, thread_id: int, user_id: int) -> None:
        """Remove a member from a private thread (as a moderator's "Remove from thread" does).  The
        bot, removed, can no longer see it (403 50001, unless it has MANAGE_THREADS) and receives
        THREAD_MEMBERS_UPDATE naming itself in ``removed_member_ids`` — without the members intent
        the only such event it gets; discord.py keeps the thread in its cache all the same."""
        thread = self._channel(thread_id)
        if thread.type != CHANNEL_TYPES["private_thread"]:
            raise EmulatorUsageError(f"channel {thread_id} is not a private thread")
        if user_id not in thread.member_ids:
            raise EmulatorUsageError(f"{user_id} is not a member of thread {thread_id}")
        thread.member_ids.discard(user_id)
        if user_id == self.world.bot.id:
            self._spawn(self.gateway.dispatch("THREAD_MEMBERS_UPDATE", {
                "id": str(thread.id), "guild_id": str(thread.guild_id), "member_count": len(thread.member_ids),
                "removed_member_ids": [str(user_id)],
            }))
        self._notify()

    def archive_thread(self, thread_id: int, *, at: datetime | None = None, locked: bool = False) -> dict[str, Any]:
        """Archive a thread (a forum post), as Discord does after its auto-archive duration without
        activity, or a moderator (``locked``); returns its channel object.

        It leaves GET /guilds/{id}/threads/active and shows in its parent's GET
        /channels/{id}/threads/archived/public, newest ``archive_timestamp`` first; ``at`` sets that
        timestamp (now by default).  Sending into it unarchives it, unless it is locked.  THREAD_UPDATE.
        """
        thread = self._channel(thread_id)
        if not thread.is_thread:
            raise EmulatorUsageError(f"channel {thread_id} is not a thread")
        thread.set_archived(True, at=None if at is None else at.timestamp(), locked=locked)
        self._spawn(self.gateway.dispatch("THREAD_UPDATE", thread.payload()))
        self._notify()
        return thread.payload()

    def reopen_thread(self, thread_id: int) -> dict[str, Any]:
        """Unarchive and unlock a thread, as a moderator reopening one does; returns its channel
        object.  It is back in GET /guilds/{id}/threads/active.  THREAD_UPDATE."""
        thread = self._channel(thread_id)
        if not thread.is_thread:
            raise EmulatorUsageError(f"channel {thread_id} is not a thread")
        thread.set_archived(False, locked=False)
        self._spawn(self.gateway.dispatch("THREAD_UPDATE", thread.payload()))
        self._notify()
        return thread.payload()

    def add_role(self, guild_id: int, name: str, *, permissions: int = 0, mentionable: bool = False) -> int:
        """A role in the guild (to mention, or to give members); returns its id.

        Like a role Discord creates, it is not ``mentionable`` unless asked: a mention pings it only
        from a sender with MENTION_EVERYONE in the channel.
        """
        guild = self._guild(guild_id)
        role = self.world.add_role(guild, name, int(permissions), mentionable=mentionable)
        self._spawn(self.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()}))
        return role.id

    def add_member(self, guild_id: int, name: str, *, permissions: int = 0) -> int:
        """A member whose own role grants ``permissions`` on top of @everyone's; returns the user id."""
        guild = self._guild(guild_id)
        member = self.world.add_member(guild, name, int(permissions))
        role = guild.roles[member.role_ids[0]]
        self._spawn(self.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()}))
        self._spawn(self.gateway.dispatch("GUILD_MEMBER_ADD", member.payload() | {"guild_id": str(guild.id)}))
        return member.user.id

    def add_user(self, name: str) -> int:
        """A Discord user in none of the emulated guilds (to DM the bot); returns the user id.

        A guild member (``add_member``) may DM the bot too: every user can have a DM with it.
        """
        return self.world.new_user(name).id

    def open_dm(self, user_id: int) -> int:
        """The id of the user's DM with the bot, opened on first use and the same after (Discord keeps
        one DM per user).  ``messages(dm_id)`` reads the bot's non-ephemeral answers there.

        No CHANNEL_CREATE is sent: bots do not receive it for DMs (gateway v8 and later).
        """
        return self.world.open_dm(self._user(user_id)).id

    def member_permissions(self, guild_id: int, member_id: int, channel_id: int | None = None) -> int:
        guild = self._guild(guild_id)
        member = guild.members.get(member_id)
        if member is None:
            raise EmulatorUsageError(f"no member {member_id} in guild {guild_id}")
        channel = self._channel(channel_id) if channel_id is not None else None
        return self.world.member_permissions(guild, member, channel)

    def _guild(self, guild_id: int) -> Guild:
        guild = self.world.guilds.get(guild_id)
        if guild is None:
            raise EmulatorUsageError(f"no guild {guild_id}")
        return guild

    def _user(self, user_id: int) -> User:
        user = self.world.users.get(user_id)
        if user is None:
            raise EmulatorUsageError(f"no user {user_id}; use add_user or add_member first")
        if user.bot:
            raise EmulatorUsageError(f"user {user_id} is a bot; only people run slash commands")
        return user

    def _dm(self, user_id: int) -> DMChannel:
        return self.world.open_dm(self._user(user_id))

    def _channel(self, channel_id: int) -> Channel:
        channel = self.world.live_channel(channel_id)
        if channel is None:
            raise EmulatorUsageError(f"no channel {channel_id} (never created, or deleted)")
        return channel

    def _spawn(self, coro: Any) -> None:
        """Run a gateway dispatch from sync test helpers (ordered: dispatch takes a per-session lock)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            coro.close()
            return
        task = loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait until gateway events queued by the sync helpers (add_channel, ...) were sent."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    # --- records (test API) ---------------------------------------------------------------------

    @property
    def rate_limited_count(self) -> int:
        """429 responses sent (rate limits and injected 429s)."""
        return self._rate_limited

    def messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Messages in a channel or thread, oldest first, as Discord returns them (no ephemeral ones)."""
        return [m.data for m in self.world.channel_history(channel_id)]

    def all_messages(self) -> list[dict[str, Any]]:
        """Every non-ephemeral, non-deleted message in every channel, in creation order."""
        return [m.data for m in sorted(self.world.messages.values(), key=lambda m: m.id)
                if not m.deleted and not m.ephemeral]

    def message(self, message_id: int) -> dict[str, Any]:
        stored = self.world.messages.get(int(message_id))
        if stored is None:
            raise EmulatorUsageError(f"no message {message_id}")
        return stored.data

    def threads(self, channel_id: int) -> list[dict[str, Any]]:
        """Threads started from messages of a channel, or the posts of a forum, as channel objects."""
        return [self.world.channels[t].payload() for t in self.thread_parents.get(channel_id, [])
                if not self.world.channels[t].deleted]

    def forum_posts(self, forum_id: int) -> list[dict[str, Any]]:
        """Posts of a forum or media channel, oldest first: each thread's channel object with its
        starter ``message`` (as it is now; None once deleted) under "message", as REST created it."""
        posts = []
        for thread in self.threads(forum_id):
            starter = self.world.messages.get(int(thread["id"]))
            posts.append(thread | {"message": None if starter is None or starter.deleted else starter.data})
        return posts

    def registered_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Commands the bot registered globally (``None``) or for one guild."""
        return list(self.commands.get(guild_id, {}).values())

    def interaction_responses(self, interaction_id: int) -> list[dict[str, Any]]:
        """Callback, follow-ups, edits and deletes of an interaction, in order.

        Entries: ``{"kind": "callback", "body": {"type", "data"}}``, ``{"kind": "followup",
        "message_id", "body"}``, ``{"kind": "edit", "message_id", "original", "body"}``,
        ``{"kind": "delete", "message_id"}``, ``{"kind": "expired"}``; each has ``at``, the seconds
        since the interaction was sent.
        """
        record = self.interactions.get(int(interaction_id))
        if record is None:
            raise EmulatorUsageError(f"no interaction {interaction_id}")
        return list(record.log)

    async def wait_for_messages(self, channel_id: int, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until a channel holds at least ``count`` messages; returns them all."""
        return await self.wait_until(lambda: (m := self.messages(channel_id)) and len(m) >= count and m,
                                     timeout, f"{count} message(s) in channel {channel_id}")

    async def wait_for_commands(self, guild_id: int | None = None, timeout: float = 5.0) -> list[dict[str, Any]]:
        return await self.wait_until(lambda: self.registered_commands(guild_id), timeout, "command sync")

    async def wait_for_gateway(self, timeout: float = 5.0) -> None:
        """Wait until a client has identified or resumed and is connected."""
        await self.wait_until(self.gateway.connected, timeout, "a gateway session")

    # --- interactions (test API) ----------------------------------------------------------------

    def _member(self, guild_id: int, member_id: int) -> tuple[Guild, Member]:
        guild = self._guild(guild_id)
        member = guild.members.get(member_id)
        if member is None:
            raise EmulatorUsageError(f"no member {member_id} in guild {guild_id}; use add_member first")
        return guild, member

    async def _send_interaction(self, record: InteractionRecord) -> InteractionHandle:
        await self.settle()
        if not self.gateway.live_sessions:
            raise EmulatorUsageError("no bot session on the gateway: start the client before invoking")
        self.interactions[record.id] = record
        self.interactions_by_token[record.token] = record
        record.created = time.monotonic()
        await self.gateway.dispatch("INTERACTION_CREATE", record.payload)
        return InteractionHandle(self, record)

    async def invoke_command(self, guild_id: int, channel_id: int, member_id: int, name: str,
                             options: OptionsArg = None) -> InteractionHandle:
        """Run a slash command as a member: ``name`` may hold sub-commands ("feeds add")."""
        guild, member = self._member(guild_id, member_id)
        origin = Origin.in_guild(guild, member, self._channel(channel_id))
        data, _ = build_command_data(self, origin, name, options)
        record = new_record(self, itype=INTERACTION_COMMAND, origin=origin, data=data)
        return await self._send_interaction(record)

    async def invoke_dm_command(self, user_id: int, name: str, options: OptionsArg = None) -> InteractionHandle:
        """Run a slash command in the user's DM with the bot (context BOT_DM), as Discord sends it: ``user``
        instead of ``member``, no ``guild_id``, the DM channel (type 1).  Only global commands whose
        ``contexts`` include BOT_DM (or, with no ``contexts``, whose ``dm_permission`` is not false) are
        offered there; any other raises EmulatorUsageError, as Discord's client never sends it."""
        origin = Origin.in_dm(self._dm(user_id))
        data, _ = build_command_data(self, origin, name, options)
        record = new_record(self, itype=INTERACTION_COMMAND, origin=origin, data=data)
        return await self._send_interaction(record)

    async def autocomplete(self, guild_id: int, channel_id: int, member_id: int, name: str, *, focused: str,
                           options: OptionsArg = None, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Type into an autocomplete option; returns the choices the bot answered with."""
        guild, member = self._member(guild_id, member_id)
        origin = Origin.in_guild(guild, member, self._channel(channel_id))
        return await self._autocomplete(origin, name, focused, options, timeout)

    async def dm_autocomplete(self, user_id: int, name: str, *, focused: str, options: OptionsArg = None,
                              timeout: float = 5.0) -> list[dict[str, Any]]:
        """Type into an autocomplete option in the user's DM with the bot; returns the bot's choices."""
        return await self._autocomplete(Origin.in_dm(self._dm(user_id)), name, focused, options, timeout)

    async def _autocomplete(self, origin: Origin, name: str, focused: str, options: OptionsArg,
                            timeout: float) -> list[dict[str, Any]]:
        data, option_type = build_command_data(self, origin, name, options, focused=focused)
        record = new_record(self, itype=INTERACTION_AUTOCOMPLETE, origin=origin, data=data, option_type=option_type)
        handle = await self._send_interaction(record)
        response = await handle.wait_response(timeout)
        return list((response.get("data") or {}).get("choices") or [])

    async def click(self, message: dict[str, Any] | int, custom_id: str, values: list[str] | None = None, *,
                    member_id: int) -> InteractionHandle:
        """Press a button or choose select-menu ``values`` on a message the bot sent (in a guild channel,
        or in a DM: then ``member_id`` is that DM's user)."""
        mid = int(message["id"]) if isinstance(message, dict) else int(message)
        stored: StoredMessage | None = self.world.messages.get(mid)
        if stored is None or stored.deleted:
            raise EmulatorUsageError(f"no message {mid} to click on")
        origin = self._click_origin(stored, member_id)
        component = find_component(stored.data, custom_id)
        data = build_component_data(component, values)
        record = new_record(self, itype=INTERACTION_COMPONENT, origin=origin, data=data, message=stored)
        return await self._send_interaction(record)

    def _click_origin(self, stored: StoredMessage, user_id: int) -> Origin:
        dm = self.world.dm_channels.get(stored.channel_id)
        if dm is None:
            channel = self._channel(stored.channel_id)
            guild, member = self._member(channel.guild_id, user_id)
            return Origin.in_guild(guild, member, channel)
        if dm.recipient.id != user_id:
            raise EmulatorUsageError(f"message {stored.id} is in the DM of user {dm.recipient.id}; "
                                     f"user {user_id} cannot see it")
        return Origin.in_dm(dm)


__all__ = ["DiscordEmulator", "FaultRule", "Permission", "RequestCounts"]
