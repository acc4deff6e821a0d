"""Admins' message templates: placeholders filled, mistakes caught by validate_template."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.model import Section
from bot.render import CONTENT_LIMIT, PLACEHOLDERS, TemplateError, check_payload, render_template, validate_template
from bot.render.text import ELLIPSIS, ZWSP
from tests.render.builders import bare, hostile, huge, seed_like


@pytest.mark.parametrize(
    ("template", "content"),
    [
        ("{title}", "UK funds joint drone production with Ukraine"),
        ("{url}", "https://kyivindependent.com/uk-funds-joint-drone-production-with-ukraine/"),
        ("by {author} via {source}", "by AI via Kyiv Independent"),
        ("{published}", "2025-06-25T09:00:00+00:00"),
        ("{published_local}", "<t:1750842000:f>"),
        (
            "{summary}",
            "Ukraine and the United Kingdom have agreed to jointly produce drones. "
            "The UK will finance Ukrainian-designed drones built in Britain.",
        ),
        ("{{literal}} {title}!", "{literal} UK funds joint drone production with Ukraine!"),
        ("**News:** {title}", "**News:** UK funds joint drone production with Ukraine"),
    ],
)
def test_placeholders_are_filled(template: str, content: str) -> None:
    payload = render_template(seed_like(), template)
    assert payload == {"content": content, "allowed_mentions": {"parse": []}}


def test_section_placeholders() -> None:
    article = replace(
        bare(),
        sections=(Section("", "lead", "Lead summary."), Section("Second", "text", "Second summary.")),
    )
    assert render_template(article, "{section_names}")["content"] == "Lead, Second"
    assert render_template(article, "{sections}")["content"] == "**Lead**\nLead summary.\n\n**Second**\nSecond summary."


def test_missing_values_become_empty() -> None:
    assert render_template(bare(), "[{author}|{url}|{published}|{source}]")["content"] == "[|||]"


def test_article_text_is_escaped_but_the_template_is_not() -> None:
    content = render_template(hostile(), "**{title}** @here")["content"]
    assert content.startswith("**\\*Breaking\\* \\_news\\_ @" + ZWSP + "everyone <@" + ZWSP + "123>")
    assert content.endswith("** @here")  # the admin's own text; allowed_mentions still stops the ping


def test_long_output_is_cut_to_2000_keeping_the_url() -> None:
    article = huge()
    payload = render_template(article, "{title}\n{summary}\n{sections}\n{url}")
    check_payload(payload)
    content = payload["content"]
    assert len(content) <= CONTENT_LIMIT
    assert content.endswith("\n" + article.url)
    assert ELLIPSIS in content


def _sections_article(count: int, summary_words: int) -> object:
    sections = tuple(
        Section(f"Part {i}", "text", " ".join(f"word{i}x{j}" for j in range(summary_words)) + ".") for i in range(count)
    )
    return replace(bare(), sections=sections)


def test_overlong_sections_are_cut_between_blocks_and_say_how_many_were_left_out() -> None:
    article = _sections_article(30, 20)
    content = render_template(article, "{sections}\n{url}")["content"]
    assert len(content) <= CONTENT_LIMIT
    kept = content.count("**Part ")
    assert 0 < kept < 30
    assert f"{ELLIPSIS} (+{30 - kept} more)" in content
    assert content.count("**") % 2 == 0  # every bold name closed: the rest of the message is not bolded
    last_block = content.split("\n\n")[-2]  # the last kept block, whole
    assert last_block.endswith(".") and last_block.startswith("**Part ")


def test_one_section_too_long_for_the_message_keeps_its_name_and_cuts_its_summary() -> None:
    article = _sections_article(1, 600)
    content = render_template(article, "{sections}")["content"]
    assert len(content) <= CONTENT_LIMIT
    assert content.startswith("**Part 0**\n") and content.endswith(ELLIPSIS)
    assert content.count("**") == 2


def test_last_resort_cut_marks_the_end() -> None:
    article = replace(bare(), url="https://example.com/" + "a" * 1990)
    content = render_template(article, "{url} {url}")["content"]
    assert len(content) == CONTENT_LIMIT and content.endswith(ELLIPSIS)


def test_template_filling_to_nothing_falls_back_to_compact() -> None:
    assert render_template(bare(), "{author}")["content"] == "**Bare** — Bare summary."


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{title} {titel}", "unknown placeholder {titel} (did you mean {title}?)"),
        ("{foo} and {bar}", "unknown placeholders {foo}, {bar}"),
        ("{}", "unknown placeholder {}"),
        ("{0}", "unknown placeholder {0}"),
        ("{title.__class__}", "unknown placeholder {title.__class__}"),
        ("{title[0]}", "unknown placeholder {title[0]}"),
        ("{title!r}", "placeholder {title!r}: conversions and format specs are not supported"),
        ("{title:>30}", "placeholder {title:>30}"),
        ("{title", "expected '}'"),
        ("title}", "Single '}'"),
        ("", "the template is empty"),
        ("   \n", "the template is empty"),
        ("x" * 2001, "2001 characters"),
    ],
)
def test_bad_templates_are_rejected_naming_the_problem(template: str, problem: str) -> None:
    with pytest.raises(TemplateError) as caught:
        validate_template(template)
    assert isinstance(caught.value, ValueError)
    assert problem in str(caught.value)
    with pytest.raises(TemplateError):
        render_template(seed_like(), template)


def test_unknown_placeholder_error_lists_the_known_ones() -> None:
    with pytest.raises(TemplateError) as caught:
        validate_template("{titel}")
    assert all("{" + name + "}" in str(caught.value) for name in PLACEHOLDERS)


def test_non_text_template_is_rejected() -> None:
    with pytest.raises(TemplateError, match="must be text, not int"):
        validate_template(42)  # type: ignore[arg-type]


def test_validate_template_returns_the_placeholders_used() -> None:
    assert validate_template("{title} {{x}} {url} {title}") == {"title", "url"}
