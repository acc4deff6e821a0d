"""A page's title without its site's name (bot/articles/titles.py), and the two readers of page titles that use it."""

import pytest

from bot.articles.extract import extract_page
from bot.articles.titles import without_site_name
from bot.feeds.local import read_article_file


@pytest.mark.parametrize(
    ("title", "sitename", "url", "heading", "expected"),
    [
        # The site's name after the separator, as the page declares it or as its host spells it.
        ("Nadal keeps Spain alive - Sportsnet.ca", "Sportsnet.ca", None, None, "Nadal keeps Spain alive"),
        ("How to Tackle Game Day Snack Temptations | The Beachbody Blog", "The Beachbody Blog", None, None,
         "How to Tackle Game Day Snack Temptations"),
        ("Fresh air for Rs 300? - News Nation", "https://www.newsnation.in", None, None, "Fresh air for Rs 300?"),
        ("About bugs – Vortex Cannon Entertainment", None, "https://vortexcannon.com/about-bugs", None, "About bugs"),
        ("NASA adds five companies - SpaceNews.com", None, "https://spacenews.com/x", None, "NASA adds five companies"),
        # Only the last separator counts: the title's own dash stays.
        ("Fallen Order review - shoots for the moon - VG247", "VG247", None, None, "Fallen Order review - shoots for the moon"),
        # The site's name before the separator.
        ("WIRED | The Future of Banking", "Wired", None, None, "The Future of Banking"),
        # No name known: the part the page's <h1> repeats is the title.
        ("Opinion | Republicans Are Following Trump", None, None, "Republicans Are Following Trump", "Republicans Are Following Trump"),
        ("The Guardian view on Hong Kong | Editorial", "the Guardian", None, "The Guardian view on Hong Kong",
         "The Guardian view on Hong Kong"),
        ("Lexus goes topless - Auto News", "AutoIndustriya.com", None, "Lexus goes topless", "Lexus goes topless"),
    ],
)
def test_the_site_s_name_goes(title: str, sitename: str | None, url: str | None, heading: str | None, expected: str) -> None:
    assert without_site_name(title, sitename=sitename, url=url, heading=heading) == expected


@pytest.mark.parametrize(
    ("title", "sitename", "url", "heading"),
    [
        # A headline that starts with the site's name is not its name ("The Guardian view on…").
        ("The Guardian view on Hong Kong: a city on the brink | Editorial", "the Guardian", None, None),
        # Nothing recognisable: a separator alone proves nothing.
        ("Milan Design Week 2018 | Anastassiades' light installation", "Inexhibit", None,
         "Milan Design Week 2018 | Michael Anastassiades' light installation"),
        ("Star Wars Jedi: Fallen Order review - shoots for the moon", "VG247", None, None),
        # A colon is the title's own, and a dash with no spaces is a word's.
        ("Fact Check: Is An Oxygen Bar Real?", "Fact Check", None, None),
        ("Ebola-hit town - a report", None, None, None),
        # A headline before the separator that starts with the site's name is the headline.
        ("Apple Watch review - hands on", "Apple", "https://www.apple.com/", None),
        # A short name is not matched by its first letters ("AP" in "Apple").
        ("Record quarter - Apple", "AP", None, None),
        # Nothing is left but the name: the title stays.
        ("CNN", "CNN", None, None),
    ],
)
def test_the_title_stays(title: str, sitename: str | None, url: str | None, heading: str | None) -> None:
    assert without_site_name(title, sitename=sitename, url=url, heading=heading) == title


_PAGE = """<html><head><title>Nadal keeps Spain alive in Madrid | Sportsnet.ca</title>
<meta property="og:title" content="Nadal keeps Spain alive in Madrid - Sportsnet.ca">
<meta property="og:site_name" content="Sportsnet.ca"></head>
<body><h1>Nadal keeps Spain alive in Madrid</h1><article>{body}</article></body></html>"""
_BODY = "".join(f"<p>Paragraph {i} of the match report, long enough to read as the story itself.</p>" for i in range(6))


def test_a_page_s_title_loses_its_site_s_name() -> None:
    assert extract_page(_PAGE.format(body=_BODY)).title == "Nadal keeps Spain alive in Madrid"


def test_an_html_article_file_s_title_loses_its_site_s_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "nadal.html"
    path.write_text(_PAGE.format(body=_BODY), encoding="utf-8")
    assert read_article_file(path).title == "Nadal keeps Spain alive in Madrid"
    # Known by the <h1> alone (no og:site_name), read without parsing the page's body.
    label = _PAGE.replace("- Sportsnet.ca", "| Tennis").replace('<meta property="og:site_name" content="Sportsnet.ca">', "")
    path.write_text(label.format(body=_BODY), encoding="utf-8")
    assert read_article_file(path).title == "Nadal keeps Spain alive in Madrid"
