"""bench/parse.py --quick runs to the end and its last line has the agreed format (not the number)."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import PROJECT_ROOT

LAST_LINE = re.compile(r"parse: \d+(?:\.\d+)?x feedparser \(\d+ feeds\)")


def test_bench_quick_prints_the_ratio_line() -> None:
    done = subprocess.run(
        [sys.executable, "bench/parse.py", "--quick"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert LAST_LINE.fullmatch(lines[-1]), lines[-1]
    assert any(line.startswith("feedparser ") for line in lines)
    assert any(line.startswith("parse_feed (newsbot)") for line in lines)
