"""Indexes for retention: finding the outbox rows of a story, and the items of a digest row.

Revision ID: 0002_retention_indexes
Revises: 0001_initial
Create Date: 2026-01-01

Pruning (``bot/store/retention.py``) asks, for each old story, whether an outbox row still needs
it, and deleting a story or a digest row makes the database set the rows pointing at it to NULL
(``ON DELETE SET NULL``).  Without these indexes each of those is a scan of the whole outbox.
Written by hand and frozen, like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_retention_indexes"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_article_id", "outbox", ["article_id"])
    op.create_index("ix_outbox_digest_id", "outbox", ["digest_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_digest_id", table_name="outbox")
    op.drop_index("ix_outbox_article_id", table_name="outbox")
