"""The server of each subscription channel, kept across restarts (bot.store.channels)."""

from __future__ import annotations

from sqlalchemy import select

from bot.store import Store, open_store
from bot.store.migrate import current_revision, head_revision
from bot.store.schema import channel_servers
from tests.store.conftest import NOW, migrate, minutes

#: Discord ids are snowflakes: well past 32 bits.
NEWS, SPORT, GUILD_A, GUILD_B = 1_200_000_000_000_000_001, 1_200_000_000_000_000_002, 900_000_000_000_000_001, 900_000_000_000_000_002


async def _seen_at(store: Store) -> dict[int, object]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(select(channel_servers.c.channel_id, channel_servers.c.seen_at))
        return {row.channel_id: row.seen_at for row in rows}


async def test_nothing_stored_reads_as_empty(store: Store) -> None:
    assert await store.channel_servers() == {}
    await store.remember_channel_servers({}, NOW)
    assert await store.channel_servers() == {}


async def test_pairs_are_stored_and_read_back(store: Store) -> None:
    await store.remember_channel_servers({NEWS: GUILD_A, SPORT: GUILD_B}, NOW)
    assert await store.channel_servers() == {NEWS: GUILD_A, SPORT: GUILD_B}
    assert await _seen_at(store) == {NEWS: NOW, SPORT: NOW}


async def test_an_unchanged_pair_is_not_rewritten_and_a_changed_one_is(store: Store) -> None:
    await store.remember_channel_servers({NEWS: GUILD_A, SPORT: GUILD_A}, NOW)
    await store.remember_channel_servers({NEWS: GUILD_A, SPORT: GUILD_B}, NOW + minutes(5))
    assert await store.channel_servers() == {NEWS: GUILD_A, SPORT: GUILD_B}
    assert await _seen_at(store) == {NEWS: NOW, SPORT: NOW + minutes(5)}


async def test_a_later_call_adds_to_what_is_stored(store: Store) -> None:
    await store.remember_channel_servers({NEWS: GUILD_A}, NOW)
    async with store.transaction() as tx:
        await tx.remember_channel_servers({SPORT: GUILD_B}, NOW)
        assert await tx.channel_servers() == {NEWS: GUILD_A, SPORT: GUILD_B}
    assert await store.channel_servers() == {NEWS: GUILD_A, SPORT: GUILD_B}


async def test_many_channels_at_once(store: Store) -> None:
    many = {NEWS + n: GUILD_A + n % 3 for n in range(1200)}  # more than one batch
    await store.remember_channel_servers(many, NOW)
    assert await store.channel_servers() == many


async def test_the_servers_survive_closing_and_opening_the_database(db_url: str) -> None:
    first = await open_store(db_url)
    try:
        await first.remember_channel_servers({NEWS: GUILD_A}, NOW)
    finally:
        await first.close()
    second = await open_store(db_url)
    try:
        assert await second.channel_servers() == {NEWS: GUILD_A}
    finally:
        await second.close()


async def test_a_database_of_the_previous_revision_is_brought_up_to_date_and_back(db_url: str) -> None:
    assert "channel_servers" not in await migrate(db_url, "upgrade", "0003_pruned_stories")
    store = await open_store(db_url)  # what the bot does at start
    try:
        async with store.engine.connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision()
        await store.remember_channel_servers({NEWS: GUILD_A}, NOW)
        assert await store.channel_servers() == {NEWS: GUILD_A}
    finally:
        await store.close()
    assert "channel_servers" not in await migrate(db_url, "downgrade", "0003_pruned_stories")
