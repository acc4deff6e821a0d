"""The common shape every article body is reduced to before sectioning: a flat list of blocks.

Markdown files, HTML fragments from feeds (``content:encoded``) and trafilatura's extraction of
a whole page all become the same ``[Block]`` list, so sectioning, cleaning and summarizing are
written once and the seed story comes out identical whichever shape it arrives in.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from typing import Iterator, Literal

from lxml import etree
from lxml import html as lxml_html

from bot.articles.words import word_count

BlockKind = Literal["heading", "para"]

#: Longest text we accept as a heading; a longer bold paragraph is body text someone emphasised.
MAX_HEADING_CHARS = 160


@dataclass(frozen=True, slots=True)
class Block:
    """A heading or a paragraph of plain text (inline markup already removed)."""

    kind: BlockKind
    text: str
    #: Heading level 1–6 (0 for paragraphs); a bold-only paragraph counts as level 3.
    level: int = 0


_WS = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def normalize_space(text: str) -> str:
    """Collapse runs of spaces (including non-breaking ones) and trim each line."""
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def looks_like_heading(text: str) -> bool:
    """A bold-only paragraph is a heading when it reads like one: short and not a sentence."""
    text = text.strip()
    if not text or len(text) > MAX_HEADING_CHARS or "\n" in text:
        return False
    if text.endswith((".", ",", ";", "。", "，", "；")) and not text.endswith("..."):
        return False
    return word_count(text) <= 20


# ---------------------------------------------------------------------------------------------
# Markdown (and the plain text of the seed, which uses **bold** paragraphs as headings)
# ---------------------------------------------------------------------------------------------

_ATX = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^(=+|-+)[ \t]*$")
_HR = re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_QUOTE = re.compile(r"^[ \t]*>[ \t]?")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_BOLD_ONLY = re.compile(r"^(\*\*|__)(?P<t>[^*_\n](?:.*?[^*_\n])?)\1[:.]?$")

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_MD_REFLINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EM = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_MD_CODE = re.compile(r"`+([^`]+)`+")
_MD_STRIKE = re.compile(r"~~(.+?)~~")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def strip_inline_markdown(text: str) -> str:
    """Markdown inline syntax → the words a reader sees."""
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REFLINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _MD_CODE.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_EM.sub(r"\2", text)
    text = _MD_STRIKE.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    return htmllib.unescape(text)


def markdown_to_blocks(text: str) -> list[Block]:
    """Markdown (CommonMark's common subset) → blocks; `**Bold**` paragraphs become headings."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if not para:
            return
        lines = list(para)
        para.clear()
        first = lines[0].strip()
        bold = _BOLD_ONLY.match(first)
        if bold and looks_like_heading(bold.group("t")):
            blocks.append(Block("heading", normalize_space(strip_inline_markdown(bold.group("t"))), 3))
            lines = lines[1:]
            if not lines:
                return
        body = normalize_space(strip_inline_markdown(" ".join(line.strip() for line in lines)))
        if body:
            blocks.append(Block("para", body))

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    in_fence = False
    fence: list[str] = []
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            if in_fence:
                code = normalize_space("\n".join(fence))
                if code:
                    blocks.append(Block("para", code))
                fence.clear()
            else:
                flush()
            in_fence = not in_fence
            continue
        if in_fence:
            fence.append(line)
            continue
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        atx = _ATX.match(stripped)
        if atx:
            flush()
            title = normalize_space(strip_inline_markdown(atx.group(2)))
            if title:
                blocks.append(Block("heading", title, len(atx.group(1))))
            continue
        if para and len(para) == 1 and _SETEXT.match(stripped) and not _LIST_ITEM.match(para[0]):
            title = normalize_space(strip_inline_markdown(para.pop()))
            if title:
                blocks.append(Block("heading", title, 1 if stripped.startswith("=") else 2))
            continue
        if _HR.match(stripped):
            flush()
            continue
        if _LIST_ITEM.match(line):
            flush()
            para.append(_LIST_ITEM.sub("", line, count=1))
            continue
        para.append(_QUOTE.sub("", line))
    if in_fence and fence:
        para.extend(fence)
    flush()
    return blocks


def text_to_blocks(text: str) -> list[Block]:
    """Plain text: paragraphs at blank lines.  Bold markers (as in the seed) still mark headings."""
    return markdown_to_blocks(text)


# ---------------------------------------------------------------------------------------------
# HTML, and trafilatura's XML (its <head>, <hi rend="#b">, <list>/<item> vocabulary)
# ---------------------------------------------------------------------------------------------

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = frozenset(
    "p div section article main header li item dd dt blockquote quote pre ul ol dl list table tr row "
    "td th cell tbody thead tfoot center address details summary body html br lb hr".split()
)
_SKIP_TAGS = frozenset(
    "script style noscript template iframe svg math form button select textarea input nav aside "
    "figure figcaption graphic img video audio picture source object embed canvas map footer head-meta".split()
)
_BOLD_TAGS = frozenset({"strong", "b"})


def _tag(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _is_bold(el: etree._Element, tag: str) -> bool:
    return tag in _BOLD_TAGS or (tag == "hi" and "#b" in (el.get("rend") or ""))


def _heading_level(el: etree._Element, tag: str) -> int:
    if tag in _HEADINGS:
        return _HEADINGS[tag]
    if tag == "head":  # trafilatura's heading element: <head rend="h2">
        rend = el.get("rend") or "h2"
        return _HEADINGS.get(rend.lower(), 2)
    return 0


class _Walker:
    """Walks a tree once, emitting a block at every block-level boundary.

    Each pending text run remembers whether all of it sat inside bold tags, which is how
    ``<p><strong>Heading</strong></p>`` is told from a paragraph that merely contains bold words.
    """

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.all_bold = True

    def add_text(self, text: str | None, bold: bool) -> None:
        if text and text.strip():
            self.parts.append(text)
            if not bold:
                self.all_bold = False
        elif text:
            self.parts.append(text)

    def flush(self) -> None:
        text = normalize_space("".join(self.parts))
        text = " ".join(text.split("\n")) if text else text
        if text:
            if self.all_bold and looks_like_heading(text):
                self.blocks.append(Block("heading", text, 3))
            else:
                self.blocks.append(Block("para", text))
        self.parts = []
        self.all_bold = True

    def walk(self, el: etree._Element, bold: bool = False, depth: int = 0) -> None:
        tag = _tag(el)
        if not tag or tag in _SKIP_TAGS or depth > 200:
            return
        level = _heading_level(el, tag)
        if level:
            self.flush()
            text = normalize_space(heading_text(el))
            text = " ".join(text.split("\n"))
            if text:
                self.blocks.append(Block("heading", text[: MAX_HEADING_CHARS * 2], level))
            return
        is_block = tag in _BLOCK_TAGS
        if is_block:
            self.flush()
        if tag in ("br", "lb"):
            return
        inner_bold = bold or _is_bold(el, tag)
        self.add_text(el.text, inner_bold)
        for child in el:
            self.walk(child, inner_bold, depth + 1)
            if _tag(child) in ("br", "lb") and self.parts:
                self.parts.append("\n")
            self.add_text(child.tail, inner_bold)
        if is_block:
            self.flush()


def heading_text(el: etree._Element) -> str:
    """A heading's text as a browser shows it: inline elements run together ("Game D<b>ay</b>" is
    "Game Day"), a line break or a block inside it parts words, and what is never shown is left out."""
    parts: list[str] = []

    def visit(node: etree._Element, depth: int) -> None:
        for child in node:
            tag = _tag(child)
            if tag and tag not in _SKIP_TAGS and depth < 200:
                parts.append(" " if tag in _BLOCK_TAGS else "")
                parts.append(child.text or "")
                visit(child, depth + 1)
                parts.append(" " if tag in _BLOCK_TAGS else "")
            parts.append(child.tail or "")

    parts.append(el.text or "")
    visit(el, 0)
    return "".join(parts)


def element_to_blocks(root: etree._Element) -> list[Block]:
    """Blocks from an already parsed HTML or trafilatura XML tree."""
    walker = _Walker()
    walker.walk(root)
    walker.flush()
    return walker.blocks


def html_to_blocks(markup: str) -> list[Block]:
    """An HTML fragment (a feed's content:encoded) or page body → blocks; never raises on junk."""
    if not markup or not markup.strip():
        return []
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return text_to_blocks(_HTML_TAG.sub(" ", markup))
    drop_hover_cards(root)
    return element_to_blocks(root)


#: A paragraph or list item at least this share link text is links, not prose.
LINK_SHARE = 0.9


def is_links(el: etree._Element, min_chars: int = 1, *, share: float = LINK_SHARE) -> bool:
    """At least ``min_chars`` of text, at least ``share`` of it inside links."""
    text = len(el.text_content().strip())
    return text >= min_chars and sum(len(a.text_content().strip()) for a in el.iter("a")) >= share * text


def remove_keeping_tail(el: etree._Element) -> None:
    """Take ``el`` out of the tree; the text after it is not part of it and stays."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


#: Inline elements inside a paragraph that hold at least three links: candidates for a hover card.
_INLINE_LINK_CLUSTERS = etree.XPath("//p//*[self::span or self::div or self::em or self::strong][count(.//a) >= 3]")
#: A cluster shorter than this is a sentence's own links ("on Twitter, Facebook and Instagram").
_MIN_CLUSTER_CHARS = 80


def drop_hover_cards(root: etree._Element) -> None:
    """Take out the lists of links a paragraph carries for a card shown on hover.

    Sites put a card inside the sentence that names a person or a topic — the name, a photo, the
    latest headlines about them, "MORE" — which a style sheet hides until the pointer is over the
    name; without styles it is text in the middle of the sentence ("Rep. Ilhan OmarIlhan
    OmarHillicon Valley: Progressives oppose… MORE (D-Minn.)").  Such a card is an inline element
    of at least three links and 80 characters, nearly all of it link text; the innermost one goes,
    so the name the sentence needs (a link outside the card) stays.
    """
    for el in reversed(_INLINE_LINK_CLUSTERS(root)):  # the innermost first
        if len(el.findall(".//a")) >= 3 and is_links(el, _MIN_CLUSTER_CHARS):
            remove_keeping_tail(el)


def iter_text(blocks: list[Block]) -> Iterator[str]:
    """Every block's text in order (used to fingerprint and to search)."""
    for block in blocks:
        yield block.text
