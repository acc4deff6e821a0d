"""When to poll a feed next — pure arithmetic on values the caller passes in, ``now`` included.

The fetcher reports what the server asked for (Cache-Control, Expires, Retry-After), the parser
reports the feed's RSS ``<ttl>``, the store knows how many polls in a row failed; this module turns
them into one datetime.  Nothing here reads a clock, so every rule is tested with fixed times.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

__all__ = [
    "MIN_INTERVAL",
    "MAX_HINT",
    "MAX_BACKOFF",
    "DEFAULT_JITTER",
    "Backoff",
    "next_poll_at",
    "parse_retry_after",
    "parse_cache_control",
    "parse_http_date",
]

#: The shortest interval ever used, whatever the config says: politeness towards the servers.
MIN_INTERVAL = timedelta(minutes=1)
#: Server hints (TTL, max-age, Expires, Retry-After) are honoured up to this long.  A feed that says
#: ``max-age=31536000`` or ``Retry-After: <next month>`` would otherwise go silent for that long;
#: a day keeps it in view while still being far politer than the usual interval.
MAX_HINT = timedelta(days=1)
#: Failure backoff grows up to this (or up to the feed's own interval, if that is longer).
MAX_BACKOFF = timedelta(days=1)
#: Default spread for :func:`next_poll_at` jitter: up to +10 % of the delay.
DEFAULT_JITTER = 0.1

_DELTA_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff for a feed that keeps failing: ``base * factor**failures``, capped.

    Deterministic on purpose (unlike discord.py's ``ExponentialBackoff``, which draws at random):
    the failure count lives in the store, so any process computes the same next poll, and the
    optional spread is added by :func:`next_poll_at` from a seed.

    >>> Backoff(timedelta(minutes=15)).delay(3)
    datetime.timedelta(seconds=7200)
    """

    #: The delay after zero failures: the feed's normal interval.
    base: timedelta
    #: The longest delay; never below ``base`` (a weekly feed is not polled more often when failing).
    cap: timedelta = MAX_BACKOFF
    #: Growth per consecutive failure.
    factor: float = 2.0

    def delay(self, failures: int) -> timedelta:
        """The wait after *failures* consecutive failures (0 or less means "not failing")."""
        base = self.base.total_seconds()
        cap = max(self.cap.total_seconds(), base)
        if failures <= 0:
            return self.base
        # Compare exponents, not products, so a feed failing for years cannot overflow a float.
        if self.factor <= 1.0 or base <= 0.0:
            return self.base
        if failures * math.log(self.factor) >= math.log(cap / base):
            return timedelta(seconds=cap)
        return timedelta(seconds=base * self.factor**failures)


def next_poll_at(
    now: datetime,
    *,
    interval: timedelta,
    ttl_minutes: int | None = None,
    max_age_seconds: int | None = None,
    retry_after: float | None = None,
    failures: int = 0,
    expires: datetime | None = None,
    jitter: float = DEFAULT_JITTER,
    seed: str | None = None,
) -> datetime:
    """The time of the feed's next poll.  The rules, in order:

    1. Start from the feed's own ``interval``, never below :data:`MIN_INTERVAL`.
    2. After ``failures`` consecutive failed polls, back off exponentially:
       ``interval * 2**failures``, capped at :data:`MAX_BACKOFF` (or at ``interval`` if that is
       longer) — see :class:`Backoff`.
    3. Server hints can only make the wait LONGER, never shorter, each capped at :data:`MAX_HINT`:
       the RSS ``<ttl>`` (``ttl_minutes``), Cache-Control ``max-age`` (``max_age_seconds``), or
       when there is no max-age the ``Expires`` time (``expires``, as HTTP says max-age wins), and
       ``Retry-After`` (``retry_after`` seconds, from a 429/503).  The longest one wins.
    4. With a ``seed`` (e.g. the feed's URL), add a deterministic spread of up to ``jitter`` times
       the wait, so feeds added together do not all poll in the same second forever.  The spread
       only lengthens; with ``seed=None`` there is none.

    Negative or missing hints are ignored.  ``now`` should be timezone-aware; the result has the
    same tzinfo.
    """
    base = max(interval, MIN_INTERVAL)
    delay = Backoff(base).delay(failures) if failures > 0 else base

    hints: list[float] = []
    if ttl_minutes is not None:
        hints.append(_as_seconds(ttl_minutes, 60.0))
    if max_age_seconds is not None:
        hints.append(_as_seconds(max_age_seconds))
    elif expires is not None:
        hints.append((_aware(expires) - _aware(now)).total_seconds())
    if retry_after is not None:
        hints.append(_as_seconds(retry_after))
    longest_hint = max((h for h in hints if h > 0), default=0.0)  # NaN compares False: dropped
    delay = max(delay, timedelta(seconds=min(longest_hint, MAX_HINT.total_seconds())))

    if seed is not None and jitter > 0:
        delay += delay * (jitter * _unit_interval(seed))
    return now + delay


def _as_seconds(value: float, unit: float = 1.0) -> float:
    """``value * unit`` as a float; a value too large for a float is infinite (then capped)."""
    try:
        return float(value) * unit
    except OverflowError:
        return math.inf


def _unit_interval(seed: str) -> float:
    """A fraction in [0, 1) that depends only on *seed*."""
    digest = hashlib.blake2b(seed.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _aware(moment: datetime) -> datetime:
    """Treat a naive datetime as UTC, so comparing it with an aware one cannot raise."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP-date (RFC 9110: IMF-fixdate, and the obsolete RFC 850 / asctime forms) as aware UTC.

    None for a missing or unreadable value — servers send ``Expires: 0`` or ``-1`` to mean
    "already expired", which is no hint at all.
    """
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return _aware(parsed).astimezone(timezone.utc)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).

    A date in the past gives 0.0; a missing or unreadable value gives None (no hint).
    """
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        seconds = float(text)
        return seconds if math.isfinite(seconds) else None
    when = parse_http_date(text)
    if when is None:
        return None
    return max(0.0, (when - _aware(now)).total_seconds())


def parse_cache_control(value: str | None) -> int | None:
    """The freshness lifetime in seconds a ``Cache-Control`` header grants, or None.

    ``max-age`` and ``s-maxage`` both count: the bot fetches once for many readers, like a shared
    cache, and as timing only ever lengthens the wait the larger of the two is the polite choice.
    ``no-store`` / ``no-cache`` mean "no freshness promise", so None.  Directive names are
    case-insensitive, quoted values are accepted, malformed or negative values are ignored.
    """
    if not value:
        return None
    lifetimes: list[int] = []
    for directive in value.split(","):
        name, _, argument = directive.partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            return None
        if name in ("max-age", "s-maxage"):
            argument = argument.strip().strip('"')
            if argument.isascii() and argument.isdigit():
                lifetimes.append(int(argument))
    return max(lifetimes) if lifetimes else None
