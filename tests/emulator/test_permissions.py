"""Discord's permission algorithm: base from roles, then overwrites in order."""

from __future__ import annotations

from tests.emulator.permissions import (
    ALL_PERMISSIONS,
    OVERWRITE_MEMBER,
    OVERWRITE_ROLE,
    Overwrite,
    Permission as P,
    base_permissions,
    channel_permissions,
    overwrite_for_exact,
)

GUILD, ROLE, OTHER_ROLE, MEMBER = 1, 2, 3, 4
VIEW_SEND = int(P.VIEW_CHANNEL | P.SEND_MESSAGES)


def effective(base: int, *overwrites: Overwrite, roles: tuple[int, ...] = (ROLE,)) -> int:
    return channel_permissions(base, overwrites, guild_id=GUILD, member_id=MEMBER, member_role_ids=roles)


def test_base_is_everyone_or_roles_and_admin_is_everything() -> None:
    assert base_permissions(int(P.VIEW_CHANNEL), [int(P.SEND_MESSAGES)]) == VIEW_SEND
    assert base_permissions(0, [int(P.ADMINISTRATOR)]) == ALL_PERMISSIONS
    assert base_permissions(0, [], is_owner=True) == ALL_PERMISSIONS


def test_overwrites_apply_everyone_then_roles_then_member() -> None:
    everyone_denies = Overwrite(GUILD, OVERWRITE_ROLE, deny=int(P.SEND_MESSAGES))
    role_allows = Overwrite(ROLE, OVERWRITE_ROLE, allow=int(P.SEND_MESSAGES))
    member_denies = Overwrite(MEMBER, OVERWRITE_MEMBER, deny=int(P.SEND_MESSAGES))
    assert effective(VIEW_SEND, everyone_denies) == int(P.VIEW_CHANNEL)
    assert effective(VIEW_SEND, everyone_denies, role_allows) == VIEW_SEND
    assert effective(VIEW_SEND, everyone_denies, role_allows, member_denies) == int(P.VIEW_CHANNEL)


def test_role_overwrites_of_roles_the_member_lacks_do_not_apply() -> None:
    other = Overwrite(OTHER_ROLE, OVERWRITE_ROLE, deny=int(P.SEND_MESSAGES))
    assert effective(VIEW_SEND, other) == VIEW_SEND


def test_no_view_channel_means_nothing() -> None:
    hide = Overwrite(ROLE, OVERWRITE_ROLE, deny=int(P.VIEW_CHANNEL))
    assert effective(VIEW_SEND | int(P.EMBED_LINKS), hide) == 0


def test_admin_ignores_overwrites() -> None:
    hide = Overwrite(ROLE, OVERWRITE_ROLE, deny=int(P.VIEW_CHANNEL))
    assert effective(ALL_PERMISSIONS, hide) == ALL_PERMISSIONS


def test_overwrite_for_exact_reaches_the_target() -> None:
    base = VIEW_SEND | int(P.EMBED_LINKS)
    target = int(P.VIEW_CHANNEL | P.MANAGE_WEBHOOKS)
    assert effective(base, overwrite_for_exact(target, base, role_id=ROLE)) == target


def test_without_send_messages_the_sending_extras_go_too() -> None:
    mute = Overwrite(ROLE, OVERWRITE_ROLE, deny=int(P.SEND_MESSAGES))
    base = VIEW_SEND | int(P.EMBED_LINKS | P.ATTACH_FILES | P.READ_MESSAGE_HISTORY)
    assert effective(base, mute) == int(P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY)
