"""Fixtures: a running emulator, a raw HTTP client for it, a raw gateway client, and real discord.py bots."""

from __future__ import annotations

import asyncio
import contextlib
import json
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import discord
import pytest

from tests.emulator import DiscordEmulator, point_discord_py_at


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "emulator(**options): keyword arguments for the test's DiscordEmulator")


@pytest.fixture
async def emu(request: pytest.FixtureRequest) -> AsyncIterator[DiscordEmulator]:
    marker = request.node.get_closest_marker("emulator")
    async with DiscordEmulator(**(marker.kwargs if marker else {})) as emulator:
        yield emulator
    assert emulator.internal_errors == [], "the emulator itself failed while handling a request"


@pytest.fixture
def world(emu: DiscordEmulator) -> dict[str, int]:
    """One guild with a text channel and a member allowed to manage the server."""
    guild = emu.add_guild("News Guild")
    return {
        "guild": guild,
        "channel": emu.add_channel(guild, "news"),
        "member": emu.add_member(guild, "alice", permissions=1 << 5),
    }


def assert_form_error(error: dict[str, Any], error_path: list[str] | None) -> None:
    """A 400's body names the offending field as Discord does (``errors`` → path → ``_errors``), or no field."""
    if error_path is None:
        assert "errors" not in error
        return
    node = error["errors"]
    for key in error_path:
        node = node[key]
    assert node["_errors"][0]["code"]


class Api:
    """A bare HTTP client speaking to the emulator with (or without) the bot token."""

    def __init__(self, session: aiohttp.ClientSession, emu: DiscordEmulator) -> None:
        self.session = session
        self.emu = emu

    async def call(self, method: str, path: str, body: Any = None, *, token: str | None = "bot",
                   params: dict[str, str] | None = None) -> tuple[int, Any, Any]:
        headers = {}
        if token == "bot":
            headers["Authorization"] = f"Bot {self.emu.token}"
        elif token is not None:
            headers["Authorization"] = token
        kwargs: dict[str, Any] = {"headers": headers, "params": params}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            headers["Content-Type"] = "application/json"
        async with self.session.request(method, self.emu.api_base + path, **kwargs) as resp:
            text = await resp.text()
            data = json.loads(text) if resp.headers.get("Content-Type") == "application/json" else text
            return resp.status, data, resp.headers

    async def post_message(self, channel_id: int, body: dict[str, Any]) -> tuple[int, Any, Any]:
        return await self.call("POST", f"/channels/{channel_id}/messages", body)


@pytest.fixture
async def api(emu: DiscordEmulator) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, emu)


class RawGateway:
    """A minimal gateway client: connects, identifies or resumes, and collects what it receives."""

    def __init__(self, session: aiohttp.ClientSession, url: str, *, compress: bool = False) -> None:
        self.session = session
        self.url = url
        self.compress = compress
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._inflate = zlib.decompressobj()
        self._buffer = bytearray()

    async def connect(self, query: str = "v=10&encoding=json") -> dict[str, Any]:
        if self.compress:
            query += "&compress=zlib-stream"
        self.ws = await self.session.ws_connect(f"{self.url}?{query}")
        return await self.recv()

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        assert self.ws is not None
        while True:
            msg = await self.ws.receive(timeout=timeout)
            if msg.type == aiohttp.WSMsgType.TEXT:
                return json.loads(msg.data)
            if msg.type == aiohttp.WSMsgType.BINARY:
                self._buffer.extend(msg.data)
                if bytes(self._buffer[-4:]) != b"\x00\x00\xff\xff":
                    continue
                text = self._inflate.decompress(bytes(self._buffer))
                self._buffer.clear()
                return json.loads(text)
            return {"closed": True, "code": self.ws.close_code}

    async def recv_until(self, event: str, timeout: float = 5.0) -> dict[str, Any]:
        return (await self.collect_until(event, timeout))[-1]

    async def collect_until(self, event: str, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Everything received up to and including the first ``event`` (or the close)."""
        seen = []
        while True:
            payload = await self.recv(timeout)
            seen.append(payload)
            if payload.get("closed") or payload.get("t") == event:
                return seen

    async def send(self, payload: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send_str(json.dumps(payload))

    async def identify(self, token: str, intents: int = 513) -> dict[str, Any]:
        await self.send({"op": 2, "d": {"token": token, "intents": intents,
                                        "properties": {"os": "linux", "browser": "test", "device": "test"}}})
        return await self.recv_until("READY")


@pytest.fixture
async def raw_gateway(emu: DiscordEmulator) -> AsyncIterator[Callable[..., RawGateway]]:
    async with aiohttp.ClientSession() as session:
        clients: list[RawGateway] = []

        def make(url: str | None = None, *, compress: bool = False) -> RawGateway:
            client = RawGateway(session, url or emu.gateway_url, compress=compress)
            clients.append(client)
            return client

        yield make
        for client in clients:
            if client.ws is not None and not client.ws.closed:
                await client.ws.close(code=4000)


BotStarter = Callable[[discord.Client], Awaitable[discord.Client]]


@pytest.fixture
async def start_bot(emu: DiscordEmulator) -> AsyncIterator[BotStarter]:
    """Start a real discord.py client against the emulator and wait for on_ready; closed afterwards."""
    running: list[tuple[discord.Client, asyncio.Task[None]]] = []

    async def start(client: discord.Client) -> discord.Client:
        task = asyncio.create_task(client.start(emu.token))
        running.append((client, task))
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if task in done:
                task.result()  # re-raise the client's own error
            raise TimeoutError("discord.py did not become ready")
        return client

    with point_discord_py_at(emu):
        yield start
        for client, task in running:
            await client.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 5)


def new_bot(**options: Any) -> discord.ext.commands.Bot:
    """A commands.Bot with default intents that becomes ready quickly after its GUILD_CREATEs."""
    from discord.ext import commands

    return commands.Bot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05,
                        **options)
