"""Broken and hostile input: a clear ParseError or a lenient parse — never any other exception."""

from __future__ import annotations

import gzip
import random

import pytest

from bot.errors import ParseError
from bot.feeds.parse import parse_feed
from bot.model import ParsedFeed

from .conftest import NOW

GOOD_RSS = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Good</title>'
    b"<link>https://good.example.com/</link>"
    b"<item><title>One</title><link>https://good.example.com/1</link><guid>1</guid></item>"
    b"<item><title>Two</title><link>https://good.example.com/2</link><guid>2</guid></item>"
    b"<item><title>Three</title><link>https://good.example.com/3</link><guid>3</guid></item>"
    b"</channel></rss>"
)


def parse(data: bytes, **kwargs: object) -> ParsedFeed:
    return parse_feed(data, source="https://feeds.example.com/x", now=NOW, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty response"),
        (b" \r\n\t ", "empty response"),
        (b"Hello world, this is not a feed at all.", "neither XML nor JSON"),
        (
            b"<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body><p>Hi</p></body></html>",
            "this is an HTML page, not a feed",
        ),
        (b"<html><body>404 Not Found</body></html>", "this is an HTML page, not a feed"),
        (b'<?xml version="1.0"?>\n<!-- page --><HTML><BODY>x</BODY></HTML>', "this is an HTML page, not a feed"),
        (b'<?xml version="1.0"?><config><key>v</key></config>', "root element is <config>"),
        (random.Random(7).randbytes(3000), "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary data"),
        (gzip.compress(GOOD_RSS), "gzip-compressed"),
        (b"\x00" * 64, "binary data"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "invalid JSON"),
        (b'{"hello": "world"}', "not a feed: JSON without a JSON Feed"),
        (b"[1, 2, 3]", "not a JSON Feed object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"<!-- only a comment -->", "no feed entries could be recovered"),
    ],
    ids=[
        "empty",
        "whitespace",
        "plain text",
        "html page",
        "html no doctype",
        "html upper case after prolog",
        "xml not a feed",
        "random bytes",
        "png",
        "gzip",
        "nul bytes",
        "truncated json",
        "json object not a feed",
        "json array",
        "deep json",
        "comment only",
    ],
)
def test_not_a_feed_is_a_clear_parse_error(data: bytes, reason: str, parser_path: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(data)
    assert reason in caught.value.reason
    assert caught.value.source == "https://feeds.example.com/x"
    assert str(caught.value).startswith("https://feeds.example.com/x: ")


def test_truncated_feed_keeps_the_entries_before_the_cut(parser_path: str) -> None:
    cut = GOOD_RSS.index(b"<item><title>Three")
    feed = parse(GOOD_RSS[: cut + 20])
    assert [entry.title for entry in feed.entries][:2] == ["One", "Two"]
    assert feed.warnings and feed.warnings[0].startswith("parsed leniently")


def test_ill_formed_but_readable_feed_parses_with_a_warning(parser_path: str) -> None:
    data = GOOD_RSS.replace(b"<title>Two</title>", b"<title>Two & a bare ampersand</title>")
    feed = parse(data)
    assert [entry.title for entry in feed.entries] == ["One", "Two & a bare ampersand", "Three"]
    assert feed.warnings


def test_wrong_declared_encoding_is_read_leniently(parser_path: str) -> None:
    # Declared UTF-8, but the bytes are Windows-1252 — a classic of hand-rolled feeds.
    data = GOOD_RSS.replace(b"<title>Two</title>", "<title>Café “quotes”</title>".encode("cp1252"))
    feed = parse(data)
    assert feed.entries[1].title == "Café “quotes”"
    assert any("windows-1252" in warning for warning in feed.warnings)


RUSSIAN_RSS = (
    '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Новости</title><link>https://news.example.ru/</link>'
    "<item><title>Метро</title><link>https://news.example.ru/2026/11/27/metro.html</link><guid>1</guid>"
    "<description>В Москве открылась новая станция метро, жители района рады.</description></item></channel></rss>"
)


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
@pytest.mark.parametrize("declaration", ['<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-8"?>', ""])
def test_an_undeclared_legacy_encoding_is_guessed(parser_path: str, encoding: str, declaration: str) -> None:
    # Not UTF-8, and nothing says what it is: feedparser alone read "Новости" as "Íîâîñòè".
    data = RUSSIAN_RSS.replace('<?xml version="1.0"?>', declaration).encode(encoding)
    feed = parse(data, content_type="application/rss+xml")
    assert (feed.title, feed.entries[0].title) == ("Новости", "Метро")
    assert "станция метро" in feed.entries[0].summary
    assert "read as" in feed.warnings[0] and "a guess" in feed.warnings[0]


def test_an_undeclared_chinese_feed_is_guessed(parser_path: str) -> None:
    data = RUSSIAN_RSS.replace("Новости", "新闻").replace("Метро", "上海地铁")
    data = data.replace("В Москве открылась новая станция метро, жители района рады.", "上海市政府今天发布了新的城市交通规划。")
    feed = parse(data.encode("gbk"))
    assert (feed.title, feed.entries[0].title) == ("新闻", "上海地铁")


def test_a_declared_legacy_encoding_is_trusted_not_guessed(parser_path: str) -> None:
    data = RUSSIAN_RSS.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="windows-1251"?>').encode("cp1251")
    feed = parse(data)
    assert feed.entries[0].title == "Метро"
    assert not any("a guess" in warning for warning in feed.warnings)
    assert parse(RUSSIAN_RSS.encode("koi8-r"), content_type="text/xml; charset=koi8-r").warnings == ()


def test_http_charset_overrides_the_xml_declaration(parser_path: str) -> None:
    data = GOOD_RSS.replace(b'encoding="utf-8"', b'encoding="iso-8859-1"')
    data = data.replace(b"<title>Two</title>", "<title>Жук</title>".encode("koi8-r"))
    assert parse(data).entries[1].title != "Жук"  # read as declared: Latin-1 mojibake
    assert parse(data, content_type="text/xml; charset=koi8-r").entries[1].title == "Жук"


def test_bytes_are_never_taken_for_a_file_name() -> None:
    # feedparser.parse(bytes) would open a file of that name; parse_feed must not.
    with pytest.raises(ParseError) as caught:
        parse(b"/etc/hostname")
    assert "neither XML nor JSON" in caught.value.reason


def test_utf16_feed_with_bom() -> None:
    text = GOOD_RSS.decode().replace('encoding="utf-8"', 'encoding="utf-16"').replace("Two", "Två")
    feed = parse(text.encode("utf-16"))
    assert [entry.title for entry in feed.entries] == ["One", "Två", "Three"]


def test_entity_expansion_bomb_is_not_expanded() -> None:
    lol = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    data = f'<?xml version="1.0"?><!DOCTYPE rss [{lol}]><rss version="2.0"><channel><title>&a9;</title>'
    data += "<item><title>&a9;</title></item></channel></rss>"
    try:
        feed = parse(data.encode())
    except ParseError:
        return
    assert len(feed.title) <= 1000
    assert all(len(entry.title) <= 1000 for entry in feed.entries)


def test_deeply_nested_xml() -> None:
    data = b'<rss version="2.0"><channel><item><title>x</title>' + b"<a>" * 20_000 + b"</a>" * 20_000
    data += b"</item></channel></rss>"
    try:
        feed = parse(data)
    except ParseError:
        return
    assert [entry.title for entry in feed.entries] == ["x"]


def _mutations(seed: int, count: int) -> list[bytes]:
    """Truncations, dropped bytes, flipped bytes and random splices of a valid feed."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        data = bytearray(GOOD_RSS)
        action = rng.randrange(4)
        if action == 0:
            del data[rng.randrange(len(data)) :]
        elif action == 1:
            start = rng.randrange(len(data))
            del data[start : start + rng.randrange(1, 40)]
        elif action == 2:
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            at = rng.randrange(len(data))
            data[at:at] = rng.choice([b"<", b"&", b"]]>", b"<![CDATA[", b"\x00", b"\xff\xfe", b"<item>", b"</rss>"])
        out.append(bytes(data))
    return out


def test_mangled_feeds_never_raise_anything_but_parse_error(parser_path: str) -> None:
    surprises = []
    for data in _mutations(seed=2025, count=300):
        try:
            feed = parse(data)
        except ParseError:
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            surprises.append(f"{type(exc).__name__}: {exc} for {data[:80]!r}")
            continue
        assert isinstance(feed, ParsedFeed)
    assert surprises == []
