"""Digest timing is pure: given now, the last firing and whether one was missed while stopped."""

from datetime import datetime, timezone

from bot.schedule import last_fire_before, missed_digest

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def test_last_fire_before_honours_the_time_zone() -> None:
    # 09:00 in New York is 14:00 UTC in November: at 12:00 UTC the last firing was yesterday.
    assert last_fire_before("0 9 * * *", "America/New_York", NOW) == datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)
    assert last_fire_before("0 9 * * *", "UTC", NOW) == datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def test_a_missed_digest_is_one_catch_up_however_many_firings_were_missed() -> None:
    three_days_ago = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)
    assert missed_digest("0 9 * * *", "UTC", NOW, three_days_ago) == datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    assert missed_digest("0 9 * * *", "UTC", NOW, datetime(2026, 11, 25, 9, 0, 5, tzinfo=timezone.utc)) is None


def test_weekday_names_follow_crontab_not_apscheduler() -> None:
    # crontab: 1 = Monday.  2026-11-23 is a Monday.
    assert last_fire_before("0 9 * * 1", "UTC", NOW) == datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
