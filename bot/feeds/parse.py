"""Pure: the bytes of a feed document → ``ParsedFeed``.  One public function, ``parse_feed``.

Which parser, and why — measured by ``bench/parse.py`` (same bytes, same run, 2 cores):

    parser                       agrees (all / titles)  raised  corpus  50-item RSS  50-item Atom
    feedparser 6.0               reference               0      1x      80 ms        110 ms
    fastfeedparser 0.6           91% / 95%              32      8x      0.29 ms      0.37 ms
    feedparser-rs 0.7            98% / 98%               0     27x      3.2 ms       3.6 ms
    feedparser-rs, no sanitize   98% / 98%               0     52x      0.29 ms      0.74 ms
    parse_feed (this module)     99.2% / 99.7%           0      8x      1.0 ms       1.3 ms

("agrees": same entry ids, titles and links as feedparser on its own well-formed test corpus,
``../shared/corpus/feeds``; the corpus is many tiny, odd files, so per-call cost and the fallback
below dominate its column, while real feeds look like the last two columns.)

fastfeedparser is as fast on large feeds, but it *raises* on 32 well-formed corpus files (75 of all
2,107), leaves relative links unresolved and disagrees on the most titles.  feedparser-rs never
raised and agrees best, so it is the fast path — unsanitized (see below).  It is not the whole
answer: on ill-formed input it recovers fewer entries than feedparser, it guesses no charsets
(undecodable bytes come back as U+FFFD), it ignores ``xml:base`` in RSS, decodes no Atom 0.3
``mode="base64"`` or Atom 1.0 base64 content, and does not know CDF.  So: feedparser-rs first,
its answer *validated* (``_fallback_reason``: not bozo, a known version, entries when the bytes
contain ``<item``/``<entry``, bytes valid in the encoding it used, no ``xml:base`` in RSS, no
base64); anything suspicious is parsed again by feedparser, the reference for leniency, and the
answer with more entries wins.  Well-formed feeds — nearly all real traffic — never pay for
feedparser.  Without feedparser-rs installed, feedparser alone gives the same answers (the
fixture tests run both ways), only slower.  The remaining gap to raw feedparser-rs is this
module's own normalisation (plain-text titles, URL resolution, dates, caps): ~12 µs an entry.

JSON Feed 1.0/1.1 is parsed here with ``json`` (it is simple, and feedparser 6.0 cannot read it),
so its semantics (``content_html`` vs ``content_text``, ``image``/``banner_image``, ``authors`` vs
``author``) do not depend on an optional package.

Neither XML parser sanitizes HTML (``sanitize_html=False``): feedparser-rs's sanitizer costs 5–10x
its parse time and also mangles titles (``AT&T <rocks>`` loses ``<rocks>``), and newsbot never
renders feed HTML — it only extracts text from it (``bot/articles``), and titles and authors are
turned into plain text here, with ``<script>``/``<style>`` dropped.  ``summary`` and ``content``
are therefore the feed's HTML as given: treat them as untrusted markup.  Relative hrefs inside
them are left as they are (neither parser is asked to resolve them, so both paths agree).

One known difference between the paths: feedparser resolves a *relative id* against ``xml:base``
("e1" → "https://host/dir/e1"), feedparser-rs does not.  It can only show for an Atom feed with
``xml:base`` and relative ids (invalid Atom) that is well-formed on one poll and broken on the next.
No Content-Location is given to feedparser, so ids never depend on the URL the feed came from.

Everything is hostile: every field is type-checked, titles/authors/ids/URLs/bodies are capped,
links must end up absolute ``http(s)``, dates in the future (beyond a day of clock skew) or
unparsable become None, and any failure is a ``ParseError`` naming the source — never another
exception.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import io
import json
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import feedparser

from bot.errors import ParseError
from bot.feeds.decode import undeclared_encoding
from bot.model import ContentType, FeedEntry, ParsedFeed

_feedparser_rs: Any
try:  # the fast path; declared in the ``bench`` extra — without it feedparser does everything
    import feedparser_rs as _feedparser_rs
except ImportError:  # pragma: no cover - depends on the environment
    _feedparser_rs = None

#: Longest title kept, in characters; longer ones are cut and end with "…".
MAX_TITLE_CHARS = 1000
#: Longest author name kept.
MAX_AUTHOR_CHARS = 200
#: Longest URL kept; longer links and images become None.
MAX_URL_CHARS = 2048
#: Longest id kept verbatim; a longer one is replaced by its SHA-256 (still stable, still unique).
MAX_ID_CHARS = 1000
#: Longest summary or content kept, in characters (a warning says when one was cut).
MAX_BODY_CHARS = 1_000_000
#: How far in the future a date may be before it is treated as bogus: clock skew and
#: mislabelled time zones are forgiven, "published in 2099" is not.
FUTURE_DATE_TOLERANCE = timedelta(days=1)
#: Most categories (tags) kept per entry; the rest are dropped.
MAX_CATEGORIES = 50
#: Longest category kept, in characters.
MAX_CATEGORY_CHARS = 200
#: Largest believable RSS ``<ttl>``: a year, in minutes.
MAX_TTL_MINUTES = 525_600
#: At most this many warnings are kept per feed; the logs need a sample, not a flood.
MAX_WARNINGS = 20

_UTC = timezone.utc
_BOM = b"\xef\xbb\xbf"
_HEAD_BYTES = 4096

# --------------------------------------------------------------------------------------------
# The one public function
# --------------------------------------------------------------------------------------------


def parse_feed(
    data: bytes,
    *,
    source: str,
    base_url: str | None = None,
    content_type: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse one RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed 1.0/1.1 document.

    ``source`` names the feed in errors and warnings (its URL or file path); ``base_url`` is
    where the bytes came from (after redirects), used to make relative links absolute;
    ``content_type`` is the HTTP header, whose charset overrides the XML declaration as RFC 3023
    says.  ``now`` is only used to reject dates in the future; it defaults to the clock.

    Raises ``ParseError`` with one readable sentence when the bytes are not a feed; an ill-formed
    feed whose entries can still be recovered parses, with the problem in ``warnings``.
    """
    if now is None:
        now = datetime.now(_UTC)
    try:
        return _parse(data if type(data) is bytes else bytes(data), source, base_url, content_type, now)
    except ParseError:
        raise
    except RecursionError as exc:
        raise ParseError(source, "the document is nested too deeply to parse") from exc
    except MemoryError as exc:
        raise ParseError(source, "the document is too large to parse") from exc
    except Exception as exc:  # a parser bug must not take the poll loop down with it
        raise ParseError(source, f"the feed could not be parsed ({type(exc).__name__}: {exc})") from exc


def _parse(data: bytes, source: str, base_url: str | None, content_type: str | None, now: datetime) -> ParsedFeed:
    if not data or data.isspace():
        raise ParseError(source, "empty response")
    binary = _binary_reason(data)
    if binary:
        raise ParseError(source, binary)
    base = absolute_url(base_url)
    head = data[:_HEAD_BYTES].removeprefix(_BOM).lstrip()
    if head[:1] in (b"{", b"[") or (head[:1] != b"<" and _is_json_type(content_type)):
        return _parse_json_feed(data, source, base, now)
    if _root_name(data) == "html":
        raise ParseError(source, "this is an HTML page, not a feed")
    return _parse_xml_feed(data, source, base, content_type, now)


# --------------------------------------------------------------------------------------------
# Sniffing: what kind of bytes is this?
# --------------------------------------------------------------------------------------------

_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
# Whitespace, processing instructions, comments and a DOCTYPE before the root element.  Every
# alternative starts with a different character, so the loop cannot backtrack exponentially.
_PROLOG = re.compile(rb"(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE\b(?:[^>\[]|\[[^\]]*\])*>)*", re.S | re.I)
_ROOT_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_HTML_DOCTYPE = re.compile(rb"<!DOCTYPE\s+html\b", re.I)
_FEED_ROOTS = frozenset({"rss", "rdf", "feed", "channel"})
_BASE64_MODE = re.compile(rb"mode\s*=\s*[\"']base64")
_ITEM_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]", re.I)


def _binary_reason(data: bytes) -> str | None:
    """Refuse images, archives and compressed bodies before any parser spends time on them."""
    head = data[:1024]
    if head.startswith(b"\x1f\x8b"):
        return "gzip-compressed data, not a feed (the response was not decompressed)"
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return None  # UTF-16/32 with a byte-order mark
    if b"\x00" in head:
        # UTF-16 without a BOM: every other byte of ASCII markup is NUL, and only every other one.
        half = len(head) // 2
        nuls = sorted((head[0::2].count(0), head[1::2].count(0)))
        if nuls[0] < 0.1 * half and nuls[1] > 0.9 * half:
            return None
        return "binary data, not a feed"
    if _CONTROL_BYTES.search(head) and len(_CONTROL_BYTES.findall(head)) > len(head) // 10:
        return "binary data, not a feed"
    return None


def _root_name(data: bytes) -> str | None:
    """The local name of the root element, lower-cased ("rss", "feed", "html"...), None if unseen.

    An HTML DOCTYPE counts as "html" only when no feed root follows it: feeds copied out of
    XHTML templates sometimes keep the page's DOCTYPE.
    """
    head = data[:_HEAD_BYTES].removeprefix(_BOM)
    prolog = _PROLOG.match(head)
    end = prolog.end() if prolog else 0
    root = _ROOT_TAG.match(head, end)
    name = root.group(1).decode("ascii", "replace").lower() if root else None
    if name not in _FEED_ROOTS and _HTML_DOCTYPE.search(head, 0, end):
        return "html"
    return name


def _is_json_type(content_type: str | None) -> bool:
    return content_type is not None and "json" in content_type.split(";", 1)[0].lower()


def _declared_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
    return match.group(1).lower() if match else None


def _why_not_a_feed(data: bytes, bozo_message: str | None) -> str:
    """One sentence for the admins: what these bytes are, given that no parser found a feed."""
    head = data[:_HEAD_BYTES].removeprefix(_BOM).lstrip()
    if not head.startswith(b"<") and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "not a feed: the response is neither XML nor JSON"
    root = _root_name(data)
    if root == "html":
        return "this is an HTML page, not a feed"
    if root and root not in _FEED_ROOTS:
        return f"not a feed: no RSS, Atom or JSON Feed root element (the root element is <{root}>)"
    if bozo_message:
        return f"not well-formed XML and no feed entries could be recovered ({bozo_message})"
    return "not a feed: no RSS, Atom or JSON Feed root element"


# --------------------------------------------------------------------------------------------
# RSS / Atom / RDF / CDF: feedparser-rs, validated, feedparser as the fallback
# --------------------------------------------------------------------------------------------


def _parse_xml_feed(
    data: bytes, source: str, base_url: str | None, content_type: str | None, now: datetime
) -> ParsedFeed:
    fast: Any = None
    guessed = _guessed_charset(data, content_type)
    if guessed:
        content_type = f"{content_type or 'application/xml'}; charset={guessed}"
    charset = _declared_charset(content_type)
    if _feedparser_rs is not None and charset in (None, "utf-8", "utf8", "us-ascii"):
        fast = _run_feedparser_rs(data)
        if fast is not None and _fallback_reason(fast, data) is None:
            return _build_xml_feed(fast, base_url, now)
    slow = _run_feedparser(data, content_type)
    chosen = _pick(slow, fast)
    if chosen is None and slow is not None and not _get(slow, "bozo") and _root_name(data) in _FEED_ROOTS:
        chosen = slow  # a well-formed feed with nothing in it yet (say, a CDF channel)
    if chosen is None:
        result = slow if slow is not None else fast
        raise ParseError(source, _why_not_a_feed(data, _bozo_message(result) if result is not None else None))
    feed = _build_xml_feed(chosen, base_url, now)
    if guessed:
        note = f"the feed is not UTF-8 and declares no other encoding: read as {guessed}, a guess"
        feed = dataclasses.replace(feed, warnings=(note, *feed.warnings)[:MAX_WARNINGS])
    return feed


_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([\w.:-]+)", re.I)


def _guessed_charset(data: bytes, content_type: str | None) -> str | None:
    """The encoding of a feed whose bytes are not UTF-8 and that declares no other, guessed.

    XML without a declaration is UTF-8 by definition, and feedparser, finding it is not, reads it
    as windows-1252: an old Russian feed in windows-1251 that says nothing came out as "Íîâîñòè".
    A charset in the Content-Type or an XML declaration of another encoding is trusted instead.
    """
    if _declared_charset(content_type) or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    declared = _XML_ENCODING.match(data.removeprefix(_BOM))
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None
    guessed = undeclared_encoding(data)  # None: feedparser's own windows-1252 reading
    return None if guessed == "utf-8" else guessed


def _run_feedparser_rs(data: bytes) -> Any:
    """feedparser-rs's result, or None when it failed (a Rust panic is a BaseException)."""
    try:
        return _feedparser_rs.parse(data, sanitize_html=False, resolve_relative_uris=True)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        return None


def _run_feedparser(data: bytes, content_type: str | None) -> Any:
    """feedparser's result, or None when it failed.

    The bytes go in as a stream: given bytes, feedparser would first try them as a file name.
    No Content-Location goes in: feedparser would resolve ids against it too ("123" →
    "https://host/123"), and ids must not depend on which parser read the feed.
    """
    headers = {"content-type": content_type} if content_type else {}
    try:
        return feedparser.parse(
            io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False, response_headers=headers
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        return None


def _fallback_reason(result: Any, data: bytes) -> str | None:
    """Why feedparser-rs's answer should not be trusted, or None when it looks sound.

    Each check is a case where the corpus showed feedparser-rs to differ from feedparser.
    """
    if _get(result, "bozo"):
        return "not well-formed"
    version = _get(result, "version")
    if not version:
        return "format not recognised"
    entries = _get(result, "entries") or ()
    if not entries and _ITEM_TAG.search(data):
        return "entries present but none found"
    # Scans of the raw bytes cost as much as a fifth of the parse on a big feed: each runs only
    # when the result makes it relevant.
    if version == "atom03" and _BASE64_MODE.search(data):
        return "base64-encoded text"  # Atom 0.3 mode="base64", which feedparser-rs does not decode
    if version == "atom10" and _has_encoded_content(entries):
        return "base64-encoded content"  # RFC 4287 §4.1.3.3: a non-text, non-XML type is base64
    if _undecodable(result, entries, data):
        return "bytes not decodable in the declared encoding"
    if version.startswith("rss") and b"xml:base" in data:
        return "xml:base in RSS"  # feedparser-rs honours it in Atom only
    if any(not _get(entry, "link") for entry in entries) and _PRIVATE_HOST_LINK.search(data):
        # feedparser-rs silently drops links to loopback and private addresses (an intranet feed).
        return "links to private addresses"
    return None


_PRIVATE_HOST_LINK = re.compile(
    rb"https?://(?:localhost|127\.|10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.|\[?::1|\[?f[cd][0-9a-f]{2}:|169\.254\.)",
    re.IGNORECASE,
)


def _has_encoded_content(entries: Iterable[Any]) -> bool:
    for entry in entries:
        for block in _get(entry, "content") or ():
            kind = str(_get(block, "type") or "text").lower()
            if not (kind.startswith("text") or "html" in kind or "xml" in kind):
                return True
    return False


def _undecodable(result: Any, entries: Iterable[Any], data: bytes) -> bool:
    """Did feedparser-rs turn bytes it could not decode into U+FFFD?  (It guesses no charsets.)"""
    encoding = str(_get(result, "encoding") or "utf-8").lower().replace("_", "-")
    if encoding in ("utf-8", "utf8", "us-ascii", "ascii"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False
    texts = [_get(_get(result, "feed"), "title")]
    for entry in entries:
        texts += [_get(entry, "title"), _get(entry, "summary")]
        texts += [_get(block, "value") for block in _get(entry, "content") or ()]
    return any(isinstance(text, str) and "\ufffd" in text for text in texts)


def _pick(slow: Any, fast: Any) -> Any:
    """The better of two results: the one with more entries, feedparser on a tie; None if neither is a feed.

    A result is a feed when it has a known version, entries, or at least a feed title (a CDF
    channel has no version, an empty channel no entries).
    """

    def usable(result: Any) -> bool:
        if result is None:
            return False
        return bool(_get(result, "version") or _get(result, "entries") or _get(_get(result, "feed"), "title"))

    if not usable(slow):
        return fast if usable(fast) else None
    if usable(fast) and len(_get(fast, "entries") or ()) > len(_get(slow, "entries") or ()):
        return fast
    return slow


def _bozo_message(result: Any) -> str | None:
    if not _get(result, "bozo"):
        return None
    exc = _get(result, "bozo_exception")
    message = " ".join(str(exc).split()) if exc is not None else ""
    return message[:300] or "ill-formed"


def _build_xml_feed(result: Any, base_url: str | None, now: datetime) -> ParsedFeed:
    warnings: list[str] = []
    bozo = _bozo_message(result)
    if bozo:
        warnings.append(f"parsed leniently: {bozo}")
    version = str(_get(result, "version") or "")
    if not version:
        warnings.append("unrecognised feed format; entries recovered leniently")
    feed = _get(result, "feed")
    feed_link = absolute_url(_get(feed, "link"), base_url)
    # Relative links (once xml:base is applied) resolve against the site's own link first: a feed
    # re-served from elsewhere (FeedBurner, a proxy) still means its site.  feedparser-rs does
    # the same for RSS, so both parsers agree.
    bases = (feed_link, base_url)
    # Atom (RFC 4287 §4.1.1) gives a feed's author to every entry that names none.
    feed_author = _author_of(feed) if version.startswith("atom") else None
    entries = tuple(
        _xml_entry(entry, index, bases, feed_author, now, warnings)
        for index, entry in enumerate(_get(result, "entries") or ())
    )
    return ParsedFeed(
        title=plain_text(_get(feed, "title"), MAX_TITLE_CHARS),
        link=feed_link,
        entries=entries,
        ttl_minutes=_ttl(_get(feed, "ttl")),
        warnings=tuple(warnings[:MAX_WARNINGS]),
    )


def _xml_entry(
    entry: Any,
    index: int,
    bases: tuple[str | None, ...],
    feed_author: str | None,
    now: datetime,
    warnings: list[str],
) -> FeedEntry:
    published = _struct_time_to_utc(_get(entry, "published_parsed"), now)
    updated = _struct_time_to_utc(_get(entry, "updated_parsed"), now)
    summary = _body(_get(entry, "summary"), index, "summary", warnings)
    content, declared = "", None
    for block in _get(entry, "content") or ():
        value = _get(block, "value")
        if isinstance(value, str) and len(value) > len(content):
            content, declared = value, _get(block, "type")
    content = _body(content, index, "content", warnings)
    return FeedEntry(
        id=_clean_id(_get(entry, "id")),
        title=plain_text(_get(entry, "title"), MAX_TITLE_CHARS),
        link=absolute_url(_get(entry, "link"), *bases),
        author=_author_of(entry) or feed_author,
        # Atom requires <updated> but not <published>: the update time stands in for it.
        published=published or updated,
        updated=updated if updated != (published or updated) else None,
        summary=summary,
        content=content,
        content_type=_content_kind(declared, content) if content else _content_kind(None, summary),
        image=_xml_image(entry, bases),
        categories=category_names(_xml_category_names(entry)),
    )


def _xml_category_names(entry: Any) -> Iterator[Any]:
    """RSS ``<category>`` text (its ``term``), Atom ``<category>``'s term and then its label.

    Both parsers give each category as a tag with ``term``, ``label`` and ``scheme``: feedparser
    as dicts, feedparser-rs as objects.  An Atom term is often a slug ("world-cup") and its label
    the words ("World Cup"), so both are kept and a filter may name either.
    """
    for tag in _get(entry, "tags") or ():
        yield _get(tag, "term")
        yield _get(tag, "label")


def category_names(values: Iterable[Any]) -> tuple[str, ...]:
    """Category names as plain text: non-text values skipped, each once, capped in length and number.

    Shared with the local articles folder (front matter ``tags``/``categories``).
    """
    kept: dict[str, None] = {}
    for value in values:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        name = plain_text(value, MAX_CATEGORY_CHARS)
        if name:
            kept.setdefault(name, None)
            if len(kept) == MAX_CATEGORIES:
                break
    return tuple(kept)


def _author_of(item: Any) -> str | None:
    detail = _get(item, "author_detail")
    name = _get(detail, "name") if detail is not None else None
    if not isinstance(name, str) or not name.strip():
        name = _get(item, "author")
    return plain_text(name, MAX_AUTHOR_CHARS) or None


def _xml_image(entry: Any, bases: tuple[str | None, ...]) -> str | None:
    """The lead image: an image enclosure, else media:content, else media:thumbnail."""
    for candidate in _xml_image_candidates(entry):
        url = absolute_url(candidate, *bases)
        if url:
            return url
    return None


def _xml_image_candidates(entry: Any) -> Iterator[Any]:
    """Image URLs in order of preference, lazily: most entries stop at their first enclosure."""
    for enclosure in _get(entry, "enclosures") or ():
        href = _get(enclosure, "href") or _get(enclosure, "url")
        if _is_image(_get(enclosure, "type"), href):
            yield href
    for link in _get(entry, "links") or ():  # feedparser keeps Atom's rel="enclosure" only here
        if _get(link, "rel") == "enclosure" and _is_image(_get(link, "type"), _get(link, "href")):
            yield _get(link, "href")
    for media in _get(entry, "media_content") or ():
        url, medium = _get(media, "url"), _get(media, "medium")
        if medium == "image" or (medium in (None, "") and _is_image(_get(media, "type"), url)):
            yield url
    for thumbnail in _get(entry, "media_thumbnail") or ():
        yield _get(thumbnail, "url")


_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp")


def _is_image(mime: Any, url: Any) -> bool:
    if isinstance(mime, str) and mime and mime != "unknown":
        return mime.lower().startswith("image/")
    if not isinstance(url, str):
        return False
    try:
        return urlsplit(url.strip()).path.lower().endswith(_IMAGE_SUFFIXES)
    except ValueError:
        return False


def _struct_time_to_utc(value: Any, now: datetime) -> datetime | None:
    """feedparser's (and feedparser-rs's) UTC ``struct_time`` → aware datetime, or None."""
    if value is None:
        return None
    try:
        year, month, day, hour, minute, second = tuple(value)[:6]
        moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=_UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return _not_in_future(moment, now)


def _ttl(value: Any) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes if 0 < minutes <= MAX_TTL_MINUTES else None


# --------------------------------------------------------------------------------------------
# JSON Feed 1.0 / 1.1 (https://www.jsonfeed.org/version/1.1/)
# --------------------------------------------------------------------------------------------


def _parse_json_feed(data: bytes, source: str, base_url: str | None, now: datetime) -> ParsedFeed:
    warnings: list[str] = []
    text = _decode_json_bytes(data, warnings)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(source, f"invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from exc
    except ValueError as exc:  # e.g. an integer with more digits than Python allows
        raise ParseError(source, f"invalid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise ParseError(source, "not a feed: JSON, but not a JSON Feed object")
    version, items = doc.get("version"), doc.get("items")
    if not (isinstance(version, str) and "jsonfeed.org/version/" in version):
        if not isinstance(items, list):
            raise ParseError(source, "not a feed: JSON without a JSON Feed 'version' or 'items'")
        warnings.append("no JSON Feed 'version'; read as JSON Feed because it has 'items'")
    if not isinstance(items, list):
        warnings.append("JSON Feed without an 'items' list")
        items = []
    home = absolute_url(doc.get("home_page_url"), base_url)
    bases = (base_url, absolute_url(doc.get("feed_url"), base_url), home)
    feed_author = _json_authors(doc)
    entries: list[FeedEntry] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            warnings.append(f"item {index}: not a JSON object, skipped")
            continue
        entries.append(_json_entry(item, index, bases, feed_author, now, warnings))
    return ParsedFeed(
        title=plain_text(doc.get("title"), MAX_TITLE_CHARS),
        link=home,
        entries=tuple(entries),
        ttl_minutes=None,
        warnings=tuple(warnings[:MAX_WARNINGS]),
    )


def _decode_json_bytes(data: bytes, warnings: list[str]) -> str:
    """JSON Feed is UTF-8; a BOM'd UTF-16 body is accepted, broken bytes are replaced and reported."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    data = data.removeprefix(_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warnings.append("JSON Feed is not valid UTF-8; undecodable bytes were replaced")
        return data.decode("utf-8", "replace")


def _json_entry(
    item: dict[str, Any],
    index: int,
    bases: tuple[str | None, ...],
    feed_author: str | None,
    now: datetime,
    warnings: list[str],
) -> FeedEntry:
    html_body, text_body = item.get("content_html"), item.get("content_text")
    content_html = html_body if isinstance(html_body, str) else ""
    content_text = text_body if isinstance(text_body, str) else ""
    # Both may be given; the longer one is the fuller body (HTML wins a tie).
    kind: ContentType
    if len(content_text) > len(content_html):
        content, kind = content_text, "text"
    else:
        content, kind = content_html, "html"
    content = _body(content, index, "content", warnings)
    summary = _body(item.get("summary"), index, "summary", warnings)
    published = _iso_to_utc(item.get("date_published"), now)
    updated = _iso_to_utc(item.get("date_modified"), now)
    tags = item.get("tags")
    return FeedEntry(
        id=_clean_id(item.get("id")),
        title=plain_text(item.get("title"), MAX_TITLE_CHARS),
        link=absolute_url(item.get("url"), *bases) or absolute_url(item.get("external_url"), *bases),
        author=_json_authors(item) or feed_author,
        published=published or updated,
        updated=updated if updated != (published or updated) else None,
        summary=summary,
        content=content,
        content_type=kind if content else "text",
        image=_json_image(item, bases),
        categories=category_names(tags if isinstance(tags, list) else ()),
    )


def _json_authors(obj: dict[str, Any]) -> str | None:
    """1.1 ``authors`` (a list) or 1.0 ``author`` (one object) → "Name, Name"."""
    people = obj.get("authors")
    if not isinstance(people, list):
        people = [obj.get("author")]
    names = [p["name"] for p in people if isinstance(p, dict) and isinstance(p.get("name"), str)]
    return plain_text(", ".join(names), MAX_AUTHOR_CHARS) or None


def _json_image(item: dict[str, Any], bases: tuple[str | None, ...]) -> str | None:
    candidates = [item.get("image"), item.get("banner_image")]
    attachments = item.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else ():
        if isinstance(attachment, dict) and _is_image(attachment.get("mime_type"), attachment.get("url")):
            candidates.append(attachment.get("url"))
    for candidate in candidates:
        url = absolute_url(candidate, *bases)
        if url:
            return url
    return None


def _iso_to_utc(value: Any, now: datetime) -> datetime | None:
    """RFC 3339 (and, leniently, RFC 822) → aware UTC datetime; None when it cannot be read."""
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_UTC)
    try:
        moment = moment.astimezone(_UTC)
    except (ValueError, OverflowError):
        return None
    return _not_in_future(moment, now)


# --------------------------------------------------------------------------------------------
# Shared clean-up of hostile values
# --------------------------------------------------------------------------------------------

# Elements whose *content* is code, not text a reader should see (an <object>'s or <iframe>'s
# content is fallback text, so only their tags go).
_DROPPED_ELEMENTS = re.compile(r"<(script|style|template)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_CDATA = re.compile(r"<!\[CDATA\[|\]\]>")
_DECLARATION = re.compile(r"<[!?][A-Za-z][^<>]*>")  # <!DOCTYPE ...>, <?xml ...?>
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")
# Only real HTML element names are removed, so a plain-text title such as "AT&T <rocks>" survives.
_INLINE_TAGS = frozenset(
    "a abbr acronym b bdi bdo big cite code data del dfn em font i img ins kbd mark nobr q rp rt "
    "ruby s samp small span strike strong sub sup time tt u var wbr".split()
)
_BLOCK_TAGS = frozenset(
    "address applet area article aside audio base basefont bgsound blink blockquote body br button "
    "canvas caption center col colgroup dd details dialog dir div dl dt embed fieldset figcaption "
    "figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html iframe ilayer input "
    "isindex keygen label layer legend li link main map marquee math menu meta nav noscript object "
    "ol optgroup option p param picture pre script section select source style summary svg table "
    "tbody td template textarea tfoot th thead title tr track ul video".split()
)
# C0/C1 controls other than whitespace, bidi overrides/isolates, zero-width space and BOM.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")
_LOOKS_LIKE_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9]*\b[^<>]*>|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+\d*);")


def _replace_tag(match: re.Match[str]) -> str:
    name = match.group(1).lower()
    if name in _INLINE_TAGS:
        return ""
    if name in _BLOCK_TAGS:
        return " "
    return match.group(0)


def plain_text(value: Any, limit: int) -> str:
    """HTML or text → one line of plain text: markup, scripts, entities and controls removed, capped."""
    if not isinstance(value, str) or not value:
        return ""
    text = value[: limit * 20]  # never run the regexes below over megabytes
    if "<" in text:
        text = _COMMENT.sub(" ", text)
        text = _CDATA.sub("", text)
        text = _DECLARATION.sub(" ", text)
        text = _DROPPED_ELEMENTS.sub(" ", text)
        text = _TAG.sub(_replace_tag, text)
    if "&" in text:
        text = html.unescape(text)
        if "<" in text:  # a double-escaped "&lt;script&gt;" is still a script
            text = _DROPPED_ELEMENTS.sub(" ", text)
    text = " ".join(_INVISIBLE.sub("", text).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _body(value: Any, index: int, name: str, warnings: list[str]) -> str:
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if len(value) > MAX_BODY_CHARS:
        warnings.append(f"entry {index}: {name} cut to {MAX_BODY_CHARS:,} characters")
        value = value[:MAX_BODY_CHARS]
    return value


def _content_kind(declared: Any, body: str) -> ContentType:
    """ "html" or "text": trust a declared MIME type, otherwise look for markup or entities."""
    if isinstance(declared, str) and declared:
        declared = declared.lower()
        if "html" in declared:  # text/html, application/xhtml+xml, html, xhtml
            return "html"
        if declared in ("text/plain", "text"):
            return "text"
    return "html" if _LOOKS_LIKE_HTML.search(body) else "text"


def _clean_id(value: Any) -> str | None:
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > MAX_ID_CHARS:
        return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return text


_URL_BREAKS = re.compile(r"[\r\n\t]")
_URL_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_WEB_URL = re.compile(r"https?://[^/?#\s@]*[^/?#\s@:]", re.I)


def absolute_url(value: Any, *bases: str | None) -> str | None:
    """An absolute http(s) URL, resolving against each base in turn; None for anything else."""
    if not isinstance(value, str):
        return None
    url = _URL_BREAKS.sub("", value.strip()).replace(" ", "%20")
    if not url or len(url) > MAX_URL_CHARS or _URL_CONTROLS.search(url):
        return None
    try:
        for base in bases:
            if _is_web_url(url):
                break
            if base:
                url = urljoin(base, url)
        return url if len(url) <= MAX_URL_CHARS and _is_web_url(url) else None
    except ValueError:  # e.g. "http://[bad" — urlsplit refuses it
        return None


def _is_web_url(url: str) -> bool:
    """Absolute http(s) with a host.  A regex, not ``urlsplit``: this runs for every link and image."""
    if _WEB_URL.match(url) is None:
        return False
    if "[" in url or "]" in url:  # only an IPv6 host may use brackets; urlsplit checks them
        try:
            _ = urlsplit(url).port  # raises for a malformed bracketed host
        except ValueError:
            return False
    return True


def _not_in_future(moment: datetime, now: datetime) -> datetime | None:
    return None if moment > now + FUTURE_DATE_TOLERANCE else moment


def _get(obj: Any, key: str) -> Any:
    """A field of a feedparser dict or a feedparser-rs object, None when absent.

    ``dict.get`` skips FeedParserDict's legacy key aliases (``updated`` → ``published``...).
    """
    if obj is None:
        return None
    if isinstance(obj, dict):
        return dict.get(obj, key)
    try:
        return getattr(obj, key, None)
    except Exception:  # a property of the Rust object that cannot convert its value
        return None
