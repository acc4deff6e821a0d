"""OPML feed lists in and out: how admins bring their feeds from another reader, and take them away.

    bytes ─► parse_opml ─► Opml(title, feeds, skipped)        feeds ─► render_opml ─► OPML 2.0 bytes
                            └─► feed_names (config names)

Pure: no network, no discord, no aiohttp.  An OPML file comes from elsewhere, so it is parsed as
hostile input: through defusedxml, which refuses entity declarations (billion laughs, quadratic
blowup) and external entities or DTDs instead of expanding or fetching them, and only up to
:data:`MAX_OPML_BYTES`.  What is not a usable feed (a relative or non-http URL, a duplicate, an
outline of another type) is not an error: it is listed in ``Opml.skipped`` with its reason, so an
import adds everything else and says what it left out.  A file that is not OPML at all raises
ConfigError naming the file, the line when known, and what is wrong.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from pydantic import TypeAdapter, ValidationError

from bot.config.fieldtypes import HttpUrl, slugify
from bot.errors import ConfigError

#: Largest OPML file read (an export of thousands of feeds is well under 1 MiB).
MAX_OPML_BYTES = 5 * 1024 * 1024
#: ``type`` values of a feed outline; most readers write "rss" for Atom and JSON Feed too.
FEED_TYPES = frozenset({"rss", "atom"})
#: Longest config name (bot.config.fieldtypes: names are at most 64 characters).
MAX_NAME = 64

_URL = TypeAdapter(HttpUrl)
#: Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class OpmlFeed:
    """One feed outline of an OPML file."""

    #: The outline's ``text`` attribute (what readers show), else its ``title``; "" when it has neither.
    title: str
    #: ``xmlUrl``: the feed's absolute http(s) URL.
    xml_url: str
    #: ``htmlUrl``: the site's home page, when given as an http(s) URL.
    html_url: str | None = None
    #: The folders it sits in, outermost first (outlines without an xmlUrl are folders).
    category: tuple[str, ...] = ()
    #: Line of the outline in the file (0 when not read from a file); not part of equality.
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class OpmlSkip:
    """An outline that names a feed newsbot cannot use, and why."""

    #: Line of the outline in the file.
    line: int
    #: Its text or title ("" when it has none).
    title: str
    #: Its xmlUrl as written ("" when it has none).
    url: str
    #: Why it was left out, for the admin.
    reason: str


@dataclass(frozen=True)
class Opml:
    """What an OPML file lists."""

    #: ``<head><title>``, "" when absent.
    title: str
    #: Usable feeds, in file order, each URL once.
    feeds: tuple[OpmlFeed, ...]
    #: Outlines left out, in file order.
    skipped: tuple[OpmlSkip, ...]


# --- reading ----------------------------------------------------------------------------------


def read_opml(path: Path) -> Opml:
    """Read and parse the OPML file at ``path`` (at most :data:`MAX_OPML_BYTES` of it)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_OPML_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found", file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file: {exc.strerror or exc}", file=str(path)) from exc
    return parse_opml(data, str(path))


def parse_opml(data: bytes, source: str) -> Opml:
    """Parse OPML 1.0/2.0 ``data`` (read from ``source``, named in errors) into its feeds.

    Raises ConfigError when the bytes are not OPML: empty, too large, not well-formed XML (with the
    line), another root element, no ``<body>``, or XML that declares entities or refers to
    external files — those are refused before anything is expanded or fetched.
    """
    if not data.strip():
        raise _error(source, None, "the file is empty — export the feed list as OPML again")
    if len(data) > MAX_OPML_BYTES:
        size = f"{MAX_OPML_BYTES // (1024 * 1024)} MiB"
        raise _error(source, None, f"the file is larger than {size} — too large for a feed list")
    handler = _OutlineHandler()
    try:
        defusedxml.sax.parseString(data, handler, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except SAXParseException as exc:
        raise _error(source, exc.getLineNumber(), f"not well-formed XML: {exc.getMessage()}") from exc
    except EntitiesForbidden as exc:
        raise _error(
            source,
            handler.line,
            f"the file declares the XML entity {exc.name!r} — refused: OPML never needs entities, and "
            "expanding them is how 'billion laughs' files exhaust memory",
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise _error(
            source,
            handler.line,
            f"the file refers to the external file {exc.sysid!r} — refused: an OPML list is read on its own",
        ) from exc
    except DefusedXmlException as exc:
        raise _error(source, handler.line, f"refused: {exc}") from exc
    except _NotOpml as exc:
        raise _error(source, exc.line, str(exc)) from None
    if not handler.saw_body:
        raise _error(source, None, "no <body> element — an OPML file lists its feeds under <opml><body>")
    return Opml(title="".join(handler.title_parts).strip(), feeds=tuple(handler.feeds), skipped=tuple(handler.skipped))


def _error(source: str, line: int | None, message: str) -> ConfigError:
    where = f"{source}:{line}" if line else source
    return ConfigError(f"{where}: {message}", file=source)


class _NotOpml(Exception):
    """Raised from inside the SAX handler when the document is XML but not OPML."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class _OutlineHandler(ContentHandler):
    """SAX handler collecting feed outlines; each open outline pushes its folder name (or None)."""

    def __init__(self) -> None:
        super().__init__()
        self.locator: Locator | None = None
        self.depth = 0
        self.in_body = False
        self.saw_body = False
        self.in_title = False
        self.title_parts: list[str] = []
        self.folders: list[str | None] = []
        self.feeds: list[OpmlFeed] = []
        self.skipped: list[OpmlSkip] = []
        self.seen: dict[str, int] = {}

    @property
    def line(self) -> int:
        return self.locator.getLineNumber() if self.locator is not None else 0

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX's name)
        self.locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802
        self.depth += 1
        if self.depth == 1:
            if name != "opml":
                is_feed = name in ("rss", "feed", "rdf:RDF")
                hint = " — this looks like a feed itself; add it with its URL instead" if is_feed else ""
                raise _NotOpml(self.line, f"the root element is <{name}>, not <opml>{hint}")
        elif self.depth == 2 and name == "body":
            self.in_body = self.saw_body = True
        elif self.depth == 3 and name == "title" and not self.in_body:
            self.in_title = True
        elif self.in_body and name == "outline":
            self.folders.append(self._outline({key: attrs.getValue(key) for key in attrs.getNames()}))

    def endElement(self, name: str) -> None:  # noqa: N802
        if self.in_body and name == "outline" and self.folders:
            self.folders.pop()
        elif self.depth == 2 and name == "body":
            self.in_body = False
        self.in_title = False
        self.depth -= 1

    def characters(self, content: str) -> None:
        if self.in_title:
            self.title_parts.append(content)

    def _outline(self, attrs: dict[str, str]) -> str | None:
        """Record one outline; return its folder name if it is a folder (no xmlUrl), else None."""
        title = (attrs.get("text") or attrs.get("title") or "").strip()
        url = (attrs.get("xmlUrl") or attrs.get("xmlurl") or "").strip()
        kind = (attrs.get("type") or "").strip().lower()
        if not url:
            if kind in FEED_TYPES:
                self._skip(title, url, f'type="{kind}" but no xmlUrl — the outline does not say where the feed is')
            return title or None
        if kind and kind not in FEED_TYPES:
            self._skip(title, url, f'type="{kind}" is not a feed (rss or atom)')
            return None
        reason = url_problem(url)
        if reason is not None:
            self._skip(title, url, reason)
        elif url in self.seen:
            self._skip(title, url, f"the same URL is listed at line {self.seen[url]} already")
        else:
            self.seen[url] = self.line
            html = (attrs.get("htmlUrl") or attrs.get("htmlurl") or "").strip()
            self.feeds.append(
                OpmlFeed(
                    title=title,
                    xml_url=url,
                    html_url=html if html and url_problem(html) is None else None,
                    category=tuple(name for name in self.folders if name),
                    line=self.line,
                )
            )
        return None

    def _skip(self, title: str, url: str, reason: str) -> None:
        self.skipped.append(OpmlSkip(line=self.line, title=title, url=url, reason=reason))


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a feed's URL in the config (the config's own rule), or None if it can."""
    if not urlsplit(url).scheme:
        return f"{url!r} is a relative URL — OPML has no base address to resolve it against"
    try:
        _URL.validate_python(url)
    except ValidationError as exc:
        return str(exc.errors()[0].get("ctx", {}).get("error") or exc.errors()[0]["msg"])
    return None


# --- names ------------------------------------------------------------------------------------


def feed_names(feeds: Iterable[OpmlFeed]) -> list[str]:
    """A config name for each feed, from its title (else its URL's host), unique among them.

    Names follow the config's rule (lowercase letters, digits, '-', '_'; at most 64); accents are
    folded ("Café" → "cafe"), and a repeat gets "-2", "-3"…  Names already in the config are the
    caller's business: an import skips those feeds rather than renaming them.
    """
    names: list[str] = []
    taken: set[str] = set()
    for feed in feeds:
        name = unique_name(name_for(feed.title, feed.xml_url), taken)
        taken.add(name)
        names.append(name)
    return names


def name_for(title: str | None, url: str) -> str:
    """A feed's config name from its title, else its URL's host ("新浪新闻" has no letter a name
    may hold: "sina-com-cn"), else "feed"; accents folded ("Café" → "cafe")."""
    return _slug(title or "") or _slug(urlsplit(url).hostname or "") or "feed"


def unique_name(base: str, taken: Container[str]) -> str:
    """``base``, or ``base`` with "-2", "-3"… (cut to the config's 64 characters) if it is taken."""
    name, number = base, 1
    while name in taken:
        number += 1
        suffix = f"-{number}"
        name = base[: MAX_NAME - len(suffix)].rstrip("-_") + suffix
    return name


def _slug(text: str) -> str:
    """``slugify`` after folding accents; "" when nothing of ``text`` survives."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return slugify(folded) if re.search(r"[A-Za-z0-9]", folded) else ""


# --- writing ----------------------------------------------------------------------------------


def render_opml(feeds: Sequence[OpmlFeed], *, title: str, now: datetime) -> bytes:
    """OPML 2.0 of ``feeds`` (UTF-8, escaped), each inside its folders; ``now`` dates the file."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_text(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    folders: dict[tuple[str, ...], ET.Element] = {(): ET.SubElement(root, "body")}
    for feed in feeds:
        parent = _folder(folders, tuple(_xml_text(name) for name in feed.category))
        # OPML 2.0 requires ``text``: an untitled feed shows its URL.
        attrs = {"type": "rss", "text": feed.title or feed.xml_url, "title": feed.title, "xmlUrl": feed.xml_url}
        attrs["htmlUrl"] = feed.html_url or ""
        ET.SubElement(parent, "outline", {key: _xml_text(value) for key, value in attrs.items() if value})
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode()


def _folder(folders: dict[tuple[str, ...], ET.Element], path: tuple[str, ...]) -> ET.Element:
    """The outline element of folder ``path``, made (with its parents) the first time it is needed."""
    if path not in folders:
        parent = _folder(folders, path[:-1])
        folders[path] = ET.SubElement(parent, "outline", {"text": path[-1], "title": path[-1]})
    return folders[path]


def _xml_text(text: str) -> str:
    """``text`` without the characters XML cannot hold (ElementTree would write them, invalid)."""
    return _NOT_XML.sub("", text)
