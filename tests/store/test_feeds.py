"""Feeds: upsert, read, update, delete, and which are due."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import StoreError
from bot.store import NotFoundError, Store
from tests.store.conftest import NOW, minutes


async def test_upsert_creates_then_changes_only_the_url(store: Store) -> None:
    await store.update_feed("alpha", etag='"v1"', failures=2)
    changed = await store.upsert_feed("alpha", "/srv/articles")
    assert (changed.url, changed.etag, changed.failures) == ("/srv/articles", '"v1"', 2)

    created = await store.upsert_feed("beta", "https://beta.example/rss")
    assert created.name == "beta" and created.failures == 0 and created.disabled is False
    assert [feed.name for feed in await store.list_feeds()] == ["alpha", "beta"]


async def test_get_unknown_feed_is_none(store: Store) -> None:
    assert await store.get_feed("nope") is None


async def test_update_feed_round_trips_every_field(store: Store) -> None:
    changes = {
        "url": "https://alpha.example/atom",
        "etag": 'W/"abc"',
        "last_modified": "Sat, 01 Mar 2025 11:00:00 GMT",
        "content_hash": "f" * 64,
        "last_polled_at": NOW,
        "last_success_at": NOW - minutes(30),
        "next_poll_at": NOW + minutes(15),
        "failures": 3,
        "first_failure_at": NOW - minutes(10),
        "last_error": "HTTP 503",
        "disabled": True,
        "disabled_reason": "too many failures",
        "failure_reported": True,
        "ttl_minutes": 60,
        "leased_until": NOW + minutes(1),
    }
    returned = await store.update_feed("alpha", **changes)
    stored = await store.get_feed("alpha")
    assert returned == stored
    assert stored is not None
    assert {field: getattr(stored, field) for field in changes} == changes


async def test_update_feed_refuses_unknown_fields_and_feeds(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown field.*colour"):
        await store.update_feed("alpha", colour="red")
    with pytest.raises(NotFoundError, match="feed 'ghost' not found"):
        await store.update_feed("ghost", failures=1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"failures": "many"}, "failures must be int, not 'many'"),
        ({"failures": None}, "failures must be int, not None"),
        ({"failures": True}, "failures must be int"),
        ({"disabled": 1}, "disabled must be bool"),
        ({"next_poll_at": "tomorrow"}, "next_poll_at must be datetime or None"),
        ({"url": None}, "url must be str"),
        ({"next_poll_at": NOW.replace(tzinfo=None)}, "naive datetime"),
    ],
)
async def test_update_feed_bad_values_are_store_errors_naming_feed_and_field(
    store: Store, changes: dict[str, object], message: str
) -> None:
    before = await store.get_feed("alpha")
    with pytest.raises(StoreError, match=r"update_feed\('alpha'\): .*" + message):
        await store.update_feed("alpha", **({"failures": 9} | changes))
    assert await store.get_feed("alpha") == before


async def test_delete_feed_forgets_its_seen_entries(store: Store) -> None:
    await store.mark_seen("alpha", ["k1"], None, NOW)
    assert await store.delete_feed("alpha") is True
    assert await store.delete_feed("alpha") is False
    await store.upsert_feed("alpha", "https://alpha.example/feed.xml")
    assert await store.seen_keys("alpha", ["k1"]) == set()


async def _feeds(store: Store, **next_polls: timedelta | None) -> None:
    for name, offset in next_polls.items():
        await store.upsert_feed(name, f"https://{name}.example/")
        await store.update_feed(name, next_poll_at=None if offset is None else NOW + offset)


async def test_due_feeds_are_enabled_and_past_due_oldest_first(store: Store) -> None:
    await store.delete_feed("alpha")
    await _feeds(store, never=None, late=-minutes(30), just=timedelta(0), later=minutes(5), off=-minutes(60))
    await store.update_feed("off", disabled=True)
    assert await store.due_feeds(NOW, 10) == ["never", "late", "just"]
    assert await store.due_feeds(NOW, 2) == ["never", "late"]
    assert await store.due_feeds(NOW, 0) == []


async def test_due_feeds_with_a_lease_are_not_handed_out_twice(store: Store) -> None:
    await _feeds(store, beta=-minutes(1))
    first = await store.due_feeds(NOW, 10, lease=minutes(5))
    assert sorted(first) == ["alpha", "beta"]
    assert await store.due_feeds(NOW + minutes(1), 10, lease=minutes(5)) == []
    # A plain read also respects the lease...
    assert await store.due_feeds(NOW + minutes(1), 10) == []
    # ...which runs out: a worker that died does not keep its feeds forever.
    assert sorted(await store.due_feeds(NOW + minutes(6), 10, lease=minutes(5))) == ["alpha", "beta"]
