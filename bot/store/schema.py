"""The tables, in one MetaData: the single source of truth the migrations are checked against.

Only portable types and constraints live here.  The full-text index is dialect-specific
(an FTS5 virtual table on SQLite, a tsvector table on PostgreSQL); it is created by the
migration and owned by ``search.py``, so it is deliberately absent from this MetaData.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from bot.store.types import Bits64, UTCDateTime

#: Deterministic constraint names, so migrations can refer to them on both dialects.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Outbox row kinds: one article, a changed article, or a digest of several.
OUTBOX_KINDS = ("article", "update", "digest")
#: Outbox row states.  pending → sent | failed; held → digested (folded into a digest row).
OUTBOX_STATUSES = ("pending", "held", "digested", "sent", "failed")

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: One row per configured feed: where it is, its HTTP validators and its health.
feeds = Table(
    "feeds",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("content_hash", String(128)),
    Column("last_polled_at", UTCDateTime()),
    Column("last_success_at", UTCDateTime()),
    Column("next_poll_at", UTCDateTime()),
    Column("failures", Integer, nullable=False, server_default=text("0")),
    Column("first_failure_at", UTCDateTime()),
    Column("last_error", Text),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("disabled_reason", Text),
    Column("failure_reported", Boolean, nullable=False, server_default=false()),
    Column("ttl_minutes", Integer),
    Column("leased_until", UTCDateTime()),
    Column("moved_to", Text),
    Index(None, "next_poll_at"),
)

#: Articles: one row per story, whichever feeds it came from.
articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    # A plain name, not a foreign key: articles outlive the removal of their feed.
    Column("feed", String(200), nullable=False),
    Column("url_key", Text, unique=True),
    Column("title", Text, nullable=False),
    Column("url", Text),
    Column("author", Text),
    Column("published", UTCDateTime()),
    Column("source", Text),
    Column("image", Text),
    Column("summary", Text, nullable=False, server_default=text("''")),
    Column("fingerprint", Bits64(), nullable=False),
    Column("content_hash", String(128), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index(None, "feed"),
    Index(None, "created_at"),
    Index(None, "published"),
)

#: What retention keeps of a pruned story: what it is recognised by (its normalized URL, its text's
#: fingerprint) and when it was first stored, so a feed that lists it for the first time after the
#: prune — another feed, or the same one under a new guid — does not post it again as new.
pruned_stories = Table(
    "pruned_stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url_key", Text, unique=True),
    Column("fingerprint", Bits64(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index(None, "created_at"),
)

#: An article's sections in reading order, each with its summary.
sections = Table(
    "sections",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("summary", Text, nullable=False, server_default=text("''")),
)

#: Identity keys of the entries seen per feed: what makes detection survive restarts.
entries = Table(
    "entries",
    metadata,
    Column("feed", String(200), ForeignKey("feeds.name", ondelete="CASCADE"), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("seen_at", UTCDateTime(), nullable=False),
    Index(None, "article_id"),
)

#: Per-subscription state that outlives the config: paused or not, when the last digest went out.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("paused", Boolean, nullable=False, server_default=false()),
    Column("pause_reason", Text),
    Column("last_digest_at", UTCDateTime()),
)

#: The server (guild) of each subscription channel the bot has seen in Discord: a channel deleted
#: since — even while the bot was down — is still known to be that server's (bot.store.channels).
channel_servers = Table(
    "channel_servers",
    metadata,
    Column("channel_id", BigInteger, primary_key=True, autoincrement=False),
    Column("guild_id", BigInteger, nullable=False),
    #: When this pair was stored (first seen, or its server changed).
    Column("seen_at", UTCDateTime(), nullable=False),
)

#: Deliveries to make (and made): a row is marked sent only after Discord accepted it.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subscription", String(200), nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    #: The articles of a digest row (JSON list of ints).
    Column("article_ids", JSON(none_as_null=True)),
    Column("dedupe_key", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Column("next_attempt_at", UTCDateTime()),
    Column("leased_until", UTCDateTime()),
    #: Parts of a multi-message post Discord already accepted (JSON list of ints).
    Column("parts_sent", JSON(none_as_null=True)),
    #: Discord message ids of the post (JSON list of ints).
    Column("message_ids", JSON(none_as_null=True)),
    #: For a digested item: the digest row that carries it.
    Column("digest_id", Integer, ForeignKey("outbox.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime()),
    UniqueConstraint("subscription", "dedupe_key"),
    CheckConstraint("kind IN ('article', 'update', 'digest')", name="kind"),
    CheckConstraint("status IN ('pending', 'held', 'digested', 'sent', 'failed')", name="status"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "channel_id", "created_at"),
    # Retention: a story's rows (is it still needed?) and a digest's items (ON DELETE SET NULL).
    Index(None, "article_id"),
    Index(None, "digest_id"),
)
