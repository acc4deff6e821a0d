"""bench/folder.py runs end to end on a tiny folder and prints its ratio line."""

import re

import pytest

from bench import folder


def test_quick_run_prints_the_ratio_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert folder.main(["--files", "3", "--repeat", "1"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"folder: \d+\.\dx faster per unchanged poll than reading every file \(3 files\)", last)
