"""bench/quality.py end to end on 3 pages and 3 stories: the product's own entry point, real data."""

import re

import pytest

from bench import quality

needs_data = pytest.mark.skipif(
    not (quality.DEFAULT_DATA / quality.AEB_DIR / "ground-truth.json").exists()
    or not (quality.DEFAULT_DATA / quality.CNNDM_FILE).exists(),
    reason=f"evaluation data not found under {quality.DEFAULT_DATA}",
)

LINES = {
    "extraction": re.compile(r"^extraction: (\d\.\d{3}) F1, (\d+\.\d{3})x trafilatura \(target >= 1\.0x\)$"),
    "summary": re.compile(
        r"^summary: R-1/2/L (\d+\.\d)/(\d+\.\d)/(\d+\.\d), (\d+\.\d{3})x length-matched lead \(target > 1\.0x\)$"
    ),
    "pipeline": re.compile(r"^pipeline: median (\d+\.\d) ms, p99 (\d+\.\d) ms per article \(target median <= 10 ms\)$"),
}


@needs_data
def test_quick_run_prints_the_three_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert quality.main(["--quick"]) == 0
    out = capsys.readouterr().out.splitlines()
    found = {name: [m for line in out if (m := pattern.match(line))] for name, pattern in LINES.items()}
    assert all(len(matches) == 1 for matches in found.values()), out
    assert "failed:" not in "\n".join(out)  # every page and story went through the product
    f1, vs_trafilatura = map(float, found["extraction"][0].groups())
    assert 0.5 < f1 <= 1.0 and vs_trafilatura > 0.5  # real text came out, not chrome or nothing
    r1, r2, rl, vs_lead = map(float, found["summary"][0].groups())
    assert 20 < r1 < 80 and 0 < r2 < r1 and 0 < rl <= r1 and vs_lead > 0.5
    median, p99 = map(float, found["pipeline"][0].groups())
    assert 0 < median <= p99


@needs_data
def test_quick_run_reads_three_of_each() -> None:
    assert len(quality.load_pages(limit=quality.QUICK_PAGES)) == 3
    stories = quality.load_stories("test", limit=quality.QUICK_STORIES)
    assert len(stories) == 3 and all(s.reference and s.text for s in stories)
    assert {s.id for s in quality.load_stories("validation")}.isdisjoint(s.id for s in quality.load_stories("test"))


def test_missing_data_is_a_clear_error(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert quality.main(["--quick", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "ground-truth.json" in err and "cannot read" in err


def test_malformed_story_line_names_the_line(tmp_path) -> None:
    (tmp_path / quality.CNNDM_FILE).parent.mkdir(parents=True)
    (tmp_path / quality.CNNDM_FILE).write_text('{"id": "x", "split": "test"}\n', encoding="utf-8")
    with pytest.raises(quality.DataError, match=r"line 1"):
        quality.load_stories("test", tmp_path)


def test_story_is_written_as_markdown_with_a_title() -> None:
    story = quality.Story("cnndm:abc", 'He said "hi". Then left.', "ref", 'A "quoted" title')
    text = quality.story_markdown(story)
    assert text.startswith("---\ntitle: \"A 'quoted' title\"\n---\n\n")
    assert text.rstrip().endswith("Then left.")


def test_story_without_its_headline_is_written_untitled() -> None:
    story = quality.Story("cnndm:abc", "Text.", "ref", "Some headline")
    assert quality.story_markdown(story, headline=False).startswith('---\ntitle: "(untitled)"\n')
    assert quality.story_markdown(quality.Story("cnndm:abc", "Text.", "ref", None)).startswith('---\ntitle: "(untitled)"\n')


@pytest.mark.parametrize(
    ("url", "headline"),
    [
        (
            "http://web.archive.org/web/20150403223948id_/http://www.dailymail.co.uk/sport/football/"
            "article-3023941/Gary-Locke-set-confirmed-permanent-Kilmarnock-manager.html",
            "Gary Locke set confirmed permanent Kilmarnock manager",
        ),
        ("http://www.cnn.com/2015/04/08/us/feat-nasa-scientist-alien-life/", "feat nasa scientist alien life"),
        ("http://edition.cnn.com/2015/04/07/entertainment/bb-king-hospitaliized/index.html", "bb king hospitaliized"),
        ("https://example.com/news/12345?utm=x", None),
        ("https://example.com/", None),
        ("", None),
    ],
)
def test_headline_is_read_from_the_url_slug(url: str, headline: str | None) -> None:
    assert quality.headline_from_url(url) == headline


def test_article_text_joins_section_titles_and_texts() -> None:
    article = {"sections": [{"title": "", "text": "Lead."}, {"title": "Next", "text": "More.\n\nEven more."}]}
    assert quality.article_text(article) == "Lead.\n\nNext\n\nMore.\n\nEven more."
