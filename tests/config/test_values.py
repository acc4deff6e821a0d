"""The pure value parsers: durations, crontab schedules, filter rules."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from bot.config.cron import cron_trigger, crontab_day_of_week
from bot.config.durations import format_duration, parse_duration
from bot.config.fieldtypes import _check_placeholders
from bot.config.filters import Fields, compile_rule, compile_rules, evaluate


@pytest.mark.parametrize(
    ("written", "seconds"),
    [(90, 90), ("90", 90), ("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), (" 2 H ", 7200)],
)
def test_parse_duration(written: object, seconds: int) -> None:
    assert parse_duration(written) == seconds


@pytest.mark.parametrize("written", ["15x", "1.5h", 1.5, True, None, "", "m", "0s", 0, -5, "-5m"])
def test_parse_duration_refuses(written: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(written)


@pytest.mark.parametrize(
    ("seconds", "text"), [(90, "1m30s"), (900, "15m"), (5400, "1h30m"), (86400, "1d"), (30, "30s")]
)
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("1", "mon"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("*/2", "sun,tue,thu,sat"),
        ("1/2", "mon,wed,fri"),
        ("0,6", "sun,sat"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("SAT", "sat"),
        ("*", "*"),
    ],
)
def test_crontab_weekdays_become_names(field: str, names: str) -> None:
    assert crontab_day_of_week(field) == names


# 2025-06-28 is a Saturday.
SATURDAY = datetime(2025, 6, 28, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("expr", "weekday"),
    [
        ("0 9 * * 1", "Monday"),
        ("0 9 * * 0", "Sunday"),
        ("0 9 * * 7", "Sunday"),
        ("0 9 * * 2-4", "Tuesday"),
        ("0 9 * * fri", "Friday"),
    ],
)
def test_cron_weekdays_follow_crontab_not_apscheduler(expr: str, weekday: str) -> None:
    """APScheduler 3's from_crontab would fire "0 9 * * 1" on Tuesday (its Monday is 0)."""
    fire = cron_trigger(expr, "UTC").get_next_fire_time(None, SATURDAY)
    assert fire is not None and fire.strftime("%A") == weekday


def test_cron_honours_the_time_zone() -> None:
    fire = cron_trigger("0 9 * * *", "Europe/Kyiv").get_next_fire_time(None, SATURDAY)
    assert fire is not None and fire.utcoffset() is not None and fire.astimezone(timezone.utc).hour == 6


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("0 9 * *", "has 4 field(s); a schedule has 5"),
        ("61 9 * * *", "the minute field '61' is invalid"),
        ("0 25 * * *", "the hour field '25' is invalid"),
        ("0 9 32 * *", "the day of month field '32' is invalid"),
        ("0 9 * 13 *", "the month field '13' is invalid"),
        ("0 9 * * 8", "the day of week field '8' is invalid: weekday 8 does not exist: weekdays run 0–7"),
        ("0 9 * * fri-mon", "a range must go forward"),
        ("0 9 * * funday", "the day of week field 'funday' is invalid"),
    ],
)
def test_cron_errors_name_the_field(expr: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        cron_trigger(expr, "UTC")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("include", "exclude", "title", "text", "expected"),
    [
        ((), (), "Anything", "", True),
        (("drone",), (), "UK funds DRONE production", "", True),
        (("drone",), (), "Drones everywhere", "", False),  # whole words only
        (("AI",), (), "The minister said", "", False),
        (("AI",), (), "New ai chip", "", True),
        (("machine learning",), (), "", "advances in Machine Learning today", True),
        (("drone", "tank"), (), "Tank deliveries", "", True),
        (("drone",), ("opinion",), "Drone opinion", "", False),
        ((), ("opinion",), "Opinion: drones", "", False),
        ((), ("opinion",), "Drones", "no views here", True),
        (("/\\bNATO\\b/",), (), "nato summit", "", False),  # regexes are case-sensitive ...
        (("/\\bnato\\b/i",), (), "NATO summit", "", True),  # ... unless flagged i
        ((), ("/sponsor(ed)?/i",), "Sponsored: buy", "", False),
        (("c++",), (), "Why C++ matters", "", True),
    ],
)
def test_filters(include: tuple[str, ...], exclude: tuple[str, ...], title: str, text: str, expected: bool) -> None:
    assert evaluate(compile_rules(include), compile_rules(exclude), Fields(title=title, text=text)).passed is expected


@pytest.mark.parametrize(
    ("rule", "message"),
    [("/(/", "bad regular expression '/(/'"), ("/x/q", "unknown regex flag 'q'"), ("  ", "an empty filter")],
)
def test_bad_rules(rule: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        compile_rule(rule)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{title} {bogus}", "unknown placeholder {bogus} — placeholders are {author}"),
        ("{titel}", "unknown placeholder {titel} — did you mean {title}?"),
        ("{title", "the template's braces do not pair up"),
    ],
)
def test_template_placeholders_without_the_renderer(template: str, message: str) -> None:
    """The fallback used when bot.render cannot be imported."""
    with pytest.raises(ValueError, match=re.escape(message)):
        _check_placeholders(template)
    ok = "**{title}** {{literal}}\n{summary} <{url}>"
    assert _check_placeholders(ok) == ok
