"""bench/segment.py: its two measures on hand-made cases, and a quick run on the real data."""

import re

import pytest

from bench import quality, segment


def test_pk_counts_the_pairs_k_apart_that_a_split_gets_wrong() -> None:
    truth = [0, 0, 0, 1, 1, 1]
    assert segment.pk(truth, truth) == 0.0
    # k = 6 / 2 segments / 2 = 2 (rounded): pairs (0,2) (1,3) (2,4) (3,5); one part says all four are together.
    assert segment.pk(truth, [0] * 6) == pytest.approx(2 / 4)
    assert segment.pk(truth, [0, 0, 1, 1, 1, 1], k=1) == pytest.approx(2 / 5)
    with pytest.raises(ValueError):
        segment.pk(truth, [0])


def test_one_article_share_is_the_share_of_parts_inside_one_segment() -> None:
    assert segment.one_article_share([0, 0, 1, 1], [0, 0, 1, 1]) == 1.0
    assert segment.one_article_share([0, 0, 1, 1], [0, 1, 1, 2]) == pytest.approx(2 / 3)


def test_the_baselines_cut_as_described() -> None:
    paragraphs = ["word " * 200] * 5  # 1,000 words
    assert segment.fixed_size_labels(paragraphs) == [0, 0, 1, 1, 2]
    assert segment.even_labels(paragraphs, 2) in ([0, 0, 1, 1, 1], [0, 0, 0, 1, 1])


@pytest.mark.skipif(not (quality.DEFAULT_DATA / quality.AEB_DIR / "ground-truth.json").exists(),
                    reason=f"evaluation data not found under {quality.DEFAULT_DATA}")
def test_quick_run_prints_the_ratio_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert segment.main(["--docs", "5"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"segment: \d+% of parts hold one article \(cuts every ~350 words: \d+%\); Pk \d\.\d{3}, \d+\.\d{2}x theirs", last)
