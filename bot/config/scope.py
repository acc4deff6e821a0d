"""Which feeds and subscriptions one Discord server's slash commands may see and change.

One newsbot process may post to channels of several servers.  The admins of server A must not list,
export, pause, edit or remove the feeds of server B, and A's members must not read B's stories.  A
server is known here only by the ids of its channels (threads and forums included): the cog reads
them from discord.py's cache and passes plain ids in, so this module stays pure.

* A server's **subscriptions** are those whose channel is one of its channels.
* It **sees** a feed with at least one of its subscriptions (``/feeds list``, ``/latest feed:``).
* It **owns** a feed all of whose subscriptions are its own (there is at least one): only then may its
  admins pause, resume, edit or remove it; a feed shared with another server is the operator's.
* It reads the **stories posted to its channels** (routed there by the outbox, sent or not); each
  member only those posted to the channels they can view (the cog reads Discord's permissions), so
  a story in a staff-only channel stays among the staff — in the bot's only server too.
* Its feed count, for the operator's cap (``discord.max_feeds_per_server``, bot.config.feedcap),
  is the feeds it owns.

When the bot is in one server only, everything is that server's: every feed (those with no
subscription, or whose channel it cannot find, included), every subscription.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bot.config.feedcap import FeedCap
from bot.config.resolved import Config, Feed, Subscription


@dataclass(frozen=True)
class GuildScope:
    """What one server's commands may touch; built by :func:`guild_scope`."""

    #: The server's subscriptions, in config order.
    subscriptions: tuple[Subscription, ...]
    #: Names of the feeds the server sees: those with at least one of its subscriptions.
    seen: frozenset[str]
    #: Names of the feeds the server owns: every subscription of theirs is its own.
    owned: frozenset[str]
    #: The server's channel ids; None in the bot's only server, where everything is its own.
    channels: frozenset[int] | None
    #: The bot is in this server alone: everything is its own, and nothing is refused for scope.
    only_server: bool = False

    def sees(self, feed: str) -> bool:
        """Whether the server may know that ``feed`` exists."""
        return feed in self.seen

    def owns(self, feed: str) -> bool:
        """Whether the server's admins may change ``feed``."""
        return feed in self.owned

    def has_subscription(self, key: str) -> bool:
        """Whether the subscription with this key posts to one of the server's channels."""
        return any(sub.key == key for sub in self.subscriptions)

    def change_refusal(self, feed: str) -> str | None:
        """Why the server's admins may not pause, resume, edit or remove ``feed``; None when they may.

        A feed the server does not see is "unknown", exactly as a name that is no feed at all: a
        server never learns that another's feed exists.  In the bot's only server nothing is
        refused here (the managed file's own checks answer, naming the feeds there are).
        """
        if self.only_server:
            return None
        if not self.sees(feed):
            return f"unknown feed “{feed}” — see /feeds list for this server's feeds"
        if not self.owns(feed):
            return f"feed “{feed}” also posts to another server; ask the bot's operator or edit the YAML"
        return None

    def feed_cap(self, config: Config) -> FeedCap:
        """The server's standing under ``config``'s ``discord.max_feeds_per_server``: the feeds it owns
        are those it pays polls for (a shared feed is the operator's), hand-written ones included."""
        return FeedCap(count=len(self.owned), cap=config.discord.max_feeds_per_server)

    def under(self, config: Config) -> GuildScope:
        """The same server's scope under ``config``: what it has now, after a change that finished
        since this scope was taken (a command that waited for another's write re-reads it)."""
        return guild_scope(config, self.channels or (), only_server=self.only_server)

    def seen_feeds(self, config: Config) -> tuple[Feed, ...]:
        """``config``'s feeds the server sees, in config order."""
        return tuple(feed for feed in config.feeds if feed.name in self.seen)


def guild_scope(config: Config, channels: Iterable[int], *, only_server: bool) -> GuildScope:
    """The scope of the server whose channel ids are ``channels``.

    ``only_server``: the bot is in this server alone, so every feed and subscription is its
    own, including a feed with no subscription at all (added with no channel, or whose subscriptions
    were removed).  In a bot that is in several servers such a feed is seen and owned by none: only
    the operator changes it, in the YAML.
    """
    if only_server:
        names = frozenset(feed.name for feed in config.feeds)
        return GuildScope(subscriptions=config.subscriptions, seen=names, owned=names, channels=None, only_server=True)
    ours = frozenset(channels)
    subscriptions = tuple(sub for sub in config.subscriptions if sub.channel in ours)
    seen = feeds_posting_to(config, ours)
    owned = frozenset(name for name in seen if all(sub.channel in ours for sub in config.subscriptions_for(name)))
    return GuildScope(subscriptions=subscriptions, seen=seen, owned=owned, channels=ours)


def feeds_posting_to(config: Config, channels: Collection[int]) -> frozenset[str]:
    """Names of the feeds with a subscription posting in one of ``channels``: the feeds a member who
    can view those channels reads stories of (``/latest feed:``).  A feed known only to channels the
    member cannot see stays unknown to them, as its stories are."""
    return frozenset(name for sub in config.subscriptions if sub.channel in channels for name in sub.feeds)
