"""bot.feeds.timing: the next-poll rules as tables, with a fixed ``now``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.feeds.timing import (
    MAX_BACKOFF,
    MAX_HINT,
    MIN_INTERVAL,
    Backoff,
    next_poll_at,
    parse_cache_control,
    parse_http_date,
    parse_retry_after,
)

NOW = datetime(2025, 6, 25, 9, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # the feed's own interval, never below the floor
        ({"interval": 15 * MIN}, 15 * MIN),
        ({"interval": timedelta(seconds=5)}, MIN_INTERVAL),
        ({"interval": timedelta(0)}, MIN_INTERVAL),
        # hints lengthen...
        ({"interval": 15 * MIN, "ttl_minutes": 60}, HOUR),
        ({"interval": 15 * MIN, "max_age_seconds": 1800}, 30 * MIN),
        ({"interval": 15 * MIN, "retry_after": 7200}, 2 * HOUR),
        ({"interval": 15 * MIN, "expires": NOW + 40 * MIN}, 40 * MIN),
        # ...never shorten
        ({"interval": HOUR, "ttl_minutes": 5}, HOUR),
        ({"interval": HOUR, "max_age_seconds": 60}, HOUR),
        ({"interval": HOUR, "retry_after": 1}, HOUR),
        ({"interval": HOUR, "expires": NOW - HOUR}, HOUR),
        # the longest hint wins
        ({"interval": 15 * MIN, "ttl_minutes": 30, "max_age_seconds": 3600, "retry_after": 600}, HOUR),
        # max-age beats Expires (HTTP's rule), even when Expires is later
        ({"interval": 15 * MIN, "max_age_seconds": 1200, "expires": NOW + 3 * HOUR}, 20 * MIN),
        # hints are capped, the interval itself is not
        ({"interval": 15 * MIN, "max_age_seconds": 31_536_000}, MAX_HINT),
        ({"interval": 15 * MIN, "retry_after": 10**9}, MAX_HINT),
        ({"interval": 15 * MIN, "ttl_minutes": 10**400}, MAX_HINT),
        ({"interval": timedelta(days=7), "ttl_minutes": 60}, timedelta(days=7)),
        # nonsense hints are ignored
        ({"interval": 15 * MIN, "ttl_minutes": -5, "max_age_seconds": -1, "retry_after": float("nan")}, 15 * MIN),
        # failures: exponential backoff, capped
        ({"interval": 15 * MIN, "failures": 0}, 15 * MIN),
        ({"interval": 15 * MIN, "failures": 1}, 30 * MIN),
        ({"interval": 15 * MIN, "failures": 3}, 2 * HOUR),
        ({"interval": 15 * MIN, "failures": 6}, 16 * HOUR),
        ({"interval": 15 * MIN, "failures": 7}, MAX_BACKOFF),  # 32 h, capped
        ({"interval": 15 * MIN, "failures": 10_000}, MAX_BACKOFF),
        ({"interval": timedelta(days=7), "failures": 5}, timedelta(days=7)),
        # a Retry-After longer than the backoff wins; a shorter one does not shorten it
        ({"interval": 15 * MIN, "failures": 1, "retry_after": 3 * 3600}, 3 * HOUR),
        ({"interval": 15 * MIN, "failures": 3, "retry_after": 60}, 2 * HOUR),
    ],
)
def test_next_poll_at(kwargs: dict[str, object], expected: timedelta) -> None:
    assert next_poll_at(NOW, **kwargs) - NOW == expected  # type: ignore[arg-type]


def test_naive_expires_is_taken_as_utc() -> None:
    naive = (NOW + 2 * HOUR).replace(tzinfo=None)
    assert next_poll_at(NOW, interval=HOUR, expires=naive) - NOW == 2 * HOUR


@pytest.mark.parametrize("seed", ["https://a.example/feed", "https://b.example/rss", "x"])
def test_jitter_is_deterministic_and_only_lengthens(seed: str) -> None:
    first = next_poll_at(NOW, interval=HOUR, seed=seed)
    assert first == next_poll_at(NOW, interval=HOUR, seed=seed)
    assert NOW + HOUR <= first < NOW + HOUR * 1.1
    assert NOW + HOUR <= next_poll_at(NOW, interval=HOUR, seed=seed, jitter=0.5) < NOW + HOUR * 1.5


def test_jitter_spreads_feeds() -> None:
    seeds = [f"https://example.com/feed/{i}" for i in range(20)]
    assert len({next_poll_at(NOW, interval=HOUR, seed=s) for s in seeds}) == 20


def test_no_seed_or_zero_jitter_means_no_spread() -> None:
    assert next_poll_at(NOW, interval=HOUR) == NOW + HOUR
    assert next_poll_at(NOW, interval=HOUR, seed="feed", jitter=0.0) == NOW + HOUR


@pytest.mark.parametrize(
    ("backoff", "failures", "expected"),
    [
        (Backoff(MIN), 0, MIN),
        (Backoff(MIN), -3, MIN),
        (Backoff(MIN), 1, 2 * MIN),
        (Backoff(MIN), 4, 16 * MIN),
        (Backoff(MIN, cap=10 * MIN), 4, 10 * MIN),
        (Backoff(MIN, cap=10 * MIN), 10**6, 10 * MIN),
        (Backoff(MIN, factor=3.0), 2, 9 * MIN),
        (Backoff(HOUR, cap=MIN), 3, HOUR),  # the cap never goes below the base
        (Backoff(MIN, factor=1.0), 5, MIN),
    ],
)
def test_backoff(backoff: Backoff, failures: int, expected: timedelta) -> None:
    assert backoff.delay(failures) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Wed, 25 Jun 2025 09:02:00 GMT", 120.0),
        ("Wednesday, 25-Jun-25 10:00:00 GMT", 3600.0),  # obsolete RFC 850 form
        ("Wed Jun 25 09:00:30 2025", 30.0),  # asctime form
        ("Wed, 25 Jun 2025 08:00:00 GMT", 0.0),  # in the past
        ("-5", None),
        ("soon", None),
        ("", None),
        ("٣", None),  # non-ASCII digits are not delay-seconds
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("max-age=300", 300),
        ("public, max-age=300", 300),
        ("MAX-AGE=300", 300),
        ('max-age="300"', 300),
        ("s-maxage=900", 900),
        ("max-age=60, s-maxage=900", 900),
        ("max-age=900, s-maxage=60", 900),
        ("max-age=0", 0),
        ("no-store", None),
        ("no-cache, max-age=300", None),
        ("max-age=300, No-Cache", None),
        ("private", None),
        ("max-age=-1", None),
        ("max-age=soon", None),
        ("max-age=²", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_cache_control(value: str | None, expected: int | None) -> None:
    assert parse_cache_control(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Thu, 26 Jun 2025 10:00:00 GMT", datetime(2025, 6, 26, 10, tzinfo=timezone.utc)),
        ("Thu, 26 Jun 2025 12:00:00 +0200", datetime(2025, 6, 26, 10, tzinfo=timezone.utc)),
        ("Thu, 26 Jun 2025 10:00:00 -0000", datetime(2025, 6, 26, 10, tzinfo=timezone.utc)),
        ("0", None),
        ("-1", None),
        ("tomorrow", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_http_date(value: str | None, expected: datetime | None) -> None:
    parsed = parse_http_date(value)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo == timezone.utc
