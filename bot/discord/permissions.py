"""What the bot needs in a channel, by layout, and how to say what is missing.  Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Discord permission bits (https://discord.com/developers/docs/topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
MANAGE_WEBHOOKS = 1 << 29
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38

NAMES = {
    VIEW_CHANNEL: "View Channel",
    SEND_MESSAGES: "Send Messages",
    EMBED_LINKS: "Embed Links",
    READ_MESSAGE_HISTORY: "Read Message History",
    MANAGE_WEBHOOKS: "Manage Webhooks",
    MANAGE_THREADS: "Manage Threads",
    CREATE_PUBLIC_THREADS: "Create Public Threads",
    SEND_MESSAGES_IN_THREADS: "Send Messages in Threads",
}


def required(layout: str, *, webhook: bool, forum: bool = False, thread: bool = False) -> int:
    """The permission bits a subscription with this layout needs in its channel.

    In a forum, Send Messages creates a post (Create Public Threads is not asked for), the rest of
    a post goes inside it (Send Messages in Threads), and a retry reads a post's first message to
    recognise its own earlier attempt (Read Message History).  A webhook subscription needs
    Manage Webhooks to find or create the channel's webhook, forum or not.  A subscription whose
    channel is itself a thread (``thread``) posts with Send Messages in Threads, not Send Messages
    (a thread has the permissions of its channel, where both are granted).
    """
    bits = VIEW_CHANNEL | (SEND_MESSAGES_IN_THREADS if thread else SEND_MESSAGES) | EMBED_LINKS
    if forum:
        bits |= SEND_MESSAGES_IN_THREADS | READ_MESSAGE_HISTORY
    elif layout == "thread":
        bits |= CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS
    if webhook:
        bits |= MANAGE_WEBHOOKS
    return bits


def recommended(*, webhook: bool, forum: bool = False) -> int:
    """Permission bits a subscription works without, but better with.

    A webhook subscription posts without Read Message History, but a retry after a lost answer
    finds its earlier post only by reading the channel's history; without it the retry may post a
    second copy.  (In a forum it is required anyway, see ``required``.)
    """
    return READ_MESSAGE_HISTORY if webhook and not forum else 0


def bot_permissions(channel: Any) -> int:
    """The bot's permission bits in a cached guild channel (discord.py's, duck-typed to stay
    pure): none while the guild has not told the bot who it is there."""
    me = channel.guild.me
    return channel.permissions_for(me).value if me is not None else 0


def missing(have: int, need: int) -> list[str]:
    """Names of the permissions in ``need`` that ``have`` lacks, in a stable order."""
    return [name for bit, name in NAMES.items() if need & bit and not have & bit]


@dataclass(frozen=True, slots=True)
class ChannelProblem:
    """One thing an admin must fix for a subscription to post."""

    subscription: str
    channel_id: int
    message: str
    #: False for advice (a recommended permission): the subscription still posts, so it is not
    #: held paused for it.
    blocking: bool = True

    def __str__(self) -> str:
        return f"subscription {self.subscription}: channel {self.channel_id}: {self.message}"


@dataclass(frozen=True, slots=True)
class ServerRole:
    """What the ping check needs to know of one role of a channel's server (from discord.py's cache)."""

    #: Role id, as ``mention:`` gives it.
    id: int
    #: Its name, as admins see it under Server Settings › Roles.
    name: str
    #: "Allow anyone to @mention this role" (the Role object's ``mentionable``).
    mentionable: bool


def unpingable_roles(
    mention: Iterable[int], roles: Mapping[int, ServerRole], *, have: int, webhook: bool, server: str, channel: str,
) -> list[str]:
    """What to tell the admins about each role of ``mention`` the subscription's posts would not ping.

    Discord posts the message either way and silently leaves such a role unpinged, so this is
    advice, never a reason to hold the posts.  A role pings only if it exists in the channel's
    server (``roles``, by id) and is mentionable or the bot has Mention @everyone, @here, and All
    Roles there (``have``).  A webhook execution pings any role of the server, in a forum too:
    Discord does not document that, but it was reported so (discord-api-docs#2988) and the
    emulator does the same.
    """
    problems: list[str] = []
    for role_id in dict.fromkeys(mention):
        role = roles.get(role_id)
        if role is None:
            problems.append(f"role {role_id} not found in {server}, so posts ping no one for it; "
                            "fix the role id under mention: in the config")
        elif not (role.mentionable or have & MENTION_EVERYONE or webhook):
            problems.append(f"role @{role.name} is not mentionable, so posts do not ping it; make it mentionable "
                            "in Server Settings › Roles, or grant the bot Mention @everyone, @here, and All Roles "
                            f"in #{channel}")
    return problems
