"""Discord-style rate limiting as plain data: fixed-window buckets, given ``now``.

Source: Discord docs, Topics > Rate Limits — per-route buckets keyed by the route and its
top-level resource (channel, guild, webhook id + token), shared hashes in ``X-RateLimit-Bucket``,
a global limit of 50 requests a second per bot that interaction endpoints are exempt from, and
429 bodies ``{"message", "retry_after", "global"}`` with ``X-RateLimit-Scope`` and
``Retry-After``.  A request refused with 429 does not consume a token.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

#: (requests, seconds).
Rate = tuple[int, float]

#: Discord's documented global limit.
DEFAULT_GLOBAL_RATE: Rate = (50, 1.0)
#: The long-standing per-channel message limit (5 messages per 5 seconds).
DEFAULT_MESSAGE_RATE: Rate = (5, 5.0)
#: Observed per-webhook execute limit (not documented as a number by Discord).
DEFAULT_WEBHOOK_RATE: Rate = (5, 2.0)
#: Generous default for every other route.
DEFAULT_ROUTE_RATE: Rate = (50, 1.0)


@dataclass(slots=True)
class Window:
    """A fixed window: ``limit`` requests from the first request until ``reset_at``."""

    limit: int
    period: float
    used: int = 0
    reset_at: float = 0.0

    def _roll(self, now: float) -> None:
        if now >= self.reset_at:
            self.used = 0
            self.reset_at = now + self.period

    def remaining(self, now: float) -> int:
        self._roll(now)
        return max(self.limit - self.used, 0)

    def reset_after(self, now: float) -> float:
        self._roll(now)
        return max(self.reset_at - now, 0.0)

    def try_take(self, now: float) -> bool:
        self._roll(now)
        if self.used >= self.limit:
            return False
        self.used += 1
        return True


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to answer: the route headers always, and a 429 body when ``allowed`` is false."""

    allowed: bool
    #: X-RateLimit-* headers of the route bucket (None for routes without a bucket).
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: float = 0.0
    is_global: bool = False
    #: "user" (route bucket) or "global" for a 429.
    scope: str = ""

    def body(self) -> dict[str, object]:
        return {"message": "You are being rate limited.", "retry_after": round(self.retry_after, 3),
                "global": self.is_global}


def bucket_hash(route: str) -> str:
    """An opaque, stable bucket id per route template, like Discord's X-RateLimit-Bucket."""
    return hashlib.sha1(route.encode()).hexdigest()[:16]


def _round_up(value: float) -> float:
    """Round to milliseconds, upwards, so a client that waits exactly this long is not early."""
    return math.ceil(value * 1000) / 1000


class RateLimiter:
    """The global window plus one window per (bucket, top-level resource)."""

    def __init__(self, global_rate: Rate | None = DEFAULT_GLOBAL_RATE) -> None:
        self.global_window = Window(*global_rate) if global_rate else None
        self.windows: dict[tuple[str, str], Window] = {}

    def check(self, route: str, major: str, rate: Rate | None, *, now: float, wall_now: float,
              counts_global: bool = True) -> Verdict:
        """Decide one request: ``route`` is "METHOD /template", ``major`` its top-level resource id."""
        if counts_global and self.global_window is not None and not self.global_window.try_take(now):
            retry = _round_up(self.global_window.reset_after(now))
            return Verdict(False, {}, retry, is_global=True, scope="global")
        if rate is None:
            return Verdict(True)
        key = (bucket_hash(route), major)
        window = self.windows.get(key)
        if window is None or (window.limit, window.period) != rate:
            window = self.windows[key] = Window(*rate)
        allowed = window.try_take(now)
        reset_after = _round_up(window.reset_after(now))
        headers = {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(window.remaining(now)),
            "X-RateLimit-Reset": f"{wall_now + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": key[0],
        }
        if allowed:
            return Verdict(True, headers)
        return Verdict(False, headers, reset_after, is_global=False, scope="user")
