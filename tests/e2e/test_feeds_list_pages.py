"""/feeds list through the emulator: a long list pages with ◀ ▶ buttons that edit the one message.

The feeds have long URLs (never fetched: the test polls nothing), so eight fit a page and thirty
make four pages of feeds plus one of subscriptions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import Clock, write_config
from tests.emulator import DiscordEmulator

from bot.app import App

MANAGE_GUILD = 1 << 5
PREV, NEXT = 0, 1  # the buttons' places in their row


def _config(emu: DiscordEmulator, guild: int, channel: int, db: Path, count: int) -> str:
    feeds = "".join(f"  - name: feed-{i:02}\n    url: http://127.0.0.1:9/{i:02}/{'x' * 400}.xml\n" for i in range(count))
    names = ", ".join(f"feed-{i:02}" for i in range(count))
    return f"""discord:
  token: ${{DISCORD_TOKEN}}
  api_url: {emu.api_base}
  command_guilds: [{guild}]
storage:
  url: sqlite+aiosqlite:///{db}
feeds:
{feeds}subscriptions:
  - name: news
    feeds: [{names}]
    channel: {channel}
"""


@pytest.fixture
async def bot(emu: DiscordEmulator, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    guild = emu.add_guild("news")
    channel = emu.add_channel(guild, "news")
    cfg = write_config(tmp_path / "newsbot.yaml", _config(emu, guild, channel, tmp_path / "db.sqlite", 30))
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=Clock(), loops=False)
    await app.start()
    try:
        member = emu.add_member(guild, "reader", permissions=0)
        admin = emu.add_member(guild, "admin", permissions=MANAGE_GUILD)
        await emu.settle()
        yield {"app": app, "guild": guild, "channel": channel, "member": member, "admin": admin, "cfg": cfg, "db": tmp_path / "db.sqlite"}
    finally:
        await app.stop()


async def _list(emu: DiscordEmulator, bot: dict[str, Any]) -> dict[str, Any]:
    handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["admin"], "feeds list", {})
    return await handle.wait_original(lambda m: bool(m.get("embeds")))


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components") or [] for c in row["components"]]


def _title(message: dict[str, Any]) -> str:
    [embed] = message["embeds"]
    return str(embed["title"])


async def _click(emu: DiscordEmulator, message: dict[str, Any], place: int, who: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Press ◀ (PREV) or ▶ (NEXT) on ``message`` as ``who``: (the first callback, the message as it is now)."""
    click = await emu.click(message, _buttons(message)[place]["custom_id"], member_id=who)
    callback = await click.wait_response()
    return callback, emu.world.messages[int(message["id"])].data


async def test_a_long_list_shows_page_one_and_the_buttons_turn_the_pages_of_the_same_message(
    emu: DiscordEmulator, bot: dict[str, Any]
) -> None:
    first = await _list(emu, bot)
    assert first["flags"] & 64 and _title(first) == "Feeds — page 1 of 5"
    description = first["embeds"][0]["description"]
    assert "**feed-00** (newsbot.yaml) — http://127.0.0.1:9/00/" in description and "never polled" in description
    assert "feed-07" in description and "feed-08" not in description
    prev, nxt = _buttons(first)
    assert (prev["label"], prev.get("disabled")) == ("◀", True) and (nxt["label"], nxt.get("disabled", False)) == ("▶", False)

    callback, message = await _click(emu, first, NEXT, bot["admin"])
    assert callback["type"] == 7  # UPDATE_MESSAGE: the same message, edited in place
    assert message["id"] == first["id"] and _title(message) == "Feeds — page 2 of 5"
    assert "feed-08" in message["embeds"][0]["description"] and "feed-07" not in message["embeds"][0]["description"]
    assert [b.get("disabled", False) for b in _buttons(message)] == [False, False]

    _, message = await _click(emu, message, PREV, bot["admin"])
    assert _title(message) == "Feeds — page 1 of 5"
    for page in range(2, 6):
        _, message = await _click(emu, message, NEXT, bot["admin"])
        assert _title(message).endswith(f"page {page} of 5")
    assert _title(message) == "Subscriptions — page 5 of 5"
    assert message["embeds"][0]["description"] == f"`news` → <#{bot['channel']}> (immediate, embed)"
    assert [b.get("disabled", False) for b in _buttons(message)] == [False, True]
    answers = [m.data["id"] for m in emu.world.messages.values() if m.interaction_id is not None and m.data.get("embeds")]
    assert answers == [first["id"]], "no page came as a new message"


async def test_a_member_without_manage_server_cannot_turn_the_page(emu: DiscordEmulator, bot: dict[str, Any]) -> None:
    first = await _list(emu, bot)
    before = dict(emu.world.messages[int(first["id"])].data)
    callback, message = await _click(emu, first, NEXT, bot["member"])
    assert callback["type"] == 4 and callback["data"]["flags"] & 64
    assert "Manage Server" in callback["data"]["content"]
    assert message == before and _title(message) == "Feeds — page 1 of 5"


async def test_a_button_of_an_old_message_shows_the_last_page_of_a_list_that_shrank(
    emu: DiscordEmulator, bot: dict[str, Any]
) -> None:
    first = await _list(emu, bot)
    _, message = await _click(emu, first, NEXT, bot["admin"])
    _, message = await _click(emu, message, NEXT, bot["admin"])
    assert _title(message) == "Feeds — page 3 of 5"
    bot["cfg"].write_text(_config(emu, bot["guild"], bot["channel"], bot["db"], 3), encoding="utf-8")
    assert await bot["app"].watcher.check_now() is not None  # 27 feeds removed by an edit of the file

    callback, message = await _click(emu, message, NEXT, bot["admin"])  # asks for page 4 of what is now 1
    assert callback["type"] == 7 and message["id"] == first["id"]
    [embed] = message["embeds"]
    assert embed["title"] == "Feeds" and [f["name"] for f in embed["fields"]] == ["Subscriptions"]
    assert "feed-02" in embed["description"] and "feed-03" not in embed["description"]
    assert not _buttons(message), "one page: no buttons"


@pytest.mark.parametrize("custom_id", ["newsbot:feeds:two", "newsbot:feeds:2:3", "newsbot:pager:2"])
async def test_a_button_id_this_version_does_not_know_says_so(emu: DiscordEmulator, bot: dict[str, Any], custom_id: str) -> None:
    first = await _list(emu, bot)
    stored = emu.world.messages[int(first["id"])]
    stored.data["components"][0]["components"][NEXT]["custom_id"] = custom_id  # as another version of the bot made it
    before = dict(stored.data)
    callback, message = await _click(emu, stored.data, NEXT, bot["admin"])
    assert callback["type"] == 4 and "older version of the bot" in callback["data"]["content"]
    assert message == before
