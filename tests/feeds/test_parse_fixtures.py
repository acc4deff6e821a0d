"""Every hand-made feed in fixtures/ parses to exactly the ParsedFeed in the .py file beside it."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from bot.feeds.parse import parse_feed

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(
    path for path in FIXTURES.iterdir() if path.suffix != ".py" and path.with_name(path.name + ".py").exists()
)


def test_every_fixture_has_expected_values() -> None:
    data_files = [path for path in FIXTURES.iterdir() if path.suffix != ".py"]
    assert data_files and sorted(data_files) == CASES


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.name)
def test_fixture(path: Path, parser_path: str) -> None:
    spec = runpy.run_path(str(path) + ".py")
    got = parse_feed(path.read_bytes(), source=path.name, **spec["kwargs"])
    expected = spec["expected"]
    # Entry by entry first: a failure then points at the entry and field that differ.
    assert len(got.entries) == len(expected.entries)
    for mine, theirs in zip(got.entries, expected.entries, strict=True):
        assert mine == theirs
    assert got == expected
