"""The "Read a section" menu under every story the bot posts, through the emulator.

The menu is the `/article` reply's select (custom id ``newsbot:sec:<stored article id>:<start>``),
put on the story's last message (a thread's or forum post's first), so a member reading the
channel opens a section with one pick: the reply is ephemeral, and it works after a restart
because the id names the stored story.  Webhook posts carry no components (Discord refuses them
from a webhook no application owns), and neither does a subscription with ``section_menu: false``
or a story with nothing to pick.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.discord_rig import Rig, rigged, running_app
from tests.e2e.harness import Clock, Item, body_text, cycle, rss
from tests.emulator import DiscordEmulator
from tests.support.feedserver import FeedServer

from bot.app import App

STORY = "Harbour reopens after storm"
EPHEMERAL = 1 << 6
EXECUTE = "POST /webhooks/{webhook_id}/{webhook_token}"


def sectioned_body(sections: int) -> str:
    """An article body of ``sections`` headed parts, "Part 0" …, each about its own topic."""
    return "".join(f"<h2>Part {i}</h2>{body_text(f'topic{i}', 4)}" for i in range(sections))


async def post_story(rig: Rig, body: str) -> None:
    """Put one story in the feed and deliver it, then poll again (a second post would show)."""
    item = Item(STORY, body, guid="h1", link="http://a.test/h1")
    rig.server.set("/world.xml", rss([item]), content_type="application/rss+xml")
    await cycle(rig.app, rig.clock, advance_minutes=2)
    await cycle(rig.app, rig.clock, advance_minutes=2)


async def stored_id(app: App) -> int:
    assert app.store is not None
    [stored] = await app.store.latest_articles(5)
    return stored.id


def selects(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The select menus of a message, in row order."""
    return [c for row in message.get("components") or [] for c in row["components"] if c["type"] == 3]


async def pick(emu: DiscordEmulator, rig: Rig, message: dict[str, Any], value: str) -> dict[str, Any]:
    """A member without any permission picks ``value`` in the message's menu; the bot's answer."""
    reader = emu.add_member(rig.guild, "reader", permissions=0)
    await emu.settle()
    [menu] = selects(message)
    click = await emu.click(message, menu["custom_id"], [value], member_id=reader)
    return (await click.wait_response())["data"]


async def test_an_embed_post_carries_the_menu_and_a_member_opens_section_2_before_and_after_a_restart(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with rigged(emu, server, tmp_path) as rig:
        await post_story(rig, sectioned_body(3))
        [post] = emu.messages(rig.news)
        article_id = await stored_id(rig.app)
        [menu] = selects(post)
        assert menu["custom_id"] == f"newsbot:sec:{article_id}:0"
        assert [o["label"] for o in menu["options"]] == ["1. Part 0", "2. Part 1", "3. Part 2"]

        reply = await pick(emu, rig, post, "1")
        assert reply["flags"] & EPHEMERAL
        assert reply["embeds"][0]["title"] == "Part 1" and "topic1" in reply["embeds"][0]["description"]
        assert "topic0" not in str(reply["embeds"])
    assert emu.messages(rig.news) == [post]  # the answer went to the member alone

    # A new process on the same database: the menu names the stored story, nothing in memory.
    async with running_app(tmp_path / "newsbot.yaml", emu, Clock()):
        reply = await pick(emu, rig, post, "2")
    assert reply["flags"] & EPHEMERAL and reply["embeds"][0]["title"] == "Part 2"


@pytest.mark.parametrize(
    "options",
    [{"layout": "compact"}, {"template": json.dumps("**{title}**\n{summary}\n{url}")}],
    ids=["compact", "template"],
)
async def test_compact_and_template_posts_carry_the_menu(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path, options: dict[str, str]
) -> None:
    async with rigged(emu, server, tmp_path, **options) as rig:
        await post_story(rig, sectioned_body(2))
        [post] = emu.messages(rig.news)
        assert [s["custom_id"] for s in selects(post)] == [f"newsbot:sec:{await stored_id(rig.app)}:0"]


async def test_a_long_embed_post_has_the_menu_on_its_last_message_only(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    # 30 sections with long sentences: more than the 6000 characters one message's embeds may hold.
    topic = "long-running harbour reconstruction programme number {}"
    long_body = "".join(f"<h2>Part {i}</h2>{body_text(topic.format(i), 8)}" for i in range(30))
    async with rigged(emu, server, tmp_path) as rig:
        await post_story(rig, long_body)
        posts = emu.messages(rig.news)
    assert len(posts) > 1 and all(not p.get("components") for p in posts[:-1])
    rows = selects(posts[-1])
    assert [len(s["options"]) for s in rows] == [25, 5]
    first = rows[1]["options"][0]
    assert (first["label"], first["value"]) == ("26. Part 25", "25")
    assert first["description"].startswith("The long-running harbour reconstruction programme number 25")


async def test_a_thread_post_has_the_menu_on_its_starter_message(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with rigged(emu, server, tmp_path, layout="thread") as rig:
        await post_story(rig, sectioned_body(3))
        [starter] = emu.messages(rig.news)
        [thread] = emu.threads(rig.news)
        inside = emu.messages(int(thread["id"]) if isinstance(thread, dict) else int(thread))
        assert len(inside) == 3 and all(not m.get("components") for m in inside)
        reply = await pick(emu, rig, starter, "1")
    assert reply["flags"] & EPHEMERAL and reply["embeds"][0]["title"] == "Part 1"


async def test_a_forum_post_has_the_menu_on_its_first_message(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with rigged(emu, server, tmp_path, kind="forum") as rig:
        await post_story(rig, sectioned_body(3))
        [post] = emu.forum_posts(rig.news)
        assert [s["custom_id"] for s in selects(post["message"])] == [f"newsbot:sec:{await stored_id(rig.app)}:0"]


async def test_a_webhook_post_has_no_components_and_is_posted_once_after_a_lost_answer(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    async with rigged(emu, server, tmp_path, webhook="{name: World Desk}") as rig:
        assert rig.app.discord is not None and rig.app.deliverer is not None
        rig.app.discord.sink.webhook_timeout = 1.0
        emu.slow(EXECUTE, 600.0, count=1, after=True)  # Discord stores it, its answer never comes
        item = Item(STORY, sectioned_body(3), guid="h1", link="http://a.test/h1")
        server.set("/world.xml", rss([item]), content_type="application/rss+xml")
        rig.clock.advance(minutes=2)
        await rig.app.poll_due()
        assert await rig.app.deliverer.run_once() == 0
        await emu.wait_for_messages(rig.news, 1)
        emu.clear_faults()
        await cycle(rig.app, rig.clock, advance_minutes=60)  # the retry finds it instead of posting
        [post] = emu.messages(rig.news)
    assert post.get("webhook_id") and not post.get("components")
    assert emu.request_count[EXECUTE] == 1


async def test_section_menu_false_posts_no_components(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    async with rigged(emu, server, tmp_path, section_menu="false") as rig:
        await post_story(rig, sectioned_body(3))
        [post] = emu.messages(rig.news)
    assert post["embeds"] and not post.get("components")


async def test_a_story_without_sections_to_pick_has_no_menu(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> None:
    async with rigged(emu, server, tmp_path) as rig:
        await post_story(rig, body_text("harbour"))  # no headings: one untitled section
        [post] = emu.messages(rig.news)
        assert rig.app.store is not None
        [stored] = await rig.app.store.latest_articles(5)
    assert len(stored.article.sections) == 1 and not stored.article.sections[0].title
    assert post["embeds"] and not post.get("components")
