"""``newsbot status``: the config and one read of the store, laid side by side for an operator.

Pure: given the config, a :class:`~bot.store.status.StoreStatus` and ``now``, :func:`build_status`
decides what each feed and subscription is (enabled, paused, failing, removed from the config…),
and :func:`status_lines` / :func:`status_json` say it as text or as one JSON object.  The decisions
are made once, so the two forms cannot disagree.

Which feed state wins, first match:

    not in the config   a feed row left from a feed removed from the config (its stories stay)
    paused              paused from Discord (the managed file's ``paused:``)
    disabled            ``enabled: false`` in a file, or the bot disabled it (410 Gone…)
    enabled             polled; "failing" is said beside it while polls fail
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.config.durations import format_duration
from bot.config.fieldtypes import hide_password
from bot.render.text import one_line, truncate

if TYPE_CHECKING:
    from bot.config.resolved import Config, Feed, Subscription
    from bot.store.records import FeedState
    from bot.store.status import StoreStatus, SubscriptionActivity

#: Feed states, as ``status`` says them in JSON (the text says "not in the config" for the first).
NOT_IN_CONFIG, PAUSED, DISABLED, ENABLED = "not_in_config", "paused", "disabled", "enabled"
#: Store reasons that only mirror the config (``enabled: false``); the bot re-syncs them at start.
CONFIG_DISABLED_REASONS = (None, "paused")
#: Longest last error the text form shows on its one line (the JSON carries it whole).
ERROR_CHARS = 300
#: Outbox statuses shown per subscription: what waits, and what was given up on.
SUBSCRIPTION_COUNTS = ("pending", "held", "failed")


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """One feed as ``status`` shows it."""

    #: The feed's name.
    name: str
    #: Its URL or folder (the config's; for a removed feed, the one the store kept).
    source: str
    #: One of :data:`ENABLED`, :data:`PAUSED`, :data:`DISABLED`, :data:`NOT_IN_CONFIG`.
    state: str
    #: Why it is paused or disabled; None otherwise.
    reason: str | None
    #: Whether the bot has a row for it yet (it adds one when it loads the config).
    known: bool
    #: When a poll last succeeded; None: never.
    last_success_at: datetime | None
    #: Consecutive failed polls (0: healthy).
    failures: int
    #: When the current run of failures began.
    failing_since: datetime | None
    #: The last failure's message (kept after it heals, shown only while failing).
    last_error: str | None
    #: When it is due again; None: due now (or never polled while not enabled).
    next_poll_at: datetime | None
    #: Where a permanent redirect says the feed now lives (polled instead of ``source``).
    moved_to: str | None
    #: Stories stored that were first read from it.
    stories: int

    @property
    def failing(self) -> bool:
        return self.failures > 0


@dataclass(frozen=True, slots=True)
class SubscriptionStatus:
    """One subscription as ``status`` shows it."""

    #: Its key (name, or "<channel>:<feeds>").
    key: str
    #: False: outbox rows or state left from a subscription removed from the config.
    in_config: bool
    #: Discord channel id; None when not in the config.
    channel: int | None
    #: "immediate" or "digest"; None when not in the config.
    mode: str | None
    #: Paused: its rows wait, none is delivered.
    paused: bool
    #: Why (an admin's reason, or "channel not found"); None when not paused.
    pause_reason: str | None
    #: Its outbox rows per status (every status present).
    outbox: Mapping[str, int]
    #: When one of its posts was last accepted; None: never.
    last_sent_at: datetime | None
    #: When the digest schedule last fired (with or without stories); None: never.
    last_digest_at: datetime | None
    #: When its last digest post was accepted; None: never.
    last_digest_sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class Status:
    """Everything ``newsbot status`` prints, decided."""

    #: When it was read.
    now: datetime
    #: The database, password hidden.
    database: str
    #: The configured feeds in config order, then the store's feeds no longer in the config.
    feeds: tuple[FeedStatus, ...]
    #: The configured subscriptions in config order, then the store's no longer in the config.
    subscriptions: tuple[SubscriptionStatus, ...]
    #: Stories stored in all.
    stories: int
    #: Outbox rows per status, every status present.
    outbox: Mapping[str, int]
    #: When the oldest pending row was enqueued; None: nothing pending.
    oldest_pending_at: datetime | None
    #: Why the figures may be incomplete: the database's schema is of another revision; None: it is not.
    schema_note: str | None = None


# --- deciding -----------------------------------------------------------------------------------


def build_status(config: Config, store: StoreStatus, now: datetime, *, schema_note: str | None = None) -> Status:
    """The config's feeds and subscriptions (in its order) with their stored state, then what the
    store still has of removed ones; ``schema_note`` (bot.store.readonly) is shown as is."""
    states = {state.name: state for state in store.feeds}
    configured = {feed.name for feed in config.feeds}
    feeds = [_feed_status(feed, states.get(feed.name), store.stories_by_feed) for feed in config.feeds]
    feeds += [_removed_feed(state, store.stories_by_feed) for state in store.feeds if state.name not in configured]
    keys = {sub.key for sub in config.subscriptions}
    subs = [_subscription_status(sub.key, sub, store.subscriptions.get(sub.key)) for sub in config.subscriptions]
    subs += [_subscription_status(key, None, act) for key, act in store.subscriptions.items() if key not in keys]
    return Status(
        now=now,
        database=hide_password(config.storage.url),
        feeds=tuple(feeds),
        subscriptions=tuple(subs),
        stories=store.stories,
        outbox=dict(store.outbox),
        oldest_pending_at=store.oldest_pending_at,
        schema_note=schema_note,
    )


def classify_feed(feed: Feed, state: FeedState | None) -> tuple[str, str | None]:
    """(state, reason) of a configured feed: the config's word first, then the bot's own disabling."""
    if feed.paused:
        return PAUSED, f"paused from Discord; /feeds resume {feed.name} polls it again"
    if not feed.enabled:
        return DISABLED, f"enabled: false in {feed.origin}"
    if state is not None and state.disabled and state.disabled_reason not in CONFIG_DISABLED_REASONS:
        return DISABLED, state.disabled_reason
    return ENABLED, None


def _feed_status(feed: Feed, state: FeedState | None, stories: Mapping[str, int]) -> FeedStatus:
    kind, reason = classify_feed(feed, state)
    return _with_state(feed.name, feed.source, kind, reason, state, stories)


def _removed_feed(state: FeedState, stories: Mapping[str, int]) -> FeedStatus:
    return _with_state(state.name, state.url, NOT_IN_CONFIG, None, state, stories)


def _with_state(
    name: str, source: str, kind: str, reason: str | None, state: FeedState | None, stories: Mapping[str, int]
) -> FeedStatus:
    return FeedStatus(
        name=name,
        source=source,
        state=kind,
        reason=reason,
        known=state is not None,
        last_success_at=state.last_success_at if state else None,
        failures=state.failures if state else 0,
        failing_since=state.first_failure_at if state else None,
        last_error=state.last_error if state and state.failures else None,
        next_poll_at=state.next_poll_at if state else None,
        moved_to=state.moved_to if state else None,
        stories=stories.get(name, 0),
    )


def _subscription_status(key: str, sub: Subscription | None, act: SubscriptionActivity | None) -> SubscriptionStatus:
    state = act.state if act is not None else None
    return SubscriptionStatus(
        key=key,
        in_config=sub is not None,
        channel=sub.channel if sub is not None else None,
        mode=sub.mode if sub is not None else None,
        paused=bool(state and state.paused),
        pause_reason=state.pause_reason if state and state.paused else None,
        outbox=dict(act.outbox) if act is not None else {},
        last_sent_at=act.last_sent_at if act is not None else None,
        last_digest_at=state.last_digest_at if state else None,
        last_digest_sent_at=act.last_digest_sent_at if act is not None else None,
    )


# --- text -----------------------------------------------------------------------------------------


def ago(when: datetime, now: datetime) -> str:
    """``when`` relative to ``now``, coarser as it gets further: "45s ago", "in 13m", "2h5m ago", "3d4h ago"."""
    seconds = int((now - when).total_seconds())
    span = abs(seconds)
    if span < 60:
        text = f"{span}s"
    elif span < 3600:
        text = f"{span // 60}m"
    elif span < 86_400:
        text = format_duration(span - span % 60)
    else:
        text = format_duration(span - span % 3600)
    return f"{text} ago" if seconds >= 0 else f"in {text}"


def when(moment: datetime | None, now: datetime, *, never: str = "never") -> str:
    """"2025-03-01 11:58 UTC (2m ago)", or ``never``."""
    if moment is None:
        return never
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({ago(moment, now)})"


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _feed_line(feed: FeedStatus, now: datetime) -> list[str]:
    label = "not in the config" if feed.state == NOT_IN_CONFIG else feed.state
    if feed.reason:
        label += f" ({feed.reason})"
    if feed.failing:
        label += (
            f", FAILING: {_plural(feed.failures, 'failure')} in a row"
            + (f" since {when(feed.failing_since, now)}" if feed.failing_since else "")
        )
    parts = [f"{feed.name}: {label}"]
    if feed.state == NOT_IN_CONFIG:
        parts.append(feed.source)
    if not feed.known:
        parts.append("not in the database yet (the bot adds it when it loads the config)")
    else:
        parts.append(f"last success {when(feed.last_success_at, now)}")
        if feed.state != NOT_IN_CONFIG:
            parts.append(f"next poll {_next_poll(feed, now)}")
    parts.append(f"{_plural(feed.stories, 'story', 'stories')} stored")
    lines = ["  " + "; ".join(parts)]
    if feed.moved_to:
        lines.append(f"    moved to {feed.moved_to} (a permanent redirect; put that URL in the config)")
    if feed.failing and feed.last_error:
        lines.append(f"    last error: {truncate(one_line(feed.last_error), ERROR_CHARS)}")
    return lines


def _next_poll(feed: FeedStatus, now: datetime) -> str:
    if feed.state != ENABLED:
        return f"none ({feed.state})"
    return when(feed.next_poll_at, now, never="due now")


def _counts(counts: Mapping[str, int], statuses: Sequence[str]) -> str:
    return ", ".join(f"{counts.get(status, 0)} {status}" for status in statuses)


def _subscription_line(sub: SubscriptionStatus, now: datetime) -> str:
    head = sub.key if not sub.in_config else f"{sub.key} → channel {sub.channel}, {sub.mode}"
    parts = [f"{head}: " + (f"PAUSED ({sub.pause_reason or 'no reason given'})" if sub.paused else "active")]
    parts.append(f"outbox {_counts(sub.outbox, SUBSCRIPTION_COUNTS)}")
    parts.append(f"last post sent {when(sub.last_sent_at, now)}")
    if sub.mode == "digest" or sub.last_digest_at or sub.last_digest_sent_at:
        parts.append(
            f"last digest sent {when(sub.last_digest_sent_at, now)}, schedule last fired {when(sub.last_digest_at, now)}"
        )
    return "  " + "; ".join(parts)


def _section(title: str, lines: list[str]) -> list[str]:
    return [title, *(lines or ["  (none)"])]


def status_lines(status: Status) -> list[str]:
    """The text form: a header, the feeds, the subscriptions, the totals; one line each (plus a
    feed's redirect and last error, indented beneath it)."""
    now = status.now
    configured = [f for f in status.feeds if f.state != NOT_IN_CONFIG]
    removed = [f for f in status.feeds if f.state == NOT_IN_CONFIG]
    lines = [f"newsbot status at {now.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, from {status.database}"]
    if status.schema_note:
        lines.append(f"Note: {status.schema_note}.")
    lines += _section(f"Feeds ({len(configured)}):", [line for f in configured for line in _feed_line(f, now)])
    if removed:
        lines += _section(
            f"Not in the config ({len(removed)}, left from removed feeds; their stories stay until retention prunes them):",
            [line for f in removed for line in _feed_line(f, now)],
        )
    subs = [s for s in status.subscriptions if s.in_config]
    gone = [s for s in status.subscriptions if not s.in_config]
    lines += _section(f"Subscriptions ({len(subs)}):", [_subscription_line(s, now) for s in subs])
    if gone:
        lines += _section(
            f"Subscriptions not in the config ({len(gone)}, left from removed ones):",
            [_subscription_line(s, now) for s in gone],
        )
    backlog = (
        f"oldest pending post queued {when(status.oldest_pending_at, now)}"
        if status.oldest_pending_at
        else "nothing pending"
    )
    lines.append(
        f"Totals: {_plural(status.stories, 'story', 'stories')} stored; "
        f"outbox {_counts(status.outbox, list(status.outbox))}; {backlog}"
    )
    return lines


# --- JSON -----------------------------------------------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second ("2025-03-01T11:58:00+00:00"), or None."""
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def _feed_json(feed: FeedStatus) -> dict[str, Any]:
    return {
        "name": feed.name,
        "source": feed.source,
        "state": feed.state,
        "reason": feed.reason,
        "in_config": feed.state != NOT_IN_CONFIG,
        "in_database": feed.known,
        "last_success_at": iso(feed.last_success_at),
        "failing": feed.failing,
        "failures": feed.failures,
        "failing_since": iso(feed.failing_since),
        "last_error": feed.last_error,
        "next_poll_at": iso(feed.next_poll_at) if feed.state == ENABLED else None,
        "moved_to": feed.moved_to,
        "stories": feed.stories,
    }


def _subscription_json(sub: SubscriptionStatus) -> dict[str, Any]:
    return {
        "key": sub.key,
        "in_config": sub.in_config,
        "channel": str(sub.channel) if sub.channel is not None else None,
        "mode": sub.mode,
        "paused": sub.paused,
        "pause_reason": sub.pause_reason,
        "outbox": {status: sub.outbox.get(status, 0) for status in SUBSCRIPTION_COUNTS},
        "last_sent_at": iso(sub.last_sent_at),
        "last_digest_at": iso(sub.last_digest_at),
        "last_digest_sent_at": iso(sub.last_digest_sent_at),
    }


def status_json(status: Status) -> dict[str, Any]:
    """The JSON form, for monitoring scripts: the same facts, stable keys, times ISO 8601 UTC.

    Channel ids are strings, as in Discord's API (a 64-bit snowflake does not survive a JavaScript
    number).  ``next_poll_at`` is null for a feed that is not polled (paused, disabled, removed)
    and for an enabled feed that is due now.
    """
    oldest = status.oldest_pending_at
    return {
        "generated_at": iso(status.now),
        "database": status.database,
        "schema_note": status.schema_note,
        "feeds": [_feed_json(f) for f in status.feeds],
        "subscriptions": [_subscription_json(s) for s in status.subscriptions],
        "totals": {
            "stories": status.stories,
            "outbox": dict(status.outbox),
            "oldest_pending_at": iso(oldest),
            "oldest_pending_age_seconds": int((status.now - oldest).total_seconds()) if oldest else None,
        },
    }
