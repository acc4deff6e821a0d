"""The gateway: a websocket speaking Discord's JSON gateway protocol (v10, optional zlib-stream).

Implements what a bot library relies on (Discord docs, Events > Using Gateway and Gateway
Events; Topics > Opcodes and Status Codes):

- HELLO on connect, HEARTBEAT/HEARTBEAT_ACK, a connection closed when heartbeats stop;
- IDENTIFY → READY (session_id, resume_gateway_url) then one GUILD_CREATE per guild;
- RESUME → missed events replayed in order, then RESUMED; INVALID_SESSION (false) for a session
  that is gone; a close with 1000/1001 by the client ends its session;
- RECONNECT (op 7) and INVALID_SESSION on request from tests, and dropping the TCP connection;
- close codes 4001-4014 for protocol errors (unknown opcode, decode error, payload over 4096
  bytes, not authenticated, bad token, identify twice, bad seq, more than 120 events a minute,
  bad shard, bad version, bad or privileged intents);
- intents: events are only sent to sessions that asked for their intent.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import secrets
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:  # pragma: no cover
    from .server import DiscordEmulator

log = logging.getLogger(__name__)

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE_STATE = 0, 1, 2, 3, 4
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11
OP_REQUEST_SOUNDBOARD = 31
KNOWN_CLIENT_OPS = {OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE_STATE, OP_RESUME, OP_REQUEST_MEMBERS,
                    OP_REQUEST_SOUNDBOARD}

CLOSE_UNKNOWN_ERROR = 4000
CLOSE_UNKNOWN_OPCODE = 4001
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_SEQ = 4007
CLOSE_RATE_LIMITED = 4008
CLOSE_INVALID_SHARD = 4010
CLOSE_INVALID_VERSION = 4012
CLOSE_INVALID_INTENTS = 4013
CLOSE_DISALLOWED_INTENTS = 4014

#: Client payloads larger than this close the connection with 4002.
MAX_CLIENT_PAYLOAD = 4096
#: Client sends allowed per connection per minute.
CLIENT_SENDS_PER_MINUTE = 120
SUPPORTED_VERSIONS = ("9", "10")
ZLIB_SUFFIX = b"\x00\x00\xff\xff"

#: Intents (Events > Using Gateway > List of Intents).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_WEBHOOKS = 1 << 5
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT
ALL_INTENTS = (1 << 26) - 1
#: Application flags that say a privileged intent is enabled (Resources > Application > Flags).
APP_FLAG_FOR_INTENT = {INTENT_GUILD_PRESENCES: 1 << 13, INTENT_GUILD_MEMBERS: 1 << 15,
                       INTENT_MESSAGE_CONTENT: 1 << 19}

#: Which intent an event needs (None: always sent).
EVENT_INTENTS: dict[str, int | None] = {
    "GUILD_CREATE": INTENT_GUILDS,
    "GUILD_UPDATE": INTENT_GUILDS,
    "GUILD_DELETE": INTENT_GUILDS,
    "CHANNEL_CREATE": INTENT_GUILDS,
    "CHANNEL_UPDATE": INTENT_GUILDS,
    "CHANNEL_DELETE": INTENT_GUILDS,
    "THREAD_CREATE": INTENT_GUILDS,
    "THREAD_UPDATE": INTENT_GUILDS,
    "THREAD_DELETE": INTENT_GUILDS,
    "THREAD_MEMBERS_UPDATE": INTENT_GUILDS,  # others' joins need GUILD_MEMBERS too: only the bot's are sent
    "GUILD_ROLE_CREATE": INTENT_GUILDS,
    "GUILD_ROLE_UPDATE": INTENT_GUILDS,
    "GUILD_MEMBER_ADD": INTENT_GUILD_MEMBERS,
    "WEBHOOKS_UPDATE": INTENT_GUILD_WEBHOOKS,
    "MESSAGE_CREATE": INTENT_GUILD_MESSAGES,
    "MESSAGE_UPDATE": INTENT_GUILD_MESSAGES,
    "MESSAGE_DELETE": INTENT_GUILD_MESSAGES,
}


def event_intent(event: str, data: dict[str, Any]) -> int | None:
    """The intent a session needs to get ``event``: a message event without ``guild_id`` (in a DM)
    needs DIRECT_MESSAGES instead of GUILD_MESSAGES (List of Intents)."""
    need = EVENT_INTENTS.get(event)
    if need == INTENT_GUILD_MESSAGES and "guild_id" not in data:
        return INTENT_DIRECT_MESSAGES
    return need


class _Zstd:
    """zstd-stream transport compression, used only when the ``zstandard`` package is installed."""

    def __init__(self) -> None:
        import zstandard  # type: ignore[import-not-found]

        self._flush = zstandard.COMPRESSOBJ_FLUSH_BLOCK
        self._obj = zstandard.ZstdCompressor().compressobj()

    def compress(self, data: bytes) -> bytes:
        return self._obj.compress(data) + self._obj.flush(self._flush)


class _Zlib:
    """zlib-stream: one deflate context per connection, every message ends with Z_SYNC_FLUSH."""

    def __init__(self) -> None:
        self._obj = zlib.compressobj()

    def compress(self, data: bytes) -> bytes:
        return self._obj.compress(data) + self._obj.flush(zlib.Z_SYNC_FLUSH)


def _zstd_available() -> bool:
    return importlib.util.find_spec("zstandard") is not None


@dataclass
class Session:
    """A gateway session: survives disconnects until invalidated, buffers events for RESUME."""

    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    buffer: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=10000))
    connection: Connection | None = None
    valid: bool = True
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Connection:
    """One websocket connection; sends under a lock so compression and sequence order hold."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compressor: _Zlib | _Zstd | None,
                 path: str) -> None:
        self.ws = ws
        self.request = request
        self.compressor = compressor
        self.path = path
        self.session: Session | None = None
        self.identified = False
        #: True once the emulator sent a close frame (the client's reply code then means nothing).
        self.server_closed = False
        self.sends: deque[float] = deque()
        self.lock = asyncio.Lock()
        self.last_heartbeat = time.monotonic()

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        async with self.lock:
            if self.ws.closed:
                return
            try:
                if self.compressor is not None:
                    await self.ws.send_bytes(self.compressor.compress(text.encode()))
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError) as exc:  # peer vanished mid-send
                log.debug("gateway send failed: %s", exc)

    def abort(self) -> None:
        transport = self.request.transport
        if transport is not None:
            transport.abort()


@dataclass
class GatewayRecord:
    """What a test may want to know about one connection attempt."""

    path: str
    query: dict[str, str]
    kind: str = "pending"  # identify | resume | pending
    close_code: int | None = None


class Gateway:
    """All sessions and connections of one emulator."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.records: list[GatewayRecord] = []
        self.identify_count = 0
        self.resume_count = 0

    # --- test-facing -------------------------------------------------------------------------

    @property
    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.valid]

    def connected(self) -> bool:
        return any(s.connection is not None for s in self.live_sessions)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH to every live session that asked for its intent (buffered if offline)."""
        need = event_intent(event, data)
        for session in list(self.live_sessions):
            if need is not None and not session.intents & need:
                continue
            await self._send_event(session, event, data)

    async def _send_event(self, session: Session, event: str, data: dict[str, Any]) -> None:
        async with session.lock:
            session.seq += 1
            payload = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
            session.buffer.append(payload)
            conn = session.connection
            if conn is not None:
                await conn.send(payload)

    async def drop(self) -> int:
        """Abort every connection's TCP transport without a close frame (the client should RESUME)."""
        conns = list(self.connections)
        for conn in conns:
            conn.abort()
        return len(conns)

    async def send_op(self, op: int, d: Any) -> int:
        conns = [c for c in self.connections if c.session is not None]
        for conn in conns:
            await conn.send({"op": op, "d": d, "s": None, "t": None})
        return len(conns)

    async def invalidate(self, resumable: bool) -> int:
        conns = [c for c in self.connections if c.session is not None]
        for conn in conns:
            if not resumable and conn.session is not None:
                conn.session.valid = False
            await conn.send({"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None})
        return len(conns)

    async def close_all(self) -> None:
        for conn in list(self.connections):
            if not conn.ws.closed:
                conn.server_closed = True
                await conn.ws.close(code=1001, message=b"emulator stopping")

    def _notify(self) -> None:
        self.emu._notify()

    # --- websocket handler ---------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        record = GatewayRecord(request.path, query)
        self.records.append(record)
        encoding = query.get("encoding", "json")
        compress = query.get("compress")
        compressor: _Zlib | _Zstd | None = None
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws, request, None, request.path)
        problem: tuple[int, str] | None = None
        if query.get("v") not in SUPPORTED_VERSIONS:
            problem = (CLOSE_INVALID_VERSION, "Invalid API version")
        elif encoding != "json":
            problem = (CLOSE_DECODE_ERROR, "The Discord emulator only speaks encoding=json")
        elif compress == "zlib-stream":
            compressor = _Zlib()
        elif compress == "zstd-stream":
            if _zstd_available():
                compressor = _Zstd()
            else:
                problem = (CLOSE_UNKNOWN_ERROR, "zstd-stream needs the zstandard package in the emulator")
        elif compress is not None:
            problem = (CLOSE_DECODE_ERROR, f"Unknown compression {compress!r}")
        if problem is not None:
            await ws.close(code=problem[0], message=problem[1].encode())
            record.close_code = problem[0]
            return ws
        conn.compressor = compressor
        self.connections.add(conn)
        self._notify()
        try:
            interval_ms = int(self.emu.heartbeat_interval * 1000)
            await conn.send({"op": OP_HELLO, "d": {"heartbeat_interval": interval_ms}, "s": None, "t": None})
            await self._receive_loop(conn, record)
        finally:
            self.connections.discard(conn)
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
                close_code = ws.close_code
                if close_code in (1000, 1001) and not conn.server_closed:
                    # Discord: closing with 1000/1001 ends the session (it cannot be resumed).
                    conn.session.valid = False
            record.close_code = record.close_code or ws.close_code
            self._notify()
        return ws

    async def _close(self, conn: Connection, record: GatewayRecord, code: int, reason: str) -> None:
        record.close_code = code
        conn.server_closed = True
        log.info("gateway closing with %s: %s", code, reason)
        await conn.ws.close(code=code, message=reason.encode()[:120])

    async def _receive_loop(self, conn: Connection, record: GatewayRecord) -> None:
        ws = conn.ws
        interval = self.emu.heartbeat_interval
        timeout = interval * 1.25 + min(interval, 1.0)
        while not ws.closed:
            try:
                msg = await ws.receive(timeout=timeout)
            except asyncio.TimeoutError:
                # "If your app fails to send a heartbeat event in time, your connection will be closed
                # and you will be forced to Resume" (Using Gateway > Heartbeat Interval): the session stays.
                await self._close(conn, record, CLOSE_UNKNOWN_ERROR, "Heartbeat timed out")
                return
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return
            raw: str | bytes = msg.data
            if msg.type == WSMsgType.BINARY:
                try:
                    raw = bytes(raw).decode()
                except UnicodeDecodeError:
                    await self._close(conn, record, CLOSE_DECODE_ERROR, "Error while decoding payload.")
                    return
            if len(raw) > MAX_CLIENT_PAYLOAD:
                await self._close(conn, record, CLOSE_DECODE_ERROR, "Payload too large.")
                return
            now = time.monotonic()
            conn.sends.append(now)
            while conn.sends and now - conn.sends[0] > 60.0:
                conn.sends.popleft()
            if len(conn.sends) > CLIENT_SENDS_PER_MINUTE:
                await self._close(conn, record, CLOSE_RATE_LIMITED, "You are being rate limited.")
                return
            try:
                payload = json.loads(raw)
            except ValueError:
                await self._close(conn, record, CLOSE_DECODE_ERROR, "Error while decoding payload.")
                return
            if not isinstance(payload, dict) or not isinstance(payload.get("op"), int):
                await self._close(conn, record, CLOSE_DECODE_ERROR, "Error while decoding payload.")
                return
            if not await self._handle_op(conn, record, payload["op"], payload.get("d")):
                return

    async def _handle_op(self, conn: Connection, record: GatewayRecord, op: int, d: Any) -> bool:
        """Handle one client payload; False when the connection was closed."""
        if op not in KNOWN_CLIENT_OPS:
            await self._close(conn, record, CLOSE_UNKNOWN_OPCODE, "Unknown opcode.")
            return False
        if op == OP_HEARTBEAT:
            conn.last_heartbeat = time.monotonic()
            await conn.send({"op": OP_HEARTBEAT_ACK, "s": None, "t": None, "d": None})
            return True
        if op == OP_IDENTIFY:
            return await self._identify(conn, record, d)
        if op == OP_RESUME:
            return await self._resume(conn, record, d)
        if not conn.identified:
            await self._close(conn, record, CLOSE_NOT_AUTHENTICATED, "Not authenticated.")
            return False
        if op == OP_REQUEST_MEMBERS:
            await self._request_members(conn, record, d)
        return not conn.ws.closed

    async def _identify(self, conn: Connection, record: GatewayRecord, d: Any) -> bool:
        if conn.identified:
            await self._close(conn, record, CLOSE_ALREADY_AUTHENTICATED, "Already authenticated.")
            return False
        if not isinstance(d, dict) or not isinstance(d.get("properties"), dict):
            await self._close(conn, record, CLOSE_DECODE_ERROR, "Invalid identify payload.")
            return False
        if d.get("token") != self.emu.token and d.get("token") != f"Bot {self.emu.token}":
            await self._close(conn, record, CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return False
        intents = d.get("intents")
        if isinstance(intents, bool) or not isinstance(intents, int) or intents < 0 or intents & ~ALL_INTENTS:
            await self._close(conn, record, CLOSE_INVALID_INTENTS, "Invalid intent(s).")
            return False
        if intents & PRIVILEGED_INTENTS & ~self.emu.privileged_intents:
            await self._close(conn, record, CLOSE_DISALLOWED_INTENTS, "Disallowed intent(s).")
            return False
        shard = d.get("shard")
        if shard is not None and not (isinstance(shard, list) and len(shard) == 2 and all(isinstance(x, int)
                                                                                             for x in shard)
                                      and 0 <= shard[0] < shard[1]):
            await self._close(conn, record, CLOSE_INVALID_SHARD, "Invalid shard.")
            return False
        session = Session(secrets.token_hex(16), intents, shard)
        self.sessions[session.id] = session
        conn.session = session
        conn.identified = True
        session.connection = conn
        record.kind = "identify"
        self.identify_count += 1
        emu = self.emu
        ready: dict[str, Any] = {
            "v": int(record.query.get("v", "10")),
            "user": emu.world.bot.payload() | {"verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(gid), "unavailable": True} for gid in emu.world.guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": emu.resume_gateway_url,
            "application": {"id": str(emu.application_id), "flags": emu.application_flags},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "user_settings": {},
        }
        if shard is not None:
            ready["shard"] = shard
        await self._send_event(session, "READY", ready)
        for guild in list(emu.world.guilds.values()):
            if shard is not None and (guild.id >> 22) % shard[1] != shard[0]:
                continue
            await self._send_event(session, "GUILD_CREATE", emu.world.guild_create_payload(guild))
        self._notify()
        return True

    async def _resume(self, conn: Connection, record: GatewayRecord, d: Any) -> bool:
        if conn.identified:
            await self._close(conn, record, CLOSE_ALREADY_AUTHENTICATED, "Already authenticated.")
            return False
        if not isinstance(d, dict):
            await self._close(conn, record, CLOSE_DECODE_ERROR, "Invalid resume payload.")
            return False
        if d.get("token") != self.emu.token and d.get("token") != f"Bot {self.emu.token}":
            await self._close(conn, record, CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return False
        record.kind = "resume"
        session = self.sessions.get(str(d.get("session_id")))
        if session is None or not session.valid:
            await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return True
        seq = d.get("seq")
        if seq is None:
            seq = 0
        if not isinstance(seq, int) or seq > session.seq or (session.buffer and seq < session.buffer[0]["s"] - 1):
            await self._close(conn, record, CLOSE_INVALID_SEQ, "Invalid seq.")
            return False
        old = session.connection
        if old is not None and old is not conn:
            old.abort()
        async with session.lock:
            session.connection = conn
            conn.session = session
            conn.identified = True
            for payload in list(session.buffer):
                if payload["s"] > seq:
                    await conn.send(payload)
        self.resume_count += 1
        await self._send_event(session, "RESUMED", {})
        self._notify()
        return True

    async def _request_members(self, conn: Connection, record: GatewayRecord, d: Any) -> None:
        session = conn.session
        if session is None or not isinstance(d, dict):
            return
        if d.get("query", "") == "" and not d.get("user_ids") and not session.intents & INTENT_GUILD_MEMBERS:
            await self._close(conn, record, CLOSE_DISALLOWED_INTENTS, "Requesting all members needs GUILD_MEMBERS.")
            return
        guild = self.emu.world.guilds.get(int(d.get("guild_id", 0) or 0))
        if guild is None:
            return
        wanted = {str(u) for u in (d.get("user_ids") or [])}
        prefix = str(d.get("query") or "").lower()
        members = [m.payload() for m in guild.members.values()
                   if (not wanted or str(m.user.id) in wanted) and m.user.username.lower().startswith(prefix)]
        chunk = {"guild_id": str(guild.id), "members": members, "chunk_index": 0, "chunk_count": 1,
                 "not_found": [], "nonce": d.get("nonce")}
        await self._send_event(session, "GUILD_MEMBERS_CHUNK", chunk)
