"""The server of each subscription channel the bot has seen, kept across restarts.

Revision ID: 0004_channel_servers
Revises: 0003_pruned_stories
Create Date: 2026-11-26

A notice that a subscription's channel is gone goes to that channel's server's alert channel.
Discord no longer says whose a deleted channel was, so the bot remembered it — in memory only,
and a channel deleted while the bot was down reached the operator alone.  ``channel_servers``
keeps each channel's server id and when it was stored.  Written by hand and frozen, like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_channel_servers"
down_revision: str | None = "0003_pruned_stories"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_servers",
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", name="pk_channel_servers"),
    )


def downgrade() -> None:
    op.drop_table("channel_servers")
