"""Alembic environment for newsbot's store.

Normally run by ``open_store`` through ``alembic.command.upgrade`` with the application's own
connection in ``config.attributes["connection"]`` (so it works inside a running event loop,
on both dialects).  For developers it also works from the command line::

    NEWSBOT_DATABASE_URL=sqlite+aiosqlite:///data/newsbot.db alembic -c bot/store/alembic.ini upgrade head
    NEWSBOT_DATABASE_URL=... alembic -c bot/store/alembic.ini revision -m "add x"   # then write it by hand

The dialect-specific full-text tables are not in the MetaData; ``include_name`` hides them from
autogenerate so it never proposes to drop them.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from alembic import context
from sqlalchemy import Connection

from bot.store.migrate import include_name
from bot.store.schema import metadata

config = context.config


def _configure(**kwargs: Any) -> None:
    context.configure(target_metadata=metadata, include_name=include_name, compare_type=True, **kwargs)


def _run(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = os.environ.get("NEWSBOT_DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set NEWSBOT_DATABASE_URL (or sqlalchemy.url in alembic.ini) to run migrations by hand")
    return url


async def _run_with_own_engine(url: str) -> None:
    from bot.store.engine import create_engine

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
elif (shared := config.attributes.get("connection")) is not None:
    _run(shared)
else:
    asyncio.run(_run_with_own_engine(_url()))
