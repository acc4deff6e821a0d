"""OPML lists: parsed safely into feeds (what is unusable is listed with its reason), written back as OPML 2.0."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.config.feedlist import MAX_UPLOAD_BYTES, cut_lines, export_opml, import_opml, upload_problem
from bot.config.fieldtypes import check_name
from bot.config.managed import managed_add_feeds
from bot.config.opml import MAX_OPML_BYTES, OpmlFeed, feed_names, name_for, parse_opml, read_opml, render_opml
from tests.config.conftest import BASE, Write, load, with_feed

NOW = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def opml(body: str, head: str = "<head><title>My feeds</title></head>") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">{head}\n<body>\n{body}\n</body>\n</opml>\n'.encode()


def refused(data: bytes, source: str = "list.opml") -> str:
    with pytest.raises(ConfigError) as caught:
        parse_opml(data, source)
    assert caught.value.file == source
    return str(caught.value)


# --- parsing ----------------------------------------------------------------------------------


def test_nested_folders_give_the_category_path() -> None:
    parsed = parse_opml(
        opml(
            """<outline text="Tech" title="Tech">
  <outline text="Hacker News" type="rss" xmlUrl="https://news.ycombinator.com/rss" htmlUrl="https://news.ycombinator.com/"/>
  <outline text="Python">
    <outline text="PSF blog" type="atom" xmlUrl="https://pyfound.blogspot.com/feeds/posts/default"/>
  </outline>
</outline>
<outline text="Top" xmlUrl="https://example.com/top.xml"/>"""
        ),
        "list.opml",
    )
    assert parsed.title == "My feeds"
    assert parsed.feeds == (
        OpmlFeed("Hacker News", "https://news.ycombinator.com/rss", "https://news.ycombinator.com/", ("Tech",)),
        OpmlFeed("PSF blog", "https://pyfound.blogspot.com/feeds/posts/default", None, ("Tech", "Python")),
        OpmlFeed("Top", "https://example.com/top.xml", None, ()),
    )
    assert [feed.line for feed in parsed.feeds] == [5, 7, 10]
    assert parsed.skipped == ()


def test_opml_1_without_type_or_text_and_escaped_urls() -> None:
    data = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0"><head><title>Caf\xe9</title></head><body>
<outline title="Only a title" xmlUrl="https://example.com/feed?a=1&amp;b=2"/>
<outline xmlUrl="https://untitled.example/rss" htmlUrl="javascript:alert(1)"/>
<outline text="Shouty" type="RSS" xmlUrl=" https://example.com/shout.xml "/>
</body></opml>"""
    parsed = parse_opml(data, "old.opml")
    assert parsed.title == "Café"
    assert [(f.title, f.xml_url, f.html_url) for f in parsed.feeds] == [
        ("Only a title", "https://example.com/feed?a=1&b=2", None),
        ("", "https://untitled.example/rss", None),
        ("Shouty", "https://example.com/shout.xml", None),
    ]


def test_unusable_outlines_are_skipped_with_a_reason() -> None:
    parsed = parse_opml(
        opml(
            """<outline text="Good" xmlUrl="https://example.com/a.xml"/>
<outline text="Relative" xmlUrl="feeds/b.xml"/>
<outline text="Gopher" xmlUrl="gopher://old.net/feed"/>
<outline text="Again" xmlUrl="https://example.com/a.xml"/>
<outline text="A podcast episode" type="link" url="https://example.com/ep1" xmlUrl="https://example.com/ep1.mp3"/>
<outline text="Broken" type="rss"/>
<outline text="Empty folder"/>"""
        ),
        "list.opml",
    )
    assert [feed.title for feed in parsed.feeds] == ["Good"]
    assert [(s.line, s.title, s.url, s.reason) for s in parsed.skipped] == [
        (5, "Relative", "feeds/b.xml", "'feeds/b.xml' is a relative URL — OPML has no base address to resolve it against"),
        (
            6,
            "Gopher",
            "gopher://old.net/feed",
            "'gopher://old.net/feed' is not a URL starting with http:// or https:// (e.g. https://example.com/feed.xml)",
        ),
        (7, "Again", "https://example.com/a.xml", "the same URL is listed at line 4 already"),
        (8, "A podcast episode", "https://example.com/ep1.mp3", 'type="link" is not a feed (rss or atom)'),
        (9, "Broken", "", 'type="rss" but no xmlUrl — the outline does not say where the feed is'),
    ]


def test_an_opml_with_an_empty_body_has_no_feeds() -> None:
    parsed = parse_opml(opml("", head="<head/>"), "list.opml")
    assert (parsed.title, parsed.feeds, parsed.skipped) == ("", (), ())


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<opml version="2.0"><head><title>&lol9;</title></head><body>
<outline text="&lol9;" xmlUrl="https://example.com/feed.xml"/>
</body></opml>
"""


def test_a_billion_laughs_file_is_refused_not_expanded() -> None:
    message = refused(BILLION_LAUGHS, "lol.opml")
    assert message.startswith("lol.opml:3: the file declares the XML entity 'lol' — refused")
    assert "billion laughs" in message


def test_an_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("token=hunter2")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE opml [\n<!ENTITY x SYSTEM "{secret.as_uri()}">\n]>\n'
        '<opml><body><outline text="&x;" xmlUrl="https://example.com/f.xml"/></body></opml>'
    ).encode()
    message = refused(data)
    assert message.startswith("list.opml:3: the file declares the XML entity 'x' — refused")
    assert "hunter2" not in message


def test_an_external_dtd_is_not_fetched(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY e "EVIL">')
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE opml SYSTEM "{dtd.as_uri()}">\n'
        '<opml><body><outline text="&e;" xmlUrl="https://example.com/f.xml"/></body></opml>'
    ).encode()
    assert refused(data) == f"list.opml:2: the file refers to the external file {dtd.as_uri()!r} — refused: an OPML list is read on its own"


@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_an_empty_file_is_an_error(data: bytes) -> None:
    assert refused(data) == "list.opml: the file is empty — export the feed list as OPML again"


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"<opml><body>\n<outline text='x'>\n</body></opml>", "list.opml:3: not well-formed XML: mismatched tag"),
        (b"<opml><body>&nbsp;</body></opml>", "list.opml:1: not well-formed XML: undefined entity"),
        (b"not xml at all", "list.opml:1: not well-formed XML: syntax error"),
        (
            b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>',
            "list.opml:2: the root element is <rss>, not <opml> — this looks like a feed itself; add it with its URL instead",
        ),
        (b"<opml><head/></opml>", "list.opml: no <body> element — an OPML file lists its feeds under <opml><body>"),
    ],
)
def test_malformed_opml_names_the_file_line_and_problem(data: bytes, expected: str) -> None:
    assert refused(data) == expected


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.opml"
    path.write_bytes(opml("<!--" + "x" * MAX_OPML_BYTES + "-->"))
    with pytest.raises(ConfigError, match="the file is larger than 5 MiB"):
        read_opml(path)


def test_reading_a_missing_file() -> None:
    with pytest.raises(ConfigError, match="nope.opml: file not found"):
        read_opml(Path("nope.opml"))


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        ("Hacker News", "https://a.example/rss", "hacker-news"),
        ("Café Tech", "https://c.example/rss", "cafe-tech"),
        ("新浪新闻", "https://news.sina.com.cn/rss", "news-sina-com-cn"),
        (None, "https://www.example.org/feed", "www-example-org"),
        ("★", "http://例え/rss", "feed"),
    ],
)
def test_a_feed_s_name_comes_from_its_title_else_its_host(title: str | None, url: str, expected: str) -> None:
    assert name_for(title, url) == expected


def test_names_are_valid_config_names_and_unique() -> None:
    feeds = [
        OpmlFeed("Hacker News", "https://a.example/1"),
        OpmlFeed("Hacker  News!", "https://a.example/2"),
        OpmlFeed("", "https://www.Example.org/rss"),
        OpmlFeed("Новости", "https://news.example.ru/rss"),
        OpmlFeed("Café Tech", "https://c.example/rss"),
        OpmlFeed("x" * 80, "https://long.example/1"),
        OpmlFeed("x" * 80, "https://long.example/2"),
        OpmlFeed("★", "http://例え/rss"),
    ]
    names = feed_names(feeds)
    assert names == [
        "hacker-news",
        "hacker-news-2",
        "www-example-org",
        "news-example-ru",
        "cafe-tech",
        "x" * 64,
        "x" * 62 + "-2",
        "feed",
    ]
    assert all(check_name(name) == name for name in names)


# --- writing ----------------------------------------------------------------------------------


def test_render_is_valid_escaped_opml_2_that_parses_back() -> None:
    feeds = (
        OpmlFeed('Tom & Jerry\'s "<news>"', "https://example.com/feed?a=1&b=<2>", "https://example.com/", ("A & B",)),
        OpmlFeed("Nested", "https://example.com/n.xml", None, ("A & B", "Deeper")),
        OpmlFeed("Ünïcödé ✓", "https://例え.jp/rss", None, ()),
        OpmlFeed("Second in A", "https://example.com/a2.xml", None, ("A & B",)),
    )
    data = render_opml(feeds, title="newsbot <feeds>", now=NOW)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    root = ET.fromstring(data)
    assert root.findtext("head/title") == "newsbot <feeds>"
    assert root.findtext("head/dateCreated") == "Wed, 01 May 2024 12:30:00 +0000"
    assert [outline.get("text") for outline in root.find("body")] == ["A & B", "Ünïcödé ✓"]  # type: ignore[union-attr]
    parsed = parse_opml(data, "out.opml")
    assert parsed.title == "newsbot <feeds>"
    assert set(parsed.feeds) == set(feeds) and parsed.skipped == ()


def test_render_drops_characters_xml_cannot_hold() -> None:
    data = render_opml([OpmlFeed("bell\x07 and nul\x00", "https://example.com/f.xml")], title="t\x1b", now=NOW)
    parsed = parse_opml(data, "out.opml")
    assert (parsed.title, parsed.feeds[0].title) == ("t", "bell and nul")


def test_an_untitled_feed_is_shown_by_its_url() -> None:
    data = render_opml([OpmlFeed("", "https://example.com/f.xml")], title="t", now=NOW)
    outline = ET.fromstring(data).find("body/outline")
    assert outline is not None and outline.attrib == {"type": "rss", "text": "https://example.com/f.xml", "xmlUrl": "https://example.com/f.xml"}


# --- the managed file's batch add ----------------------------------------------------------------


def test_batch_add_is_one_validated_write_that_skips_known_names_and_urls(write: Write) -> None:
    main = write(BASE)
    before = main.read_bytes()
    Path("newsbot.managed.yaml").write_text("feeds:\n  - name: web\n    url: https://example.com/web.xml?k=$$x\n")
    result = managed_add_feeds(
        main,
        [
            {"name": "local", "url": "https://example.com/other.xml"},
            {"name": "again", "url": "https://example.com/web.xml?k=$x"},
            {"name": "new", "url": "https://example.com/new.xml?t=${DISCORD_TOKEN}"},
            {"name": "new-twin", "url": "https://example.com/new.xml?t=${DISCORD_TOKEN}"},
        ],
        channel=42,
        env={},
    )
    assert result.path == Path("newsbot.managed.yaml")
    assert result.added == ("new",)
    assert result.skipped == (
        ("local", "a feed named 'local' is already in newsbot.yaml — retitle it to add it too"),
        ("again", "its URL is already feed 'web' in newsbot.managed.yaml"),
        ("new-twin", "its URL is already feed 'new' of this import"),
    )
    assert main.read_bytes() == before
    config = load(main, {"DISCORD_TOKEN": "secret"})
    assert config.feed("new").url == "https://example.com/new.xml?t=${DISCORD_TOKEN}"  # type: ignore[union-attr]
    assert [sub.key for sub in config.subscriptions_for("new")] == ["42:new"]


def test_batch_add_dry_run_validates_and_writes_nothing(write: Write) -> None:
    main = write(BASE)
    result = managed_add_feeds(main, [{"name": "new", "url": "https://example.com/new.xml"}], dry_run=True, env={})
    assert result.added == ("new",) and not Path("newsbot.managed.yaml").exists()
    with pytest.raises(ConfigError, match="the change was refused") as caught:
        managed_add_feeds(main, [{"name": "Bad Name", "url": "https://example.com/x.xml"}], dry_run=True, env={})
    assert any("feeds[0].name: 'Bad Name' is not a valid name" in p for p in caught.value.problems)


def test_a_batch_with_one_bad_feed_writes_none_of_it(write: Write) -> None:
    main = write(BASE)
    with pytest.raises(ConfigError, match="the change was refused"):
        managed_add_feeds(
            main,
            [{"name": "good", "url": "https://example.com/g.xml"}, {"name": "bad", "url": "ftp://example.com/b"}],
            env={},
        )
    assert not Path("newsbot.managed.yaml").exists()


# --- the batch add, scoped to the feeds one Discord server sees ----------------------------------

#: Feeds of two servers: this one sees ``local`` and ``mine``; ``theirs``, ``wire`` and ``bot-added``
#: (in the managed file, its URL written escaped) are another server's.
SCOPED_MAIN = with_feed("""\
  - name: mine
    url: https://example.com/mine.xml
  - name: theirs
    url: https://example.com/theirs.xml
  - name: wire
    url: https://example.com/wire.xml""")
SCOPED_MANAGED = "feeds:\n  - name: bot-added\n    url: https://example.com/web.xml?k=$$x\n"
SCOPED_BATCH = [
    {"name": "copy", "url": "https://example.com/theirs.xml"},
    {"name": "wire", "url": "https://example.com/wire.xml"},
    {"name": "wire-2", "url": "https://example.com/w2.xml"},
    {"name": "bot-added", "url": "https://example.com/web.xml?k=$x"},
    {"name": "again", "url": "https://example.com/mine.xml"},
    {"name": "mine", "url": "https://example.com/other.xml"},
    {"name": "twin", "url": "https://example.com/theirs.xml"},
]


def _sees(name: str) -> bool:
    return name in {"local", "mine"}


def test_a_scoped_batch_adds_urls_and_names_only_unseen_feeds_have_and_names_none_of_them(write: Write) -> None:
    main = write(SCOPED_MAIN)
    Path("newsbot.managed.yaml").write_text(SCOPED_MANAGED)
    result = managed_add_feeds(main, SCOPED_BATCH, channel=42, env={}, visible=_sees)
    assert result.added == ("copy", "wire-3", "wire-2", "bot-added-2")  # "wire-2" is the list's own name
    assert result.renamed == (("wire", "wire-3"), ("bot-added", "bot-added-2"))
    assert result.skipped == (
        ("again", "its URL is already feed 'mine' in newsbot.yaml"),
        ("mine", "a feed named 'mine' is already in newsbot.yaml — retitle it to add it too"),
        ("twin", "its URL is already feed 'copy' of this import"),
    )
    for hidden in ("theirs", "'wire'", "bot-added"):
        assert not any(hidden in why for _, why in result.skipped), hidden
    config = load(main)
    assert config.feed("wire-3").url == "https://example.com/wire.xml"  # type: ignore[union-attr]
    assert config.feed("bot-added-2").url == "https://example.com/web.xml?k=$x"  # type: ignore[union-attr]
    assert config.feed("copy").url == config.feed("theirs").url  # type: ignore[union-attr]
    assert [sub.key for sub in config.subscriptions_for("wire-3")] == ["42:wire-3"]
    assert config.subscriptions_for("wire") == ()


@pytest.mark.parametrize("visible", [None, lambda name: True], ids=["no predicate", "sees every feed"])
def test_a_batch_that_sees_every_feed_skips_as_the_command_line_does(write: Write, visible: object) -> None:
    main = write(SCOPED_MAIN)
    Path("newsbot.managed.yaml").write_text(SCOPED_MANAGED)
    result = managed_add_feeds(main, SCOPED_BATCH, channel=42, env={}, visible=visible)  # type: ignore[arg-type]
    assert result.added == ("wire-2",) and result.renamed == ()
    assert result.skipped == (
        ("copy", "its URL is already feed 'theirs' in newsbot.yaml"),
        ("wire", "its URL is already feed 'wire' in newsbot.yaml"),
        ("bot-added", "its URL is already feed 'bot-added' in newsbot.managed.yaml"),
        ("again", "its URL is already feed 'mine' in newsbot.yaml"),
        ("mine", "a feed named 'mine' is already in newsbot.yaml — retitle it to add it too"),
        ("twin", "its URL is already feed 'theirs' in newsbot.yaml"),
    )


def test_a_scoped_import_lists_a_renamed_feed_under_its_new_name(write: Write) -> None:
    main = write(SCOPED_MAIN)
    data = opml('<outline text="News"><outline text="Wire" xmlUrl="https://example.com/wire.xml"/></outline>'
                '<outline text="Mine" xmlUrl="https://example.com/mine.xml"/>')
    report = import_opml(main, parse_opml(data, "list.opml"), "list.opml", channel=42, env={}, visible=_sees)
    assert report.added == ("wire-2",)
    assert report.lines == (
        "added: wire-2 — https://example.com/wire.xml (News) → channel 42",
        "skipped: mine — https://example.com/mine.xml: its URL is already feed 'mine' in newsbot.yaml",
    )


# --- what the command line and Discord share (bot.config.feedlist) ---------------------------------


def test_export_lists_the_url_feeds_of_both_files_and_leaves_folder_feeds_out(write: Write) -> None:
    main = write(with_feed("  - name: hand\n    url: https://hand.example/rss"))
    Path("newsbot.managed.yaml").write_text("feeds:\n  - name: bot-added\n    url: https://bot.example/rss\n")
    exported = export_opml(load(main), now=NOW)
    assert [(f.title, f.xml_url) for f in exported.feeds] == [("hand", "https://hand.example/rss"), ("bot-added", "https://bot.example/rss")]
    assert [feed.name for feed in exported.folder_feeds] == ["local"]
    parsed = parse_opml(exported.data, "export")
    assert parsed.title == "newsbot feeds (newsbot.yaml)" and parsed.feeds == exported.feeds


def test_import_reports_each_feed_and_a_summary(write: Write) -> None:
    main = write(BASE)
    data = opml('<outline text="News"><outline text="Wire" xmlUrl="https://example.com/w.xml"/></outline>'
                '<outline text="Local" xmlUrl="https://example.com/l.xml"/><outline xmlUrl="x.xml"/>')
    report = import_opml(main, parse_opml(data, "list.opml"), "list.opml", channel=42, env={})
    assert report.added == ("wire",)
    assert report.lines == (
        "added: wire — https://example.com/w.xml (News) → channel 42",
        "skipped: local — https://example.com/l.xml: a feed named 'local' is already in newsbot.yaml — retitle it to add it too",
        "skipped: line 4: 'x.xml' is a relative URL — OPML has no base address to resolve it against",
    )
    assert report.summary == "1 added to newsbot.managed.yaml, 2 skipped"
    assert [sub.key for sub in load(main).subscriptions_for("wire")] == ["42:wire"]


def test_importing_a_list_without_feeds_is_an_error_naming_the_source(write: Write) -> None:
    main = write(BASE)
    with pytest.raises(ConfigError, match=r"^upload\.opml: no feeds in it"):
        import_opml(main, parse_opml(opml('<outline text="Folder"/>'), "upload.opml"), "upload.opml", channel=None)
    assert not Path("newsbot.managed.yaml").exists()


@pytest.mark.parametrize(
    "filename, content_type, size, problem",
    [
        ("feeds.opml", None, 10, None),
        ("Feeds.XML", "application/octet-stream", 10, None),
        ("export", "text/x-opml; charset=utf-8", 10, None),
        ("feeds.opml", None, MAX_UPLOAD_BYTES, None),
        ("feeds.opml", None, MAX_UPLOAD_BYTES + 1, "feeds.opml is 1.0 MiB — an OPML feed list over 1 MiB is refused"),
        ("photo.png", "image/png", 10, "photo.png (image/png) is not an OPML file"),
        ("notes", None, 10, "notes is not an OPML file"),
    ],
)
def test_an_upload_is_judged_by_its_size_name_and_type(filename: str, content_type: str | None, size: int, problem: str | None) -> None:
    found = upload_problem(filename, content_type, size)
    assert found == problem if problem is None else found is not None and found.startswith(problem)


@pytest.mark.parametrize("limit", [14, 20, 25, 30, 34, 35, 100])
def test_cut_lines_show_as_many_as_fit_and_count_the_rest(limit: int) -> None:
    lines = ["aaaaaaaa", "bbbbbbbb", "cccccccc", "dddddddd"]  # 35 characters joined
    kept = cut_lines(lines, limit)
    assert len("\n".join(kept)) <= limit
    if limit >= 35:
        assert kept == lines
        return
    shown = len(kept) - 1
    assert kept == [*lines[:shown], f"… and {len(lines) - shown} more"]
    one_more = [*lines[: shown + 1], *([f"… and {len(lines) - shown - 1} more"] if shown + 1 < len(lines) else [])]
    assert len("\n".join(one_more)) > limit  # showing one more line would not fit


def test_unique_name_adds_a_number_and_stays_within_the_name_limit() -> None:
    from bot.config.opml import MAX_NAME, unique_name

    assert unique_name("world", set()) == "world"
    assert unique_name("world", {"world", "world-2"}) == "world-3"
    long = "w" * MAX_NAME
    assert unique_name(long, {long}) == "w" * (MAX_NAME - 2) + "-2"
