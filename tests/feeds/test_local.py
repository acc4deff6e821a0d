"""The articles/ folder as a feed: Markdown, HTML and text files, front matter, bylines."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import bot.feeds.local as local
from bot.errors import FetchError, ParseError
from bot.feeds.local import CACHE_SETTLE_NS, EntryCache, read_article_file, read_article_folder

from .conftest import PROJECT_ROOT

SEED_ARTICLE = PROJECT_ROOT / "articles" / "uk-funds-joint-drone-production-with-ukraine.md"
SEED_TEXT = PROJECT_ROOT / ".." / "shared" / "seeds" / "000_41c27c843f947f33.txt"
MTIME = datetime(2024, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


def write(folder: Path, name: str, text: str | bytes, mtime: datetime = MTIME) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


# -- the seeds ------------------------------------------------------------------------------


def test_seed_markdown_article() -> None:
    entry = read_article_file(SEED_ARTICLE)
    assert entry.title == "UK funds joint drone production with Ukraine"
    assert entry.link == "https://kyivindependent.com/uk-funds-joint-drone-production-with-ukraine/"
    assert entry.id == entry.link
    assert entry.author == "AI"
    assert entry.published == datetime(2025, 6, 25, 9, 0, tzinfo=timezone.utc)
    assert entry.content.startswith("**Ukraine and UK Agree")
    assert entry.content.endswith("Share This Article")
    assert entry.content_type == "markdown"
    assert "---" not in entry.content.splitlines()[:3]


@pytest.mark.skipif(not SEED_TEXT.exists(), reason=f"seed text not found at {SEED_TEXT}")
def test_seed_text_article_title_and_byline(tmp_path: Path) -> None:
    path = tmp_path / "uk-drones.txt"
    shutil.copy(SEED_TEXT, path)
    entry = read_article_file(path)
    assert entry.title == "UK funds joint drone production with Ukraine"
    assert entry.author == "AI"
    assert entry.content_type == "text"
    assert entry.content.startswith("**Ukraine and UK Agree")
    first_lines = [line.strip() for line in entry.content.splitlines()[:5]]
    assert "UK funds joint drone production with Ukraine" not in first_lines
    assert "AI" not in first_lines and "By AI" not in first_lines
    assert entry.id == "file:uk-drones.txt"


# -- text files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title", "author", "content"),
    [
        ("Title\n\nBody.\n", "Title", None, "Body."),
        ("\n\n  Title line  \nBy Jane Doe\n\nBody.", "Title line", "Jane Doe", "Body."),
        ("Title\nJane Doe\nBy Jane Doe\nBody.", "Title", "Jane Doe", "Body."),
        ("Title\nA subtitle\nBy Jane Doe\nBody.", "Title", "Jane Doe", "A subtitle\nBody."),
        ("Title\nBy 2030, output will double.\nBody.", "Title", None, "By 2030, output will double.\nBody."),
        ("Title\nby and large, fine\nBody.", "Title", None, "by and large, fine\nBody."),
        ("Title\n\nFirst paragraph.\n\nBy Late Byline\n", "Title", None, "First paragraph.\n\nBy Late Byline"),
        ("# Hashed title\nBody.", "Hashed title", None, "Body."),
        ("", "empty file", None, ""),
    ],
    ids=[
        "plain",
        "byline",
        "name then byline",
        "subtitle kept",
        "by-year prose",
        "lowercase by",
        "late by",
        "hash",
        "empty",
    ],
)
def test_text_titles_and_bylines(tmp_path: Path, text: str, title: str, author: str | None, content: str) -> None:
    entry = read_article_file(write(tmp_path, "empty-file.txt" if not text else "a.txt", text))
    assert (entry.title, entry.author, entry.content) == (title, author, content)


# -- Markdown -------------------------------------------------------------------------------


def test_markdown_heading_becomes_the_title(tmp_path: Path) -> None:
    entry = read_article_file(write(tmp_path, "post.markdown", "\n# The *Heading* #\n\n**Bold lead**\n\nText.\n"))
    assert entry.title == "The *Heading*"
    assert entry.content == "**Bold lead**\n\nText."
    assert entry.content_type == "markdown"
    assert entry.published == MTIME
    assert entry.id == "file:post.markdown"


def test_markdown_heading_not_first_stays_in_the_body(tmp_path: Path) -> None:
    entry = read_article_file(write(tmp_path, "post.md", "Intro line.\n\n# Later heading\n\nText."))
    assert entry.title == "Later heading"
    assert entry.content == "Intro line.\n\n# Later heading\n\nText."


def test_markdown_without_any_title_uses_the_file_name(tmp_path: Path) -> None:
    entry = read_article_file(write(tmp_path, "my-great_post.md", "Just text."))
    assert entry.title == "my great post"


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2025-06-25T09:00:00Z", datetime(2025, 6, 25, 9, 0, tzinfo=timezone.utc)),
        ("2025-06-25T11:00:00+02:00", datetime(2025, 6, 25, 9, 0, tzinfo=timezone.utc)),
        ("2025-06-25 09:00:00", datetime(2025, 6, 25, 9, 0, tzinfo=timezone.utc)),  # naive means UTC
        ("2025-06-25", datetime(2025, 6, 25, 0, 0, tzinfo=timezone.utc)),
        ("'2025-06-25T09:00:00+00:00'", datetime(2025, 6, 25, 9, 0, tzinfo=timezone.utc)),  # quoted: a string
    ],
)
def test_front_matter_dates_become_utc(tmp_path: Path, published: str, expected: datetime) -> None:
    entry = read_article_file(write(tmp_path, "a.md", f"---\ntitle: T\npublished: {published}\n---\nBody"))
    assert entry.published == expected


def test_front_matter_fields(tmp_path: Path) -> None:
    text = (
        "---\nTitle: Front &amp; matter\nurl: https://example.com/a\nid: 12345\nauthor: Ann\n"
        "image: https://example.com/a.jpg\nsummary: Short.\nupdated: 2025-01-02\ndate: 2025-01-01\n"
        "source: Example\n---\n# Heading in body\n\nBody."
    )
    entry = read_article_file(write(tmp_path, "a.md", text))
    assert entry.title == "Front & matter"
    assert entry.id == "12345"  # id beats url
    assert entry.link == "https://example.com/a"
    assert entry.author == "Ann"
    assert entry.image == "https://example.com/a.jpg"
    assert entry.summary == "Short."
    assert entry.published == datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert entry.updated == datetime(2025, 1, 2, tzinfo=timezone.utc)
    assert entry.content == "Body."  # the heading that opens the body is the title's twin


def test_front_matter_guid_and_url_ids(tmp_path: Path) -> None:
    assert read_article_file(write(tmp_path, "a.md", "---\nguid: g-1\n---\nx")).id == "g-1"
    assert read_article_file(write(tmp_path, "b.md", "---\nlink: https://e.com/b\n---\nx")).id == "https://e.com/b"
    assert read_article_file(write(tmp_path, "c.md", "---\ntitle: C\n---\nx")).id == "file:c.md"


def test_ids_do_not_depend_on_where_the_folder_lives(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "elsewhere" / "two"
    one.mkdir()
    two.mkdir(parents=True)
    ids = [read_article_file(write(folder, "same.txt", "Title\nBody")).id for folder in (one, two)]
    assert ids == ["file:same.txt", "file:same.txt"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [unclosed\n---\nBody", "invalid YAML front matter at line"),
        ("---\ntitle: a\n  bad: indentation\n---\nBody", "invalid YAML front matter"),
        ("---\ntitle: T\nno closing line\n", "no closing '---'"),
        ("---\n- a\n- list\n---\nBody", "must be 'key: value' lines"),
        ("---\ntitle: [a, b]\n---\nBody", "'title' must be text"),
        ("---\nurl: /relative/path\n---\nBody", "'url' is not an absolute http(s) URL"),
        ("---\nurl: javascript:alert(1)\n---\nBody", "'url' is not an absolute http(s) URL"),
        ("---\npublished: last tuesday\n---\nBody", "'published' is not an ISO date"),
    ],
)
def test_bad_front_matter_is_a_parse_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "bad.md", text)
    with pytest.raises(ParseError) as caught:
        read_article_file(path)
    assert caught.value.source == str(path)
    assert message in caught.value.reason


def test_empty_front_matter_is_fine(tmp_path: Path) -> None:
    entry = read_article_file(write(tmp_path, "a.md", "---\n---\n# T\nBody"))
    assert (entry.title, entry.content) == ("T", "Body")


def test_a_horizontal_rule_later_is_not_front_matter(tmp_path: Path) -> None:
    entry = read_article_file(write(tmp_path, "a.md", "# T\n\nOne\n\n---\n\nTwo"))
    assert entry.content == "One\n\n---\n\nTwo"


# -- HTML -----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Page title | Site</title>
<meta property="og:title" content="OG &amp; title">
<meta property="og:url" content="https://site.example/story">
<meta property="og:image" content="https://site.example/lead.jpg">
<meta name="author" content="Page Author">
<meta property="article:published_time" content="2025-03-04T05:06:07+01:00">
</head><body><h1>Heading</h1><p>Text.</p></body></html>"""


def test_html_file_metadata(tmp_path: Path) -> None:
    entry = read_article_file(write(tmp_path, "story.html", PAGE))
    assert entry.title == "OG & title"
    assert entry.link == entry.id == "https://site.example/story"
    assert entry.image == "https://site.example/lead.jpg"
    assert entry.author == "Page Author"
    assert entry.published == datetime(2025, 3, 4, 4, 6, 7, tzinfo=timezone.utc)
    assert entry.content_type == "html"
    assert "<p>Text.</p>" in entry.content


def test_html_title_falls_back_to_title_then_h1(tmp_path: Path) -> None:
    assert read_article_file(write(tmp_path, "a.htm", "<html><head><title> T </title></head></html>")).title == "T"
    assert read_article_file(write(tmp_path, "b.html", "<body><h1>H <b>1</b></h1><p>x</p></body>")).title == "H 1"


def test_html_tags_after_the_head_are_still_read(tmp_path: Path) -> None:
    # A "</head>" inside a script, tags pushed into the body: only a page whose head holds its
    # Open Graph block is read from the head alone.
    page = (
        "<html><head><title>Head title</title><script>document.write('</head>')</script>"
        '<meta property="og:url" content="https://site.example/late"></head>'
        '<body><meta property="og:title" content="Late OG title"><h1>Heading</h1><p>x</p></body></html>'
    )
    entry = read_article_file(write(tmp_path, "late.html", page))
    assert (entry.title, entry.link) == ("Late OG title", "https://site.example/late")


def test_html_h1_is_found_when_the_head_has_no_title(tmp_path: Path) -> None:
    page = "<html><head><meta charset='utf-8'></head><body><h1>Only heading</h1><p>x</p></body></html>"
    assert read_article_file(write(tmp_path, "h.html", page)).title == "Only heading"


def test_html_front_matter_wins_over_the_page(tmp_path: Path) -> None:
    front_matter = "---\ntitle: From front matter\nlink: https://fm.example/\n---\n"
    entry = read_article_file(write(tmp_path, "a.html", front_matter + PAGE))
    assert (entry.title, entry.link) == ("From front matter", "https://fm.example/")
    assert entry.content.startswith("<!DOCTYPE html>")


def test_html_with_bad_metadata_ignores_it(tmp_path: Path) -> None:
    page = PAGE.replace("https://site.example/story", "/relative").replace("2025-03-04T05:06:07+01:00", "soon")
    entry = read_article_file(write(tmp_path, "a.html", page))
    assert entry.link is None and entry.id == "file:a.html"
    assert entry.published == MTIME


def test_html_in_its_declared_charset(tmp_path: Path) -> None:
    page = '<html><head><meta charset="iso-8859-1"><title>Caf\xe9</title></head></html>'.encode("latin-1")
    assert read_article_file(write(tmp_path, "a.html", page)).title == "Café"


# -- decoding and reading -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "title"),
    [
        ("\ufeffTitle with BOM\nBody".encode("utf-8"), "Title with BOM"),
        ("Titre en UTF-16\nCorps".encode("utf-16"), "Titre en UTF-16"),
    ],
)
def test_byte_order_marks(tmp_path: Path, data: bytes, title: str) -> None:
    assert read_article_file(write(tmp_path, "a.txt", data)).title == title


@pytest.mark.parametrize(
    ("name", "text", "encoding"),
    [
        ("a.txt", "上海发布新的交通规划\n上海市政府今天发布了新的城市交通规划。该规划将在未来十年内新建五条地铁线路。", "gbk"),
        ("b.md", "# Новая станция метро\n\nВ Москве сегодня открылась новая станция метро. Жители района давно ждали её.", "cp1251"),
    ],
)
def test_a_file_saved_in_another_script_s_legacy_code_page_is_read(tmp_path: Path, name: str, text: str, encoding: str) -> None:
    # Older Windows editors saved in the system's code page: GBK in China, windows-1251 in Russia.
    entry = read_article_file(write(tmp_path, name, text.encode(encoding)))
    assert entry.title == text.split("\n")[0].lstrip("# ")
    assert text.split("\n")[-1] in entry.content


def test_not_utf8_text_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="not UTF-8 text"):
        read_article_file(write(tmp_path, "a.txt", "Caf\xe9".encode("latin-1")))


def test_unknown_suffix_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="not an article file"):
        read_article_file(write(tmp_path, "a.pdf", b"%PDF"))


def test_missing_file_is_a_fetch_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="cannot read the file"):
        read_article_file(tmp_path / "gone.md")


def test_too_large_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.feeds.local.MAX_ARTICLE_BYTES", 10)
    with pytest.raises(ParseError, match="too large"):
        read_article_file(write(tmp_path, "a.txt", "Title\n" + "x" * 100))


# -- folders --------------------------------------------------------------------------------


def test_folder_reads_articles_sorted_and_skips_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "b-second.md", "# Second\nBody")
    write(tmp_path, "a-first.txt", "First\nBody")
    write(tmp_path, "c-third.HTML", "<title>Third</title>")
    write(tmp_path, ".hidden.md", "# Hidden")
    write(tmp_path, "README.md", "# Readme")
    write(tmp_path, "readme.txt", "Readme")
    write(tmp_path, "notes.pdf", b"%PDF")
    write(tmp_path, "d-latin1.txt", "Caf\xe9".encode("latin-1"))
    write(tmp_path, "e-bad-yaml.md", "---\ntitle: [\n---\nBody")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "nested.md", "# Nested")
    (tmp_path / "f-folder.md").mkdir()  # a directory with an article's name is not an article

    feed = read_article_folder(tmp_path)
    assert feed.title == tmp_path.name
    assert [entry.title for entry in feed.entries] == ["First", "Second", "Third"]
    assert [entry.id for entry in feed.entries] == ["file:a-first.txt", "file:b-second.md", "file:c-third.HTML"]
    assert len(feed.warnings) == 2
    assert feed.warnings[0].startswith("d-latin1.txt skipped: not UTF-8 text")
    assert feed.warnings[1].startswith("e-bad-yaml.md skipped: invalid YAML front matter")


def test_folder_name_and_seed_folder() -> None:
    feed = read_article_folder(SEED_ARTICLE.parent, name="Local articles")
    assert feed.title == "Local articles"
    assert "UK funds joint drone production with Ukraine" in [entry.title for entry in feed.entries]
    assert feed.warnings == ()


def test_missing_folder_is_a_fetch_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="cannot list the articles folder") as caught:
        read_article_folder(tmp_path / "nope")
    assert caught.value.source == str(tmp_path / "nope")


# -- folder cache: a poll re-reads only the files that changed --------------------------------

#: A clock a century on: every file written by these tests has long settled.
LATER_NS = 2**62


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files actually read, in order: what the cache did not spare."""
    names: list[str] = []
    real_read = local._read

    def counting_read(path: Path) -> tuple[bytes, datetime]:
        names.append(path.name)
        return real_read(path)

    monkeypatch.setattr(local, "_read", counting_read)
    return names


@pytest.fixture
def cache() -> EntryCache:
    return EntryCache(clock_ns=lambda: LATER_NS)


def titles(folder: Path, cache: EntryCache) -> list[str]:
    return [entry.title for entry in read_article_folder(folder, cache=cache).entries]


def test_folder_cache_second_poll_of_an_unchanged_folder_reads_nothing(
    tmp_path: Path, reads: list[str], cache: EntryCache
) -> None:
    for name in ("a.md", "b.txt", "c.html"):
        write(tmp_path, name, f"# Title {name}\nBody" if name != "c.html" else "<title>Title c</title>")
    first = read_article_folder(tmp_path, cache=cache)
    assert reads == ["a.md", "b.txt", "c.html"]
    reads.clear()
    second = read_article_folder(tmp_path, cache=cache)
    assert reads == []
    assert second == first


def test_folder_cache_rereads_only_a_touched_file(tmp_path: Path, reads: list[str], cache: EntryCache) -> None:
    for name in ("a.md", "b.md", "c.md"):
        write(tmp_path, name, f"# {name}\nBody")
    read_article_folder(tmp_path, cache=cache)
    reads.clear()
    touched = tmp_path / "b.md"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 1_000_000_000))
    entries = read_article_folder(tmp_path, cache=cache).entries
    assert reads == ["b.md"]
    assert [entry.published for entry in entries] == [MTIME, MTIME + timedelta(seconds=1), MTIME]
    reads.clear()
    read_article_folder(tmp_path, cache=cache)
    assert reads == []


def test_folder_cache_rereads_a_rewritten_file(tmp_path: Path, reads: list[str], cache: EntryCache) -> None:
    write(tmp_path, "a.md", "# Old\nBody")
    write(tmp_path, "b.md", "# B\nBody")
    assert titles(tmp_path, cache) == ["Old", "B"]
    reads.clear()
    write(tmp_path, "a.md", "# New title\nA longer body")  # same mtime: the size tells
    assert titles(tmp_path, cache) == ["New title", "B"]
    assert reads == ["a.md"]


def test_folder_cache_rereads_a_file_replaced_with_same_size_and_mtime(
    tmp_path: Path, reads: list[str], cache: EntryCache
) -> None:
    """An editor's atomic save or ``rsync -t``: a new file renamed over the old, stat alike but the inode."""
    write(tmp_path, "a.md", "# Old\nBody")
    assert titles(tmp_path, cache) == ["Old"]
    reads.clear()
    replacement = write(tmp_path, ".a.md.swp", "# New\nBody")
    os.replace(replacement, tmp_path / "a.md")
    assert titles(tmp_path, cache) == ["New"]
    assert reads == ["a.md"]


def test_folder_cache_drops_deleted_files_and_reads_new_ones(
    tmp_path: Path, reads: list[str], cache: EntryCache
) -> None:
    write(tmp_path, "a.md", "# A\nBody")
    write(tmp_path, "b.md", "# B\nBody")
    assert titles(tmp_path, cache) == ["A", "B"]
    reads.clear()
    (tmp_path / "a.md").unlink()
    write(tmp_path, "c.md", "# C\nBody")
    assert titles(tmp_path, cache) == ["B", "C"]
    assert reads == ["c.md"]


def test_folder_cache_keeps_no_bad_file(tmp_path: Path, reads: list[str], cache: EntryCache) -> None:
    """A bad file is read and warned about at every poll, and appears once it is fixed."""
    write(tmp_path, "a.md", "# A\nBody")
    write(tmp_path, "bad.md", "---\ntitle: [\n---\nBody")
    first = read_article_folder(tmp_path, cache=cache)
    reads.clear()
    second = read_article_folder(tmp_path, cache=cache)
    assert reads == ["bad.md"]
    assert second.warnings == first.warnings and second.warnings[0].startswith("bad.md skipped: invalid YAML")
    write(tmp_path, "bad.md", "---\ntitle: Fixed\n---\nBody")
    assert titles(tmp_path, cache) == ["A", "Fixed"]


def test_folder_cache_is_bounded_and_keeps_the_most_recently_used(tmp_path: Path, reads: list[str]) -> None:
    small = EntryCache(2, clock_ns=lambda: LATER_NS)
    for name in ("x", "y", "z"):
        (tmp_path / name).mkdir()
        write(tmp_path / name, f"{name}.md", f"# {name}\nBody")
    for name in ("x", "y", "x", "z"):  # x used again after y: y is the least recently used
        read_article_folder(tmp_path / name, cache=small)
    assert len(small) == 2
    reads.clear()
    for name in ("x", "z", "y"):
        read_article_folder(tmp_path / name, cache=small)
    assert reads == ["y.md"]
    assert len(small) == 2


@pytest.mark.parametrize(("since_change_ns", "reads_on_second_poll"), [(CACHE_SETTLE_NS - 1, 1), (CACHE_SETTLE_NS, 0)])
def test_folder_cache_does_not_keep_a_file_changed_just_now(
    tmp_path: Path, reads: list[str], since_change_ns: int, reads_on_second_poll: int
) -> None:
    """A second write in the same timestamp tick could leave the stat as it was: wait until it settles."""
    stat = write(tmp_path, "a.md", "# A\nBody").stat()
    changed_ns = max(stat.st_mtime_ns, stat.st_ctime_ns)  # ctime: the write itself, whatever the mtime says
    cache = EntryCache(clock_ns=lambda: changed_ns + since_change_ns)
    read_article_folder(tmp_path, cache=cache)
    reads.clear()
    read_article_folder(tmp_path, cache=cache)
    assert len(reads) == reads_on_second_poll


def test_folder_cache_tells_apart_same_named_files_in_two_folders(
    tmp_path: Path, reads: list[str], cache: EntryCache
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    write(one, "a.md", "# One\nBody")
    write(two, "a.md", "# Two\nBody")  # same name, size and mtime
    assert titles(one, cache) + titles(two, cache) == ["One", "Two"]
    assert reads == ["a.md", "a.md"]


def test_folder_cache_shares_one_folder_reached_by_two_paths(
    tmp_path: Path, reads: list[str], cache: EntryCache
) -> None:
    write(tmp_path, "a.md", "# A\nBody")
    read_article_folder(tmp_path, cache=cache)
    reads.clear()
    read_article_folder(tmp_path / ".." / tmp_path.name, cache=cache)
    assert reads == []


def test_folder_cache_entry_ids_follow_the_link_name(tmp_path: Path, cache: EntryCache) -> None:
    """A symlinked article is its own entry: ids and title fallbacks come from the name in the folder."""
    target = write(tmp_path, "target-file.md", "Body")
    (tmp_path / "alias-file.md").symlink_to(target.name)
    feed = read_article_folder(tmp_path, cache=cache)
    assert [(entry.id, entry.title) for entry in feed.entries] == [
        ("file:alias-file.md", "alias file"),
        ("file:target-file.md", "target file"),
    ]
