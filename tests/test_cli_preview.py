"""`newsbot preview`: one JSON document on stdout with --json; one clear line on stderr for a bad source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.preview import preview_source
from tests.e2e.harness import Item, body_text, rss
from tests.support.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[1]
#: Two tests fetch from 127.0.0.1 (a FeedServer, a closed port), which the bot refuses by default.
pytestmark = pytest.mark.usefixtures("allow_loopback")


def test_preview_json_is_exactly_one_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(ROOT / "articles"), "--json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert set(doc) == {"articles"}
    article = doc["articles"][0]
    assert set(article) == {"title", "url", "author", "published", "summary", "sections"}
    assert article["author"] == "AI"
    assert len(article["sections"]) == 8
    assert set(article["sections"][0]) == {"title", "summary", "text"}


def test_preview_text_shows_title_tldr_and_sections(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(ROOT / "articles"), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "UK funds joint drone production with Ukraine" in out and "TL;DR" in out
    assert "8. Ukraine’s Resolve" in out and "\033[" not in out


def test_preview_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(3):
        (tmp_path / f"a{i}.md").write_text(f"---\ntitle: Story {i}\n---\n\nSome text number {i}. More text here.\n")
    assert main(["preview", str(tmp_path), "--json", "--limit", "2"]) == 0
    assert len(json.loads(capsys.readouterr().out)["articles"]) == 2


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda p: p / "missing.xml", "no such file"),
        (lambda p: _write(p / "junk.xml", b"\x00\x01 not a feed"), "not a feed"),
        (lambda p: _write(p / "empty.rss", b""), "empty"),
        (lambda p: _write(p / "bad.md", b"---\ntitle: [unclosed\n---\nbody"), "front matter"),
    ],
)
def test_unreadable_source_is_one_line_on_stderr_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make, expected: str
) -> None:
    path = make(tmp_path)
    assert main(["preview", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and expected in lines[0].lower()


def test_unreachable_url_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.support.feedserver import closed_port_url

    url = closed_port_url("/feed.xml")
    assert main(["preview", url]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and url in err[0]


async def test_preview_of_an_article_url_reads_that_page() -> None:
    page = f"<!doctype html><html><head><title>Rescuers reach survivors</title></head><body><article>{body_text('quake')}</article></body></html>"
    async with FeedServer() as srv:
        srv.set("/story.html", page, content_type="text/html; charset=utf-8")
        articles = await preview_source(srv.url("/story.html"))
    assert [(a.title, a.url) for a in articles] == [("Rescuers reach survivors", srv.url("/story.html"))]
    assert "quake" in articles[0].sections[0].text


async def test_preview_of_an_article_url_reads_it_in_its_own_encoding() -> None:
    story = "В Москве сегодня открылась новая станция метро. Жители района давно ждали её открытия."
    page = f'<!doctype html><html><head><meta charset="windows-1251"><title>Метро</title></head><body><article><p>{story}</p><p>{story}</p></article></body></html>'
    async with FeedServer() as srv:
        srv.set("/story.html", page.encode("cp1251"), content_type="text/html")
        articles = await preview_source(srv.url("/story.html"))
    assert articles[0].title == "Метро"
    assert story in articles[0].sections[0].text


async def test_preview_of_a_feed_reads_a_teaser_s_page_in_its_own_encoding() -> None:
    story = "上海市政府今天发布了新的城市交通规划。该规划将在未来十年内新建五条地铁线路。"
    page = f"<!doctype html><html><head><title>t</title></head><body><article><p>{story}</p><p>{story}</p></article></body></html>"
    async with FeedServer() as srv:
        srv.set("/zh.html", page.encode("gb18030"), content_type="text/html; charset=gb2312")
        srv.set("/feed.xml", rss([Item("上海交通规划", "上海…", guid="zh", link=srv.url("/zh.html"))]), content_type="application/rss+xml")
        articles = await preview_source(srv.url("/feed.xml"))
    assert story in articles[0].sections[0].text
