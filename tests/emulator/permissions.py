"""Discord's permission bits and the overwrite algorithm, as pure functions.

The emulator decides "may the bot post here?" the way Discord does, so a 403 it sends is a 403
Discord would send.  Source: Discord docs, Topics > Permissions ("Bitwise Permission Flags",
"Permission Overwrites", "Implicit Permissions").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntFlag


class Permission(IntFlag):
    """The permission bits the emulator checks or that tests commonly grant."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38


P = Permission

#: What a news bot needs, and so what the emulated bot role gets unless a test says otherwise.
DEFAULT_BOT_PERMISSIONS: int = int(
    P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.READ_MESSAGE_HISTORY
    | P.ADD_REACTIONS
    | P.USE_EXTERNAL_EMOJIS
    | P.MANAGE_WEBHOOKS
    | P.CREATE_PUBLIC_THREADS
    | P.SEND_MESSAGES_IN_THREADS
    | P.USE_APPLICATION_COMMANDS
)

#: A fresh guild's @everyone role: members can read, talk and use commands, nothing more.
DEFAULT_EVERYONE_PERMISSIONS: int = int(
    P.CREATE_INSTANT_INVITE
    | P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.READ_MESSAGE_HISTORY
    | P.ADD_REACTIONS
    | P.USE_EXTERNAL_EMOJIS
    | P.CHANGE_NICKNAME
    | P.USE_APPLICATION_COMMANDS
    | P.CREATE_PUBLIC_THREADS
    | P.SEND_MESSAGES_IN_THREADS
    | P.CONNECT
    | P.SPEAK
)

#: Every bit Discord defines today (used for ADMINISTRATOR and the guild owner).
ALL_PERMISSIONS: int = (1 << 51) - 1

#: Lost with SEND_MESSAGES (Topics > Permissions > Implicit Permissions).
SEND_DEPENDENT: int = int(P.SEND_TTS_MESSAGES | P.MENTION_EVERYONE | P.ATTACH_FILES | P.EMBED_LINKS)

#: Overwrite target types (Discord docs, Channel > Overwrite Object).
OVERWRITE_ROLE = 0
OVERWRITE_MEMBER = 1


@dataclass(frozen=True, slots=True)
class Overwrite:
    """One entry of a channel's ``permission_overwrites``."""

    #: Role or user id.
    id: int
    #: OVERWRITE_ROLE or OVERWRITE_MEMBER.
    type: int
    allow: int = 0
    deny: int = 0

    def to_payload(self) -> dict[str, object]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


def base_permissions(everyone: int, role_permissions: Iterable[int], *, is_owner: bool = False) -> int:
    """Guild-level permissions: @everyone OR every role the member holds; owners and admins get all."""
    if is_owner:
        return ALL_PERMISSIONS
    perms = everyone
    for role_perms in role_permissions:
        perms |= role_perms
    if perms & P.ADMINISTRATOR:
        return ALL_PERMISSIONS
    return perms


def channel_permissions(
    base: int,
    overwrites: Iterable[Overwrite],
    *,
    guild_id: int,
    member_id: int,
    member_role_ids: Iterable[int],
) -> int:
    """Apply a channel's overwrites in Discord's order: @everyone, then roles together, then the member."""
    if base & P.ADMINISTRATOR or base == ALL_PERMISSIONS:
        return ALL_PERMISSIONS
    overwrites = list(overwrites)
    roles = set(member_role_ids)
    perms = base
    for ow in overwrites:
        if ow.type == OVERWRITE_ROLE and ow.id == guild_id:
            perms = (perms & ~ow.deny) | ow.allow
    allow = deny = 0
    for ow in overwrites:
        if ow.type == OVERWRITE_ROLE and ow.id in roles and ow.id != guild_id:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow
    for ow in overwrites:
        if ow.type == OVERWRITE_MEMBER and ow.id == member_id:
            perms = (perms & ~ow.deny) | ow.allow
    # Implicit permissions: without VIEW_CHANNEL nothing else in the channel is usable, and
    # without SEND_MESSAGES the permissions that only matter when sending go too.
    if not perms & P.VIEW_CHANNEL:
        return 0
    if not perms & P.SEND_MESSAGES:
        perms &= ~SEND_DEPENDENT
    return perms


def overwrite_for_exact(target: int, base: int, *, role_id: int) -> Overwrite:
    """The role overwrite that turns ``base`` into exactly ``target`` for holders of ``role_id``."""
    return Overwrite(id=role_id, type=OVERWRITE_ROLE, allow=target & ~base, deny=base & ~target)
