"""A subscription's role ping: once per post, first message only, and the only ping anywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.model import Article, Section
from bot.render import (
    CONTENT_LIMIT,
    MENTION_ROLES_LIMIT,
    MessagePayload,
    check_payload,
    mention_line,
    payload_problems,
    render_compact,
    render_digest,
    render_embed,
    render_template,
    render_thread,
)
from tests.render.builders import ARTICLES, PING_RE, PUBLISHED, huge, long_title, long_word, seed_like, strings

ROLE = 345678901234567890
OTHER = 456789012345678901
PING = f"<@&{ROLE}>"
#: The most a subscription may ping, each id as long as a snowflake gets (20 digits).
MANY = tuple(range(2**64 - MENTION_ROLES_LIMIT, 2**64))


def _thread(article: Article, mention: tuple[int, ...]) -> list[MessagePayload]:
    plan = render_thread(article, mention=mention)
    return [plan.headline, *plan.messages]


Post = Callable[[Article, tuple[int, ...]], list[MessagePayload]]

#: Every layout a subscription posts in, as a whole post (all its messages), given the roles to ping.
POSTS: dict[str, Post] = {
    "embed": lambda a, m: render_embed(a, mention=m),
    "thread": _thread,
    "compact": lambda a, m: [render_compact(a, mention=m)],
    "template": lambda a, m: [render_template(a, "**{title}**\n{summary}\n{sections}\n<{url}>", mention=m)],
    "template_placed": lambda a, m: [render_template(a, "{summary}\n{sections} {mention} {url}", mention=m)],
    "digest": lambda a, m: render_digest("Digest", [a] * 12, since=PUBLISHED, mention=m),
}


def hostile_mentions() -> Article:
    """Another role's mention, @everyone and @here in every text slot of the article."""
    text = f"Readers of <@&{OTHER}> and @everyone (also @here, <@123>) should see this. <@&{OTHER}> again."
    return Article(
        title=f"<@&{OTHER}> @everyone breaking",
        url="https://example.com/m",
        author=f"<@&{OTHER}>",
        source="@here",
        summary=text,
        sections=(Section(f"<@&{OTHER}> part", text, text), Section("@everyone", text, text)),
    )


def _allowed(payload: MessagePayload) -> Any:
    return payload["allowed_mentions"]


@pytest.mark.parametrize("post", POSTS)
@pytest.mark.parametrize("article", [*ARTICLES, "hostile_mentions"])
def test_the_first_message_pings_the_roles_and_nothing_else_pings(post: str, article: str) -> None:
    story = hostile_mentions() if article == "hostile_mentions" else ARTICLES[article]
    payloads = POSTS[post](story, (ROLE,))
    first, rest = payloads[0], payloads[1:]
    for payload in payloads:
        check_payload(payload)
    if post != "template_placed":
        assert first["content"].startswith(PING + "\n") or first["content"] == PING
    assert _allowed(first) == {"parse": [], "roles": [str(ROLE)]}
    assert [m.group(0) for text in strings(first) for m in PING_RE.finditer(text)] == [PING]
    for payload in rest:
        assert _allowed(payload) == {"parse": []}
        assert not any(PING_RE.search(text) for text in strings(payload))


@pytest.mark.parametrize("post", POSTS)
def test_without_mention_nothing_pings(post: str) -> None:
    for payload in POSTS[post](seed_like(), ()):
        assert _allowed(payload) == {"parse": []}
        assert not any(PING_RE.search(text) for text in strings(payload))


def test_a_post_of_many_messages_pings_once() -> None:
    payloads = render_embed(huge(), mention=(ROLE, OTHER))
    assert len(payloads) > 1
    assert payloads[0]["content"] == f"{PING} <@&{OTHER}>"
    assert [p.get("content") for p in payloads[1:]] == [None] * (len(payloads) - 1)
    assert _allowed(payloads[0]) == {"parse": [], "roles": [str(ROLE), str(OTHER)]}


def test_a_thread_pings_from_its_headline_only() -> None:
    plan = render_thread(seed_like(), mention=(ROLE,))
    assert plan.headline["content"] == PING and plan.messages
    assert all("content" not in message and _allowed(message) == {"parse": []} for message in plan.messages)


def test_an_empty_digest_pings_no_one() -> None:
    assert render_digest("Digest", [], since=None, mention=(ROLE,)) == []


@pytest.mark.parametrize("post", ["compact", "template", "template_placed"])
@pytest.mark.parametrize("article", [long_title, long_word, huge])
def test_content_limit_holds_with_the_longest_ping(post: str, article: Callable[[], Article]) -> None:
    """Twenty 20-digit roles and a text that fills the message: the ping is whole, the rest is cut."""
    (payload,) = POSTS[post](article(), MANY)
    check_payload(payload)
    assert len(payload["content"]) <= CONTENT_LIMIT
    assert mention_line(MANY) in payload["content"]
    assert _allowed(payload) == {"parse": [], "roles": [str(role) for role in MANY]}


def test_compact_line_gives_the_ping_its_room() -> None:
    article = replace(long_title(), summary="word " * 600)
    plain = render_compact(article)["content"]
    pinged = render_compact(article, mention=MANY)["content"]
    line = mention_line(MANY)
    assert len(plain) + len(line) + 1 > CONTENT_LIMIT  # the line alone fills the message with no room for a ping...
    assert pinged.startswith(line + "\n**") and len(pinged) <= CONTENT_LIMIT  # ...so its TL;DR is cut for it
    assert pinged.endswith(" <https://example.com/t>")


def test_template_places_the_ping_where_it_says() -> None:
    payload = render_template(seed_like(), "**{title}** {mention}", mention=(ROLE,))
    assert payload == {
        "content": f"**UK funds joint drone production with Ukraine** {PING}",
        "allowed_mentions": {"parse": [], "roles": [str(ROLE)]},
    }


def test_template_without_the_placeholder_gets_the_ping_on_its_own_line() -> None:
    payload = render_template(seed_like(), "**{title}**", mention=(ROLE,))
    assert payload["content"] == f"{PING}\n**UK funds joint drone production with Ukraine**"


def test_mention_placeholder_is_empty_without_roles() -> None:
    assert render_template(seed_like(), "{mention}{title}") == {
        "content": "UK funds joint drone production with Ukraine",
        "allowed_mentions": {"parse": []},
    }


def test_a_ping_the_last_resort_cut_would_lose_moves_to_its_own_line() -> None:
    """The template's own text nearly fills the message and puts the ping last: it must not be cut off."""
    template = "word " * 395 + "{url} {mention}"
    payload = render_template(seed_like(), template, mention=(ROLE,))
    check_payload(payload)
    assert payload["content"].startswith(PING + "\nword word")
    assert payload["content"].count(PING) == 1


def test_template_filling_to_nothing_falls_back_to_compact_with_the_ping() -> None:
    article = replace(seed_like(), author=None)
    payload = render_template(article, "{mention}{author}", mention=(ROLE,))
    assert payload == render_compact(article, mention=(ROLE,))
    assert payload["content"].startswith(PING + "\n**UK funds")


@pytest.mark.parametrize(
    "roles",
    [(True,), (0,), (-5,), (2**64,), ("123",), tuple(range(1, MENTION_ROLES_LIMIT + 2))],
)
def test_roles_the_config_would_refuse_are_refused(roles: tuple[Any, ...]) -> None:
    with pytest.raises(ValueError, match="mention: "):
        render_embed(seed_like(), mention=roles)


def test_repeated_roles_ping_once() -> None:
    assert mention_line((ROLE, OTHER, ROLE)) == f"{PING} <@&{OTHER}>"


@pytest.mark.parametrize(
    ("allowed", "content", "problem"),
    [
        ({"parse": ["roles"]}, PING, "allowed_mentions is"),
        ({"parse": [], "users": ["1"]}, PING, "allowed_mentions is"),
        ({"parse": [], "roles": []}, PING, "not a list of role ids"),
        ({"parse": [], "roles": [ROLE]}, PING, "not a list of role ids"),
        ({"parse": [], "roles": [str(OTHER)]}, PING, f"the content does not mention: {OTHER}"),
        ({"parse": [], "roles": [str(r) for r in range(1, 22)]}, " ".join(f"<@&{r}>" for r in range(1, 22)), "21 roles"),
    ],
)
def test_the_last_guard_lets_only_the_roles_the_content_mentions_ping(
    allowed: dict[str, Any], content: str, problem: str
) -> None:
    payload: Any = {"content": content, "allowed_mentions": allowed}
    assert any(problem in found for found in payload_problems(payload)), payload_problems(payload)


def test_the_last_guard_accepts_a_ping() -> None:
    assert payload_problems({"content": PING, "allowed_mentions": {"parse": [], "roles": [str(ROLE)]}}) == []
