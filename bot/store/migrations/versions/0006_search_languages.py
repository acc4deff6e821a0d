"""PostgreSQL search stems each story in its own language.

Revision ID: 0006_search_languages
Revises: 0005_search_characters
Create Date: 2026-11-27

The search table indexed every story with the 'english' text search configuration, so a German
story's "Häuser" was not found by "Haus", nor a Russian story's "новостей" by "новости".  Each
row now records the configuration it was indexed with (``config``); the bot picks it from the
story's language (bot/store/search.py).  Stories stored before keep 'english', the one they were
indexed with, and are found as before.  SQLite's FTS5 table has no per-row configuration: nothing
to do there.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_search_languages"
down_revision: str | None = "0005_search_characters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE article_search ADD COLUMN config regconfig NOT NULL DEFAULT 'english'")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The older bot searches every row as English: rows indexed in another language are
        # indexed again in English first, so it finds them as it always did.
        op.execute(
            """
            UPDATE article_search
            SET document = setweight(to_tsvector('english', title), 'A')
                        || setweight(to_tsvector('english', body), 'B')
            WHERE config <> 'english'::regconfig
            """
        )
        op.execute("ALTER TABLE article_search DROP COLUMN config")
