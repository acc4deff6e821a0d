"""The motivating story must come out the same in all three shapes it can arrive in."""

from pathlib import Path

import pytest

from bot.articles.build import build_article
from bot.articles.sentences import split_sentences
from bot.articles.summarize import section_sentences
from bot.feeds.local import read_article_file
from bot.feeds.parse import parse_feed
from bot.model import Article, FeedEntry

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SEED_MD = ROOT / "articles" / "uk-funds-joint-drone-production-with-ukraine.md"
SEED_TXT = ROOT.parent / "shared" / "seeds" / "000_41c27c843f947f33.txt"

TITLE = "UK funds joint drone production with Ukraine"
SECTIONS = [
    "Ukraine and UK Agree to Jointly Produce Drones",
    "Ukraine’s Rapid Drone Development",
    "UK Funding for Drone Production",
    "Supporting Ukraine’s Defense",
    "Global Developments",
    "Russia’s Aggressive Actions",
    "US Response",
    "Ukraine’s Resolve",
]
BOILERPLATE = ["Read More", "kyivindependent.com", "Share This Article", "cookies", "Trending", "Subscribe"]


def from_markdown() -> Article:
    return build_article(read_article_file(SEED_MD))


def from_html_page() -> Article:
    page = (FIXTURES / "seed_page.html").read_text(encoding="utf-8")
    return build_article(FeedEntry(id=None, title="", content=page, content_type="html"))


def from_rss_item() -> Article:
    feed = parse_feed((FIXTURES / "seed_feed.xml").read_bytes(), source="seed_feed.xml")
    assert len(feed.entries) == 1
    return build_article(feed.entries[0], source=feed.title)


def from_plain_text() -> Article:
    return build_article(read_article_file(SEED_TXT))


SHAPES = [from_markdown, from_html_page, from_rss_item]
if SEED_TXT.exists():
    SHAPES.append(from_plain_text)


@pytest.mark.parametrize("make", SHAPES, ids=lambda f: f.__name__)
def test_seed_story_title_byline_and_eight_sections(make) -> None:
    article = make()
    assert article.title == TITLE
    assert article.author == "AI"
    assert [s.title for s in article.sections] == SECTIONS


@pytest.mark.parametrize("make", SHAPES, ids=lambda f: f.__name__)
def test_seed_story_has_no_boilerplate_and_full_summaries(make) -> None:
    article = make()
    everything = " ".join([article.summary] + [s.text + " " + s.summary for s in article.sections])
    for phrase in BOILERPLATE:
        assert phrase not in everything
    assert article.summary
    for section in article.sections:
        own = section_sentences(section.text.split("\n\n"))
        picked = split_sentences(section.summary)
        assert picked and all(s in own for s in picked)  # whole sentences of its own section
        assert [own.index(s) for s in picked] == sorted(own.index(s) for s in picked)  # in reading order
    assert "adversity" in article.sections[-1].text  # the last paragraph survives the cleaning


def test_seed_shapes_agree_on_text() -> None:
    md, page, rss = from_markdown(), from_html_page(), from_rss_item()
    assert [s.text for s in md.sections] == [s.text for s in page.sections] == [s.text for s in rss.sections]
    assert md.summary == page.summary == rss.summary
