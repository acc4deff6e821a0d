"""Field by field: hostile values capped and cleaned, links made absolute, dates sane."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

import bot.feeds.parse as parse_module
from bot.feeds.parse import MAX_AUTHOR_CHARS, MAX_TITLE_CHARS, parse_feed
from bot.model import FeedEntry, ParsedFeed

from .conftest import NOW


def rss(items: str, channel: str = "<title>T</title>", root_attrs: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"{root_attrs} '
        'xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel>{channel}{items}</channel></rss>"
    ).encode()


def one_entry(item_xml: str, **kwargs: object) -> FeedEntry:
    feed = parse_feed(rss(f"<item>{item_xml}</item>"), source="test", now=NOW, **kwargs)  # type: ignore[arg-type]
    assert len(feed.entries) == 1
    return feed.entries[0]


def json_feed(doc: object, **kwargs: object) -> ParsedFeed:
    return parse_feed(json.dumps(doc).encode(), source="test.json", now=NOW, **kwargs)  # type: ignore[arg-type]


# -- titles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title_xml", "expected"),
    [
        ("Plain title", "Plain title"),
        ("  Lots\n\tof   whitespace  ", "Lots of whitespace"),
        ("AT&amp;T &lt;rocks&gt;", "AT&T <rocks>"),  # text that merely looks like markup stays
        ("Tom &amp;amp; Jerry", "Tom & Jerry"),  # double-escaped entities are undone
        ("<![CDATA[<b>Bold</b> and <i>italic</i>]]>", "Bold and italic"),
        ("<![CDATA[Safe <script>alert('x')</script>title]]>", "Safe title"),
        ("Safe &lt;script&gt;alert('x')&lt;/script&gt; title", "Safe title"),
        ("Safe &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; title", "Safe title"),
        ("<![CDATA[Unclosed <script>alert(1) and the rest]]>", "Unclosed"),
        ("<![CDATA[Styled<style>p{color:red}</style> text]]>", "Styled text"),
        ("<![CDATA[Line<br>break]]>", "Line break"),
        ("Bidi \u202eevil\u202c and zero\u200bwidth", "Bidi evil and zerowidth"),
        ("Emoji 👩‍💻 survive", "Emoji 👩‍💻 survive"),
    ],
)
def test_titles_become_plain_text(title_xml: str, expected: str, parser_path: str) -> None:
    assert one_entry(f"<title>{title_xml}</title>").title == expected


def test_huge_title_is_capped(parser_path: str) -> None:
    entry = one_entry("<title>" + "word &amp; " * 200_000 + "</title>")
    assert MAX_TITLE_CHARS - 5 <= len(entry.title) <= MAX_TITLE_CHARS
    assert entry.title.endswith("…")


def test_huge_author_is_capped() -> None:
    entry = one_entry("<title>t</title><dc:creator>" + "Name " * 10_000 + "</dc:creator>")
    assert entry.author is not None and len(entry.author) <= MAX_AUTHOR_CHARS


def test_long_id_is_replaced_by_its_hash() -> None:
    guid = "x" * 5000
    first = one_entry(f"<title>t</title><guid isPermaLink='false'>{guid}</guid>")
    again = one_entry(f"<title>t</title><guid isPermaLink='false'>{guid}</guid>")
    other = one_entry(f"<title>t</title><guid isPermaLink='false'>{guid}y</guid>")
    assert first.id is not None and first.id.startswith("sha256:") and len(first.id) == 71
    assert first.id == again.id != other.id


def test_body_over_the_cap_is_cut_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_module, "MAX_BODY_CHARS", 100)
    feed = parse_feed(rss("<item><title>t</title><description>" + "a" * 500 + "</description></item>"), source="s")
    assert feed.entries[0].summary == "a" * 100
    assert feed.warnings == ("entry 0: summary cut to 100 characters",)


# -- links and images -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "base_url", "channel_link", "expected"),
    [
        ("https://a.example/x", None, None, "https://a.example/x"),
        ("/x?y=1", "https://feeds.example/rss.xml", None, "https://feeds.example/x?y=1"),
        ("story", "https://feeds.example/news/rss.xml", None, "https://feeds.example/news/story"),
        ("/x", None, "https://site.example/home/", "https://site.example/x"),
        ("/x", "https://feedburner.example/rss", "https://site.example/", "https://site.example/x"),
        ("x", "https://feeds.example/a/rss", "/blog/", "https://feeds.example/blog/x"),
        ("//cdn.example/x", "https://feeds.example/rss", None, "https://cdn.example/x"),
        ("/x", None, None, None),  # relative with nothing to resolve against
        ("javascript:alert(1)", "https://feeds.example/", None, None),
        ("data:text/html,hi", "https://feeds.example/", None, None),
        ("ftp://files.example/x", None, None, None),
        ("http://[broken/x", None, None, None),
        ("https://a.example/" + "x" * 3000, None, None, None),
        (" https://a.example/with space ", None, None, "https://a.example/with%20space"),
    ],
)
def test_links_are_absolute_http(
    link: str, base_url: str | None, channel_link: str | None, expected: str | None, parser_path: str
) -> None:
    channel = "<title>T</title>" + (f"<link>{channel_link}</link>" if channel_link else "")
    data = rss(f"<item><title>t</title><link>{link}</link></item>", channel=channel)
    feed = parse_feed(data, source="s", base_url=base_url, now=NOW)
    assert feed.entries[0].link == expected


@pytest.mark.parametrize(
    ("item_xml", "expected"),
    [
        ('<enclosure url="https://i.example/a.jpg" type="image/jpeg" length="1"/>', "https://i.example/a.jpg"),
        ('<enclosure url="https://i.example/a.png" length="1"/>', "https://i.example/a.png"),  # no type: by suffix
        ('<enclosure url="https://i.example/a.mp3" type="audio/mpeg" length="1"/>', None),
        ('<media:content url="https://i.example/m.jpg" medium="image"/>', "https://i.example/m.jpg"),
        ('<media:content url="https://i.example/v.mp4" medium="video"/>', None),
        ('<media:thumbnail url="https://i.example/t.jpg"/>', "https://i.example/t.jpg"),
        (
            '<media:thumbnail url="https://i.example/t.jpg"/>'
            '<enclosure url="https://i.example/e.jpg" type="image/jpeg"/>',
            "https://i.example/e.jpg",  # an image enclosure beats a thumbnail
        ),
        ('<enclosure url="javascript:alert(1)" type="image/png"/>', None),
    ],
)
def test_lead_image(item_xml: str, expected: str | None, parser_path: str) -> None:
    assert one_entry(f"<title>t</title>{item_xml}").image == expected


# -- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pub_date", "expected"),
    [
        ("Tue, 01 Jul 2025 09:30:00 +0200", datetime(2025, 7, 1, 7, 30, tzinfo=timezone.utc)),
        ("Tue, 01 Jul 2025 20:00:00 GMT", datetime(2025, 7, 1, 20, 0, tzinfo=timezone.utc)),  # clock skew
        ("Thu, 03 Jul 2025 00:00:00 GMT", None),  # two days ahead of NOW
        ("Fri, 01 Jan 2100 00:00:00 GMT", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_published_dates(pub_date: str, expected: datetime | None, parser_path: str) -> None:
    entry = one_entry(f"<title>t</title><pubDate>{pub_date}</pubDate>")
    assert entry.published == expected
    if entry.published is not None:
        assert entry.published.utcoffset() == timedelta(0)


def test_now_defaults_to_the_clock() -> None:
    soon = datetime.now(timezone.utc) + timedelta(hours=1)
    item = f"<item><title>t</title><pubDate>{soon:%a, %d %b %Y %H:%M:%S} GMT</pubDate></item>"
    feed = parse_feed(rss(item), source="s")
    assert feed.entries[0].published == soon.replace(microsecond=0)


@pytest.mark.parametrize(
    ("ttl", "expected"),
    [("60", 60), (" 15 ", 15), ("0", None), ("-5", None), ("soon", None), ("99999999", None)],
)
def test_ttl(ttl: str, expected: int | None) -> None:
    feed = parse_feed(rss("", channel=f"<title>T</title><ttl>{ttl}</ttl>"), source="s")
    assert feed.ttl_minutes == expected


# -- content type ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "expected"),
    [("Just words.", "text"), ("&lt;p&gt;Markup&lt;/p&gt;", "html"), ("Fish &amp;amp; chips", "html")],
)
def test_content_type_of_a_summary_only_entry(description: str, expected: str) -> None:
    assert one_entry(f"<title>t</title><description>{description}</description>").content_type == expected


# -- JSON Feed specifics --------------------------------------------------------------------


def test_json_feed_sniffed_by_content_not_header() -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", "title": "x"}]}
    data = b"\xef\xbb\xbf \n" + json.dumps(doc).encode()
    for content_type in (None, "application/feed+json", "text/html"):
        feed = parse_feed(data, source="s", content_type=content_type)
        assert [entry.title for entry in feed.entries] == ["x"]


def test_json_feed_without_version_but_with_items_parses_with_a_warning() -> None:
    feed = json_feed({"title": "J", "items": [{"id": "1", "url": "https://j.example/1"}]})
    assert [entry.link for entry in feed.entries] == ["https://j.example/1"]
    assert feed.warnings == ("no JSON Feed 'version'; read as JSON Feed because it has 'items'",)


def test_json_feed_with_invalid_utf8_is_read_with_a_warning() -> None:
    data = b'{"version": "https://jsonfeed.org/version/1", "title": "Caf\xe9", "items": []}'
    feed = parse_feed(data, source="s")
    assert feed.title == "Caf\ufffd"
    assert feed.warnings == ("JSON Feed is not valid UTF-8; undecodable bytes were replaced",)


@pytest.mark.parametrize(
    "item",
    [
        {"id": {"nested": True}, "title": ["list"], "url": 42, "content_html": 7, "authors": "nobody"},
        {"id": None, "date_published": 20250101, "image": {"url": "x"}, "attachments": "none"},
        {"id": True, "authors": [None, 3, {"name": None}], "summary": ["x"]},
    ],
)
def test_json_feed_fields_of_the_wrong_type_are_ignored(item: dict[str, object]) -> None:
    feed = json_feed({"version": "https://jsonfeed.org/version/1.1", "items": [item]})
    assert feed.entries == (FeedEntry(id=None, title="", content_type="text"),)


def test_json_feed_relative_urls_need_a_base() -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": "/p/1", "image": "i.png"}]}
    assert json_feed(doc).entries[0].link is None
    entry = json_feed(doc, base_url="https://j.example/feeds/main.json").entries[0]
    assert (entry.link, entry.image) == ("https://j.example/p/1", "https://j.example/feeds/i.png")
