"""is_stale / entry_date: the pure "too old to be news" decision behind max_age, no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.detect import entry_date, is_stale
from bot.model import FeedEntry

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
DAY = 86_400


@pytest.mark.parametrize(
    ("when", "max_age", "stale"),
    [
        pytest.param(NOW - timedelta(days=3), 2 * DAY, True, id="older-than-max-age"),
        pytest.param(NOW - timedelta(hours=47), 2 * DAY, False, id="younger-than-max-age"),
        pytest.param(NOW - timedelta(days=2), 2 * DAY, False, id="exactly-max-age-is-not-more"),
        pytest.param(NOW - timedelta(days=2, seconds=1), 2 * DAY, True, id="one-second-past"),
        pytest.param(None, 2 * DAY, False, id="no-date-is-never-stale"),
        pytest.param(NOW + timedelta(days=400), 2 * DAY, False, id="future-date-is-not-stale"),
        pytest.param(NOW - timedelta(days=3650), 0, False, id="zero-means-no-limit"),
    ],
)
def test_is_stale(when: datetime | None, max_age: int, stale: bool) -> None:
    assert is_stale(when, NOW, max_age) is stale


@pytest.mark.parametrize(
    ("published", "updated", "expected"),
    [
        pytest.param(NOW - timedelta(days=9), NOW, NOW - timedelta(days=9), id="published-first"),
        pytest.param(None, NOW - timedelta(days=1), NOW - timedelta(days=1), id="else-updated"),
        pytest.param(None, None, None, id="neither"),
    ],
)
def test_entry_date_is_published_else_updated(
    published: datetime | None, updated: datetime | None, expected: datetime | None
) -> None:
    assert entry_date(FeedEntry(id="x", title="t", published=published, updated=updated)) == expected
