"""Search finds words in the scripts written without spaces (Chinese, Japanese, Thai and others).

Revision ID: 0005_search_characters
Revises: 0004_channel_servers
Create Date: 2026-11-27

Both search engines read a run of Chinese as one word, so "地铁" never found "新建五条地铁线路".
The bot now indexes such runs a character at a time, a zero-width space between the characters
(bot/store/search.py).  This re-indexes the stories already stored that hold such text, in
batches; the others are not touched.  The character ranges and the separator are copied here
from bot/articles/words.py and bot/store/search.py, frozen, like the rest of 0001–0004.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_search_characters"
down_revision: str | None = "0004_channel_servers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_RUN = re.compile(f"[{_UNSPACED}]+")
_BREAK = "\u200b"
_BATCH = 500


def _spaced(text: str) -> str:
    return _RUN.sub(lambda run: _BREAK + _BREAK.join(run.group()) + _BREAK, text)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        find = sa.text(
            "SELECT rowid AS id, title, body FROM article_fts "
            "WHERE rowid > :after AND (title || body) GLOB :pattern ORDER BY rowid LIMIT :batch"
        )
        pattern = f"*[{_UNSPACED}]*"
        rewrite = [
            sa.text("DELETE FROM article_fts WHERE rowid = :id"),
            sa.text("INSERT INTO article_fts (rowid, title, body) VALUES (:id, :title, :body)"),
        ]
    elif bind.dialect.name == "postgresql":
        find = sa.text(
            "SELECT article_id AS id, title, body FROM article_search "
            "WHERE article_id > :after AND (title || body) ~ :pattern ORDER BY article_id LIMIT :batch"
        )
        pattern = f"[{_UNSPACED}]"
        rewrite = [
            sa.text(
                """
                UPDATE article_search
                SET title = CAST(:title AS text), body = CAST(:body AS text),
                    document = setweight(to_tsvector('english', CAST(:title AS text)), 'A')
                            || setweight(to_tsvector('english', CAST(:body AS text)), 'B')
                WHERE article_id = :id
                """
            )
        ]
    else:
        return
    after = 0
    while True:
        rows = bind.execute(find, {"after": after, "pattern": pattern, "batch": _BATCH}).all()
        for row in rows:
            params = {"id": row.id, "title": _spaced(row.title), "body": _spaced(row.body)}
            for statement in rewrite:
                bind.execute(statement, params)
        if len(rows) < _BATCH:
            return
        after = rows[-1].id


def downgrade() -> None:
    # The index the older bot reads: its runs whole again (a zero-width space in a story's own
    # text between two such characters goes too, which its searches never matched anyway).
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        find = sa.text("SELECT rowid AS id, title, body FROM article_fts WHERE (title || body) LIKE :like")
        rows = bind.execute(find, {"like": f"%{_BREAK}%"}).all()
        for row in rows:
            params = {"id": row.id, "title": _joined(row.title), "body": _joined(row.body)}
            bind.execute(sa.text("DELETE FROM article_fts WHERE rowid = :id"), params)
            bind.execute(sa.text("INSERT INTO article_fts (rowid, title, body) VALUES (:id, :title, :body)"), params)
    elif bind.dialect.name == "postgresql":
        bind.execute(
            sa.text(
                """
                UPDATE article_search
                SET title = replace(title, :z, ''), body = replace(body, :z, ''),
                    document = setweight(to_tsvector('english', replace(title, :z, '')), 'A')
                            || setweight(to_tsvector('english', replace(body, :z, '')), 'B')
                WHERE (title || body) LIKE :like
                """
            ),
            {"z": _BREAK, "like": f"%{_BREAK}%"},
        )


def _joined(text: str) -> str:
    return text.replace(_BREAK, "")
