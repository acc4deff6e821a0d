"""Alembic, driven from code: ``upgrade head`` on the application's own connection at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from bot.store.search import is_search_table

#: The migration scripts (Alembic's ``script_location``).
MIGRATIONS = Path(__file__).with_name("migrations")
#: Key of the PostgreSQL advisory lock that serializes migrations of workers starting together.
MIGRATION_LOCK_KEY = 0x6E657773  # "news"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Hide the dialect-specific full-text tables (not in the MetaData) from schema comparison."""
    if type_ == "table":
        return not (name and is_search_table(name))
    table = (parent_names or {}).get("table_name")
    return not (table and is_search_table(table))


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, sharing ``connection`` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection) -> None:
    """Bring the schema to head in the caller's fresh transaction (via ``AsyncConnection.run_sync``)."""
    # Both branches make a second process starting at the same time wait here until the first
    # commits, then find the schema at head and do nothing.
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        # sqlite3 would not open a transaction for DDL by itself (each CREATE would commit on
        # its own); taking the write lock up front also makes the whole migration atomic.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    command.upgrade(alembic_config(connection), "head")


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> frozenset[str]:
    """Every revision this newsbot's migrations go through, head included."""
    return frozenset(script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
