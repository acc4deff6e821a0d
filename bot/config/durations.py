"""Durations as admins write them ("90s", "15m", "2h", "1d", "1h30m" or plain seconds).

Kept as whole seconds: every consumer (APScheduler intervals, the store's next-poll times) counts
in seconds, and whole seconds are all a news poller needs.
"""

from __future__ import annotations

import re

#: Seconds per unit letter.
UNITS: dict[str, int] = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}

_WHOLE = re.compile(r"(?:\s*\d+\s*[dhms])+\s*")
_PART = re.compile(r"(\d+)\s*([dhms])")

EXAMPLES = "'90s', '15m', '2h', '1d', '1h30m' or a number of seconds"


def parse_duration(value: object, *, allow_zero: bool = False) -> int:
    """Seconds in ``value``; ValueError (with the accepted forms) for anything else.

    Floats are refused rather than rounded: "1.5" in a YAML file is more likely a slip than a wish for
    a second and a half, and the unit forms say the same thing clearly.  ``allow_zero`` accepts 0
    ("0", "0s"…) for limits where zero means "none" (``max_age``); an interval of 0 stays an error.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration — write {EXAMPLES}")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit():
            seconds = int(text)
        elif _WHOLE.fullmatch(text):
            seconds = sum(int(n) * UNITS[unit] for n, unit in _PART.findall(text))
        else:
            raise ValueError(f"{value!r} is not a duration — write {EXAMPLES}")
    else:
        raise ValueError(f"{value!r} is not a duration — write {EXAMPLES}")
    if seconds < 0 or (seconds == 0 and not allow_zero):
        least = "of 0 or more" if allow_zero else "longer than zero"
        raise ValueError(f"{value!r} is not a duration {least} — write {EXAMPLES}")
    return seconds


def format_duration(seconds: int) -> str:
    """The shortest unit form of ``seconds`` ("15m", "1h30m", "90s" stays "1m30s"), for summaries."""
    if seconds <= 0:
        return f"{seconds}s"
    parts: list[str] = []
    rest = seconds
    for unit, size in UNITS.items():
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
