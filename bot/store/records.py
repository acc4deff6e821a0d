"""What the store hands back: small frozen values, one comment per field saying where it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.model import Article


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed as the poller knows it: location, HTTP validators, schedule and health."""

    #: The feed's name in the config (primary key).
    name: str
    #: URL, or a folder path for a local feed of Markdown files.
    url: str
    #: ``ETag`` of the last 200 response, sent back as ``If-None-Match``.
    etag: str | None = None
    #: ``Last-Modified`` of the last 200 response, sent back as ``If-Modified-Since``.
    last_modified: str | None = None
    #: Hash of the last body, to skip unchanged feeds whose server ignores validators.
    content_hash: str | None = None
    #: When the last poll started.
    last_polled_at: datetime | None = None
    #: When a poll last succeeded.
    last_success_at: datetime | None = None
    #: When the feed is due again (None: due now).
    next_poll_at: datetime | None = None
    #: Consecutive failed polls.
    failures: int = 0
    #: When the current run of failures began.
    first_failure_at: datetime | None = None
    #: The last failure's message.
    last_error: str | None = None
    #: Disabled feeds are never due (too many failures, or an admin's decision).
    disabled: bool = False
    #: Why it was disabled, for admins.
    disabled_reason: str | None = None
    #: Whether the current failure run was already reported to admins.
    failure_reported: bool = False
    #: The feed's own ``<ttl>`` hint, in minutes.
    ttl_minutes: int | None = None
    #: A worker polling it holds it until then (``due_feeds(..., lease=…)``).
    leased_until: datetime | None = None
    #: Where a permanent redirect (301/308) says the feed now lives; polled instead of ``url``
    #: until the admins change the configured URL.
    moved_to: str | None = None


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as stored: the domain value plus the store's bookkeeping."""

    #: Primary key.
    id: int
    #: The article with its sections, in order.
    article: Article
    #: Name of the feed it was first read from.
    feed: str
    #: Text fingerprint (64 bits, signed form as ``bot.detect.fingerprint`` makes it), for near-duplicates.
    fingerprint: int
    #: Hash of the text, to notice a changed article.
    content_hash: str
    #: When it was stored (UTC).
    created_at: datetime
    #: Normalized URL used for cross-feed duplicate detection.
    url_key: str | None = None
    #: When its text was last replaced (== created_at until then).
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SubscriptionState:
    """Runtime state of a subscription (its definition lives in the config)."""

    #: The subscription's key in the config.
    key: str
    #: Paused subscriptions keep receiving outbox rows, but none is delivered.
    paused: bool = False
    #: Why (an admin's reason, or "channel not found"), shown in status commands.
    pause_reason: str | None = None
    #: When its last digest was collected.
    last_digest_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One delivery: an article, an update or a digest, for one subscription's channel."""

    #: Primary key.
    id: int
    #: The subscription it was routed for.
    subscription: str
    #: Discord channel to post in.
    channel_id: int
    #: 'article', 'update' or 'digest'.
    kind: str
    #: The article to post (None for a digest, or when the article was removed).
    article_id: int | None
    #: The articles of a digest (empty otherwise, unless given at enqueue).
    article_ids: tuple[int, ...]
    #: 'pending', 'held', 'digested', 'sent' or 'failed'.
    status: str
    #: Delivery attempts made so far (retries and final failure).
    attempts: int
    #: Why the last attempt failed, for admins.
    last_error: str | None
    #: Not before this time (a retry's backoff); None: as soon as possible.
    next_attempt_at: datetime | None
    #: Message parts Discord already accepted, so a retry resumes after them.
    parts_sent: tuple[int, ...]
    #: Discord message ids of the post.
    message_ids: tuple[int, ...]
    #: When it was enqueued.
    created_at: datetime
    #: When Discord accepted the last part.
    sent_at: datetime | None
    #: Identity of the story within the subscription (unique per subscription).
    dedupe_key: str = ""
    #: A worker delivering it holds it until then.
    leased_until: datetime | None = None
    #: For a digested item: the digest row that carries it.
    digest_id: int | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One full-text search result, best first."""

    #: The article's id (for ``get_article``).
    article_id: int
    #: Its title.
    title: str
    #: Its URL.
    url: str | None
    #: A short plain-text excerpt around the match (no markup; escape it before posting).
    snippet: str
    #: Higher is better; only comparable within one result list.
    rank: float


@dataclass(frozen=True, slots=True)
class PruneReport:
    """What one prune removed (or, in a dry run, would remove), for the log line and ``newsbot prune``."""

    #: Stories (articles) removed, each with its full-text search entry.
    stories: int = 0
    #: Their sections.
    sections: int = 0
    #: Finished outbox rows removed: posts sent or given up on, digests and their items.
    posts: int = 0
    #: True when every batch was rolled back: the counts say what a prune would remove.
    dry_run: bool = False

    def __add__(self, other: PruneReport) -> PruneReport:
        return PruneReport(
            stories=self.stories + other.stories,
            sections=self.sections + other.sections,
            posts=self.posts + other.posts,
            dry_run=self.dry_run or other.dry_run,
        )

    def summary(self) -> str:
        """The counts as the log line and ``newsbot prune`` say them: "3 stories (12 sections) and 5 posts"."""
        return (
            f"{self.stories} {'story' if self.stories == 1 else 'stories'} "
            f"({self.sections} section{'' if self.sections == 1 else 's'}) "
            f"and {self.posts} post{'' if self.posts == 1 else 's'}"
        )
