"""Which channels an admin notice goes to: the operator's admin log, and the alert channels of the
servers it is about.  Pure.

One newsbot process may post to several servers (bot.config.scope).  A notice (bot.notices) names
the subscriptions and feeds it concerns; each server may name an alert channel (``alert_channels``
in the managed file, set with ``/feeds alerts``, or ``discord.alert_channels`` in the YAML).  An
alert channel receives a notice iff it is in the same server as the channel of at least one
concerned subscription — for a concerned feed, each of its subscriptions — so a server hears about
its own feeds and never about another's.  ``discord.admin_log_channel`` (the operator's) receives
every notice, as before; a channel that is both receives it once.

Servers are known by ids only: the caller maps each channel id it knows to its server's (guild)
id — from discord.py's cache, and for a subscription channel deleted since the bot saw it (in this
run or an earlier one), from what it stored then (bot.store.channels).  A channel missing from that
map (of a server the bot left, or deleted before the bot ever saw it) is in no server: an alert
channel there receives nothing, a subscription there concerns no server.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from bot.config.resolved import Config, Subscription
from bot.notices import Concerns


def concerned_subscriptions(config: Config, concerns: Concerns) -> tuple[Subscription, ...]:
    """The subscriptions a notice is about, in config order: those named, and each one of the feeds named."""
    return tuple(
        sub for sub in config.subscriptions
        if sub.key in concerns.subscriptions or any(feed in concerns.feeds for feed in sub.feeds)
    )


def routed_alert_channels(config: Config, concerns: Concerns, guild_of: Mapping[int, int]) -> tuple[int, ...]:
    """The alert channels that receive a notice about ``concerns``, in config order.

    ``guild_of`` maps a channel id to its server's id, for the channels the bot can see.
    """
    guilds = {guild_of[sub.channel] for sub in concerned_subscriptions(config, concerns) if sub.channel in guild_of}
    return tuple(channel for channel in config.alert_channels if guild_of.get(channel) in guilds)


def notice_channels(config: Config, concerns: Concerns, guild_of: Mapping[int, int]) -> tuple[int, ...]:
    """Every channel a notice is posted in, each once: the admin log channel (if set) first, then
    the alert channels of the servers it concerns."""
    admin_log = config.discord.admin_log_channel
    operator = (admin_log,) if admin_log is not None else ()
    return tuple(dict.fromkeys(operator + routed_alert_channels(config, concerns, guild_of)))


def server_alert_channels(config: Config, server_channels: Collection[int]) -> tuple[int, ...]:
    """The alert channels of the server whose channel ids are ``server_channels`` (what ``/feeds alerts``
    shows), in config order."""
    return tuple(channel for channel in config.alert_channels if channel in server_channels)
