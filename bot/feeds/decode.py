"""An article page's bytes as text, in the encoding the page is written in.

Pages were decoded as UTF-8 whatever they said, so a Japanese page in Shift_JIS, a Chinese one in
GBK or a Russian one in windows-1251 reached the reader as rows of "�".  The order is the one
browsers follow (WHATWG's encoding sniffing), as w3lib implements it for Scrapy: a byte order
mark, then the charset of the Content-Type header, then a ``<meta charset>`` near the top, with
the browsers' aliases (a page labelled ISO-8859-1 is decoded as windows-1252, GB2312 as GB18030,
Shift_JIS as Windows-31J).  A page that declares nothing is UTF-8 when its bytes are; otherwise
charset-normalizer guesses (a page that says nothing is mostly an old one in its country's legacy
encoding), and windows-1252, the web's historical default, decodes what it cannot place.  Bytes
a declared encoding cannot decode are replaced, never raised: a page is hostile input.
"""

from __future__ import annotations

from charset_normalizer import from_bytes
from w3lib.encoding import html_to_unicode

#: The web's default for a page whose encoding nothing tells (WHATWG, for most locales).
FALLBACK_ENCODING = "cp1252"
#: charset-normalizer reads at most this many bytes of an undeclared page: its opening and its end.
DETECT_BYTES = 10_000


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """The page's text; ``content_type`` is the response's Content-Type header, charset included."""
    try:
        _, text = html_to_unicode(content_type, body, default_encoding=FALLBACK_ENCODING, auto_detect_fun=_undeclared)
    except (LookupError, ValueError):  # a label w3lib knows but this Python's codecs do not
        return body.decode("utf-8", errors="replace")
    return text


def _undeclared(body: bytes) -> str | None:
    """The encoding of a page that declares none: UTF-8 when its bytes are, else a guess."""
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = body if len(body) <= DETECT_BYTES else body[: DETECT_BYTES // 2] + body[-DETECT_BYTES // 2 :]
    best = from_bytes(sample).best()
    return best.encoding if best is not None else None
