"""A subscription's ``mention:``: the role ids it pings, in every form admins paste them."""

from __future__ import annotations

import pytest

from bot.config import describe_config
from bot.config.fieldtypes import MENTION_ROLES_LIMIT, TEMPLATE_PLACEHOLDERS, parse_role
from bot.render import MENTION_ROLES_LIMIT as RENDER_MENTION_ROLES_LIMIT
from bot.render import PLACEHOLDERS
from tests.config.conftest import BASE, Write, load

ROLE = 345678901234567890
OTHER = 456789012345678901


@pytest.mark.parametrize(
    ("written", "roles"),
    [
        (f"{ROLE}", (ROLE,)),
        (f'"{ROLE}"', (ROLE,)),
        (f"<@&{ROLE}>", (ROLE,)),
        (f'" <@&{ROLE}> "', (ROLE,)),
        (f"[{ROLE}, '<@&{OTHER}>']", (ROLE, OTHER)),
        (f"[{OTHER}, {ROLE}, '{OTHER}', '<@&{ROLE}>']", (OTHER, ROLE)),  # repeats dropped, order kept
        ("[]", ()),
        ("", ()),  # the key with nothing after it
    ],
)
def test_mention_accepts_ids_and_role_mentions(write: Write, written: str, roles: tuple[int, ...]) -> None:
    config = load(write(BASE + f"    mention: {written}\n"))
    assert config.subscriptions[0].mention == roles


def test_no_mention_by_default(write: Write) -> None:
    assert load(write(BASE)).subscriptions[0].mention == ()


def test_twenty_roles_are_allowed(write: Write) -> None:
    roles = list(range(1, MENTION_ROLES_LIMIT + 1))
    assert load(write(BASE + f"    mention: {roles}\n")).subscriptions[0].mention == tuple(roles)


@pytest.mark.parametrize("value", [True, 0, -1, 2**64, "12a", "<@123>", "<#123>", "<@&>", 1.5, None])
def test_parse_role_refuses_what_is_not_a_role_id(value: object) -> None:
    with pytest.raises(ValueError, match="is not a role id"):
        parse_role(value)


@pytest.mark.parametrize("value", ["everyone", "@everyone", "here", " @HERE "])
def test_parse_role_refuses_everyone_and_here_by_name(value: object) -> None:
    with pytest.raises(ValueError, match=r"^@(everyone|here) is not supported"):
        parse_role(value)


def test_an_update_does_not_ping_again(write: Write) -> None:
    """One ping per story: a new story and a digest ping, a re-posted update of the story does not."""
    sub = load(write(BASE + f"    mention: {ROLE}\n    repost_updates: true\n")).subscriptions[0]
    assert sub.mention_for("article") == (ROLE,)
    assert sub.mention_for("digest") == (ROLE,)
    assert sub.mention_for("update") == ()


def test_check_config_shows_the_ping(write: Write) -> None:
    summary = describe_config(load(write(BASE + f"    mention: [{ROLE}, {OTHER}]\n")))
    assert f"pings <@&{ROLE}> <@&{OTHER}>" in summary
    assert "pings" not in describe_config(load(write(BASE)))


def test_config_and_renderer_agree() -> None:
    """The config's stand-ins for the renderer's own rules (used when bot.render is absent) match them."""
    assert MENTION_ROLES_LIMIT == RENDER_MENTION_ROLES_LIMIT
    assert TEMPLATE_PLACEHOLDERS == set(PLACEHOLDERS)


def test_a_template_may_place_the_ping(write: Write) -> None:
    sub = load(write(BASE + f"    mention: {ROLE}\n    template: '{{mention}} **{{title}}**'\n")).subscriptions[0]
    assert (sub.layout, sub.template, sub.mention) == ("template", "{mention} **{title}**", (ROLE,))
