"""What retention keeps of a pruned story, so it is never posted again as new.

Revision ID: 0003_pruned_stories
Revises: 0002_retention_indexes
Create Date: 2026-11-26

A story is recognised across feeds by its normalized URL (forever) or its text's fingerprint
(within a window).  Pruning deleted both with the story, so a feed listing it for the first
time afterwards posted it again.  ``pruned_stories`` keeps those two keys and when the story
was first stored.  Written by hand and frozen, like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_pruned_stories"
down_revision: str | None = "0002_retention_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pruned_stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url_key", sa.Text()),
        sa.Column("fingerprint", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pruned_stories"),
        sa.UniqueConstraint("url_key", name="uq_pruned_stories_url_key"),
    )
    op.create_index("ix_pruned_stories_created_at", "pruned_stories", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_pruned_stories_created_at", table_name="pruned_stories")
    op.drop_table("pruned_stories")
