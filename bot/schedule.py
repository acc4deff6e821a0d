"""APScheduler 3 wiring: the poll tick and one cron job per digest subscription.

Feeds are not one APScheduler job each: their due times live in the store (``next_poll_at``),
so they survive restarts, honour each feed's interval/TTL/backoff, and can be shared by several
workers.  One short tick asks the store what is due.  The timing maths is pure (given ``now``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from apscheduler.triggers.cron import CronTrigger

from bot.config.cron import cron_trigger


def last_fire_before(expr: str, tz: str, now: datetime, *, lookback: timedelta = timedelta(days=8)) -> datetime | None:
    """The most recent time a cron schedule fired at or before ``now`` (None if not within lookback).

    Used at start: a digest missed while the bot was down is sent once, not once per firing.
    """
    trigger: CronTrigger = cron_trigger(expr, tz)
    moment = now - lookback
    last: datetime | None = None
    previous: datetime | None = None
    for _ in range(10_000):
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None or fire > now:
            break
        last = fire
        previous = fire
        moment = fire + timedelta(microseconds=1)
    return last.astimezone(timezone.utc) if last else None


def missed_digest(expr: str, tz: str, now: datetime, last_digest_at: datetime | None) -> datetime | None:
    """The firing to catch up on at start, if the last digest is older than the last scheduled firing."""
    last = last_fire_before(expr, tz, now)
    if last is None:
        return None
    if last_digest_at is None or last_digest_at < last:
        return last
    return None
