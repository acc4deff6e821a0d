"""What the bot needs in a channel, by layout, and how to say what is missing.  Pure."""

from __future__ import annotations

from dataclasses import dataclass

#: Discord permission bits (https://discord.com/developers/docs/topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
MANAGE_WEBHOOKS = 1 << 29
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38

NAMES = {
    VIEW_CHANNEL: "View Channel",
    SEND_MESSAGES: "Send Messages",
    EMBED_LINKS: "Embed Links",
    READ_MESSAGE_HISTORY: "Read Message History",
    MANAGE_WEBHOOKS: "Manage Webhooks",
    CREATE_PUBLIC_THREADS: "Create Public Threads",
    SEND_MESSAGES_IN_THREADS: "Send Messages in Threads",
}


def required(layout: str, *, webhook: bool, forum: bool = False) -> int:
    """The permission bits a subscription with this layout needs in its channel.

    In a forum, Send Messages creates a post (Create Public Threads is not asked for), the rest of
    a post goes inside it (Send Messages in Threads), and a retry reads a post's first message to
    recognise its own earlier attempt (Read Message History).  Posts there are made by the bot
    itself, so a webhook needs no Manage Webhooks.
    """
    bits = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS
    if forum:
        return bits | SEND_MESSAGES_IN_THREADS | READ_MESSAGE_HISTORY
    if layout == "thread":
        bits |= CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS
    if webhook:
        bits |= MANAGE_WEBHOOKS
    return bits


def recommended(*, webhook: bool, forum: bool = False) -> int:
    """Permission bits a subscription works without, but better with.

    A webhook subscription posts without Read Message History, but a retry after a lost answer
    finds its earlier post only by reading the channel's history; without it the retry may post a
    second copy.  (In a forum the bot posts itself and needs the permission anyway.)
    """
    return READ_MESSAGE_HISTORY if webhook and not forum else 0


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
