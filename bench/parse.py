"""Feed parsers compared on the same bytes: feedparser, fastfeedparser, feedparser-rs, and
newsbot's own ``bot.feeds.parse.parse_feed`` (feedparser-rs validated, feedparser as fallback).

    python bench/parse.py [--quick] [--repeat N]

The feeds: every well-formed file of feedparser's test corpus (``../shared/corpus/feeds/wellformed``
relative to the project root — tiny files, so per-call overhead dominates) plus a few realistic
large feeds built here (50 and 200 items of RSS 2.0 with content:encoded, 50 of Atom 1.0 with
HTML content, 50 of RSS 1.0).  For each parser it prints

- agreement with feedparser (the reference): the share of feeds whose entry ids, titles and links
  are all the same, after the same normalisation for everyone (titles to plain text, links kept
  only when absolute http(s));
- throughput in the same run (best of ``--repeat`` passes), with the ratio against feedparser,
  for the corpus, the large feeds and all together.

The last line is ``parse: <N>x feedparser (<files> feeds)``: ``parse_feed``'s throughput ratio
over all feeds.  Ratios, not milliseconds, so the number means the same on any machine.
"""

from __future__ import annotations

import argparse
import gc
import html
import importlib
import io
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_ROOT / ".." / "shared" / "corpus" / "feeds"
sys.path.insert(0, str(PROJECT_ROOT))

import feedparser  # noqa: E402

from bot.errors import ParseError  # noqa: E402
from bot.feeds.parse import parse_feed  # noqa: E402


def _optional(module: str) -> Any:
    """The module, or None when the ``bench`` extra is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


fastfeedparser = _optional("fastfeedparser")
feedparser_rs = _optional("feedparser_rs")

#: Feeds of the corpus used by ``--quick``.
QUICK_FILES = 40

Feed = tuple[str, bytes]
View = list[tuple[str | None, str, str | None]]

# --------------------------------------------------------------------------------------------
# The feeds
# --------------------------------------------------------------------------------------------


def corpus_feeds(limit: int | None = None) -> list[Feed]:
    """The corpus's well-formed feeds, in a stable order (every ``limit``-th file for --quick)."""
    folder = (CORPUS / "wellformed").resolve()
    if not folder.is_dir():
        print(f"note: corpus not found at {folder}; using generated feeds only", file=sys.stderr)
        return []
    files = sorted(path for path in folder.rglob("*") if path.suffix in (".xml", ".json") and path.is_file())
    if limit:
        files = files[:: max(1, len(files) // limit)][:limit]
    return [(str(path.relative_to(folder)), path.read_bytes()) for path in files]


def _paragraphs(i: int) -> str:
    sentence = f'Sentence {i} of a realistic article body, with <a href="/tag/{i}">a link</a> and some words. '
    return "".join(f"<p>{sentence * 6}</p>" for _ in range(8))


def rss20(items: int) -> bytes:
    entries = "".join(
        f"""<item><title>Story {i}: markets &amp; policy</title><link>https://news.example.com/{i}</link>
<guid isPermaLink="false">story-{i}</guid><pubDate>Mon, 02 Jun 2025 {i % 24:02d}:15:00 GMT</pubDate>
<dc:creator>Reporter {i}</dc:creator><description>Teaser for story {i} &lt;b&gt;bold&lt;/b&gt;</description>
<content:encoded><![CDATA[{_paragraphs(i)}]]></content:encoded>
<enclosure url="https://cdn.example.com/{i}.jpg" type="image/jpeg" length="1000"/></item>
"""
        for i in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>Example News</title><link>https://news.example.com/</link><ttl>30</ttl>{entries}"
        "</channel></rss>"
    ).encode()


def atom10(items: int) -> bytes:
    entries = "".join(
        f"""<entry><title type="html">Post {i} &amp;amp; notes</title><link rel="alternate" href="posts/{i}"/>
<id>tag:blog.example.org,2025:{i}</id><published>2025-06-02T{i % 24:02d}:00:00Z</published>
<updated>2025-06-03T{i % 24:02d}:00:00Z</updated><author><name>Writer {i}</name></author>
<summary>Summary of post {i}</summary><content type="html">{html.escape(_paragraphs(i))}</content></entry>
"""
        for i in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:base="https://blog.example.org/"><title>Example Blog</title><link href="/"/>'
        f"<id>tag:blog.example.org,2025:feed</id><updated>2025-06-03T00:00:00Z</updated>{entries}</feed>"
    ).encode()


def rss10(items: int) -> bytes:
    entries = "".join(
        f"""<item rdf:about="https://rdf.example.net/{i}"><title>Item {i}</title><link>https://rdf.example.net/{i}</link>
<description>{html.escape(_paragraphs(i))}</description><dc:date>2025-06-02T{i % 24:02d}:00:00Z</dc:date></item>
"""
        for i in range(items)
    )
    return (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://rdf.example.net/"><title>RDF</title><link>https://rdf.example.net/</link></channel>'
        f"{entries}</rdf:RDF>"
    ).encode()


def generated_feeds() -> list[Feed]:
    return [
        ("generated/rss20-50.xml", rss20(50)),
        ("generated/rss20-200.xml", rss20(200)),
        ("generated/atom10-50.xml", atom10(50)),
        ("generated/rss10-50.xml", rss10(50)),
    ]


# --------------------------------------------------------------------------------------------
# The parsers, each reduced to the same view: [(id, title, link)] per entry
# --------------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^<>]*>")
_WEB = re.compile(r"https?://[^/?#\s]", re.I)


def _title(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _link(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and _WEB.match(value.strip()) else None


def _id(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _view_dicts(entries: Iterable[Any]) -> View:
    return [(_id(e.get("id")), _title(e.get("title")), _link(e.get("link"))) for e in entries]


def _view_objects(entries: Iterable[Any]) -> View:
    return [(_id(e.id), _title(e.title), _link(e.link)) for e in entries]


def _parse_feed(data: bytes) -> Any:
    try:
        return parse_feed(data, source="bench")
    except ParseError:
        return None


PARSERS: dict[str, tuple[Callable[[bytes], Any], Callable[[Any], View]]] = {
    # BytesIO: given bytes, feedparser would first try them as a file name.
    "feedparser": (lambda data: feedparser.parse(io.BytesIO(data)), lambda r: _view_dicts(r.entries)),
}
if fastfeedparser is not None:
    PARSERS["fastfeedparser"] = (fastfeedparser.parse, lambda r: _view_dicts(r.get("entries", [])))
if feedparser_rs is not None:
    PARSERS["feedparser-rs"] = (feedparser_rs.parse, lambda r: _view_objects(r.entries))
    PARSERS["feedparser-rs unsanitized"] = (
        lambda data: feedparser_rs.parse(data, sanitize_html=False),
        lambda r: _view_objects(r.entries),
    )
PARSERS["parse_feed (newsbot)"] = (_parse_feed, lambda r: _view_objects(r.entries) if r is not None else [])

# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


def views(name: str, feeds: list[Feed]) -> tuple[list[View | None], int]:
    """Each feed's view under one parser (None when it raised), and how many raised."""
    parse, view = PARSERS[name]
    out: list[View | None] = []
    for _, data in feeds:
        try:
            out.append(view(parse(data)))
        except Exception:
            out.append(None)
    return out, sum(v is None for v in out)


def time_parser(name: str, feeds: list[Feed], repeat: int) -> float:
    """Best-of-``repeat`` seconds for one pass of ``name`` over ``feeds``."""
    parse = PARSERS[name][0]
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for _, data in feeds:
            try:
                parse(data)
            except Exception:
                pass
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--quick", action="store_true", help=f"a smoke test: {QUICK_FILES} corpus files, one pass")
    options.add_argument("--repeat", type=int, default=None, help="timed passes per parser (best is kept)")
    args = options.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    warnings.simplefilter("ignore")  # feedparser's deprecation chatter

    corpus = corpus_feeds(QUICK_FILES if args.quick else None)
    large = generated_feeds()
    feeds = corpus + large
    size = sum(len(data) for _, data in feeds)
    print(f"{len(corpus)} corpus feeds + {len(large)} generated large feeds, {size / 1e6:.1f} MB; best of {repeat}")

    reference, _ = views("feedparser", feeds)
    timings: dict[str, dict[str, float]] = {}
    for name in PARSERS:
        timings[name] = {
            "corpus": time_parser(name, corpus, repeat) if corpus else 0.0,
            "large": time_parser(name, large, repeat),
        }
        timings[name]["all"] = timings[name]["corpus"] + timings[name]["large"]

    base = timings["feedparser"]
    for name in PARSERS:
        got, raised = views(name, feeds)
        same = titles = 0
        for mine, ref in zip(got, reference, strict=True):
            if mine is not None and ref is not None:
                same += mine == ref
                titles += [t for _, t, _ in mine] == [t for _, t, _ in ref]
        t = timings[name]
        ratios = {group: base[group] / t[group] if t[group] else float("nan") for group in ("corpus", "large", "all")}
        print(
            f"{name:27s} agree {100 * same / len(feeds):5.1f}% (titles {100 * titles / len(feeds):5.1f}%), "
            f"raised {raised:3d} | {size / t['all'] / 1e6:7.1f} MB/s, {len(feeds) / t['all']:8.0f} feeds/s | "
            f"vs feedparser: corpus {ratios['corpus']:6.1f}x, large {ratios['large']:6.1f}x, all {ratios['all']:6.1f}x"
        )
    chosen = base["all"] / timings["parse_feed (newsbot)"]["all"]
    print(f"parse: {chosen:.1f}x feedparser ({len(feeds)} feeds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
