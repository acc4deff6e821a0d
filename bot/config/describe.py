"""The human summary ``newsbot check-config`` prints: what the bot will do with this config."""

from __future__ import annotations

from bot.config.durations import format_duration
from bot.config.fieldtypes import format_color
from bot.config.fieldtypes import hide_password
from bot.config.resolved import Config, Feed, Subscription


def describe_config(config: Config) -> str:
    """Feeds, subscriptions, storage and Discord settings in plain lines; secrets are never shown."""
    d = config.defaults
    lines = [f"Config: {config.path}" + (f" + {config.managed_path}" if config.managed_loaded else "")]
    if config.has_token:
        lines.append("Discord: token set; posts go to Discord")
    else:
        lines.append(
            "Discord: no token — posts are printed to the terminal (set DISCORD_TOKEN, or the variable "
            "discord.token names)"
        )
    lines.append(f"  API {config.discord.api_url}; gateway {config.discord.gateway_url or 'asked from the API'}")
    guilds = config.discord.command_guilds
    cap = config.discord.max_feeds_per_server
    lines.append(
        "  slash commands: "
        + (f"guilds {', '.join(map(str, guilds))} (instant)" if guilds else "global")
        + (f"; admin log channel {config.discord.admin_log_channel}" if config.discord.admin_log_channel else "")
        + (f"; alert channels {', '.join(map(str, config.alert_channels))}" if config.alert_channels else "")
        + (f"; at most {cap} feed{'s' if cap != 1 else ''} per server" if cap else "")
    )
    retention = config.storage.retention
    kept = f"stories kept {format_duration(retention)}" if retention else "every story kept (retention 0)"
    lines.append(f"Storage: {hide_password(config.storage.url)}; {kept}")
    allowed = config.network.allow_addresses
    lines.append(
        f"Network: fetches public addresses and {', '.join(allowed)}" if allowed
        else "Network: fetches public addresses only (network.allow_addresses is empty)"
    )
    lines.append(
        f"Defaults: poll every {format_duration(d.poll_interval)}, summaries of {d.summary_sentences} "
        f"sentence(s), TL;DR of {d.tldr_sentences}, layout {d.layout}, time zone {d.timezone}, "
        f"backfill {d.backfill}, fetch article {_fetch(d.fetch_article)}, at most {d.max_posts_per_run} posts per run"
        + (f", nothing older than {format_duration(d.max_age)}" if d.max_age else "")
    )
    lines.append(f"Feeds ({len(config.feeds)}):")
    lines += [f"  {_feed(feed)}" for feed in config.feeds] or ["  (none)"]
    lines.append(f"Subscriptions ({len(config.subscriptions)}):")
    lines += [f"  {describe_subscription(sub)}" for sub in config.subscriptions] or ["  (none)"]
    if config.warnings:
        lines.append("Warnings:")
        lines += [f"  {warning}" for warning in config.warnings]
    return "\n".join(lines)


def _fetch(value: object) -> str:
    return {True: "always", False: "never"}.get(value, "auto") if isinstance(value, bool) else str(value)


def _feed(feed: Feed) -> str:
    state = "paused" if feed.paused else f"every {format_duration(feed.interval)}"
    if not feed.enabled and not feed.paused:
        state = "disabled"
    kind = f"url {feed.url}" if feed.url is not None else f"folder {feed.folder}"
    extras = []
    if feed.backfill:
        extras.append(f"backfill {feed.backfill}")
    if feed.max_age:
        extras.append(f"nothing older than {format_duration(feed.max_age)}")
    if feed.headers:
        extras.append(f"headers: {', '.join(feed.headers)}")  # names only: values may be secrets
    extra = f"; {'; '.join(extras)}" if extras else ""
    return f"{feed.name}: {kind}; {state}; fetch article {_fetch(feed.fetch_article)}{extra} [{feed.origin}]"


def describe_subscription(sub: Subscription) -> str:
    """One subscription as check-config lists it (and /feeds edit echoes it)."""
    when = f"digest '{sub.schedule}' ({sub.timezone})" if sub.mode == "digest" else "immediate"
    parts = [f"{sub.key}: {', '.join(sub.feeds)} → channel {sub.channel}", when, f"layout {sub.layout}"]
    if sub.include:
        parts.append(f"include {', '.join(sub.include)}")
    if sub.exclude:
        parts.append(f"exclude {', '.join(sub.exclude)}")
    if sub.webhook is not None:
        parts.append(f"via webhook{f' as {sub.webhook.name!r}' if sub.webhook.name else ''}")
    if sub.mention:
        parts.append("pings " + " ".join(f"<@&{role}>" for role in sub.mention))
    if sub.repost_updates:
        parts.append("reposts updates")
    if not sub.section_menu:
        parts.append("no section menu")
    if sub.color is not None:
        parts.append(f"colour {format_color(sub.color)}")
    parts.append(f"max {sub.max_posts_per_run} per run")
    if sub.max_age is not None:
        parts.append(f"nothing older than {format_duration(sub.max_age)}" if sub.max_age else "no age limit")
    return "; ".join(parts) + f" [{sub.origin}]"
