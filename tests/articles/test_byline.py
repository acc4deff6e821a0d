"""The byline a reader sees is a name: a page or feed that gives an address as its author shows none."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.articles.build import build_article, byline_name
from bot.feeds.local import read_article_file
from bot.model import FeedEntry

BODY = "<p>The council approved the new transit budget on Tuesday after a long debate.</p>"
PAGE = """<html><head><title>Budget passes</title>
<meta property="article:author" content="{author}"></head>
<body><article><h1>Budget passes</h1>
<p>The council approved the new transit budget on Tuesday after a long debate that ran late.</p>
<p>Forty new buses will arrive next spring, and night service starts on six routes in March.</p>
</article></body></html>"""


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Jane Doe", "Jane Doe"),
        ("Finian Cunningham. Sputnik International", "Finian Cunningham. Sputnik International"),
        # The byline's own "By" and a date or time glued after the name go: the post shows its own.
        ("By JANE DOE", "JANE DOE"),
        ("Analysis by Chris Cillizza, CNN Editor-at-large", "Chris Cillizza, CNN Editor-at-large"),
        ("JERUSALEM POST STAFF NOVEMBER 20, 2019 10:43", "JERUSALEM POST STAFF"),
        ("Jane Doe, 20 Nov 2019", "Jane Doe"),
        ("Jane Doe | 2019-11-20 14:05", "Jane Doe"),
        # A name that only looks like a label or a month stays.
        ("Maybe Jones", "Maybe Jones"),
        ("Nov Smith", "Nov Smith"),
        ("Ilana Muhlstein, MS, RDN", "Ilana Muhlstein, MS, RDN"),
        ("By", "By"),
        ("https://www.facebook.com/livescience?cmpid=556687", None),
        ("http://twitter.com/janedoe", None),
        ("www.example.com/staff/jane", None),
        ("  ", None),
        (None, None),
    ],
)
def test_byline_name(author: str | None, expected: str | None) -> None:
    assert byline_name(author) == expected


def test_an_address_as_the_entrys_author_gives_way_to_the_pages_name() -> None:
    entry = FeedEntry(id="1", title="Budget passes", author="https://www.facebook.com/citynews", content=BODY)
    assert build_article(entry, page_html=PAGE.format(author="Jane Doe")).author == "Jane Doe"
    assert build_article(entry).author is None


def test_an_html_file_whose_author_is_an_address_has_no_byline(tmp_path: Path) -> None:
    """The folder feed reads a page's own <meta> author; a publisher's profile address there is no name."""

    def author_of(page: str) -> str | None:
        path = tmp_path / "story.html"
        path.write_text(page, encoding="utf-8")
        return build_article(read_article_file(path)).author

    assert author_of(PAGE.format(author="https://www.facebook.com/livescience")) is None
    assert author_of(PAGE.format(author="Jane Doe")) == "Jane Doe"
