"""The server (guild) of each subscription channel the bot has seen, kept across restarts.

Once a channel is deleted, neither Discord nor discord.py's cache says whose it was; the notice
that it is gone must still reach that server's alert channel (bot.config.alerts), also when it
was deleted while the bot was down.  Rows are never removed: one per channel ever subscribed to.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from bot.store.base import Executor, chunked, insert_for
from bot.store.schema import channel_servers


class ChannelsMixin(Executor):
    async def remember_channel_servers(self, servers: Mapping[int, int], now: datetime) -> None:
        """Store each channel's server (channel id → guild id), stamped ``now``.

        A pair already stored as given is not written again (not even its ``seen_at``) and an
        empty mapping opens no connection, so a caller that hands over only what changed costs
        nothing when nothing did.  A channel stored with another server takes the new one.
        """
        if not servers:
            return
        async with self._connect(f"remember_channel_servers({len(servers)} channel(s))") as conn:
            for batch in chunked(servers.items()):
                rows = [{"channel_id": channel, "guild_id": guild, "seen_at": now} for channel, guild in batch]
                stmt = insert_for(conn, channel_servers).values(rows)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[channel_servers.c.channel_id],
                    set_={"guild_id": stmt.excluded.guild_id, "seen_at": stmt.excluded.seen_at},
                    where=channel_servers.c.guild_id != stmt.excluded.guild_id,
                )
                await conn.execute(stmt)

    async def channel_servers(self) -> dict[int, int]:
        """Every stored channel's server: channel id → guild id."""
        async with self._connect("channel_servers") as conn:
            rows = await conn.execute(select(channel_servers.c.channel_id, channel_servers.c.guild_id))
            return {row.channel_id: row.guild_id for row in rows}
