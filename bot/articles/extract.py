"""A whole HTML page → its article's blocks and metadata, site chrome dropped.

trafilatura does the hard part (finding the article among menus, trending lists, footers); it
scored best among open-source extractors on the Article Extraction Benchmark, which bench/quality.py
reproduces.  We ask it for its XML tree, which keeps headings (<head rend="h2">) and bold
paragraphs (<hi rend="#b">), so sections survive extraction.

Settings, each measured with bench/quality.py on the benchmark's 181 pages:

* ``fast=True`` skips trafilatura's second-opinion extractors (readability, jusText): on these
  pages they cost ~2 ms a page and *lowered* F1 slightly, and the boilerplate they would catch
  is what clean.py removes anyway.
* ``favor_recall=True``: our own cleaning (clean.py) drops the chrome that recall mode lets
  through, so recall mode gives a higher F1 after cleaning; it also skips the balanced mode's
  "page coverage" check, which renders the whole page as text a second time (~2 ms).
* The page's metadata (title, byline, date, site name, image) is read here from its ``<meta>``
  tags and JSON-LD, not by trafilatura, whose full metadata pass (date guessing, categories,
  tags, licence) cost ~4 ms a page for fields newsbot never shows.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Extractor

from bot.articles.blocks import Block, drop_hover_cards, element_to_blocks, is_links, remove_keeping_tail
from bot.articles.clean import is_related_label
from bot.articles.titles import may_carry_site_name, without_site_name

#: trafilatura's fast mode skips its second-opinion extractors; bench/quality.py measures the cost.
FAST_EXTRACTION = True
#: Recall-oriented extraction; clean.py removes what it lets through.
FAVOR_RECALL = True
#: Metadata text longer than this is not a title, name or site name.
MAX_META_CHARS = 300
#: JSON-LD blocks larger than this are not read (a hostile page could ship megabytes).
MAX_JSON_LD_CHARS = 200_000

#: trafilatura's options, built once: building them reads its config file (~0.3 ms a page).
#: ``url`` is left unset: it only serves link resolution, and links are not kept.
_OPTIONS = Extractor(
    output_format="xml",  # we walk doc.body ourselves; skips rendering it as text
    fast=FAST_EXTRACTION,
    recall=FAVOR_RECALL,
    comments=False,
    formatting=True,
    tables=True,
    images=False,
    with_metadata=False,
)

#: Elements whose content never reaches the article: trafilatura deletes every one of them while
#: cleaning (and the parser drops comments).  Cutting them from the markup before parsing halves
#: a typical page (scripts and inline SVG are most of its bytes) and saves ~1.5 ms a page, with
#: the same F1 on the benchmark.  JSON-LD scripts stay: they carry the metadata.
_RAW_TEXT_TAGS = ("script", "style")  # end at their first closing tag, whatever they contain
_NESTING_TAGS = (
    "svg", "noscript", "nav", "aside", "footer", "iframe", "select", "button",
    "video", "audio", "canvas", "object", "map", "dialog", "menu",
)
#: Empty elements trafilatura also deletes when ``images=False`` (an <img> with its srcset is often
#: the longest tag of a paragraph); they hold no text, so they go with their tag.
_VOID_TAGS = ("img", "source", "link", "input")
_DEAD_START = re.compile(
    r"<!--|<(" + "|".join(_RAW_TEXT_TAGS + _NESTING_TAGS + _VOID_TAGS) + r")(?=[\s/>])([^<>]{0,2000})>", re.IGNORECASE
)
_DEAD_EDGE = {
    tag: re.compile(rf"<(/?){tag}(?=[\s/>])[^<>]{{0,2000}}>", re.IGNORECASE) for tag in _RAW_TEXT_TAGS + _NESTING_TAGS
}
_JSON_LD = re.compile(r"application/ld\+json", re.IGNORECASE)

# trafilatura logs every page it finds too short at WARNING; that is ours to report, not its.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What a page says about its article."""

    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    sitename: str | None = None
    image: str | None = None


def looks_like_page(markup: str) -> bool:
    """A whole document (needs extraction) rather than a feed's HTML fragment."""
    head = markup[:4096].lower()
    return "<html" in head or "<body" in head or "<!doctype html" in head


def extract_page(markup: str, *, url: str | None = None, with_metadata: bool = True) -> ExtractedPage:
    """Extract the article of an HTML page; falls back to the page's visible blocks if nothing is found.

    ``url`` is accepted for callers that know it; extraction does not need it (links are not kept).
    """
    try:
        tree = trafilatura.load_html(strip_dead_elements(markup))
    except Exception:  # noqa: BLE001 - a hostile page must never crash the bot
        tree = None
    if tree is None:
        return ExtractedPage(blocks=_fallback_blocks(markup))
    meta = read_metadata(tree) if with_metadata else {}
    # Read; trafilatura would strip them all anyway, and every XPath it runs visits them first
    # (~35 a page): ~0.15 ms a page.
    etree.strip_elements(tree, "meta", with_tail=False)
    drop_hover_cards(tree)
    paragraphs_from_loose_text(tree)
    try:
        doc = trafilatura.bare_extraction(tree, options=_OPTIONS)
    except Exception:  # noqa: BLE001 - a hostile page must never crash the bot; fall back below
        doc = None
    if doc is None or doc.body is None:
        blocks = _fallback_blocks(markup)
    else:
        blocks = element_to_blocks(doc.body)
        blocks += continued_blocks(tree, blocks)
    if not with_metadata:
        return ExtractedPage(blocks=blocks)
    return ExtractedPage(
        blocks=blocks,
        title=meta.get("title"),
        author=_clean_author(meta.get("author")),
        published=_parse_date(meta.get("published")),
        sitename=meta.get("sitename"),
        image=meta.get("image"),
    )


#: Containers a body is split into; a paragraph's nearest one with a class names the body's kind.
_CONTAINER_TAGS = ("div", "section")
#: Characters of a paragraph compared to find it again in the page.
_FIND_CHARS = 40
#: The page's paragraphs that open with ``$start`` (whitespace collapsed, as the blocks' text is).
_PARAGRAPH_STARTING = etree.XPath("//p[starts-with(normalize-space(.), $start)]")


def continued_blocks(tree: etree._Element, blocks: list[Block]) -> list[Block]:
    """The rest of an article whose body the page splits into several containers of one class.

    Some sites cut the body into stretches between ads, each in its own ``<div class="…body…">``
    (Wired and the other Condé Nast titles do); trafilatura keeps the first stretch only, so a
    reader got a third of the story.  When the extraction's last paragraph sits in such a
    container and later containers of the very same tag and class follow it, inside the same
    ``<article>`` (a page that appends the next story puts it in another), their blocks are the
    article's continuation — up to a label of other stories ("More Great WIRED Stories"), and
    without lists or paragraphs that are all links, which trafilatura would have dropped too.
    Blocks already extracted are not repeated.
    """
    last = next((b.text for b in reversed(blocks) if b.kind == "para"), None)
    if not last:
        return []
    # Found again by its opening words, in C (XPath); one whose spacing the page spells otherwise
    # is simply not found, and nothing is added.
    matches = _PARAGRAPH_STARTING(tree, start=last[:_FIND_CHARS])
    if not matches:
        return []
    found = matches[0]
    container = next((a for a in found.iterancestors(*_CONTAINER_TAGS) if (a.get("class") or "").strip()), None)
    if container is None:
        return []
    article = next(found.iterancestors("article"), None)
    scope = article if article is not None else container.getparent()
    if scope is None:
        return []
    kind = container.get("class")
    later: list[etree._Element] = []
    after = False
    for el in scope.iter(container.tag):
        if el is container:
            after = True
        elif after and el.get("class") == kind and not any(a is container for a in el.iterancestors()):
            later.append(el)
    seen = {b.text for b in blocks}
    extra: list[Block] = []
    for el in later:
        _drop_link_lists(el)
        for block in element_to_blocks(el):
            if is_related_label(block.text):
                return extra
            if block.text not in seen:
                seen.add(block.text)
                extra.append(block)
    return extra


def _drop_link_lists(container: etree._Element) -> None:
    """Take out the list items and paragraphs that are nothing but links (other stories, tags)."""
    doomed = [el for el in container.iter("li", "p") if is_links(el)]
    for el in doomed:
        remove_keeping_tail(el)


#: Divs holding a run of loose text (not inside any child element) long enough to be prose, and
#: line breaks: a story set in paragraphs parted by <br><br>.  Without the line breaks the rule
#: also caught captions, credits and newsletter boxes (a div of loose text), which trafilatura
#: then kept as paragraphs (F1 0.978 → 0.977 on the benchmark); with them precision and recall
#: each rose 0.001 (F1 0.978 at three decimals) and MacRumors' stories keep their opening.
_LOOSE_TEXT_DIVS = etree.XPath("//div[br][text()[string-length(normalize-space()) > 40]]")
#: What is not phrasing content: a run of loose text ends at one of these.
_NOT_PHRASING = frozenset(
    "address article aside blockquote center details dialog div dl figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr main nav ol p pre section table ul li".split()
)


def paragraphs_from_loose_text(tree: etree._Element) -> None:
    """Wrap the loose text of a div, and the inline elements beside it, into paragraphs.

    Some sites write a story as text straight inside a ``<div>``, paragraphs parted by ``<br><br>``,
    with its links and emphasis beside it (MacRumors does); trafilatura then kept only the
    pieces inside elements — a story began at "DigiTimes. A preview of the report…", its
    opening sentence gone.  Readability's rule, applied first: each run of such phrasing content
    between two blocks or two line breaks becomes a ``<p>``; a single line break stays inside it.
    """
    for div in _LOOSE_TEXT_DIVS(tree):
        _wrap_runs(div)


def _wrap_runs(div: etree._Element) -> None:
    nodes: list[etree._Element | str] = [div.text] if div.text else []
    for child in div:
        nodes.append(child)
        if child.tail:
            nodes.append(child.tail)
            child.tail = None
    div.text = None
    for child in list(div):
        div.remove(child)
    runs = _Runs(div)
    for node in nodes:
        runs.add(node)
    runs.end_paragraph()


class _Runs:
    """A div's content put back into it: runs of phrasing content as paragraphs, blocks as they are."""

    def __init__(self, div: etree._Element) -> None:
        self.div = div
        self.run: list[etree._Element | str] = []
        #: <br>s, and the spaces between them, not yet placed: two end the paragraph, one stays in it.
        self.breaks: list[etree._Element | str] = []

    def add(self, node: etree._Element | str) -> None:
        if isinstance(node, str) and self.breaks and not node.strip():
            self.breaks.append(node)  # the space between two line breaks
            return
        tag = node.tag.lower() if not isinstance(node, str) and isinstance(node.tag, str) else ""
        if tag == "br":
            self.breaks.append(node)
            return
        if tag in _NOT_PHRASING:
            self.breaks.clear()
            self.end_paragraph()
            self.div.append(node)
            return
        if sum(1 for n in self.breaks if not isinstance(n, str)) >= 2:
            self.end_paragraph()
        else:
            self.run.extend(self.breaks)
        self.breaks.clear()
        self.run.append(node)

    def end_paragraph(self) -> None:
        """The run so far as a <p>; a run without text (an image) stays as it was, outside one."""
        has_text = any(n.strip() if isinstance(n, str) else "".join(n.itertext()).strip() for n in self.run)
        parent = self.div.makeelement("p", {}) if has_text else self.div
        for node in self.run:
            if not isinstance(node, str):
                parent.append(node)
            elif not has_text:
                continue  # spaces between blocks
            elif len(parent):
                parent[-1].tail = (parent[-1].tail or "") + node
            else:
                parent.text = (parent.text or "") + node
        if has_text:
            self.div.append(parent)
        self.run.clear()


def strip_dead_elements(markup: str) -> str:
    """The markup without comments, scripts (except JSON-LD), styles and the other never-content elements.

    One left-to-right pass; nested elements of the same kind are matched by depth.  An element
    left open stops the pass (the parser then sees the rest of the page as it is), so the cost
    stays linear in the size of the page whatever it contains.
    """
    parts: list[str] = []
    position = 0
    while True:
        start = _DEAD_START.search(markup, position)
        if start is None:
            break
        if start.group(1) is None:  # a comment: whatever it holds is not markup
            close = markup.find("-->", start.end())
            end: int | None = None if close < 0 else close + 3
        else:
            end = _element_end(markup, start.group(1).lower(), start)
        if end is None:
            break
        if start.group(1) and start.group(1).lower() == "script" and _JSON_LD.search(start.group(2)):
            parts.append(markup[position:end])
        else:
            parts.append(markup[position : start.start()])
        position = end
    if not parts:
        return markup
    parts.append(markup[position:])
    return "".join(parts)


def _element_end(markup: str, tag: str, start: re.Match[str]) -> int | None:
    """Where the element opened by ``start`` ends (after its closing tag); None if it never does."""
    if tag in _VOID_TAGS or start.group(2).rstrip().endswith("/"):
        return start.end()  # <img ...> is whole; <svg ... /> closes itself
    edge = _DEAD_EDGE[tag]
    depth, position = 1, start.end()
    while depth:
        found = edge.search(markup, position)
        if found is None:
            return None
        position = found.end()
        if found.group(1):
            depth -= 1
        elif tag not in _RAW_TEXT_TAGS and not found.group(0).endswith("/>"):
            depth += 1
    return position


def _fallback_blocks(markup: str) -> list[Block]:
    try:
        root = lxml_html.document_fromstring(markup)
    except Exception:  # noqa: BLE001 - unparsable markup yields no blocks, not an exception
        return []
    body = root.find("body")
    return element_to_blocks(body if body is not None else root)


# ---------------------------------------------------------------------------------------------
# Metadata: <meta> tags first (what the publisher declares for link previews), then JSON-LD,
# then the document's own <title>/<h1>/<time>.
# ---------------------------------------------------------------------------------------------

#: <meta> keys (property or name, lowercased) for each field, best first.
_META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "dc.title", "title"),
    "author": ("author", "article:author", "byl", "sailthru.author", "parsely-author", "dc.creator", "twitter:creator"),
    "published": (
        "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
        "publish-date", "date", "dc.date.issued", "dc.date", "sailthru.date", "parsely-pub-date",
    ),
    "sitename": ("og:site_name", "application-name", "twitter:site"),
    "image": ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"),
}
_ARTICLE_TYPES = re.compile(r"(?:News)?Article|BlogPosting|Report|WebPage|LiveBlogPosting", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—·•»:-]\s+")


def read_metadata(tree: etree._Element) -> dict[str, str]:
    """Title, author, published date (ISO text), site name and image URL that the page declares."""
    found: dict[str, str] = {}
    meta_values: dict[str, str] = {}
    for el in tree.iterfind(".//meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if key and content and key not in meta_values:
            meta_values[key] = content
    for name, keys in _META_KEYS.items():
        for key in keys:
            value = meta_values.get(key)
            if value and _usable(name, value):
                found[name] = value[:MAX_META_CHARS] if name != "image" else value
                break
    for name, value in _json_ld_metadata(tree).items():
        if name not in found and _usable(name, value):
            found[name] = value
    if "title" not in found:
        title = _first_text(tree, ".//title") or _first_text(tree, ".//h1")
        if title:
            found["title"] = _TITLE_SEPARATORS.split(title, maxsplit=1)[0] if len(title) > 70 else title
    if "title" in found and may_carry_site_name(found["title"]):
        found["title"] = without_site_name(
            found["title"],
            sitename=found.get("sitename"),
            url=meta_values.get("og:url"),
            heading=_first_text(tree, ".//h1"),
        )
    if "author" not in found:
        author = _first_text(tree, ".//*[@rel='author']") or _first_text(tree, ".//*[@itemprop='author']")
        if author and _usable("author", author):
            found["author"] = author
    if "published" not in found:
        for el in tree.iterfind(".//time[@datetime]"):
            found["published"] = el.get("datetime", "")
            break
    return {k: v.strip() for k, v in found.items() if v and v.strip()}


def _usable(name: str, value: str) -> bool:
    if name == "author":
        # A profile URL or a social handle is no byline.
        return "://" not in value and not value.startswith("@") and len(value) <= 120
    if name == "image":
        return value.startswith(("http://", "https://", "//"))
    return len(value) <= MAX_META_CHARS


def _first_text(tree: etree._Element, path: str) -> str | None:
    for el in tree.iterfind(path):
        text = " ".join("".join(el.itertext()).split())
        if text:
            return text[:MAX_META_CHARS]
    return None


def _json_ld_metadata(tree: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        raw = script.text or ""
        if not raw.strip() or len(raw) > MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # invalid, or nested deep enough to exhaust the stack
            continue
        for item in _json_ld_items(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(isinstance(k, str) and _ARTICLE_TYPES.fullmatch(k) for k in kinds):
                continue
            _take(found, "title", item.get("headline") or item.get("name"))
            _take(found, "author", _names(item.get("author")))
            _take(found, "published", item.get("datePublished") or item.get("dateCreated"))
            _take(found, "sitename", _names(item.get("publisher")))
            _take(found, "image", _url(item.get("image")))
        if len(found) == 5:
            break
    return found


def _json_ld_items(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data[:50]:
            yield from _json_ld_items(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _json_ld_items(data["@graph"], depth + 1)


def _take(found: dict[str, str], name: str, value: Any) -> None:
    if name not in found and isinstance(value, str) and value.strip():
        found[name] = value.strip()


def _names(value: Any) -> str | None:
    """A JSON-LD Person/Organization (or a list of them, or a plain string) → "A, B"."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items[:5]:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            names.append(item["name"])
    names = [n.strip() for n in names if n and n.strip()]
    return ", ".join(names) if names else None


def _url(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url")
    return value if isinstance(value, str) else None


def _clean_author(author: str | None) -> str | None:
    if not author:
        return None
    author = " ".join(author.split())
    if author.lower().startswith("by "):
        author = author[3:].strip()
    return author[:256] or None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
