"""The ``articles/`` folder is a feed: each Markdown, HTML or text file in it is one entry.

Admins drop a file in, newsbot posts it like any feed item.  This module is the I/O edge for
those files (it reads them); what it makes of them is plain data, a ``FeedEntry`` per file and a
``ParsedFeed`` per folder, so the rest of the pipeline cannot tell a file from a feed item.

A file may start with YAML front matter::

    ---
    title: UK funds joint drone production with Ukraine
    url: https://kyivindependent.com/uk-funds-joint-drone-production-with-ukraine/
    author: AI
    published: 2025-06-25T09:00:00Z
    source: Kyiv Independent
    image: https://example.com/lead.jpg
    id: drones-2025-06-25
    tags: [defence, ukraine]          # or categories:; a list, or one text "defence, ukraine"
    ---

Without it, the title comes from the text itself: a Markdown file's first ``# heading``, a text
file's first line (and a "By NAME" byline just under it), an HTML page's ``og:title``/``<title>``.

Ids must be stable across runs and machines, because they decide what was already posted: the
front matter ``id``, else its ``url``, else ``file:<file name>`` — never an absolute path.

The folder is polled like a feed, so ``read_article_folder`` keeps each file's entry in an
``EntryCache`` and re-reads only files whose stat changed: a poll of an unchanged folder is one
directory listing and one ``stat`` per file, not a read and parse of every file.
"""

from __future__ import annotations

import html
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, time, timezone
from pathlib import Path
from time import time_ns
from typing import Any, NamedTuple

import yaml

from bot.articles.titles import may_carry_site_name, without_site_name
from bot.errors import FetchError, ParseError, SourceError
from bot.feeds.decode import other_script_encoding
from bot.feeds.parse import (  # the same hostile-text rules as feeds
    MAX_AUTHOR_CHARS,
    MAX_TITLE_CHARS,
    absolute_url,
    category_names,
    plain_text,
)
from bot.model import ContentType, FeedEntry, ParsedFeed

#: File suffix → how its body is written.
ARTICLE_KINDS: dict[str, ContentType] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
}
#: Larger files are refused: an article is text, not a dump.
MAX_ARTICLE_BYTES = 10 * 1024 * 1024
#: A "By NAME" line longer than this is a sentence ("By 2030, the country will…"), not a byline.
MAX_BYLINE_CHARS = 80
#: Entries the shared folder cache keeps (least recently used go first): bounded, so a folder
#: that churns through many files cannot grow the process without limit.
MAX_CACHED_FILES = 4096
#: A file changed this recently is read but not cached: a second write within the file system's
#: timestamp granularity (a jiffy on Linux, 2 s on FAT) can leave its stat unchanged.
CACHE_SETTLE_NS = 2_000_000_000

_UTC = timezone.utc
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_MARKDOWN_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$")
_BYLINE = re.compile(r"^by[ \t]+(.+?)$", re.I)
_HTML_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def read_article_file(path: Path) -> FeedEntry:
    """One article file → one ``FeedEntry``.

    Raises ``ParseError`` (naming the file) for an unknown suffix, bytes that are not text, front
    matter that is not valid YAML or has a bad value; ``FetchError`` when the file cannot be read.
    """
    path = Path(path)
    source = str(path)
    kind = ARTICLE_KINDS.get(path.suffix.lower())
    if kind is None:
        raise ParseError(source, f"not an article file: expected one of {', '.join(ARTICLE_KINDS)}")
    data, mtime = _read(path)
    text = _decode(data, source, kind)
    meta, body = _split_front_matter(text, source)
    if kind == "html":
        return _html_entry(path, meta, body, mtime)
    if kind == "markdown":
        title, author, content = _markdown_title(body)
    else:
        title, author, content = _text_title_and_byline(body)
    return _entry(path, meta, title=title, author=author, content=content, kind=kind, mtime=mtime)


class _Stat(NamedTuple):
    """What must be unchanged for a cached entry to still be the file's.

    Size and mtime catch ordinary edits; the inode catches a file replaced by another of the same
    size and mtime (an editor's atomic save, ``rsync -t``); ctime catches an in-place rewrite
    whose mtime was set back (``cp -p``, ``tar``), since nothing can set ctime.
    """

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, stat: os.stat_result) -> _Stat:
        return cls(stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


class EntryCache:
    """Article files' entries by path, valid while the file's stat is unchanged; LRU-bounded.

    Only successes are kept: a bad file is read again at every poll, so it keeps its warning and
    is picked up as soon as it is fixed. Thread-safe, since folders are read in worker threads.
    """

    def __init__(self, max_entries: int = MAX_CACHED_FILES, *, clock_ns: Callable[[], int] = time_ns) -> None:
        if max_entries < 0:
            raise ValueError(f"max_entries must be >= 0, not {max_entries}")
        self.max_entries = max_entries
        self._clock_ns = clock_ns
        self._entries: OrderedDict[str, tuple[_Stat, FeedEntry]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str, stat: _Stat) -> FeedEntry | None:
        with self._lock:
            cached = self._entries.get(key)
            if cached is None:
                return None
            if cached[0] != stat:
                del self._entries[key]  # the file changed: this entry can never be right again
                return None
            self._entries.move_to_end(key)
            return cached[1]

    def put(self, key: str, stat: _Stat, entry: FeedEntry) -> None:
        if max(stat.mtime_ns, stat.ctime_ns) > self._clock_ns() - CACHE_SETTLE_NS:
            return  # changed just now: the next write may not change the stat
        with self._lock:
            self._entries[key] = (stat, entry)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


#: The cache every folder feed shares unless given its own.
FOLDER_CACHE = EntryCache()


def read_article_folder(path: Path, *, name: str | None = None, cache: EntryCache = FOLDER_CACHE) -> ParsedFeed:
    """Every article file directly in ``path``, sorted by file name, as one feed.

    Hidden files, ``README*`` and files of other types are ignored; a file that cannot be read,
    decoded or understood is skipped with a warning, so one bad file never hides the others.
    Raises ``FetchError`` only when the folder itself cannot be listed.
    """
    path = Path(path)
    try:
        with os.scandir(path) as listing:
            children = sorted((child for child in listing if _is_article(child)), key=lambda child: child.name)
    except OSError as exc:
        raise FetchError(str(path), f"cannot list the articles folder ({exc.strerror or exc})") from exc
    folder = os.path.realpath(path)  # one key per file, however the folder was named
    entries: list[FeedEntry] = []
    warnings: list[str] = []
    for child in children:
        try:
            entries.append(_cached_entry(cache, os.path.join(folder, child.name), path / child.name, child))
        except SourceError as exc:
            warnings.append(f"{child.name} skipped: {exc.reason}")
    return ParsedFeed(title=name or path.name, entries=tuple(entries), warnings=tuple(warnings))


def _is_article(child: os.DirEntry[str]) -> bool:
    if child.name.startswith(".") or child.name.lower().startswith("readme"):
        return False
    return os.path.splitext(child.name)[1].lower() in ARTICLE_KINDS and child.is_file()


def _cached_entry(cache: EntryCache, key: str, path: Path, child: os.DirEntry[str]) -> FeedEntry:
    """The cached entry while the file's stat is unchanged; else the file, read and cached."""
    try:
        stat = _Stat.of(child.stat())
    except OSError:
        return read_article_file(path)  # gone since the listing, or unstattable: the read says why
    entry = cache.get(key, stat)
    if entry is None:
        entry = read_article_file(path)
        cache.put(key, stat, entry)
    return entry


# --------------------------------------------------------------------------------------------
# Reading and decoding
# --------------------------------------------------------------------------------------------


def _read(path: Path) -> tuple[bytes, datetime]:
    try:
        with path.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            if stat.st_size > MAX_ARTICLE_BYTES:
                raise ParseError(str(path), f"file too large ({stat.st_size:,} bytes; at most {MAX_ARTICLE_BYTES:,})")
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except OSError as exc:
        raise FetchError(str(path), f"cannot read the file ({exc.strerror or exc})") from exc
    if len(data) > MAX_ARTICLE_BYTES:
        raise ParseError(str(path), f"file too large (more than {MAX_ARTICLE_BYTES:,} bytes)")
    return data, datetime.fromtimestamp(stat.st_mtime, _UTC)


def _decode(data: bytes, source: str, kind: ContentType) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, an HTML page's declared charset, or the
    legacy encoding of a script other than Latin.

    The last is for files saved by older Windows editors in the system's code page (Notepad wrote
    GBK in China and windows-1251 in Russia): charset-normalizer names those reliably.  A Latin
    file that is not UTF-8 stays an error that says so: a guess among Latin code pages, from a few
    accented letters, is too often wrong to post (see bot.feeds.decode).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(source, f"not valid UTF-16 text (byte {exc.start})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = _HTML_CHARSET.search(data[:4096]) if kind == "html" else None
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
        guessed = other_script_encoding(data)
        if guessed:
            return data.decode(guessed, errors="replace")
        raise ParseError(source, f"not UTF-8 text (undecodable byte at offset {exc.start})") from exc


def _split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    """``---`` YAML ``---`` at the very top → (keys lower-cased, the rest); no front matter → ({}, text)."""
    first, newline, rest = text.partition("\n")
    if first.rstrip() != "---" or not newline:
        return {}, text
    end = _FRONT_MATTER_END.search(rest)
    if end is None:
        raise ParseError(source, "front matter starts with '---' but has no closing '---' line")
    try:
        meta = yaml.safe_load(rest[: end.start()])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""  # +1 for "---", +1 1-based
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParseError(source, f"invalid YAML front matter{where}: {problem}") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ParseError(source, "front matter must be 'key: value' lines, not a list or a single value")
    return {str(key).strip().lower(): value for key, value in meta.items()}, rest[end.end() :]


# --------------------------------------------------------------------------------------------
# Titles and bylines from the text itself
# --------------------------------------------------------------------------------------------


def _markdown_title(body: str) -> tuple[str, str | None, str]:
    """The first ``# heading`` is the title; it leaves the body when it opens it."""
    lines = body.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    for index, line in enumerate(lines):
        heading = _MARKDOWN_H1.match(line.strip())
        if heading:
            if index == first:
                return _line_text(heading.group(1)), None, "\n".join(lines[index + 1 :]).strip()
            return _line_text(heading.group(1)), None, body.strip()
    return "", None, body.strip()


def _text_title_and_byline(body: str) -> tuple[str, str | None, str]:
    """A text file: first non-empty line = title; a "By NAME" line just under it = the author.

    Scraped articles often carry the author's name twice above the body (an avatar label, then
    the byline: "AI" / "By AI"); lines between title and byline that only repeat the name go too.
    """
    lines = body.splitlines()
    non_empty = [i for i, line in enumerate(lines) if line.strip()]
    if not non_empty:
        return "", None, ""
    title_at = non_empty[0]
    title = _line_text(lines[title_at].strip().lstrip("#"))
    rest_from, author, kept = title_at + 1, None, []
    following = non_empty[1:3]  # the byline must be the first or second line under the title
    for position, index in enumerate(following):
        name = _byline_name(lines[index])
        if name is None:
            if not _is_short_line(lines[index]):
                break  # prose has started: a later "By ..." is not a byline
            continue
        author = name
        kept = [lines[i] for i in following[:position] if _line_text(lines[i]) != name]
        rest_from = index + 1
        break
    content = "\n".join(kept + lines[rest_from:]).strip()
    return title, author, content


def _byline_name(line: str) -> str | None:
    match = _BYLINE.match(line.strip())
    if not match:
        return None
    name = _line_text(match.group(1))
    if not _is_short_line(name) or not name[0].isupper():
        return None  # "By 2030, ..." or "by and large ..." is prose, not a byline
    return name


def _is_short_line(line: str) -> bool:
    """A name, label or subtitle rather than a sentence: short, few words, no closing punctuation."""
    text = line.strip()
    return bool(text) and len(text) <= MAX_BYLINE_CHARS and len(text.split()) <= 8 and text[-1] not in ".!?:;,"


def _line_text(text: str) -> str:
    """A title or name line without Markdown emphasis, entities or tags."""
    text = text.strip()
    while len(text) > 2 and text[0] == text[-1] and text[0] in "*_":
        text = text[1:-1].strip()
    return plain_text(text, MAX_TITLE_CHARS)


# --------------------------------------------------------------------------------------------
# HTML files
# --------------------------------------------------------------------------------------------


def _html_entry(path: Path, meta: dict[str, Any], body: str, mtime: datetime) -> FeedEntry:
    found = _html_metadata(body)
    aliases = {"url": "link", "published": "date"}
    for key, value in found.items():
        if key not in meta and aliases.get(key) not in meta:  # front matter wins
            meta[key] = value
    return _entry(path, meta, title=found.get("title", ""), author=None, content=body.strip(), kind="html", mtime=mtime)


#: Where a page's <head> ends: the metadata read here is all in it (but the <h1> fallback).
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_H1_START = re.compile(r"<h1(?:\s[^<>]{0,500})?>", re.IGNORECASE)
_H1_END = re.compile(r"</h1\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]{0,500}>")
#: How far an <h1> may run before its closing tag: a heading, not a page.
_MAX_H1_CHARS = 2000


def _first_h1(body: str) -> str | None:
    """The text of the page's first <h1>, read without parsing the page (its head alone was parsed)."""
    start = _H1_START.search(body)
    if start is None:
        return None
    end = _H1_END.search(body, start.end(), start.end() + _MAX_H1_CHARS)
    if end is None:
        return None
    return " ".join(html.unescape(_TAG.sub("", body[start.end() : end.start()])).split()) or None


def _html_metadata(body: str) -> dict[str, str]:
    """What the page says about itself: og:title or <title> or <h1>, canonical URL, author, image, date.

    Only the <head> is parsed when it holds the page's Open Graph block (pages that have one keep
    it there); otherwise the whole page.  The article's extraction parses the whole page again
    anyway, and a head is a fraction of a page.
    """
    if not body.strip():
        return {}
    head_end = _HEAD_END.search(body)
    doc = _parse_html(body[: head_end.end()] + "</html>" if head_end else body)
    if doc is None:
        return {}

    def first(*xpaths: str) -> str | None:
        for xpath in xpaths:
            for value in doc.xpath(xpath):
                text = value if isinstance(value, str) else value.text_content()
                if text and text.strip():
                    return str(text).strip()
        return None

    doc_is_whole = not head_end
    if head_end and first("//meta[@property='og:title']/@content") is None:
        # No Open Graph block in the head: the page's tags (or its <h1>) may be further down.
        doc = _parse_html(body)
        if doc is None:
            return {}
        doc_is_whole = True
    candidates = {
        "title": first("//meta[@property='og:title']/@content", "//title", "//h1"),
        "url": first("//meta[@property='og:url']/@content", "//link[@rel='canonical']/@href"),
        "author": first("//meta[@name='author']/@content", "//meta[@property='article:author']/@content"),
        "image": first("//meta[@property='og:image']/@content"),
        "published": first("//meta[@property='article:published_time']/@content"),
    }
    found = {key: value for key, value in candidates.items() if value}
    # What the page says about itself is a hint, not a promise: drop what does not validate.
    if "url" in found and not absolute_url(found["url"]):
        del found["url"]
    if "title" in found and may_carry_site_name(found["title"]):
        found["title"] = without_site_name(
            found["title"],
            sitename=first("//meta[@property='og:site_name']/@content"),
            url=found.get("url"),
            heading=first("//h1") if doc_is_whole else _first_h1(body),
        )
    if "image" in found and not absolute_url(found["image"]):
        del found["image"]
    if "published" in found and _to_utc(found["published"]) is None:
        del found["published"]
    return found


def _parse_html(markup: str) -> Any:
    """An lxml document of ``markup``; None when lxml refuses it."""
    import lxml.html  # only HTML files need it
    from lxml import etree

    try:
        return lxml.html.document_fromstring(markup.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# Front matter values → FeedEntry
# --------------------------------------------------------------------------------------------


def _entry(
    path: Path,
    meta: dict[str, Any],
    *,
    title: str,
    author: str | None,
    content: str,
    kind: ContentType,
    mtime: datetime,
) -> FeedEntry:
    source = str(path)
    url = _meta_url(meta, source, "url", "link")
    title = plain_text(_meta_text(meta, source, "title"), MAX_TITLE_CHARS) or title
    if not title:
        title = plain_text(path.stem.replace("-", " ").replace("_", " "), MAX_TITLE_CHARS)
    entry_id = _meta_text(meta, source, "id", "guid") or url or f"file:{path.name}"
    published = _meta_date(meta, source, "published", "date") or mtime
    updated = _meta_date(meta, source, "updated", "modified")
    site = plain_text(_meta_text(meta, source, "source"), MAX_AUTHOR_CHARS) or None
    return FeedEntry(
        id=entry_id,
        title=title,
        link=url,
        author=plain_text(_meta_text(meta, source, "author"), MAX_AUTHOR_CHARS) or author,
        published=published,
        updated=updated if updated != published else None,
        summary=_meta_text(meta, source, "summary", "description") or "",
        content=content,
        content_type=kind,
        image=_meta_url(meta, source, "image"),
        source=site,
        categories=_meta_categories(meta, source),
    )


def _meta_categories(meta: dict[str, Any], source: str) -> tuple[str, ...]:
    """Front matter ``tags`` and ``categories``, both kept (Jekyll and Hugo sites use either or both).

    Each is a list (``[a, b]``) or one text, split on commas (``"a, b"``); a mapping is refused.
    """
    names: list[Any] = []
    for key in ("tags", "categories"):
        value = meta.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, (list, tuple)):
            names += value
        elif isinstance(value, (dict, set, bool)):
            raise ParseError(source, f"front matter '{key}' must be a list of names or one text, not {type(value).__name__}")
        else:
            names += str(value).split(",")
    return category_names(names)


def _meta_value(meta: dict[str, Any], *keys: str) -> tuple[str, Any]:
    for key in keys:
        value = meta.get(key)
        if value is not None and value != "":
            return key, value
    return keys[0], None


def _meta_text(meta: dict[str, Any], source: str, *keys: str) -> str | None:
    key, value = _meta_value(meta, *keys)
    if value is None:
        return None
    if isinstance(value, (dict, list, set, tuple, bool)):
        raise ParseError(source, f"front matter '{key}' must be text, not {type(value).__name__}")
    return str(value).strip() or None


def _meta_url(meta: dict[str, Any], source: str, *keys: str) -> str | None:
    text = _meta_text(meta, source, *keys)
    if text is None:
        return None
    url = absolute_url(text)
    if url is None:
        key, _ = _meta_value(meta, *keys)
        raise ParseError(source, f"front matter '{key}' is not an absolute http(s) URL: {text[:100]!r}")
    return url


def _meta_date(meta: dict[str, Any], source: str, *keys: str) -> datetime | None:
    key, value = _meta_value(meta, *keys)
    if value is None:
        return None
    moment = _to_utc(value)
    if moment is None:
        raise ParseError(source, f"front matter '{key}' is not an ISO date or date-time: {str(value)[:100]!r}")
    return moment


def _to_utc(value: Any) -> datetime | None:
    """YAML gives datetime or date objects for ISO values, strings for the rest; naive means UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0))
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_UTC)
    return moment.astimezone(_UTC)
