"""Every feed of feedparser's corpus (real, broken and hostile) goes through the whole pipeline:
parse → article (sections, summaries) → every Discord layout, with no exception and every payload
within Discord's limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.articles.build import build_article
from bot.errors import ParseError
from bot.feeds.parse import parse_feed
from bot.render import check_payload, render_article_card, render_compact, render_embed, render_thread

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "feeds"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"feedparser corpus not found at {CORPUS} (see ../shared/corpus/README.md)")
def test_whole_corpus_goes_through_the_pipeline() -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "LICENSE")
    assert len(files) > 1500
    failures: list[str] = []
    articles = 0
    for path in files:
        try:
            feed = parse_feed(path.read_bytes(), source=str(path), base_url="http://example.test/feed")
        except ParseError:
            continue
        for entry in feed.entries[:20]:
            try:
                article = build_article(entry, source=feed.title or None)
                payloads = [*render_embed(article), render_compact(article), render_article_card(article)]
                plan = render_thread(article)
                payloads += [plan.headline, *plan.messages]
                for payload in payloads:
                    check_payload(payload)
                articles += 1
            except Exception as exc:  # noqa: BLE001 - collect every failure, report them all
                failures.append(f"{path.relative_to(CORPUS)}: {type(exc).__name__}: {exc}"[:300])
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:30])
    assert articles > 1000
