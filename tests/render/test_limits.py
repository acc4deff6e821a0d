"""check_payload, the last guard: it must name every limit a payload breaks, and pass good ones."""

from __future__ import annotations

from typing import Any

import pytest

from bot.render.limits import (
    AUTHOR_NAME_LIMIT,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    FOOTER_LIMIT,
    TITLE_LIMIT,
    PayloadTooLarge,
    check_payload,
    embed_size,
    message_embed_size,
    payload_problems,
    payload_size_ok,
)

NONE: dict[str, list[str]] = {"parse": []}


def msg(*embeds: dict[str, Any], content: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"allowed_mentions": {"parse": []}}
    if embeds:
        payload["embeds"] = list(embeds)
    if content is not None:
        payload["content"] = content
    return payload


def field(name: str = "n", value: str = "v") -> dict[str, Any]:
    return {"name": name, "value": value}


def test_embed_size_counts_what_discord_counts() -> None:
    embed = {
        "title": "t" * 3,
        "description": "d" * 5,
        "url": "https://example.com/not-counted",
        "timestamp": "2025-06-25T09:00:00+00:00",
        "fields": [field("ab", "cde"), field("f", "g")],
        "footer": {"text": "f" * 7},
        "author": {"name": "a" * 11},
        "image": {"url": "https://example.com/i.png"},
    }
    assert embed_size(embed) == 3 + 5 + 2 + 3 + 1 + 1 + 7 + 11
    assert message_embed_size(msg(embed, embed)) == 2 * embed_size(embed)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (msg(content="x" * (CONTENT_LIMIT + 1)), "content has 2001 characters (limit 2000)"),
        (msg(*[{"title": "t"}] * (EMBEDS_PER_MESSAGE + 1)), "11 embeds (limit 10)"),
        (msg({"title": "t" * (TITLE_LIMIT + 1)}), "embeds[0].title has 257"),
        (msg({"description": "d" * (DESCRIPTION_LIMIT + 1)}), "embeds[0].description has 4097"),
        (msg({"title": "t", "fields": [field()] * (FIELDS_PER_EMBED + 1)}), "26 fields (limit 25)"),
        (msg({"fields": [field(name="n" * (FIELD_NAME_LIMIT + 1))]}), "fields[0].name has 257"),
        (msg({"fields": [field(value="v" * (FIELD_VALUE_LIMIT + 1))]}), "fields[0].value has 1025"),
        (msg({"footer": {"text": "f" * (FOOTER_LIMIT + 1)}}), "footer.text has 2049"),
        (msg({"author": {"name": "a" * (AUTHOR_NAME_LIMIT + 1)}}), "author.name has 257"),
        (msg(*[{"description": "d" * 3001}] * 2), "6002 characters in all (limit 6000)"),
        (msg({"fields": [field(value=" ")]}), "fields[0].value is empty"),
        (msg({"fields": [field(name="")]}), "fields[0].name is empty"),
        (msg({"title": "t", "url": "javascript:alert(1)"}), "embeds[0].url is not an http(s) URL"),
        (msg({"title": "t", "image": {"url": "file:///etc/passwd"}}), "embeds[0].image.url is not an http(s) URL"),
        (msg({"title": "t", "color": 0x1000000}), "color 16777216 is not a 24-bit RGB value"),
        (msg({}), "embeds[0] is empty"),
        (msg(), "neither content nor embeds"),
        (msg(content="   "), "neither content nor embeds"),
        ({"content": "hi"}, "allowed_mentions is None"),
        ({"content": "hi", "allowed_mentions": {"parse": ["everyone"]}}, "allowed_mentions is"),
    ],
)
def test_check_payload_names_the_broken_limit(payload: dict[str, Any], problem: str) -> None:
    assert any(problem in p for p in payload_problems(payload)), payload_problems(payload)
    assert not payload_size_ok(payload)
    with pytest.raises(PayloadTooLarge) as caught:
        check_payload(payload)
    assert isinstance(caught.value, AssertionError)
    assert problem in str(caught.value)


def test_check_payload_lists_every_violation() -> None:
    payload = msg({"title": "t" * 300, "description": "d" * 5000}, content="c" * 2500)
    assert len(payload_problems(payload)) == 3
    with pytest.raises(PayloadTooLarge) as caught:
        check_payload(payload)
    assert len(caught.value.problems) == 3


@pytest.mark.parametrize(
    "payload",
    [
        msg(content="x" * CONTENT_LIMIT),
        msg({"title": "t" * TITLE_LIMIT, "description": "d" * DESCRIPTION_LIMIT}),
        msg({"title": "t", "fields": [field("n" * FIELD_NAME_LIMIT, "v" * FIELD_VALUE_LIMIT)]}),
        msg(*[{"description": "d" * 600}] * EMBEDS_PER_MESSAGE),
        msg({"image": {"url": "https://example.com/i.png"}}),
    ],
)
def test_check_payload_accepts_payloads_at_the_limits(payload: dict[str, Any]) -> None:
    check_payload(payload)
    assert payload_size_ok(payload)
