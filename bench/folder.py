"""A folder feed polled again when nothing changed: cached entries against reading every file.

    python -m bench.folder [--files N] [--repeat R]

Writes N Markdown articles (front matter and ~10 KB of text each) to a temp folder, then times
``read_article_folder`` on it — the call the poller makes every time a folder feed is due — with
the shared entry cache (what the bot does) and with a cache of size 0 (every file read and parsed,
as before the cache), each the best of R polls after a first poll that fills the cache.  Both are
timed in the same run; the last line is their ratio:

    folder: <r>x faster per unchanged poll than reading every file (<N> files)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from bot.feeds.local import CACHE_SETTLE_NS, EntryCache, read_article_folder

PARAGRAPH = (
    "The council met on Tuesday to discuss the harbour works, which have run over budget for a "
    "second year. Residents asked for a clear timetable and for the night work to stop. "
)


def write_articles(folder: Path, count: int) -> None:
    """``count`` Markdown articles, left to settle: the cache skips files changed in the last 2 s."""
    for i in range(count):
        path = folder / f"article-{i:05d}.md"
        body = "\n\n".join(PARAGRAPH * 3 for _ in range(20))
        path.write_text(f"---\ntitle: Harbour works, part {i}\nauthor: Desk\n---\n\n{body}\n", encoding="utf-8")
    time.sleep(CACHE_SETTLE_NS / 1e9 + 0.2)


def best_of(poll: Callable[[], object], repeat: int) -> float:
    """Seconds of the fastest of ``repeat`` calls (the cost of the work, not of the machine's other load)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        poll()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.folder", description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbot-folder-") as tmp:
        folder = Path(tmp)
        write_articles(folder, args.files)
        cache, uncached = EntryCache(), EntryCache(0)
        first = read_article_folder(folder, cache=cache)  # fills the cache
        assert len(first.entries) == args.files, first.warnings
        cached_s = best_of(lambda: read_article_folder(folder, cache=cache), args.repeat)
        plain_s = best_of(lambda: read_article_folder(folder, cache=uncached), args.repeat)
    print(f"reading every file: {plain_s * 1000:.1f} ms per poll; cached: {cached_s * 1000:.1f} ms per poll")
    print(f"folder: {plain_s / cached_s:.1f}x faster per unchanged poll than reading every file ({args.files} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
