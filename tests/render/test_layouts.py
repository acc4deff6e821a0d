"""Every layout, for every kind of article: within Discord's limits, nothing lost, nothing pings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.model import Article, Section
from bot.render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    MESSAGE_EMBED_CHARS,
    THREAD_NAME_LIMIT,
    TITLE_LIMIT,
    MessagePayload,
    SectionNotFound,
    check_payload,
    embed_size,
    message_embed_size,
    render_article_card,
    render_compact,
    render_digest,
    render_embed,
    render_section,
    render_section_text,
    render_template,
    render_thread,
)
from bot.render.text import ELLIPSIS, safe_text
from tests.render.builders import (
    ARTICLES,
    HOSTILE_TITLE,
    LONG_WORD,
    PING_RE,
    PUBLISHED,
    bare,
    empty_summary,
    hostile,
    huge,
    long_title,
    long_word,
    one_section,
    rejoin,
    seed_like,
    strings,
)


def _thread(article: Article) -> list[MessagePayload]:
    plan = render_thread(article)
    assert 0 < len(plan.thread_name) <= THREAD_NAME_LIMIT
    return [plan.headline, *plan.messages]


def _sections(render: Callable[[Article, int], list[MessagePayload]]) -> Callable[[Article], list[MessagePayload]]:
    return lambda article: [p for i in range(len(article.sections)) for p in render(article, i)]


LAYOUTS: dict[str, Callable[[Article], list[MessagePayload]]] = {
    "embed": render_embed,
    "embed_updated_colored": lambda a: render_embed(a, color=0xFFFFFF, updated=True, media="thumbnail"),
    "thread": _thread,
    "compact": lambda a: [render_compact(a)],
    "compact_unfurl": lambda a: [render_compact(a, unfurl=True)],
    "section": _sections(render_section),
    "section_text": _sections(render_section_text),
    "card": lambda a: [render_article_card(a)],
    "digest": lambda a: render_digest("Digest", [a, a, a], since=PUBLISHED),
    "template": lambda a: [render_template(a, "{title} — {summary}\n{sections}\n<{url}> {section_names} {author}")],
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("article", ARTICLES)
def test_every_payload_within_discord_limits_and_unable_to_ping(layout: str, article: str) -> None:
    payloads = LAYOUTS[layout](ARTICLES[article])
    for payload in payloads:
        check_payload(payload)  # every limit, named; raises PayloadTooLarge listing violations
        assert payload["allowed_mentions"] == {"parse": []}
        for text in strings(payload):
            assert not PING_RE.search(text), text


def _sizes_within_limits(payload: MessagePayload) -> None:
    """The limits again, spelled out as plain asserts on the sizes."""
    assert len(payload.get("content", "")) <= CONTENT_LIMIT
    embeds = payload.get("embeds", [])
    assert len(embeds) <= EMBEDS_PER_MESSAGE
    assert message_embed_size(payload) <= MESSAGE_EMBED_CHARS
    for embed in embeds:
        assert len(embed.get("title", "")) <= TITLE_LIMIT
        assert len(embed.get("description", "")) <= DESCRIPTION_LIMIT
        assert len(embed.get("fields", [])) <= FIELDS_PER_EMBED
        for f in embed.get("fields", []):
            assert 0 < len(f["name"]) <= FIELD_NAME_LIMIT
            assert 0 < len(f["value"]) <= FIELD_VALUE_LIMIT


def _fields(payloads: list[MessagePayload]) -> list[tuple[str, str]]:
    return [(f["name"], f["value"]) for p in payloads for e in p["embeds"] for f in e.get("fields", [])]


def test_huge_article_is_split_within_limits_keeping_every_word_in_order() -> None:
    article = huge()
    assert len(article.sections) == 30
    assert sum(len(s.text) for s in article.sections) >= 50_000
    payloads = render_embed(article)
    assert len(payloads) > 1  # more than 6000 characters: more than one message
    for payload in payloads:
        _sizes_within_limits(payload)
    embeds = [e for p in payloads for e in p["embeds"]]
    assert "url" in embeds[0] and all("url" not in e for e in embeds[1:])
    assert all(e["title"].endswith("(continued)") for e in embeds[1:])
    # TL;DR: longer than one description, continued, every word kept
    descriptions = [e["description"] for e in embeds if "description" in e]
    assert len(descriptions) >= 2
    assert rejoin(descriptions) == safe_text(article.summary).split()
    # sections: in order, every word of every summary kept
    fields = _fields(payloads)
    for section in article.sections:
        name = safe_text(section.title)
        values = [value for field_name, value in fields if field_name in (name, name + " (continued)")]
        assert rejoin(values) == safe_text(section.summary).split()
    firsts = [name for name, _ in fields if not name.endswith("(continued)")]
    assert firsts == [safe_text(s.title) for s in article.sections]


def test_seed_like_article_is_one_embed_with_a_field_per_section() -> None:
    article = seed_like()
    (payload,) = render_embed(article, color=0x0057B7)
    _sizes_within_limits(payload)
    (embed,) = payload["embeds"]
    assert embed["title"] == article.title
    assert embed["url"] == article.url
    assert embed["author"] == {"name": "AI"}
    assert embed["footer"] == {"text": "Kyiv Independent"}
    assert embed["timestamp"] == "2025-06-25T09:00:00+00:00"
    assert embed["image"] == {"url": article.image}
    assert embed["color"] == 0x0057B7
    assert embed["description"] == article.summary
    assert [(f["name"], f["value"]) for f in embed["fields"]] == [
        (safe_text(s.title), safe_text(s.summary)) for s in article.sections
    ]
    assert embed_size(embed) <= MESSAGE_EMBED_CHARS


def test_one_untitled_section_is_named_lead() -> None:
    (payload,) = render_embed(one_section())
    assert _fields([payload]) == [("Lead", "Only one thing happened.")]


def test_updated_marks_the_title() -> None:
    (payload,) = render_embed(seed_like(), updated=True)
    assert payload["embeds"][0]["title"] == "Updated: UK funds joint drone production with Ukraine"
    assert render_thread(seed_like(), updated=True).headline["embeds"][0]["title"].startswith("Updated: ")


def test_26_sections_continue_in_a_second_embed() -> None:
    sections = tuple(Section(title=f"S{i}", text="t", summary="s") for i in range(26))
    (payload,) = render_embed(Article(title="Many", sections=sections))
    first, second = payload["embeds"]
    assert len(first["fields"]) == FIELDS_PER_EMBED
    assert second["title"] == "Many (continued)"
    assert [f["name"] for f in second["fields"]] == ["S25"]


def test_long_title_is_cut_with_an_ellipsis_everywhere() -> None:
    article = long_title()
    title = render_embed(article)[0]["embeds"][0]["title"]
    assert len(title) <= TITLE_LIMIT and title.endswith(ELLIPSIS)
    assert article.title.startswith(title[:-1])
    plan = render_thread(article)
    assert len(plan.thread_name) <= THREAD_NAME_LIMIT and plan.thread_name.endswith(ELLIPSIS)
    assert len(render_compact(article)["content"]) <= CONTENT_LIMIT


def test_single_3000_character_word_is_hard_cut_with_ellipses() -> None:
    payloads = render_embed(long_word())
    embed = payloads[0]["embeds"][0]
    assert embed["title"] == "x" * (TITLE_LIMIT - 1) + ELLIPSIS
    assert embed["author"]["name"].endswith(ELLIPSIS)
    assert embed["description"] == LONG_WORD  # fits a description whole
    values = [value for name, value in _fields(payloads) if not name.startswith("After")]
    assert len(values) == 3 and all(v.endswith(ELLIPSIS) for v in values[:-1])
    assert "".join(v.rstrip(ELLIPSIS) for v in values) == LONG_WORD


def test_empty_summaries() -> None:
    (payload,) = render_embed(empty_summary())
    (embed,) = payload["embeds"]
    assert "description" not in embed
    # a section without summary shows the start of its text; one with neither is left out
    assert _fields([payload]) == [("Text only", "Some text. More.")]
    assert render_compact(empty_summary())["content"] == "**Nothing to say** <https://example.com/e>"
    assert [m["embeds"][0]["title"] for m in render_thread(empty_summary()).messages] == ["Text only"]


def test_missing_url_author_published_source_image_leave_their_keys_out() -> None:
    (payload,) = render_embed(bare())
    (embed,) = payload["embeds"]
    assert set(embed) == {"title", "description", "fields"}
    assert render_compact(bare())["content"] == "**Bare** — Bare summary."
    assert "url" not in render_section(bare(), 0)[0]["embeds"][0]


@pytest.mark.parametrize(
    ("published", "timestamp"),
    [
        (PUBLISHED, "2025-06-25T09:00:00+00:00"),
        (datetime(2025, 6, 25, 9, 0), "2025-06-25T09:00:00+00:00"),  # naive is UTC
        (datetime(2025, 6, 25, 12, 0, tzinfo=timezone(timedelta(hours=3))), "2025-06-25T12:00:00+03:00"),
    ],
)
def test_timestamp_is_iso_8601_with_offset(published: datetime, timestamp: str) -> None:
    article = replace(bare(), published=published)
    assert render_embed(article)[0]["embeds"][0]["timestamp"] == timestamp
    assert datetime.fromisoformat(timestamp).utcoffset() is not None


@pytest.mark.parametrize("color", [-1, 0x1000000, "red", 1.5, True])
def test_bad_color_is_a_clear_value_error(color: object) -> None:
    with pytest.raises(ValueError, match="color"):
        render_embed(bare(), color=color)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "not a url", "https://", "/relative"])
def test_unusable_urls_are_dropped_not_sent(url: str) -> None:
    article = replace(seed_like(), url=url, image=url)
    embed = render_embed(article)[0]["embeds"][0]
    assert "url" not in embed and "image" not in embed
    assert "<" not in render_compact(article)["content"]


def test_escaping_in_rendered_article_text() -> None:
    article = hostile()
    embed = render_embed(article)[0]["embeds"][0]
    assert embed["title"] == safe_text(HOSTILE_TITLE)
    for text in (embed["title"], embed["description"], *(f["value"] for f in embed["fields"])):
        assert "\\[here\\](https://evil.example/phish)" in text or text == embed["title"]
        for char in "*_~`|":
            assert text.count(char) == text.count("\\" + char), (char, text)
    assert embed["description"].startswith("\\> quoted")
    assert "\n\\# heading" in embed["description"]
    assert "\n\\- list item\n1\\. numbered" in embed["description"]


def test_thread_plan_has_one_message_per_section() -> None:
    article = seed_like()
    plan = render_thread(article)
    assert plan.thread_name == article.title
    assert len(plan.messages) == len(article.sections)
    assert [m["embeds"][0]["title"] for m in plan.messages] == [safe_text(s.title) for s in article.sections]
    assert [m["embeds"][0]["description"] for m in plan.messages] == [safe_text(s.summary) for s in article.sections]
    head = plan.headline["embeds"][0]
    assert head["description"] == article.summary and "fields" not in head


def test_thread_splits_a_long_section_across_messages() -> None:
    summary = " ".join(f"word{i}" for i in range(1500))  # ~11,000 characters
    article = Article(title="T", sections=(Section("Long", "text", summary), Section("Next", "t", "s")))
    plan = render_thread(article)
    titles = [m["embeds"][0]["title"] for m in plan.messages]
    assert titles[0] == "Long" and titles[-1] == "Next"
    assert titles[1:-1] == ["Long (continued)"] * (len(titles) - 2) and len(titles) >= 4
    assert rejoin([m["embeds"][0]["description"] for m in plan.messages[:-1]]) == summary.split()


def test_compact_is_one_line_with_a_suppressed_link() -> None:
    article = seed_like()
    content = render_compact(article)["content"]
    assert content == (
        "**UK funds joint drone production with Ukraine** — Ukraine and the United Kingdom have agreed "
        "to jointly produce drones. <https://kyivindependent.com/uk-funds-joint-drone-production-with-ukraine/>"
    )
    assert render_compact(article, unfurl=True)["content"].endswith(" " + article.url)
    assert "\n" not in render_compact(huge())["content"]


def test_compact_keeps_the_link_when_the_tldr_is_huge() -> None:
    article = replace(bare(), url="https://example.com/x", summary="word " * 3000)
    content = render_compact(article)["content"]
    assert len(content) <= CONTENT_LIMIT
    assert content.endswith(f"{ELLIPSIS} <https://example.com/x>")


@pytest.mark.parametrize("index", [-1, 8, 100])
def test_section_index_out_of_range_is_a_clear_error(index: int) -> None:
    with pytest.raises(SectionNotFound, match=f"has 8 sections.*no section {index}") as caught:
        render_section(seed_like(), index)
    assert isinstance(caught.value, IndexError)
    with pytest.raises(IndexError):
        render_section_text(seed_like(), index)


def test_section_renders_its_summary() -> None:
    article = seed_like()
    (payload,) = render_section(article, 2)
    (embed,) = payload["embeds"]
    assert embed["title"] == safe_text(article.sections[2].title)
    assert embed["description"] == safe_text(article.sections[2].summary)
    assert embed["url"] == article.url
    assert embed["footer"]["text"] == f"Section 3 of 8 · {article.title}"


def test_section_text_is_split_across_messages_keeping_every_word() -> None:
    article = huge()
    section = article.sections[4]
    payloads = render_section_text(article, 4)
    descriptions = [p["embeds"][0]["description"] for p in payloads]
    assert rejoin(descriptions) == safe_text(section.text).split()
    assert [p["embeds"][0]["title"].endswith("(continued)") for p in payloads] == [False] + [True] * (len(payloads) - 1)


def test_section_without_text_says_so() -> None:
    (payload,) = render_section_text(empty_summary(), 0)
    assert payload["embeds"][0]["description"] == "This section has no text."


def test_article_card_numbers_the_sections() -> None:
    article = seed_like()
    card = render_article_card(article)
    (embed,) = card["embeds"]
    summary, listing = embed["description"].split("\n\n")
    assert summary == article.summary
    assert listing.splitlines() == ["**Sections**"] + [
        f"{number}. {safe_text(section.title)}" for number, section in enumerate(article.sections, 1)
    ]
    assert embed["thumbnail"] == {"url": article.image}


def test_article_card_lists_what_fits_and_counts_the_rest() -> None:
    sections = tuple(Section(title=f"{i} " + "n" * 190, text="t", summary="s") for i in range(40))
    card = render_article_card(Article(title="Many", summary="word " * 2000, sections=sections))
    check_payload(card)
    lines = card["embeds"][0]["description"].split("**Sections**\n")[1].splitlines()
    assert lines[-1] == f"…and {40 - (len(lines) - 1)} more"
    assert lines[0].startswith("1. 0 ")


def test_digest_lists_every_article_once_in_order() -> None:
    articles = [replace(seed_like(), title=f"Story {i:02d}", url=f"https://example.com/{i}") for i in range(40)]
    payloads = render_digest("Morning digest", articles, since=PUBLISHED)
    assert len(payloads) > 1
    for payload in payloads:
        _sizes_within_limits(payload)
    text = "\n".join(e["description"] for p in payloads for e in p["embeds"])
    assert text.startswith("40 stories since <t:1750842000:f>\n\n")
    positions = [text.index(f"**[Story {i:02d}](https://example.com/{i})** · Kyiv Independent") for i in range(40)]
    assert positions == sorted(positions)
    assert all(text.count(f"[Story {i:02d}]") == 1 for i in range(40))
    assert text.count("*Sections:* Ukraine and UK Agree to Jointly Produce Drones · ") == 40
    assert payloads[0]["embeds"][0]["title"] == "Morning digest"
    assert payloads[-1]["embeds"][-1]["title"] == "Morning digest (continued)"


def test_digest_of_nothing_posts_nothing() -> None:
    assert render_digest("Digest", [], since=None) == []


def test_digest_without_since_or_url() -> None:
    (payload,) = render_digest("", [bare()], since=None)
    embed = payload["embeds"][0]
    assert embed["title"] == "Digest"
    assert embed["description"] == "1 story\n\n**Bare**\nBare summary. Second sentence."


def test_payloads_do_not_share_allowed_mentions() -> None:
    first, second = render_embed(huge())[:2]
    assert first["allowed_mentions"] is not second["allowed_mentions"]


@pytest.mark.parametrize("article", ARTICLES)
def test_embed_size_agrees_with_discord_py(article: str) -> None:
    """Our 6000-count and discord.py's ``len(Embed)`` must be the same number, and discord.py
    must read our dicts back unchanged (the delivery side may go through ``Embed.from_dict``)."""
    discord = pytest.importorskip("discord")
    for payload in render_embed(ARTICLES[article]) + [render_article_card(ARTICLES[article])]:
        for embed in payload["embeds"]:
            parsed = discord.Embed.from_dict(embed)
            assert len(parsed) == embed_size(embed)
            assert parsed.to_dict().items() >= {k: v for k, v in embed.items() if k != "timestamp"}.items()
