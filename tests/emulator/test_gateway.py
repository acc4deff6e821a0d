"""The gateway protocol spoken by a bare websocket client: handshake, compression, resume, close codes."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.emulator import DiscordEmulator
from tests.emulator.gateway import INTENT_GUILD_MEMBERS, INTENT_GUILDS, INTENT_MESSAGE_CONTENT

from .conftest import Api, RawGateway

GatewayFactory = Callable[..., RawGateway]


async def test_hello_identify_ready_and_guild_create(emu: DiscordEmulator, world: dict[str, int],
                                                     raw_gateway: GatewayFactory) -> None:
    gw = raw_gateway()
    hello = await gw.connect()
    assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41250
    await gw.send({"op": 1, "d": None})
    assert (await gw.recv())["op"] == 11
    ready = await gw.identify(emu.token)
    assert ready["s"] == 1
    assert ready["d"]["user"]["id"] == str(emu.bot_user_id)
    assert ready["d"]["guilds"] == [{"id": str(world["guild"]), "unavailable": True}]
    assert ready["d"]["resume_gateway_url"] == emu.resume_gateway_url
    assert ready["d"]["application"]["id"] == str(emu.application_id)
    guild = await gw.recv_until("GUILD_CREATE")
    assert guild["s"] == 2
    assert [c["name"] for c in guild["d"]["channels"]] == ["news"]
    assert {r["name"] for r in guild["d"]["roles"]} >= {"@everyone", "newsbot"}
    assert [m["user"]["id"] for m in guild["d"]["members"]] == [str(emu.bot_user_id)]


async def test_zlib_stream_compression(emu: DiscordEmulator, world: dict[str, int],
                                       raw_gateway: GatewayFactory) -> None:
    gw = raw_gateway(compress=True)
    assert (await gw.connect())["op"] == 10
    ready = await gw.identify(emu.token)
    assert ready["t"] == "READY"
    assert (await gw.recv_until("GUILD_CREATE"))["d"]["name"] == "News Guild"


@pytest.mark.parametrize(("first_payload", "code"), [
    ({"op": 3, "d": {"status": "online"}}, 4003),
    ({"op": 99, "d": None}, 4001),
    ({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}}, 4004),
    ({"op": 2, "d": {"token": "TOKEN", "properties": {}}}, 4013),
    ({"op": 2, "d": {"token": "TOKEN", "intents": INTENT_MESSAGE_CONTENT, "properties": {}}}, 4014),
    ({"op": 2, "d": {"token": "TOKEN", "intents": 1, "properties": {}, "shard": [1, 1]}}, 4010),
    ({"op": 6, "d": {"token": "TOKEN", "session_id": "none", "seq": 0}}, None),
])
async def test_protocol_errors_close_with_discords_codes(emu: DiscordEmulator, raw_gateway: GatewayFactory,
                                                         first_payload: dict, code: int | None) -> None:
    gw = raw_gateway()
    await gw.connect()
    payload = json.loads(json.dumps(first_payload).replace("TOKEN", emu.token))
    await gw.send(payload)
    answer = await gw.recv()
    if code is None:
        assert answer == {"op": 9, "d": False, "s": None, "t": None}
    else:
        assert answer == {"closed": True, "code": code}


async def test_decode_errors_and_oversized_payloads(emu: DiscordEmulator, raw_gateway: GatewayFactory) -> None:
    gw = raw_gateway()
    await gw.connect()
    assert gw.ws is not None
    await gw.ws.send_str("{not json")
    assert await gw.recv() == {"closed": True, "code": 4002}
    big = raw_gateway()
    await big.connect()
    await big.send({"op": 1, "d": None, "pad": "x" * 5000})
    assert await big.recv() == {"closed": True, "code": 4002}


async def test_identify_twice_and_bad_version(emu: DiscordEmulator, raw_gateway: GatewayFactory) -> None:
    gw = raw_gateway()
    await gw.connect()
    await gw.identify(emu.token)
    await gw.send({"op": 2, "d": {"token": emu.token, "intents": 1, "properties": {}}})
    assert (await gw.recv_until("never"))["code"] == 4005
    old = raw_gateway()
    await old.connect("v=6&encoding=json")
    assert await old.recv() == {"closed": True, "code": 4012}


@pytest.mark.emulator(privileged_intents=INTENT_GUILD_MEMBERS)
async def test_privileged_intents_when_enabled(emu: DiscordEmulator, raw_gateway: GatewayFactory) -> None:
    gw = raw_gateway()
    await gw.connect()
    ready = await gw.identify(emu.token, intents=INTENT_GUILDS | INTENT_GUILD_MEMBERS)
    assert ready["t"] == "READY"
    assert ready["d"]["application"]["flags"] & (1 << 15)


async def test_resume_replays_missed_events(emu: DiscordEmulator, world: dict[str, int], api: Api,
                                            raw_gateway: GatewayFactory) -> None:
    gw = raw_gateway()
    await gw.connect()
    ready = await gw.identify(emu.token)
    guild_create = await gw.recv_until("GUILD_CREATE")
    session, seq = ready["d"]["session_id"], guild_create["s"]
    assert await emu.drop_gateway() == 1
    assert (await gw.recv())["closed"]
    await api.post_message(world["channel"], {"content": "while you were away"})
    back = raw_gateway(emu.resume_gateway_url)
    await back.connect()
    await back.send({"op": 6, "d": {"token": emu.token, "session_id": session, "seq": seq}})
    missed = await back.recv()
    assert (missed["t"], missed["s"], missed["d"]["content"]) == ("MESSAGE_CREATE", seq + 1, "while you were away")
    resumed = await back.recv()
    assert (resumed["t"], resumed["s"]) == ("RESUMED", seq + 2)
    assert [r.kind for r in emu.gateway.records] == ["identify", "resume"]
    assert emu.gateway.records[1].path == "/gateway/resume"


async def test_resume_with_a_future_seq_is_4007(emu: DiscordEmulator, raw_gateway: GatewayFactory) -> None:
    gw = raw_gateway()
    await gw.connect()
    ready = await gw.identify(emu.token)
    await emu.drop_gateway()
    back = raw_gateway()
    await back.connect()
    await back.send({"op": 6, "d": {"token": emu.token, "session_id": ready["d"]["session_id"], "seq": 999}})
    assert await back.recv() == {"closed": True, "code": 4007}


async def test_closing_with_1000_ends_the_session(emu: DiscordEmulator, raw_gateway: GatewayFactory) -> None:
    gw = raw_gateway()
    await gw.connect()
    ready = await gw.identify(emu.token)
    assert gw.ws is not None
    await gw.ws.close(code=1000)
    await emu.wait_until(lambda: not emu.gateway.connected(), 5, "disconnect")
    back = raw_gateway()
    await back.connect()
    await back.send({"op": 6, "d": {"token": emu.token, "session_id": ready["d"]["session_id"], "seq": 1}})
    assert (await back.recv())["op"] == 9


async def test_reconnect_and_invalid_session_ops(emu: DiscordEmulator, raw_gateway: GatewayFactory) -> None:
    gw = raw_gateway()
    await gw.connect()
    await gw.identify(emu.token)
    assert await emu.reconnect() == 1
    assert (await gw.recv())["op"] == 7
    assert await emu.request_heartbeat() == 1
    assert (await gw.recv())["op"] == 1
    assert await emu.invalidate_session(resumable=False) == 1
    assert await gw.recv() == {"op": 9, "d": False, "s": None, "t": None}
    assert emu.gateway.live_sessions == []


async def test_events_need_their_intent(emu: DiscordEmulator, world: dict[str, int], api: Api,
                                        raw_gateway: GatewayFactory) -> None:
    guilds_only = raw_gateway()
    await guilds_only.connect()
    await guilds_only.identify(emu.token, intents=INTENT_GUILDS)
    with_messages = raw_gateway()
    await with_messages.connect()
    await with_messages.identify(emu.token, intents=INTENT_GUILDS | (1 << 9))
    await api.post_message(world["channel"], {"content": "hi"})
    created = await with_messages.recv_until("MESSAGE_CREATE")
    assert created["d"]["guild_id"] == str(world["guild"]) and created["d"]["member"]["roles"]
    emu.add_channel(world["guild"], "later")
    events = [p.get("t") for p in await guilds_only.collect_until("CHANNEL_CREATE")]
    assert "MESSAGE_CREATE" not in events and events[-1] == "CHANNEL_CREATE"


@pytest.mark.emulator(heartbeat_interval=0.2)
async def test_a_silent_client_is_disconnected_but_may_resume(emu: DiscordEmulator,
                                                              raw_gateway: GatewayFactory) -> None:
    gw = raw_gateway()
    await gw.connect()
    ready = await gw.identify(emu.token, intents=1)
    assert (await gw.recv_until("never"))["code"] == 4000
    back = raw_gateway(emu.resume_gateway_url)
    await back.connect()
    await back.send({"op": 6, "d": {"token": emu.token, "session_id": ready["d"]["session_id"], "seq": 1}})
    assert (await back.recv_until("RESUMED")).get("t") == "RESUMED"
