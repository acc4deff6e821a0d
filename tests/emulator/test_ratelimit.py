"""The rate-limit bookkeeping, driven by a fake clock."""

from __future__ import annotations

import pytest

from tests.emulator.ratelimit import RateLimiter, Window, bucket_hash

ROUTE = "POST /channels/{channel_id}/messages"


def take(limiter: RateLimiter, now: float, major: str = "1", rate: tuple[int, float] = (5, 5.0),
         counts_global: bool = True):
    return limiter.check(ROUTE, major, rate, now=now, wall_now=1000.0 + now, counts_global=counts_global)


def test_bucket_allows_its_limit_then_refuses_until_reset() -> None:
    limiter = RateLimiter(global_rate=None)
    verdicts = [take(limiter, now=0.1 * i) for i in range(6)]
    assert [v.allowed for v in verdicts] == [True] * 5 + [False]
    assert [v.headers["X-RateLimit-Remaining"] for v in verdicts[:5]] == ["4", "3", "2", "1", "0"]
    refused = verdicts[5]
    assert refused.scope == "user" and not refused.is_global
    assert refused.retry_after == pytest.approx(4.5)
    assert refused.body() == {"message": "You are being rate limited.", "retry_after": 4.5, "global": False}
    assert take(limiter, now=5.0).allowed


def test_headers_describe_the_bucket() -> None:
    verdict = take(RateLimiter(global_rate=None), now=0.0)
    assert verdict.headers == {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "4",
        "X-RateLimit-Reset": "1005.000",
        "X-RateLimit-Reset-After": "5.000",
        "X-RateLimit-Bucket": bucket_hash(ROUTE),
    }


def test_buckets_are_per_top_level_resource() -> None:
    limiter = RateLimiter(global_rate=None)
    for _ in range(5):
        assert take(limiter, now=0.0, major="1").allowed
    assert not take(limiter, now=0.0, major="1").allowed
    assert take(limiter, now=0.0, major="2").allowed


def test_refused_requests_do_not_use_up_the_next_window() -> None:
    limiter = RateLimiter(global_rate=None)
    for _ in range(5):
        take(limiter, now=0.0)
    for _ in range(10):
        assert not take(limiter, now=1.0).allowed
    assert sum(take(limiter, now=5.5).allowed for _ in range(6)) == 5


def test_global_limit_comes_first_and_says_global() -> None:
    limiter = RateLimiter(global_rate=(2, 1.0))
    assert take(limiter, now=0.0, major="1").allowed
    assert take(limiter, now=0.0, major="2").allowed
    refused = take(limiter, now=0.5, major="3")
    assert (refused.allowed, refused.is_global, refused.scope) == (False, True, "global")
    assert refused.retry_after == pytest.approx(0.5)
    assert take(limiter, now=0.5, major="4", counts_global=False).allowed


def test_window_rolls_over() -> None:
    window = Window(limit=1, period=2.0)
    assert window.try_take(10.0)
    assert not window.try_take(11.9)
    assert window.reset_after(11.0) == pytest.approx(1.0)
    assert window.try_take(12.0)
