"""Issue #10 through the emulator: members invoke the slash commands as Discord would send them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.config.test_opml import BILLION_LAUGHS, opml
from tests.e2e.harness import Clock, Item, body_text, cycle, rss, write_config
from tests.emulator import DiscordEmulator
from tests.emulator.interactions import Upload
from tests.support.feedserver import FeedServer

from bot.app import App
from bot.config.opml import parse_opml

ROOT = Path(__file__).resolve().parents[2]
MANAGE_GUILD = 1 << 5
SECTIONS = [
    "Ukraine and UK Agree to Jointly Produce Drones",
    "Ukraine’s Rapid Drone Development",
    "UK Funding for Drone Production",
    "Supporting Ukraine’s Defense",
    "Global Developments",
    "Russia’s Aggressive Actions",
    "US Response",
    "Ukraine’s Resolve",
]


@pytest.fixture
async def bot(emu: DiscordEmulator, tmp_path: Path):
    guild = emu.add_guild("news")
    channel = emu.add_channel(guild, "news")
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(ROOT / "articles" / "uk-funds-joint-drone-production-with-ukraine.md", articles)
    cfg = write_config(tmp_path / "newsbot.yaml", f"""
    discord:
      token: ${{DISCORD_TOKEN}}
      api_url: {emu.api_base}
      command_guilds: [{guild}]
    storage:
      url: sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}
    feeds:
      - name: local
        folder: {articles}
        interval: 60s
        backfill: 5
    subscriptions:
      - name: local-news
        feeds: [local]
        channel: {channel}
    """)
    clock = Clock()
    app = App(cfg, env={"DISCORD_TOKEN": emu.token}, clock=clock, loops=False)
    await app.start()
    await cycle(app, clock)
    member = emu.add_member(guild, "reader", permissions=0)
    admin = emu.add_member(guild, "admin", permissions=MANAGE_GUILD)
    await emu.settle()
    try:
        yield {"app": app, "guild": guild, "channel": channel, "member": member, "admin": admin, "cfg": cfg, "clock": clock}
    finally:
        await app.stop()


def _embeds(message: dict) -> list[dict]:
    return message.get("embeds") or []


async def test_article_and_section_reach_every_section_of_the_seed(emu: DiscordEmulator, bot: dict) -> None:
    g, c, m = bot["guild"], bot["channel"], bot["member"]
    choices = await emu.autocomplete(g, c, m, "article", focused="query", options={"query": "drone"})
    assert choices and choices[0]["name"] == "UK funds joint drone production with Ukraine"
    article_value = choices[0]["value"]

    handle = await emu.invoke_command(g, c, m, "article", {"query": article_value})
    response = await handle.wait_response()
    data = response["data"]
    text = " ".join(e.get("description", "") for e in data["embeds"])
    for name in SECTIONS:
        assert name in text

    for index, name in enumerate(SECTIONS):
        section_choices = await emu.autocomplete(
            g, c, m, "section", focused="section", options={"article": article_value, "section": ""}
        )
        assert [ch["name"].split(". ", 1)[1] for ch in section_choices] == SECTIONS
        handle = await emu.invoke_command(g, c, m, "section", {"article": article_value, "section": section_choices[index]["value"]})
        reply = (await handle.wait_response())["data"]
        assert name in reply["embeds"][0]["title"] or name in str(reply["embeds"][0])


async def test_the_section_menu_shows_what_each_section_holds_and_a_word_of_its_text_finds_a_section(
    emu: DiscordEmulator, bot: dict
) -> None:
    g, c, m = bot["guild"], bot["channel"], bot["member"]
    [post] = emu.messages(c)
    [row] = post["components"]
    options = row["components"][0]["options"]
    assert [o["label"].split(". ", 1)[1] for o in options] == SECTIONS
    assert options[2]["description"].startswith("The UK will finance the procurement of Ukrainian-designed drones")
    assert all(o["description"] and len(o["description"]) <= 100 for o in options)

    [(article_id, _)] = await bot["app"].store.title_suggestions("drone")
    found = await emu.autocomplete(g, c, m, "section", focused="section",
                                   options={"article": f"#{article_id}", "section": "zelensky"})
    # In those two sections' text, in neither's summary nor heading.
    assert [ch["name"] for ch in found] == ["1. Ukraine and UK Agree to Jointly Produce Drones", "6. Russia’s Aggressive Actions"]


async def test_section_choices_follow_the_chosen_article(emu: DiscordEmulator, bot: dict) -> None:
    g, c, m = bot["guild"], bot["channel"], bot["member"]
    none = await emu.autocomplete(g, c, m, "section", focused="section", options={"article": "#999999", "section": ""})
    assert none == []


async def test_search_finds_a_story_by_a_word_from_its_body(emu: DiscordEmulator, bot: dict) -> None:
    handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["member"], "search", {"query": "Dnipro"})
    reply = (await handle.wait_response())["data"]
    assert "UK funds joint drone production" in reply["embeds"][0]["description"]


async def test_feeds_add_refused_for_members_and_broken_url_is_a_clear_ephemeral_error(emu: DiscordEmulator, bot: dict) -> None:
    g, c = bot["guild"], bot["channel"]
    # Discord itself hides /feeds from members: the bot declared Manage Server as its default permission.
    from tests.emulator import EmulatorUsageError

    with pytest.raises(EmulatorUsageError):
        await emu.invoke_command(g, c, bot["member"], "feeds add", {"url": "http://127.0.0.1:9/feed.xml"})
    # A server admin may override that in Integrations; the bot still checks the member itself.
    for command in emu.registered_commands(g):
        if command["name"] == "feeds":
            command["default_member_permissions"] = None
    handle = await emu.invoke_command(g, c, bot["member"], "feeds add", {"url": "http://127.0.0.1:9/feed.xml"})
    reply = await handle.wait_response()
    assert reply["data"]["flags"] & 64 and "Manage Server" in reply["data"]["content"]

    handle = await emu.invoke_command(g, c, bot["admin"], "feeds add", {"url": "http://127.0.0.1:9/feed.xml"})
    reply = await handle.wait_response()
    content = reply["data"].get("content") or ""
    assert reply["data"]["flags"] & 64 and "could not read it as a feed" in content


async def test_feeds_add_by_admin_persists_across_restart(emu: DiscordEmulator, bot: dict, tmp_path: Path) -> None:
    async with FeedServer() as srv:
        srv.set("/new.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>Extra News</title>'
                "<item><title>Hello</title><guid>x1</guid><description>Some text here.</description></item></channel></rss>",
                content_type="application/rss+xml")
        handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["admin"], "feeds add", {"url": srv.url("/new.xml"), "name": "extra"})
        reply = await handle.wait_response()
        assert reply["data"]["flags"] & 64
        assert bot["app"].config.feed("extra") is not None
    managed = bot["cfg"].parent / "newsbot.managed.yaml"
    assert "extra" in managed.read_text()
    from bot.config import load_config

    assert load_config(bot["cfg"], env={}).feed("extra").origin == "managed"


async def test_feeds_add_without_a_name_takes_a_free_one_and_a_given_name_must_be_free(emu: DiscordEmulator, bot: dict) -> None:
    g, c, admin = bot["guild"], bot["channel"], bot["admin"]
    async with FeedServer() as srv:
        for path in ("/one.xml", "/two.xml", "/three.xml"):  # three feeds with one title
            srv.set(path, EXTRA_FEED, content_type="application/rss+xml")
        for path in ("/one.xml", "/two.xml"):
            handle = await emu.invoke_command(g, c, admin, "feeds add", {"url": srv.url(path)})
            await handle.wait_original(lambda m: "Added" in (m.get("content") or ""))
        assert bot["app"].config.feed("extra-news").url == srv.url("/one.xml")
        assert bot["app"].config.feed("extra-news-2").url == srv.url("/two.xml")
        handle = await emu.invoke_command(g, c, admin, "feeds add", {"url": srv.url("/three.xml"), "name": "extra-news"})
        reply = await handle.wait_original(lambda m: "already exists" in (m.get("content") or ""))
    assert "choose another name" in reply["content"]
    assert bot["app"].config.feed("extra-news-3") is None
    # A title with no letter a name may hold: named after the feed's host, not a bare "news".
    async with FeedServer() as srv:
        srv.set("/zh.xml", EXTRA_FEED.replace("Extra News", "新浪新闻"), content_type="application/rss+xml")
        handle = await emu.invoke_command(g, c, admin, "feeds add", {"url": srv.url("/zh.xml")})
        await handle.wait_original(lambda m: "Added" in (m.get("content") or ""))
        assert bot["app"].config.feed("127-0-0-1").url == srv.url("/zh.xml")


EXTRA_FEED = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Extra News</title>'
              "<item><title>Hello</title><guid>x1</guid><description>Some text here.</description></item></channel></rss>")


def _homepage(link: str) -> str:
    return f"<!doctype html><html><head><title>Extra</title>{link}</head><body><p>Latest stories</p></body></html>"


async def test_feeds_add_with_a_homepage_adds_the_feed_the_page_advertises(emu: DiscordEmulator, bot: dict) -> None:
    async with FeedServer() as srv:
        srv.set("/", _homepage('<link rel="alternate" type="application/rss+xml" title="Extra *News* @everyone" '
                               'href="/feeds/main.xml">'), content_type="text/html; charset=utf-8")
        srv.set("/feeds/main.xml", EXTRA_FEED, content_type="application/rss+xml")
        handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["admin"], "feeds add", {"url": srv.url("/"), "name": "extra"})
        message = await handle.wait_original(lambda m: "Added" in (m.get("content") or ""))
        feed_url = srv.url("/feeds/main.xml")
    assert message["flags"] & 64
    assert message["content"].startswith(f"I found the feed {feed_url} (“Extra \\*News\\* @\u200beveryone”) on that page. Added **extra**")
    assert bot["app"].config.feed("extra").url == feed_url
    assert feed_url in (bot["cfg"].parent / "newsbot.managed.yaml").read_text()


async def test_feeds_preview_of_a_homepage_shows_its_feed_and_a_page_without_one_says_so(emu: DiscordEmulator, bot: dict) -> None:
    g, c, admin = bot["guild"], bot["channel"], bot["admin"]
    async with FeedServer() as srv:
        srv.set("/", _homepage('<link rel="alternate" type="application/atom+xml" href="feeds/main.xml">'),
                content_type="text/html; charset=utf-8")
        srv.set("/feeds/main.xml", EXTRA_FEED, content_type="application/rss+xml")
        srv.set("/plain.html", _homepage(""), content_type="text/html; charset=utf-8")
        handle = await emu.invoke_command(g, c, admin, "feeds preview", {"url": srv.url("/")})
        note = await handle.wait_original(lambda m: "found the feed" in (m.get("content") or ""))
        card = await emu.wait_until(lambda: next((m for m in handle.followups if m.get("embeds")), None), 5, "no story card")
        feed_url = srv.url("/feeds/main.xml")

        handle = await emu.invoke_command(g, c, admin, "feeds preview", {"url": srv.url("/plain.html")})
        refusal = await handle.wait_original(lambda m: "could not read it as a feed" in (m.get("content") or ""))
    assert note["content"] == f"I found the feed {feed_url} on that page. The newest story of **Extra News** would look like this:"
    assert "Hello" in str(card["embeds"])
    assert "this is an HTML page, not a feed, and it advertises no RSS, Atom or JSON feed" in refusal["content"]


async def test_slow_command_defers_and_follows_up(emu: DiscordEmulator, bot: dict) -> None:
    async with FeedServer() as srv:
        srv.set("/slow.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>'
                "<item><title>Late story</title><guid>s1</guid><description>Body text of the late story.</description></item></channel></rss>",
                content_type="application/rss+xml", delay=2.6)
        handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["admin"], "feeds preview", {"url": srv.url("/slow.xml")})
        first = await handle.wait_response(timeout=5)
        assert first["type"] == 5  # deferred
        followups = await handle.wait_followups(2, timeout=10)
        assert "Late story" in str(followups)


async def test_article_menu_opens_a_section_and_its_full_text(emu: DiscordEmulator, bot: dict) -> None:
    g, c, m = bot["guild"], bot["channel"], bot["member"]
    handle = await emu.invoke_command(g, c, m, "article", {})
    await handle.wait_response()
    message = await emu.wait_until(lambda: handle.original, 5, "no original response")
    select = message["components"][0]["components"][0]
    click = await emu.click(message, select["custom_id"], ["4"], member_id=m)
    reply = (await click.wait_response())["data"]
    assert reply["flags"] & 64 and "Global Developments" in str(reply["embeds"])
    section_message = await emu.wait_until(lambda: click.original, 5, "no section message")
    button = section_message["components"][0]["components"][0]
    full = await emu.click(section_message, button["custom_id"], member_id=m)
    text = str((await full.wait_response())["data"])
    assert "Netherlands has announced plans" in text


async def test_latest_lists_the_newest_story(emu: DiscordEmulator, bot: dict) -> None:
    handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["member"], "latest", {"count": 3})
    reply = (await handle.wait_response())["data"]
    assert "UK funds joint drone production with Ukraine" in str(reply["embeds"])
    handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["member"], "latest", {"feed": "nope"})
    reply = (await handle.wait_response())["data"]
    assert reply["flags"] & 64 and "no feed called" in reply["content"]


async def test_digest_now_without_a_digest_here_says_so(emu: DiscordEmulator, bot: dict) -> None:
    handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["admin"], "digest now", {})
    reply = (await handle.wait_response())["data"]
    assert reply["flags"] & 64 and "no digest subscription" in reply["content"]


# --- /feeds edit, and /feeds add to a forum -------------------------------------------------------

FIRST = Item("Harbour reopens after storm", body_text("harbour"), guid="one")
SECOND = Item("Council approves new bridge", body_text("bridge"), guid="two")


async def _add_wire(emu: DiscordEmulator, bot: dict, server: FeedServer, channel: int | None = None) -> None:
    """Serve a feed with one story and /feeds add it as ``wire``; poll once, so that story is left out."""
    server.set("/wire.xml", rss([FIRST]), content_type="application/rss+xml")
    options = {"url": server.url("/wire.xml"), "name": "wire"} | ({"channel": channel} if channel else {})
    handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["admin"], "feeds add", options)
    await handle.wait_original(lambda m: "Added" in (m.get("content") or ""))
    await cycle(bot["app"], bot["clock"], advance_minutes=1)


async def _publish_second(server: FeedServer, bot: dict) -> None:
    server.set("/wire.xml", rss([FIRST, SECOND]), content_type="application/rss+xml")
    await cycle(bot["app"], bot["clock"], advance_minutes=16)  # past the default 15-minute interval


async def test_feeds_edit_changes_layout_and_ping_and_the_next_story_follows(
    emu: DiscordEmulator, bot: dict, server: FeedServer
) -> None:
    g, c, admin, app = bot["guild"], bot["channel"], bot["admin"], bot["app"]
    role = emu.add_role(g, "readers", mentionable=True)
    await emu.settle()
    await _add_wire(emu, bot, server)
    choices = await emu.autocomplete(g, c, admin, "feeds edit", focused="name", options={"name": "wir"})
    assert [choice["value"] for choice in choices] == ["wire"]

    handle = await emu.invoke_command(g, c, admin, "feeds edit", {"name": "wire", "layout": "compact", "mention": role})
    reply = await handle.wait_original(lambda m: "Edited" in (m.get("content") or ""))
    assert reply["flags"] & 64 and reply["content"].startswith(f"Edited **wire** → <#{c}>:\n```\n")
    assert "layout: embed → compact\n" in reply["content"] and f"mention: none → <@\u200b&{role}>" in reply["content"]
    assert f"{c}:wire: wire → channel {c}; immediate; layout compact; pings <@\u200b&{role}>" in reply["content"]
    assert not reply["mention_roles"]
    sub = app.config.subscription(f"{c}:wire")
    assert sub is not None and (sub.layout, sub.mention) == ("compact", (role,))  # the live config reloaded

    await _publish_second(server, bot)
    posted = [m for m in emu.messages(c) if "Council approves new bridge" in str(m)]
    assert len(posted) == 1 and not any("Harbour reopens" in str(m) for m in emu.messages(c))
    assert posted[0]["content"].startswith(f"<@&{role}>") and not posted[0]["embeds"]  # compact, with the ping
    assert posted[0]["mention_roles"] == [str(role)]


async def test_feeds_edit_refuses_a_yaml_feed_and_a_bad_schedule_and_writes_nothing(
    emu: DiscordEmulator, bot: dict, server: FeedServer
) -> None:
    g, c, admin = bot["guild"], bot["channel"], bot["admin"]
    await _add_wire(emu, bot, server)
    managed = bot["cfg"].parent / "newsbot.managed.yaml"
    before = managed.read_text()

    handle = await emu.invoke_command(g, c, admin, "feeds edit", {"name": "local", "layout": "compact"})
    reply = (await handle.wait_response())["data"]
    assert reply["flags"] & 64
    assert f"feed 'local' is written in {bot['cfg']}" in reply["content"]
    assert f"edit {bot['cfg']} to change how it posts" in reply["content"]

    bad_cron = {"name": "wire", "mode": "digest", "schedule": "61 * * * *"}
    handle = await emu.invoke_command(g, c, admin, "feeds edit", bad_cron)
    reply = (await handle.wait_response())["data"]
    assert reply["flags"] & 64 and "the change was refused" in reply["content"]
    assert "subscriptions[0].schedule" in reply["content"]
    assert managed.read_text() == before
    assert bot["app"].config.subscription(f"{c}:wire").mode == "immediate"


async def test_feeds_add_accepts_a_forum_channel(emu: DiscordEmulator, bot: dict, server: FeedServer) -> None:
    forum = emu.add_channel(bot["guild"], "forum-news", kind="forum")
    await emu.settle()
    await _add_wire(emu, bot, server, channel=forum)
    assert bot["app"].config.subscription(f"{forum}:wire") is not None
    await _publish_second(server, bot)
    assert [post["name"] for post in emu.forum_posts(forum)] == ["Council approves new bridge"]


# --- /feeds import and /feeds export (OPML as attachments) -------------------------------------------


def _wire_list(server: FeedServer) -> bytes:
    """An OPML list: ``Wire`` (in a folder) and ``Other`` on ``server``, and an outline with a relative URL."""
    return opml(f"""<outline text="News">
  <outline text="Wire" type="rss" xmlUrl="{server.url('/wire.xml')}"/>
</outline>
<outline text="Other" xmlUrl="{server.url('/other.xml')}"/>
<outline text="@everyone *bold*" xmlUrl="feed.xml"/>""")


async def _import(emu: DiscordEmulator, bot: dict, upload: Upload, **options: object) -> dict:
    handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["admin"], "feeds import", {"file": upload, **options})
    return await handle.wait_original(lambda m: bool(m.get("content")), timeout=10)


async def test_feeds_import_adds_the_lists_feeds_and_the_next_story_is_posted_here(
    emu: DiscordEmulator, bot: dict, server: FeedServer
) -> None:
    c, app = bot["channel"], bot["app"]
    server.set("/wire.xml", rss([FIRST]), content_type="application/rss+xml")
    server.set("/other.xml", rss([]), content_type="application/rss+xml")
    reply = await _import(emu, bot, Upload("feeds.opml", _wire_list(server)))
    managed = bot["cfg"].parent / "newsbot.managed.yaml"
    assert reply["flags"] & 64 and not reply["mentions"] and not reply["mention_everyone"]
    assert reply["content"].splitlines() == [
        f"Imported **feeds.opml** → <#{c}>:",
        "```",
        f"added: wire — {server.url('/wire.xml')} (News) → channel {c}",
        f"added: other — {server.url('/other.xml')} → channel {c}",
        "skipped: line 8 '@\u200beveryone *bold*': 'feed.xml' is a relative URL — OPML has no base address to resolve it against",
        f"2 added to {managed}, 1 skipped",
        "```",
    ]
    assert app.config.subscription(f"{c}:wire") is not None  # the live config reloaded
    await cycle(app, bot["clock"], advance_minutes=1)  # first poll: the story already there is left out
    await _publish_second(server, bot)
    posted = [m for m in emu.messages(c) if "Council approves new bridge" in str(m)]
    assert len(posted) == 1 and not any("Harbour reopens" in str(m) for m in emu.messages(c))

    written = managed.read_bytes()
    again = await _import(emu, bot, Upload("feeds.opml", _wire_list(server)))
    assert again["content"].splitlines()[-2] == "0 added, 3 skipped; nothing to write"
    assert f"skipped: wire — {server.url('/wire.xml')}: its URL is already feed 'wire' in newsbot.managed.yaml" in again["content"]
    assert managed.read_bytes() == written


async def test_feeds_import_to_another_channel_as_a_dry_run_writes_nothing(
    emu: DiscordEmulator, bot: dict, server: FeedServer
) -> None:
    forum = emu.add_channel(bot["guild"], "forum-news", kind="forum")
    reply = await _import(emu, bot, Upload("feeds.xml", _wire_list(server)), channel=forum, dry_run=True)
    lines = reply["content"].splitlines()
    assert lines[0] == f"Dry run of **feeds.xml** → <#{forum}>:"
    assert lines[2] == f"would add: wire — {server.url('/wire.xml')} (News) → channel {forum}"
    assert lines[-2].startswith("dry run: 2 would be added to ") and lines[-2].endswith("nothing was written")
    assert not (bot["cfg"].parent / "newsbot.managed.yaml").exists()
    assert bot["app"].config.feed("wire") is None


async def test_a_long_import_report_is_cut_to_one_message(emu: DiscordEmulator, bot: dict) -> None:
    feeds = "\n".join(f'<outline text="Feed {i}" xmlUrl="https://example.com/{"x" * 40}/{i}.xml"/>' for i in range(60))
    reply = await _import(emu, bot, Upload("many.opml", opml(feeds)), dry_run=True)
    lines = reply["content"].splitlines()
    assert len(reply["content"]) <= 2000
    assert lines[-3].startswith("… and ") and lines[-3].endswith(" more")
    shown = sum(line.startswith("would add: ") for line in lines)
    assert 0 < shown < 60 and int(lines[-3].split()[2]) == 60 - shown
    assert lines[-2].startswith("dry run: 60 would be added")


@pytest.mark.parametrize(
    "upload, refusal",
    [
        (Upload("laughs.opml", BILLION_LAUGHS), "laughs.opml:3: the file declares the XML entity 'lol' — refused"),
        (Upload("huge.opml", b" " * (1024 * 1024 + 1)), "huge.opml is 1.0 MiB — an OPML feed list over 1 MiB is refused"),
        (Upload("notes.txt", b"hello", "text/plain"), "notes.txt (text/plain) is not an OPML file"),
        (Upload("empty.opml", opml("")), "empty.opml: no feeds in it (no outline has an xmlUrl)"),
    ],
)
async def test_feeds_import_refuses_a_hostile_oversized_or_foreign_file_and_writes_nothing(
    emu: DiscordEmulator, bot: dict, upload: Upload, refusal: str
) -> None:
    reply = await _import(emu, bot, upload)
    assert reply["flags"] & 64 and reply["content"].startswith(refusal)
    assert not (bot["cfg"].parent / "newsbot.managed.yaml").exists()
    if upload.filename in ("huge.opml", "notes.txt"):
        assert emu.world.file_downloads == {}, "refused from its size and type, before it was downloaded"
    else:
        assert sum(emu.world.file_downloads.values()) == 1


async def test_feeds_export_replies_with_an_opml_file_of_the_url_feeds(
    emu: DiscordEmulator, bot: dict, server: FeedServer
) -> None:
    await _add_wire(emu, bot, server)
    handle = await emu.invoke_command(bot["guild"], bot["channel"], bot["admin"], "feeds export", {})
    reply = await handle.wait_original(lambda m: bool(m.get("attachments")))
    assert reply["flags"] & 64
    assert reply["content"] == "1 feed(s) in newsbot-feeds.opml. Left out (folder feeds; OPML lists URLs only): **local**."
    [attachment] = reply["attachments"]
    assert attachment["filename"] == "newsbot-feeds.opml"
    exported = parse_opml(emu.world.files[int(attachment["id"])], attachment["filename"])
    assert [(feed.title, feed.xml_url) for feed in exported.feeds] == [("wire", server.url("/wire.xml"))]
