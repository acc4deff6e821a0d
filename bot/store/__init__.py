"""newsbot's store: SQLAlchemy Core (async) on SQLite (WAL, the default) or PostgreSQL.

    store = await open_store("sqlite+aiosqlite:///data/newsbot.db")   # migrates to head
    async with store.transaction() as tx:                             # one unit of work
        article_id = await tx.insert_article(article, feed=feed, url_key=key, fingerprint=fp, content_hash=h, now=now)
        await tx.mark_seen(feed, keys, article_id, now)
        await tx.enqueue(subscription=sub, channel_id=channel, kind="article", article_id=article_id,
                         dedupe_key=story, now=now)
    await store.close()

Layout (per table, like lemon24/reader's ``_storage``): ``schema.py`` (tables), ``feeds.py``,
``entries.py``, ``articles.py``, ``search.py``, ``subscriptions.py``, ``channels.py``, ``outbox.py`` (the parts),
``storage.py`` (Store and Tx), ``engine.py`` (engine, pragmas, open), ``migrate.py`` and
``migrations/`` (Alembic, applied at open), ``types.py`` (UTC datetimes, 64-bit fingerprints),
``records.py`` (returned values), ``retention.py`` (old stories pruned), ``status.py`` and
``readonly.py`` (what ``newsbot status`` reads, opened read-only), ``errors.py`` (StoreError
subclasses, driver-error translation).

Design notes:
* Every method exists on both Store (its own short transaction) and Tx (shared transaction).
* Claiming work (``due_feeds(..., lease=)``, ``claim_pending``) leases rows with a timestamp and
  re-checks the lease in the UPDATE; on PostgreSQL candidates are also locked ``FOR UPDATE SKIP
  LOCKED``, so several workers can share one database.
* Full-text search is dialect-specific and lives only in ``search.py`` and the migration.
"""

from bot.errors import StoreError
from bot.store.engine import create_engine, open_store
from bot.store.errors import ArticleExistsError, NotFoundError
from bot.store.outbox import DEFAULT_LEASE
from bot.store.readonly import open_store_readonly
from bot.store.records import FeedState, OutboxRow, PruneReport, SearchHit, StoredArticle, SubscriptionState
from bot.store.retention import retention_cutoff
from bot.store.status import StoreStatus, SubscriptionActivity
from bot.store.storage import Store, Tx

__all__ = [
    "DEFAULT_LEASE",
    "ArticleExistsError",
    "FeedState",
    "NotFoundError",
    "OutboxRow",
    "PruneReport",
    "SearchHit",
    "Store",
    "StoreError",
    "StoreStatus",
    "StoredArticle",
    "SubscriptionActivity",
    "SubscriptionState",
    "Tx",
    "create_engine",
    "open_store",
    "open_store_readonly",
    "retention_cutoff",
]
