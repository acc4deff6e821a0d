"""Digest schedules: standard 5-field crontab expressions, turned into APScheduler 3 triggers.

APScheduler 3 numbers weekdays from Monday = 0, while crontab (and every admin's memory) numbers
them from Sunday = 0 (7 is Sunday too) — so ``CronTrigger.from_crontab("0 9 * * 1")`` fires on
Tuesdays (agronholm/apscheduler issue #286, fixed only in 4.x).  Admins write crontab; this module
rewrites the weekday field into day *names*, which both agree on, before APScheduler sees it.
Always build digest triggers through :func:`cron_trigger`.
"""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger

#: The five crontab fields, in order, as APScheduler's CronTrigger names them.
FIELDS: tuple[str, ...] = ("minute", "hour", "day", "month", "day_of_week")
_FIELD_LABELS = ("minute", "hour", "day of month", "month", "day of week")

#: Crontab weekday numbers (0 and 7 are Sunday) → names; and names → crontab numbers.
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NUMBERS = {name: number for number, name in enumerate(_DAY_NAMES[:7])}
_DAY = r"(\d+|[a-z]{3})"
_WEEKDAY_PART = re.compile(rf"(?:(\*)|{_DAY}(?:-{_DAY})?)(?:/(\d+))?", re.IGNORECASE)

EXAMPLE = "'0 9 * * mon' (09:00 every Monday) or '30 17 * * 1-5' (17:30 on weekdays)"


def crontab_day_of_week(field: str) -> str:
    """Rewrite a crontab weekday field into explicit day names, which APScheduler 3 reads as cron does.

    "1" → "mon", "1-5" → "mon,tue,wed,thu,fri", "*/2" → "sun,tue,thu,sat", "fri" stays "fri", "*"
    stays "*".  Raises ValueError for weekdays outside 0–7 / sun–sat, with crontab's range in the
    message (APScheduler's own would say 0–6).
    """
    out: list[str] = []
    for part in field.split(","):
        match = _WEEKDAY_PART.fullmatch(part)
        if match is None:
            out.append(part)  # something else ("last", "?"): APScheduler judges it
            continue
        star, first, last, step = match.groups()
        if star and step is None:
            out.append("*")
            continue
        start, end = (0, 6) if star else (_day_number(first), _day_number(last if last is not None else first))
        if step is not None and last is None and not star:
            end = 6  # crontab: "1/2" means "from 1 to the end, every 2nd"
        stride = int(step) if step is not None else 1
        if stride == 0:
            raise ValueError(f"{part!r}: a step must be 1 or more")
        if start > end:
            raise ValueError(f"{part!r}: a range must go forward (e.g. 'mon-fri' or '1-5')")
        out.extend(_DAY_NAMES[day] for day in range(start, end + 1, stride))
    return ",".join(dict.fromkeys(out))


def _day_number(text: str) -> int:
    """Crontab's number for a weekday written as a number or a three-letter name."""
    if text.isdigit():
        number = int(text)
        if number > 7:
            raise ValueError(f"weekday {number} does not exist: weekdays run 0–7 (0 and 7 are Sunday) or sun–sat")
        return number
    try:
        return _DAY_NUMBERS[text.lower()]
    except KeyError:
        raise ValueError(f"{text!r} is not a weekday: write sun, mon, tue, wed, thu, fri, sat or 0–7") from None


def cron_trigger(expr: str, timezone: str) -> CronTrigger:
    """The APScheduler trigger for a crontab expression in ``timezone``; ValueError naming the bad field."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            f"{expr!r} has {len(fields)} field(s); a schedule has 5 — minute hour day-of-month month "
            f"day-of-week, e.g. {EXAMPLE}"
        )
    values = dict(zip(FIELDS, fields, strict=True))
    try:
        values["day_of_week"] = crontab_day_of_week(values["day_of_week"])
    except ValueError as exc:
        raise ValueError(f"the day of week field {fields[4]!r} is invalid: {exc} — e.g. {EXAMPLE}") from exc
    try:
        return CronTrigger(**values, timezone=timezone)
    except ValueError as exc:
        raise ValueError(_explain(fields, timezone, exc)) from exc


def _explain(fields: list[str], timezone: str, exc: ValueError) -> str:
    """Name the first field APScheduler refuses: its own message does not say which one."""
    for name, label, written in zip(FIELDS, _FIELD_LABELS, fields, strict=True):
        value = crontab_day_of_week(written) if name == "day_of_week" else written
        try:
            CronTrigger(**{name: value}, timezone=timezone)
        except ValueError as field_exc:
            return f"the {label} field {written!r} is invalid: {field_exc} — e.g. {EXAMPLE}"
    return f"{' '.join(fields)!r} is not a valid schedule: {exc} — e.g. {EXAMPLE}"
