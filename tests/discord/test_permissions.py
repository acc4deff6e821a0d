"""The startup check's advice on ``mention:`` roles that would not ping, decided from plain values."""

from __future__ import annotations

import pytest

from bot.discord.permissions import (
    CREATE_PUBLIC_THREADS,
    EMBED_LINKS,
    MANAGE_WEBHOOKS,
    MENTION_EVERYONE,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    ServerRole,
    required,
    unpingable_roles,
)

QUIET = ServerRole(1, "readers", mentionable=False)
OPEN = ServerRole(2, "everybody", mentionable=True)
ROLES = {role.id: role for role in (QUIET, OPEN)}
NOT_MENTIONABLE = ("role @readers is not mentionable, so posts do not ping it; make it mentionable in Server "
                   "Settings › Roles, or grant the bot Mention @everyone, @here, and All Roles in #news")
NOT_FOUND = "role 3 not found in Newsroom, so posts ping no one for it; fix the role id under mention: in the config"


@pytest.mark.parametrize(("mention", "have", "webhook", "expected"), [
    ((), SEND_MESSAGES, False, []),
    ((2,), SEND_MESSAGES, False, []),  # mentionable: anyone may ping it
    ((1,), SEND_MESSAGES, False, [NOT_MENTIONABLE]),
    ((1,), SEND_MESSAGES | MENTION_EVERYONE, False, []),  # the bot may ping any role there
    ((1,), SEND_MESSAGES, True, []),  # a webhook execution pings any role (in a forum too)
    ((3,), SEND_MESSAGES | MENTION_EVERYONE, True, [NOT_FOUND]),  # nothing pings a missing role
    ((3, 1, 2, 1), SEND_MESSAGES, False, [NOT_FOUND, NOT_MENTIONABLE]),  # in order, each once
])
def test_each_role_that_would_not_ping_is_named_with_its_fix(
    mention: tuple[int, ...], have: int, webhook: bool, expected: list[str]
) -> None:
    assert unpingable_roles(mention, ROLES, have=have, webhook=webhook, server="Newsroom", channel="news") == expected


@pytest.mark.parametrize(("layout", "webhook", "forum", "needs", "lacks"), [
    ("embed", False, False, {VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS}, {MANAGE_WEBHOOKS, SEND_MESSAGES_IN_THREADS}),
    ("thread", False, False, {CREATE_PUBLIC_THREADS, SEND_MESSAGES_IN_THREADS}, {MANAGE_WEBHOOKS}),
    ("embed", True, False, {MANAGE_WEBHOOKS}, {READ_MESSAGE_HISTORY}),  # history is only recommended
    ("thread", False, True, {SEND_MESSAGES_IN_THREADS, READ_MESSAGE_HISTORY}, {CREATE_PUBLIC_THREADS, MANAGE_WEBHOOKS}),
    ("embed", True, True, {MANAGE_WEBHOOKS, SEND_MESSAGES_IN_THREADS, READ_MESSAGE_HISTORY}, {CREATE_PUBLIC_THREADS}),
])
def test_required_permissions_by_layout_channel_and_webhook(
    layout: str, webhook: bool, forum: bool, needs: set[int], lacks: set[int]
) -> None:
    bits = required(layout, webhook=webhook, forum=forum)
    assert all(bits & bit for bit in needs)
    assert not any(bits & bit for bit in lacks)


def test_in_a_thread_the_bot_posts_with_send_messages_in_threads() -> None:
    bits = required("embed", webhook=False, thread=True)
    assert bits & SEND_MESSAGES_IN_THREADS and bits & EMBED_LINKS and bits & VIEW_CHANNEL
    assert not bits & SEND_MESSAGES
