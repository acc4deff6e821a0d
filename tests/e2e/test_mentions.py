"""Role pings through the emulator: a subscription's ``mention:`` role is pinged once per story (and
once per digest) in every layout, webhooks included, and a role mentioned in article text never is;
a role that cannot ping is told to the admins once, and the stories still post."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from tests.e2e.discord_rig import running_app, simple_config
from tests.e2e.harness import Clock, Item, body_text, cycle, eventually, rss, write_config
from tests.emulator import DiscordEmulator
from tests.support.feedserver import FeedServer

LAYOUTS = ("embed", "thread", "compact", "template", "webhook")


def subscriptions(channels: dict[str, int], role: int) -> str:
    """One subscription per layout plus a digest, each pinging ``role`` (written in each accepted form)."""
    return f"""
      - name: embed
        feeds: [world]
        channel: {channels['embed']}
        mention: {role}
      - name: thread
        feeds: [world]
        channel: {channels['thread']}
        layout: thread
        mention: [{role}]
      - name: compact
        feeds: [world]
        channel: {channels['compact']}
        layout: compact
        mention: "<@&{role}>"
      - name: template
        feeds: [world]
        channel: {channels['template']}
        template: "**{{title}}** — {{summary}}"
        mention: "{role}"
      - name: webhook
        feeds: [world]
        channel: {channels['webhook']}
        webhook: true
        mention: {role}
      - name: digest
        feeds: [world]
        channel: {channels['digest']}
        mode: digest
        schedule: "0 9 * * *"
        mention: {role}
    """


def stories(other: int) -> list[Item]:
    """An ordinary story, and one that mentions another real role and @everyone in title and text."""
    sectioned = "".join(f"<h2>Part {i}</h2>{body_text(f'harbour{i}', 4)}" for i in range(3))
    loud = f"Members of <@&{other}> and @everyone were told to stay indoors. " * 3
    hostile = f"<p>{escape(loud)}</p>" + "".join(f"<h2>Stage {i}</h2>{body_text(f'storm{i}', 4)}" for i in range(2))
    return [
        Item("Harbour reopens after storm", sectioned, guid="harbour", link="http://a.test/harbour"),
        Item(f"Storm warning for <@&{other}> and @everyone", hostile, guid="storm", link="http://a.test/storm"),
    ]


def posted(emu: DiscordEmulator, channel: int) -> list[dict[str, Any]]:
    """Every message of a channel and of the threads started in it."""
    threads = [int(thread["id"]) for thread in emu.threads(channel)]
    return emu.messages(channel) + [m for thread in threads for m in emu.messages(thread)]


def pings(emu: DiscordEmulator, channel: int) -> list[list[str]]:
    """The roles each pinging message of ``channel`` (and its threads) pinged, in order."""
    return [m["mention_roles"] for m in posted(emu, channel) if m["mention_roles"]]


async def test_the_role_is_pinged_once_per_story_and_article_text_pings_no_one(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    guild = emu.add_guild("news")
    role, other = emu.add_role(guild, "readers", mentionable=True), emu.add_role(guild, "staff", mentionable=True)
    channels = {name: emu.add_channel(guild, name) for name in (*LAYOUTS, "digest")}
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(
        tmp_path / "newsbot.yaml", simple_config(emu, server, tmp_path / "db.sqlite", subscriptions(channels, role))
    )
    clock = Clock()
    async with running_app(cfg, emu, clock) as app:
        await cycle(app, clock)
        server.set("/world.xml", rss(stories(other)), content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        await cycle(app, clock, advance_minutes=2)  # a second poll posts (and pings) nothing again
        assert await app.fire_digest("digest") is not None
        assert app.deliverer is not None
        while await app.deliverer.run_once():
            pass

        for layout in LAYOUTS:
            assert pings(emu, channels[layout]) == [[str(role)], [str(role)]], layout  # one per story
        assert len(posted(emu, channels["thread"])) > 2  # the sections went into threads, unpinged
        assert all(m.get("webhook_id") for m in emu.messages(channels["webhook"]))
        assert len(emu.messages(channels["digest"])) >= 1
        assert pings(emu, channels["digest"]) == [[str(role)]]  # one per digest
        everything = [m for channel in channels.values() for m in posted(emu, channel)]
        assert not any(str(other) in m["mention_roles"] or m["mention_everyone"] for m in everything)
        # The storm story really carried the other role's mention to Discord, made inert.
        assert any(f"&{other}>" in m["content"] for m in emu.messages(channels["compact"]))


async def test_a_role_that_cannot_ping_is_told_to_the_admins_once_and_the_story_still_posts(
    emu: DiscordEmulator, server: FeedServer, tmp_path: Path
) -> None:
    guild = emu.add_guild("newsroom")
    quiet = emu.add_role(guild, "readers")  # not mentionable, and the bot lacks Mention @everyone
    stranger = emu.add_role(emu.add_guild("elsewhere"), "readers")  # an id copied from another server
    news, admin = emu.add_channel(guild, "news"), emu.add_channel(guild, "admin")
    server.set("/world.xml", rss([]), content_type="application/rss+xml")
    cfg = write_config(tmp_path / "newsbot.yaml", simple_config(emu, server, tmp_path / "db.sqlite", f"""
      - name: news
        feeds: [world]
        channel: {news}
        mention: [{quiet}, {stranger}]
    """, admin=admin))
    clock = Clock()

    def notices(text: str) -> list[str]:
        return [m["content"] for m in emu.messages(admin) if text in m["content"]]

    async with running_app(cfg, emu, clock) as app:
        async def both_told() -> bool:
            return bool(notices("@readers is not mentionable") and notices(f"role {stranger} not found in newsroom"))

        await eventually(both_told, 5, "the startup check's notices about the two roles")
        await cycle(app, clock)
        server.set("/world.xml", rss([Item("Harbour reopens after storm", body_text("harbour"), guid="h")]),
                   content_type="application/rss+xml")
        await cycle(app, clock, advance_minutes=2)
        assert app.discord is not None and app.store is not None
        await app.discord.check_channels()  # a later check tells nothing again

        [story] = emu.messages(news)
        assert story["embeds"][0]["title"] == "Harbour reopens after storm"
        assert story["content"].startswith(f"<@&{quiet}> <@&{stranger}>")
        assert story["mention_roles"] == []  # what the notices warned of: Discord pinged neither role
        assert len(notices("@readers is not mentionable")) == 1
        assert len(notices(f"role {stranger} not found in newsroom")) == 1
        assert notices("@readers")[0].endswith("and All Roles in #news")  # the permission, as Discord names it
        assert not (await app.store.get_subscription("news")).paused
