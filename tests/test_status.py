"""bot.status: the config and one read of the store → the lines and the JSON of `newsbot status` (no I/O)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Config, Feed, Subscription
from bot.status import ago, build_status, status_json, status_lines
from bot.store import FeedState, StoreStatus, SubscriptionActivity, SubscriptionState

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)


def config(*feeds: Feed, subs: tuple[Subscription, ...] = ()) -> Config:
    return Config(path=Path("newsbot.yaml"), managed_path=Path("newsbot.managed.yaml"), feeds=feeds, subscriptions=subs)


def feed(name: str, **kw: object) -> Feed:
    return Feed(name=name, url=f"https://{name}.example/feed.xml", interval=600, **kw)  # type: ignore[arg-type]


def outbox(**counts: int) -> dict[str, int]:
    return {"pending": 0, "held": 0, "digested": 0, "sent": 0, "failed": 0, **counts}


def lines(cfg: Config, store: StoreStatus) -> list[str]:
    return status_lines(build_status(cfg, store, NOW))


def test_the_whole_text_of_a_small_bot() -> None:
    cfg = config(feed("alpha"), subs=(Subscription(name="news", feeds=("alpha",), channel=42),))
    store = StoreStatus(
        feeds=(FeedState("alpha", "https://alpha.example/feed.xml", last_success_at=NOW - 3 * M, next_poll_at=NOW + 7 * M),),
        stories_by_feed={"alpha": 2},
        subscriptions={"news": SubscriptionActivity(SubscriptionState("news"), outbox(sent=2), last_sent_at=NOW - 90 * M)},
        outbox=outbox(sent=2),
    )
    assert lines(cfg, store) == [
        "newsbot status at 2025-03-01 12:00:00 UTC, from sqlite+aiosqlite:///data/newsbot.db",
        "Feeds (1):",
        "  alpha: enabled; last success 2025-03-01 11:57 UTC (3m ago); next poll 2025-03-01 12:07 UTC (in 7m); "
        "2 stories stored",
        "Subscriptions (1):",
        "  news → channel 42, immediate: active; outbox 0 pending, 0 held, 0 failed; "
        "last post sent 2025-03-01 10:30 UTC (1h30m ago)",
        "Totals: 2 stories stored; outbox 0 pending, 0 held, 0 digested, 2 sent, 0 failed; nothing pending",
    ]


def test_a_failing_feed_says_since_when_and_its_last_error_on_one_line() -> None:
    state = FeedState(
        "alpha", "u", failures=3, first_failure_at=NOW - 2 * H - 5 * M, last_error="HTTP 503:\n  Service  Unavailable",
        last_success_at=NOW - 26 * H,
    )
    out = lines(config(feed("alpha")), StoreStatus(feeds=(state,)))
    assert out[2] == (
        "  alpha: enabled, FAILING: 3 failures in a row since 2025-03-01 09:55 UTC (2h5m ago); "
        "last success 2025-02-28 10:00 UTC (1d2h ago); next poll due now; 0 stories stored"
    )
    assert out[3] == "    last error: HTTP 503: Service Unavailable"
    data = status_json(build_status(config(feed("alpha")), StoreStatus(feeds=(state,)), NOW))["feeds"][0]
    assert (data["failing"], data["failures"], data["failing_since"]) == (True, 3, "2025-03-01T09:55:00+00:00")
    assert data["last_error"] == "HTTP 503:\n  Service  Unavailable"


def test_a_long_last_error_is_cut_in_text_only() -> None:
    state = FeedState("alpha", "u", failures=1, last_error="x" * 1000)
    status = build_status(config(feed("alpha")), StoreStatus(feeds=(state,)), NOW)
    error_line = status_lines(status)[3]
    assert error_line.startswith("    last error: xxx") and error_line.endswith("…") and len(error_line) < 320
    assert status_json(status)["feeds"][0]["last_error"] == "x" * 1000


def test_a_healed_feed_shows_no_old_error() -> None:
    state = FeedState("alpha", "u", failures=0, last_error="HTTP 500", last_success_at=NOW - M)
    status = build_status(config(feed("alpha")), StoreStatus(feeds=(state,)), NOW)
    assert "FAILING" not in status_lines(status)[2] and "last error" not in "\n".join(status_lines(status))
    assert status_json(status)["feeds"][0]["last_error"] is None


@pytest.mark.parametrize(
    ("cfg_feed", "state", "label", "json_state", "reason"),
    [
        (
            feed("alpha", enabled=False, paused=True),
            FeedState("alpha", "u", disabled=True, disabled_reason="paused"),
            "alpha: paused (paused from Discord; /feeds resume alpha polls it again)",
            "paused",
            "paused from Discord; /feeds resume alpha polls it again",
        ),
        (
            feed("alpha", enabled=False),
            FeedState("alpha", "u", disabled=True, disabled_reason="paused"),
            "alpha: disabled (enabled: false in newsbot.yaml)",
            "disabled",
            "enabled: false in newsbot.yaml",
        ),
        (
            feed("alpha"),
            FeedState("alpha", "u", disabled=True, disabled_reason="the server says the feed is gone for good (410 Gone)"),
            "alpha: disabled (the server says the feed is gone for good (410 Gone))",
            "disabled",
            "the server says the feed is gone for good (410 Gone)",
        ),
        # Re-enabled in the file while the bot was down: the bot re-syncs it at start.
        (feed("alpha"), FeedState("alpha", "u", disabled=True, disabled_reason="paused"), "alpha: enabled", "enabled", None),
    ],
)
def test_feed_states(cfg_feed: Feed, state: FeedState, label: str, json_state: str, reason: str | None) -> None:
    status = build_status(config(cfg_feed), StoreStatus(feeds=(state,)), NOW)
    line = status_lines(status)[2]
    assert line.startswith(f"  {label}; "), line
    polled = json_state == "enabled"
    assert ("next poll due now" in line) is polled and ("next poll none" in line) is not polled
    data = status_json(status)["feeds"][0]
    assert (data["state"], data["reason"], data["in_config"]) == (json_state, reason, True)


def test_a_permanently_redirected_feed_says_where_it_moved() -> None:
    state = FeedState("alpha", "u", moved_to="https://new.example/feed.xml", last_success_at=NOW - M)
    status = build_status(config(feed("alpha")), StoreStatus(feeds=(state,)), NOW)
    assert status_lines(status)[3] == (
        "    moved to https://new.example/feed.xml (a permanent redirect; put that URL in the config)"
    )
    assert status_json(status)["feeds"][0]["moved_to"] == "https://new.example/feed.xml"


def test_a_configured_feed_the_bot_has_not_stored_yet() -> None:
    status = build_status(config(feed("alpha")), StoreStatus(), NOW)
    assert status_lines(status)[2] == (
        "  alpha: enabled; not in the database yet (the bot adds it when it loads the config); 0 stories stored"
    )
    assert status_json(status)["feeds"][0]["in_database"] is False


def test_a_feed_left_in_the_store_is_listed_as_not_in_the_config() -> None:
    store = StoreStatus(
        feeds=(FeedState("alpha", "u"), FeedState("old", "https://old.example/rss", last_success_at=NOW - 50 * H)),
        stories_by_feed={"old": 5},
    )
    status = build_status(config(feed("alpha")), store, NOW)
    out = status_lines(status)
    start = out.index(
        "Not in the config (1, left from removed feeds; their stories stay until retention prunes them):"
    )
    assert out[start + 1] == (
        "  old: not in the config; https://old.example/rss; last success 2025-02-27 10:00 UTC (2d2h ago); 5 stories stored"
    )
    assert out[1] == "Feeds (1):"
    old = status_json(status)["feeds"][1]
    assert (old["name"], old["state"], old["in_config"], old["stories"], old["next_poll_at"]) == (
        "old", "not_in_config", False, 5, None,
    )


def test_feeds_follow_the_config_order_not_the_stores() -> None:
    store = StoreStatus(feeds=(FeedState("alpha", "u"), FeedState("beta", "u"), FeedState("zeta", "u")))
    status = build_status(config(feed("zeta"), feed("alpha"), feed("beta")), store, NOW)
    assert [f["name"] for f in status_json(status)["feeds"]] == ["zeta", "alpha", "beta"]


def test_a_paused_digest_subscription_with_held_stories() -> None:
    sub = Subscription(name="daily", feeds=("alpha",), channel=42, mode="digest", schedule="0 8 * * *")
    act = SubscriptionActivity(
        SubscriptionState("daily", paused=True, pause_reason="channel not found", last_digest_at=NOW - 4 * H),
        outbox(held=3, failed=1),
        last_sent_at=NOW - 28 * H,
        last_digest_sent_at=NOW - 28 * H,
    )
    status = build_status(config(feed("alpha"), subs=(sub,)), StoreStatus(subscriptions={"daily": act}), NOW)
    assert status_lines(status)[4] == (
        "  daily → channel 42, digest: PAUSED (channel not found); outbox 0 pending, 3 held, 1 failed; "
        "last post sent 2025-02-28 08:00 UTC (1d4h ago); "
        "last digest sent 2025-02-28 08:00 UTC (1d4h ago), schedule last fired 2025-03-01 08:00 UTC (4h ago)"
    )
    assert status_json(status)["subscriptions"] == [
        {
            "key": "daily",
            "in_config": True,
            "channel": "42",
            "mode": "digest",
            "paused": True,
            "pause_reason": "channel not found",
            "outbox": {"pending": 0, "held": 3, "failed": 1},
            "last_sent_at": "2025-02-28T08:00:00+00:00",
            "last_digest_at": "2025-03-01T08:00:00+00:00",
            "last_digest_sent_at": "2025-02-28T08:00:00+00:00",
        }
    ]


def test_a_subscription_with_no_state_yet_reads_as_active_and_empty() -> None:
    sub = Subscription(feeds=("alpha",), channel=7)
    status = build_status(config(feed("alpha"), subs=(sub,)), StoreStatus(), NOW)
    assert status_lines(status)[4] == (
        "  7:alpha → channel 7, immediate: active; outbox 0 pending, 0 held, 0 failed; last post sent never"
    )


def test_outbox_rows_of_a_removed_subscription_are_listed_apart() -> None:
    act = SubscriptionActivity(SubscriptionState("gone"), outbox(pending=2))
    status = build_status(config(feed("alpha")), StoreStatus(subscriptions={"gone": act}, outbox=outbox(pending=2)), NOW)
    out = status_lines(status)
    assert out[3:7] == [
        "Subscriptions (0):",
        "  (none)",
        "Subscriptions not in the config (1, left from removed ones):",
        "  gone: active; outbox 2 pending, 0 held, 0 failed; last post sent never",
    ]
    assert status_json(status)["subscriptions"][0]["in_config"] is False


def test_a_backlog_shows_the_oldest_pending_rows_age() -> None:
    store = StoreStatus(stories_by_feed={"a": 1}, outbox=outbox(pending=40, sent=3), oldest_pending_at=NOW - 3 * H)
    status = build_status(config(), store, NOW)
    assert status_lines(status)[-1] == (
        "Totals: 1 story stored; outbox 40 pending, 0 held, 0 digested, 3 sent, 0 failed; "
        "oldest pending post queued 2025-03-01 09:00 UTC (3h ago)"
    )
    assert status_json(status)["totals"] == {
        "stories": 1,
        "outbox": {"pending": 40, "held": 0, "digested": 0, "sent": 3, "failed": 0},
        "oldest_pending_at": "2025-03-01T09:00:00+00:00",
        "oldest_pending_age_seconds": 3 * 3600,
    }


def test_json_has_stable_keys_and_round_trips() -> None:
    cfg = config(feed("alpha"), subs=(Subscription(feeds=("alpha",), channel=1),))
    store = StoreStatus(feeds=(FeedState("alpha", "u", last_success_at=NOW),), subscriptions={})
    data = json.loads(json.dumps(status_json(build_status(cfg, store, NOW))))
    assert list(data) == ["generated_at", "database", "schema_note", "feeds", "subscriptions", "totals"]
    assert data["schema_note"] is None
    assert data["generated_at"] == "2025-03-01T12:00:00+00:00"
    assert datetime.fromisoformat(data["feeds"][0]["last_success_at"]) == NOW
    assert set(data["feeds"][0]) == {
        "name", "source", "state", "reason", "in_config", "in_database", "last_success_at", "failing", "failures",
        "failing_since", "last_error", "next_poll_at", "moved_to", "stories",
    }
    assert set(data["subscriptions"][0]) == {
        "key", "in_config", "channel", "mode", "paused", "pause_reason", "outbox", "last_sent_at", "last_digest_at",
        "last_digest_sent_at",
    }
    assert data["totals"]["oldest_pending_at"] is None and data["totals"]["oldest_pending_age_seconds"] is None


def test_times_in_other_zones_are_said_in_utc() -> None:
    from zoneinfo import ZoneInfo

    paris = (NOW - H).astimezone(ZoneInfo("Europe/Paris"))
    store = StoreStatus(feeds=(FeedState("alpha", "u", last_success_at=paris),))
    status = build_status(config(feed("alpha")), store, NOW)
    assert "last success 2025-03-01 11:00 UTC (1h ago)" in status_lines(status)[2]
    assert status_json(status)["feeds"][0]["last_success_at"] == "2025-03-01T11:00:00+00:00"


def test_a_password_in_the_database_url_is_hidden() -> None:
    cfg = config().model_copy(update={"storage": config().storage.model_copy(update={"url": "postgresql+asyncpg://bot:secret@db/news"})})
    status = build_status(cfg, StoreStatus(), NOW)
    assert "secret" not in status_lines(status)[0] and "secret" not in json.dumps(status_json(status))


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "0s ago"),
        (timedelta(seconds=59), "59s ago"),
        (timedelta(seconds=61), "1m ago"),
        (-timedelta(minutes=13, seconds=20), "in 13m"),
        (timedelta(hours=2, minutes=5, seconds=30), "2h5m ago"),
        (timedelta(hours=3), "3h ago"),
        (timedelta(days=3, hours=4, minutes=59), "3d4h ago"),
        (-timedelta(days=1), "in 1d"),
    ],
)
def test_ago(delta: timedelta, text: str) -> None:
    assert ago(NOW - delta, NOW) == text


def test_a_schema_note_is_said_under_the_header_and_in_json() -> None:
    cfg = config(feed("alpha"))
    status = build_status(cfg, StoreStatus(), NOW, schema_note="the database's schema is at revision 0001_initial")
    assert status_lines(status)[1] == "Note: the database's schema is at revision 0001_initial."
    assert status_json(status)["schema_note"] == "the database's schema is at revision 0001_initial"
    assert not any(line.startswith("Note:") for line in status_lines(build_status(cfg, StoreStatus(), NOW)))
