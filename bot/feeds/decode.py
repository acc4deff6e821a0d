"""Bytes as text in the encoding they are written in: an article page (``decode_page``), and the
guess that pages, feeds and article files which declare no encoding share (``other_script_encoding``).

Pages were decoded as UTF-8 whatever they said, so a Japanese page in Shift_JIS, a Chinese one in
GBK or a Russian one in windows-1251 reached the reader as rows of "�".  The order is the one
browsers follow (WHATWG's encoding sniffing), as w3lib implements it for Scrapy: a byte order
mark, then the charset of the Content-Type header, then a ``<meta charset>`` near the top, with
the browsers' aliases (a page labelled ISO-8859-1 is decoded as windows-1252, GB2312 as GB18030,
Shift_JIS as Windows-31J).  A page that declares nothing is UTF-8 when its bytes are; otherwise
charset-normalizer's guess is taken when it names another script's legacy encoding (a page that
says nothing is mostly an old one in its country's encoding), and windows-1252, the web's
historical default, reads the rest (see ``other_script_encoding``).  Bytes a declared encoding
cannot decode are replaced, never raised: a page is hostile input.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from w3lib.encoding import html_to_unicode

#: The web's default for a page whose encoding nothing tells (WHATWG, for most locales).
FALLBACK_ENCODING = "cp1252"
#: charset-normalizer reads at most this many bytes of an undeclared page or feed: its opening and its end.
DETECT_BYTES = 10_000


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """The page's text; ``content_type`` is the response's Content-Type header, charset included."""
    try:
        _, text = html_to_unicode(content_type, body, default_encoding=FALLBACK_ENCODING, auto_detect_fun=undeclared_encoding)
    except (LookupError, ValueError):  # a label w3lib knows but this Python's codecs do not
        return body.decode("utf-8", errors="replace")
    return text


def undeclared_encoding(data: bytes) -> str | None:
    """The encoding of a page or feed that declares none: "utf-8" when its bytes are, else the
    guess of ``other_script_encoding`` (None: a Latin code page, read as windows-1252)."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return other_script_encoding(data)


#: Legacy encodings of scripts other than Latin: a guess among them is taken over windows-1252.
OTHER_SCRIPTS = frozenset(
    codecs.lookup(name).name
    for name in (
        # Cyrillic, Greek, Hebrew, Arabic, Thai
        "cp1251", "koi8_r", "koi8_u", "iso8859_5", "mac_cyrillic", "cp866", "cp855", "kz1048", "ptcp154",
        "cp1253", "iso8859_7", "mac_greek", "cp737", "cp869",
        "cp1255", "iso8859_8", "cp862",
        "cp1256", "iso8859_6", "cp864", "cp720",
        "tis_620", "cp874", "iso8859_11",
        # Chinese, Japanese, Korean
        "gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp950",
        "shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213", "iso2022_jp",
        "euc_kr", "cp949", "johab", "iso2022_kr",
    )
)


def other_script_encoding(data: bytes) -> str | None:
    """charset-normalizer's guess for bytes that are not UTF-8, when it is another script's legacy
    encoding; None when it is a Latin code page.

    Among Latin code pages a guess rests on a few accented letters and is often wrong (windows-1257
    or -1250 for "Café “quotes” — naïve", whose "ï" then reads "ď"), while windows-1252, the web's
    default and feedparser's, reads most of them right; a guess of another script (windows-1251,
    GBK, Shift_JIS…) rests on every letter of the text, and is taken.
    """
    sample = data if len(data) <= DETECT_BYTES else data[: DETECT_BYTES // 2] + data[-DETECT_BYTES // 2 :]
    best = from_bytes(sample).best()
    if best is None or codecs.lookup(best.encoding).name not in OTHER_SCRIPTS:
        return None
    return best.encoding
