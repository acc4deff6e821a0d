"""Text helpers every layout shares: make article text harmless in Discord and fit it to a limit.

Order matters: article text is escaped first (``safe_text``) and cut afterwards, so the limits
are measured on what Discord will count.  The cutters never leave a lone backslash at a cut, which
would escape the ellipsis and un-escape the first character of the next part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.render.limits import URL_LIMIT

ELLIPSIS = "…"
ZWSP = "\u200b"

# One pass over the text, left to right: bare links are kept as they are (Discord links them
# before it reads Markdown, and a backslash would break them), inline Markdown characters get a
# backslash, and so does a block marker (quote, heading, list, subtext) at the start of a line.
_ESCAPE_RE = re.compile(
    r"(?P<url>https?://[^\s<>]*[^\s<>.,:;!?\"'\])])"
    r"|(?P<char>[\\*_~`|\[\]])"
    r"|^(?P<block>[ \t]*(?:>|#|-|\+|\d+(?=\.\s)))",
    re.MULTILINE,
)
_EVERYONE_RE = re.compile(r"@(?=(?:everyone|here)\b)", re.IGNORECASE)
# <@123> user, <@!123> nickname, <@&123> role, <#123> channel, </name:123> command mentions.
_TAG_RE = re.compile(r"<[@#](?=[!&]?\d)|</(?=[\w -]+:\d+>)")
#: The same but channel mentions, which ping no one.
_PING_TAG_RE = re.compile(r"<@(?=[!&]?\d)|</(?=[\w -]+:\d+>)")
_URL_OK_RE = re.compile(r"^https?://[^/\s?#]+", re.IGNORECASE)
# Characters that would end a URL early inside <…> or a [text](…) masked link.
_URL_QUOTE = {" ": "%20", "<": "%3C", ">": "%3E", '"': "%22", "(": "%28", ")": "%29", "`": "%60"}
_PARAGRAPH_SEP_RE = re.compile(r"(\n[ \t]*\n\s*)")
#: Where one sentence ends and the next begins: the space after a Latin mark; after a full-width
#: one (。！？: Chinese and Japanese put no space after it) whatever follows, but after one that
#: closes a quotation only a space, another quotation or the end ("「…。」と話した" goes on).
_SENTENCE_SEP_RE = re.compile(
    r"((?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+"
    r"|(?<=[。！？｡])(?![」』）”’】])\s*"
    r"|(?<=[。！？｡][」』）”’】])(?=[\s「『（“]|$)\s*)"
)
_WORD_SEP_RE = re.compile(r"(\s+)")
_ABBREVIATION_RE = re.compile(r"(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gen|Sen|Rep|vs|No|Inc|Corp|Co)\.")


def _escape_one(match: re.Match[str]) -> str:
    if match.group("url"):
        return match.group("url")
    if char := match.group("char"):
        return "\\" + char
    block = match.group("block")
    if block[-1].isdigit():
        return block + "\\"  # the "." of "1. " follows the match
    return block[:-1] + "\\" + block[-1]


def escape_markdown(text: str) -> str:
    """Backslash every Markdown character Discord would act on, so article text shows as written.

    Covers ``* _ ~ ` | [ ] \\`` anywhere (which also breaks ``[text](url)`` masked links, the
    phishing-friendly form) and ``> # - + 1.`` at the start of a line.  Bare URLs are left alone.
    """
    return _ESCAPE_RE.sub(_escape_one, text)


def neutralize_mentions(text: str, *, channel_links: bool = False) -> str:
    """Put a zero-width space into every mention so none can ping, even without allowed_mentions.

    ``channel_links`` keeps ``<#id>`` working: a channel mention pings no one, and the bot's own
    notices name channels ("I cannot post in <#…>") for the admin to click.
    """
    text = _EVERYONE_RE.sub("@" + ZWSP, text)
    return (_PING_TAG_RE if channel_links else _TAG_RE).sub(lambda m: m.group(0) + ZWSP, text)


def safe_text(text: str) -> str:
    """Article text as it may appear where Discord renders Markdown: escaped and unable to ping."""
    return neutralize_mentions(escape_markdown(text))


def one_line(text: str) -> str:
    """Collapse all whitespace, newlines included, to single spaces (titles, names, bylines)."""
    return " ".join(text.split())


def safe_url(url: str | None, *, limit: int = URL_LIMIT) -> str | None:
    """An http(s) URL Discord accepts and Markdown cannot mangle, or None when there is none usable.

    Discord rejects a whole message for one malformed embed URL, so a bad URL is dropped, not sent;
    a URL that is too long is dropped rather than cut, since a cut URL leads nowhere.
    """
    if url is None:
        return None
    url = url.strip()
    if not _URL_OK_RE.match(url) or any(ord(c) < 32 for c in url):
        return None
    url = "".join(_URL_QUOTE.get(c, c) for c in url)
    return url if len(url) <= limit else None


def _hard_cut(text: str, n: int) -> int:
    """Largest cut point ≤ n that does not leave an escaping backslash dangling at the end."""
    n = min(n, len(text))
    run = len(text[:n]) - len(text[:n].rstrip("\\"))
    return n - 1 if run % 2 and n > 1 else n


def truncate(text: str, limit: int) -> str:
    """``text`` if it fits, else its longest prefix ending at a word boundary plus "…".

    The result never exceeds ``limit``.  When even the first word does not fit, it is hard-cut and
    marked with "…" the same way.
    """
    if limit < 1:
        raise ValueError(f"truncate: limit must be at least 1, got {limit}")
    if len(text) <= limit:
        return text
    room = limit - 1
    window = text[: room + 1]
    for i in range(len(window) - 1, 0, -1):
        if window[i].isspace():
            kept = text[:i].rstrip()
            if kept:
                return kept[: _hard_cut(kept, len(kept))] + ELLIPSIS
            break
    return text[: _hard_cut(text, room)] + ELLIPSIS


def _pieces(text: str, sep_re: re.Pattern[str]) -> Iterator[tuple[str, str]]:
    """(separator before, piece) pairs of ``text`` split by ``sep_re`` (which captures the sep)."""
    parts = sep_re.split(text)
    yield "", parts[0]
    for i in range(1, len(parts) - 1, 2):
        yield parts[i], parts[i + 1]


_LEVELS = (_PARAGRAPH_SEP_RE, _SENTENCE_SEP_RE, _WORD_SEP_RE)


def _atoms(text: str, limit: int, level: int = 0) -> Iterator[tuple[str, str]]:
    """(separator, atom) pairs, every atom ≤ limit: paragraphs, else sentences, else words, else
    hard-cut slices.  A hard slice that is not the word's last is exactly ``limit`` long and ends
    in "…", so the packer can never glue anything after it."""
    for sep, piece in _pieces(text, _LEVELS[level]):
        if not piece:
            continue
        if len(piece) <= limit:
            yield sep, piece
        elif level + 1 < len(_LEVELS):
            for i, atom in enumerate(_atoms(piece, limit, level + 1)):
                yield (sep if i == 0 else atom[0]), atom[1]
        else:
            rest = piece
            while len(rest) > limit:
                cut = _hard_cut(rest, limit - 1)
                yield sep, rest[:cut] + ELLIPSIS
                rest, sep = rest[cut:], ""
            yield sep, rest


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, losing nothing but whitespace.

    Cuts fall between paragraphs when possible, else between sentences, else between words; a word
    longer than ``limit`` is cut inside and every such part ends with "…".  Whitespace inside a
    part is kept as written; whitespace at a cut is dropped.  Blank text gives [].
    """
    if limit < 2:
        raise ValueError(f"split_text: limit must be at least 2, got {limit}")
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for sep, atom in _atoms(text, limit):
        if not current:
            current = atom
        elif len(current) + len(sep) + len(atom) <= limit:
            current += sep + atom
        else:
            parts.append(current)
            current = atom
    if current:
        parts.append(current)
    return parts


_BLOCK_START_RE = re.compile(r"[ \t]*(?:>|#|-|\+|\d+(?=\.\s))")


def escape_line_start(text: str) -> str:
    """Escape a block marker that a cut has moved to the start of a part (``a > b`` → ``> b``)."""
    match = _BLOCK_START_RE.match(text)
    if not match:
        return text
    block, rest = match.group(0), text[match.end() :]
    if block[-1].isdigit():
        return block + "\\" + rest
    return block[:-1] + "\\" + block[-1] + rest


def split_safe(text: str, limit: int) -> list[str]:
    """``safe_text(text)`` split into parts of at most ``limit``, each safe to show on its own.

    Parts are cut one character short so a block marker that a cut leaves at the start of a
    part can still get its backslash.
    """
    return [escape_line_start(part) for part in split_text(safe_text(text), limit - 1)]


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, on one line; abbreviations like "U.S." do not end it."""
    text = one_line(text)
    for match in _SENTENCE_SEP_RE.finditer(text):
        words = text[: match.start()].split()
        if words and _ABBREVIATION_RE.fullmatch(words[-1].lstrip("\"'“‘(")):
            continue
        return text[: match.start()]
    return text
