"""Initial schema: feeds, articles, sections, entries, subscriptions, outbox, full-text index.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01

Written by hand and frozen: it must not import the live schema (which will move on).  The
full-text index is dialect-specific: an FTS5 table on SQLite, a tsvector table with a GIN index
on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("content_hash", sa.String(128)),
        _when("last_polled_at"),
        _when("last_success_at"),
        _when("next_poll_at"),
        sa.Column("failures", sa.Integer(), nullable=False, server_default=sa.text("0")),
        _when("first_failure_at"),
        sa.Column("last_error", sa.Text()),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("disabled_reason", sa.Text()),
        sa.Column("failure_reported", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("ttl_minutes", sa.Integer()),
        _when("leased_until"),
        sa.Column("moved_to", sa.Text()),
        sa.PrimaryKeyConstraint("name", name="pk_feeds"),
    )
    op.create_index("ix_feeds_next_poll_at", "feeds", ["next_poll_at"])

    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(200), nullable=False),
        sa.Column("url_key", sa.Text()),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("author", sa.Text()),
        _when("published"),
        sa.Column("source", sa.Text()),
        sa.Column("image", sa.Text()),
        sa.Column("summary", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("fingerprint", sa.BigInteger(), nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("url_key", name="uq_articles_url_key"),
    )
    op.create_index("ix_articles_feed", "articles", ["feed"])
    op.create_index("ix_articles_created_at", "articles", ["created_at"])
    op.create_index("ix_articles_published", "articles", ["published"])

    op.create_table(
        "sections",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.PrimaryKeyConstraint("article_id", "position", name="pk_sections"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_sections_article_id_articles", ondelete="CASCADE"
        ),
    )

    op.create_table(
        "entries",
        sa.Column("feed", sa.String(200), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer()),
        _when("seen_at", nullable=False),
        sa.PrimaryKeyConstraint("feed", "key", name="pk_entries"),
        sa.ForeignKeyConstraint(["feed"], ["feeds.name"], name="fk_entries_feed_feeds", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_entries_article_id_articles", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_entries_article_id", "entries", ["article_id"])

    op.create_table(
        "subscriptions",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("pause_reason", sa.Text()),
        _when("last_digest_at"),
        sa.PrimaryKeyConstraint("key", name="pk_subscriptions"),
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription", sa.String(200), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("article_id", sa.Integer()),
        sa.Column("article_ids", sa.JSON()),
        sa.Column("dedupe_key", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text()),
        _when("next_attempt_at"),
        _when("leased_until"),
        sa.Column("parts_sent", sa.JSON()),
        sa.Column("message_ids", sa.JSON()),
        sa.Column("digest_id", sa.Integer()),
        _when("created_at", nullable=False),
        _when("sent_at"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("subscription", "dedupe_key", name="uq_outbox_subscription_dedupe_key"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_outbox_article_id_articles", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["digest_id"], ["outbox.id"], name="fk_outbox_digest_id_outbox", ondelete="SET NULL"),
        sa.CheckConstraint("kind IN ('article', 'update', 'digest')", name="ck_outbox_kind"),
        sa.CheckConstraint("status IN ('pending', 'held', 'digested', 'sent', 'failed')", name="ck_outbox_status"),
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_channel_id_created_at", "outbox", ["channel_id", "created_at"])

    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        # rowid = articles.id.  Porter stemming so "elections" finds "election".
        op.execute(
            "CREATE VIRTUAL TABLE article_fts USING fts5("
            "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    elif dialect == "postgresql":
        op.execute(
            """
            CREATE TABLE article_search (
                article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                document TSVECTOR NOT NULL
            )
            """
        )
        op.execute("CREATE INDEX ix_article_search_document ON article_search USING GIN (document)")


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS article_fts")
    elif dialect == "postgresql":
        op.execute("DROP TABLE IF EXISTS article_search")
    for table in ("outbox", "subscriptions", "entries", "sections", "articles", "feeds"):
        op.drop_table(table)
