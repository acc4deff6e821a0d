"""A page's title without its site's name: "Nadal keeps Spain alive - Sportsnet.ca" → "Nadal keeps Spain alive".

A page's ``<title>``, and often its ``og:title`` too, carries the site's name after a separator
("… | The Beachbody Blog", "… – TechCrunch") or a section label before it ("Opinion | …").  A feed
gives its entries clean titles; a story read from its page alone (an HTML file, a pasted article
address, an entry without a title) would be posted under the site's name as well, which the
post's footer already names.  Only what can be recognised goes: a part that *is* the site's
name (``og:site_name``, or the host's), or everything but the part the page's own ``<h1>`` repeats.
A colon is never cut at ("Fact Check: Is An 'Oxygen Bar'…" keeps its label), nor a title that
merely contains a dash ("Star Wars Jedi: Fallen Order review - shoots for the moon…").
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: What parts a title from the site's name: a pipe, a dash or a bullet with spaces on both sides.
_SEPARATOR = re.compile(r"\s+[|–—·•»-]\s+")
_URL_LIKE = re.compile(r"^(?:https?://)?(?:www\.)?([\w-]+(?:\.[\w-]+)*)\.[a-z]{2,}(?:/.*)?$", re.IGNORECASE)
#: A shorter name than this is not compared by its start ("AP" would match "Apple").
_MIN_PREFIX = 4
#: A part of more words than this is a headline, not a name, whatever it starts with ("The
#: Guardian view on Hong Kong" on the Guardian's site).
_MAX_NAME_WORDS = 4


def _squash(text: str) -> str:
    """A name reduced to its letters and digits, lowercase, without its web address's dressing."""
    text = text.strip().lower()
    address = _URL_LIKE.match(text)
    if address:
        text = address.group(1)
    return "".join(c for c in text if c.isalnum())


def _is_name(part: str, names: list[str], *, by_start: bool) -> bool:
    """``part`` is the site's name; with ``by_start``, also a short part that starts with it or
    that it starts with ("Vortex Cannon Entertainment" on vortexcannon.com)."""
    squashed = _squash(part)
    if not squashed:
        return False
    if squashed in names:
        return True
    if not by_start or len(part.split()) > _MAX_NAME_WORDS or len(squashed) < _MIN_PREFIX:
        return False
    return any(len(name) >= _MIN_PREFIX and (squashed.startswith(name) or name.startswith(squashed)) for name in names)


def site_names(sitename: str | None, url: str | None) -> list[str]:
    """The names a page's site goes by: what it declares, and its host without "www." and the domain ending."""
    names = []
    if sitename and sitename.strip():
        names.append(_squash(sitename))
    if url:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            host = ""
        if host:
            names.append(_squash(host))
    return [n for n in names if n]


def may_carry_site_name(title: str) -> bool:
    """The title has a separator a site's name could stand behind (callers look up the page's
    ``<h1>`` only then)."""
    return _SEPARATOR.search(title) is not None


def without_site_name(title: str, *, sitename: str | None = None, url: str | None = None, heading: str | None = None) -> str:
    """``title`` without the site's name (or a label) before or after a separator, when either is recognisable."""
    separators = list(_SEPARATOR.finditer(title))
    if not separators:
        return title
    first, last = separators[0], separators[-1]
    before_last, after_first = title[: last.start()].strip(), title[first.end() :].strip()
    names = site_names(sitename, url)
    # A name after the title may be its longer form; before it, a short headline could start
    # with the name ("Apple Watch review - …" on apple.com), so there it must be the name itself.
    if names and before_last and _is_name(title[last.end() :], names, by_start=True):
        return before_last
    if names and after_first and _is_name(title[: first.start()], names, by_start=False):
        return after_first
    if heading:
        wanted = _squash(heading)
        if wanted and _squash(before_last) == wanted:
            return before_last
        if wanted and _squash(after_first) == wanted:
            return after_first
    return title
