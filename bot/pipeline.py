"""One poll of one feed, in named phases: fetch → parse → detect → read → store and route.

Each poll is a small idempotent unit of work that takes a feed name and does its own
transactions, so it does not care who calls it (APScheduler here, a job queue at scale).
Every new entry is recorded as seen *and* routed into the outbox in one transaction: a crash at
any point leaves each entry either fully handled or untouched (and picked up by the next poll).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

from bot.articles.build import SummaryOptions, build_article, is_teaser
from bot.config import Config, Feed, Subscription
from bot.config.filters import SEARCH_TIMEOUT
from bot.detect import (
    changed_substantially,
    content_hash,
    entry_date,
    fingerprint,
    identity_keys,
    is_stale,
    normalize_url,
    same_story,
)
from bot.errors import FetchError, ParseError, SourceError
from bot.feeds.decode import decode_page
from bot.feeds.fetch import HTML_ACCEPT, Fetcher
from bot.feeds.local import read_article_folder
from bot.feeds.parse import parse_feed
from bot.feeds.timing import next_poll_at
from bot.model import Article, FeedEntry, ParsedFeed
from bot.notices import Concerns, Notify, notify_safely
from bot.store import ArticleExistsError, NotFoundError, Store, Tx
from bot.store.records import FeedState

log = logging.getLogger("newsbot.poll")

#: At most this many new entries are read per poll; the rest stay unseen and come next poll.
MAX_NEW_PER_POLL = 40
#: A story seen within this window under another URL or feed is the same story if its text matches.
DUPLICATE_WINDOW = timedelta(days=14)
#: A feed failing for this long is reported to the admins.
REPORT_FAILING_AFTER = timedelta(days=1)

Status = Literal["new", "unchanged", "not-modified", "failed", "disabled", "unknown"]
Keyed = tuple[FeedEntry, tuple[str, ...]]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class PollReport:
    """What one poll did, for the logs and the tests."""

    feed: str
    status: Status
    new: int = 0
    routed: int = 0
    updated: int = 0
    message: str = ""
    next_poll_at: datetime | None = None


@dataclass(slots=True)
class _Fetched:
    feed: ParsedFeed | None = None
    not_modified: bool = False
    body_hash: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    max_age: int | None = None
    permanent_url: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)


def article_text(article: Article) -> str:
    """The text a story is recognised by (title and every section), for fingerprints."""
    return "\n".join([article.title] + [s.text for s in article.sections])


#: (subscription key, rule) pairs whose timeout was reported: once per rule per process is
#: enough to name it, and an article feed can time a bad rule out on every entry of every poll.
_TIMEOUTS_REPORTED: set[tuple[str, str]] = set()


def passes_filters(sub: Subscription, feed: str, article: Article, notices: list[tuple[str, str]] | None = None) -> bool:
    """``sub.matches(article)``, reporting (once per rule) each rule that ran out of time on it.

    The filters module is pure, so it hands timed-out rules back: each is logged, and its notice
    (subscription key, text) appended to ``notices`` for the caller to send to the admins once
    its transaction is over — whoever wrote the rule, maybe from Discord, should hear of it.
    """
    verdict = sub.matches(article)
    for kind, rule in verdict.timed_out:
        if (sub.key, rule.text) in _TIMEOUTS_REPORTED:
            continue
        _TIMEOUTS_REPORTED.add((sub.key, rule.text))
        outcome = (
            "as an exclude rule it counted as matching, so the story is not posted there"
            if kind == "exclude"
            else "as an include rule it counted as not matching (the story went in only if another include rule matched)"
        )
        log.warning(
            "subscription %s: %s filter %r took longer than its %.2f s (more on a very long story) on %r (feed %s) and was stopped; %s. "
            "Simplify the rule: nested repeats such as (a+)+ backtrack without end. (Logged once per rule.)",
            sub.key, kind, rule.text, SEARCH_TIMEOUT, article.title, feed, outcome,
        )
        if notices is not None:
            notices.append((sub.key, (
                f"Subscription **{sub.key}**: the {kind} filter `{rule.text}` took too long on a story of "
                f"**{feed}** and was stopped; {outcome}. Simplify it (nested repeats such as (a+)+ backtrack "
                "without end), e.g. with `/feeds edit`."
            )))
    return verdict.passed


def entry_text(entry: FeedEntry) -> str:
    """The feed's own text of an entry: its hash tells whether the feed changed the story."""
    return "\n".join([entry.title, entry.content or entry.summary])


class Poller:
    """Polls feeds and routes what is new; holds no state between polls except its collaborators."""

    def __init__(
        self,
        *,
        store: Store,
        fetcher: Fetcher,
        config: Callable[[], Config],
        clock: Callable[[], datetime] = utcnow,
        notify: Notify | None = None,
        base_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.config = config
        self.clock = clock
        self.notify = notify
        self.base_dir = base_dir or Path.cwd()
        # Feeds are polled concurrently; deciding "is this story already stored?" and storing it
        # must not interleave, or one story arriving in two feeds at once would be stored twice.
        # The database lock (Tx.serialize_new_stories) does this across workers; this one keeps
        # a process's own polls queued here rather than each holding a connection while waiting.
        self._route_lock = asyncio.Lock()
        #: Filter-timeout notices gathered inside transactions, sent after them (see passes_filters).
        self._filter_notices: list[tuple[str, str]] = []

    # -- the unit of work ---------------------------------------------------------------------

    async def poll(self, name: str) -> PollReport:
        """Poll one feed now; never raises for the feed's own problems (they go in the report)."""
        config = self.config()
        feed_cfg = config.feed(name)
        if feed_cfg is None:
            return PollReport(name, "unknown", message="not in the config any more")
        state = await self.store.get_feed(name) or await self.store.upsert_feed(name, self._location(feed_cfg))
        if state.disabled:
            return PollReport(name, "disabled", message=state.disabled_reason or "disabled")
        now = self.clock()
        try:
            fetched = await self._fetch(feed_cfg, state)
        except SourceError as exc:
            return await self._failed(feed_cfg, state, exc, now)
        return await self._handle(config, feed_cfg, state, fetched, now)

    # -- phases -------------------------------------------------------------------------------

    def _location(self, feed_cfg: Any) -> str:
        return feed_cfg.url if feed_cfg.url else str(feed_cfg.folder)

    async def _fetch(self, feed_cfg: Any, state: FeedState) -> _Fetched:
        if feed_cfg.folder:
            folder = Path(feed_cfg.folder)
            if not folder.is_absolute():
                folder = self.base_dir / folder
            if not folder.is_dir():
                raise SourceError(str(feed_cfg.folder), "folder not found")
            parsed = await asyncio.to_thread(read_article_folder, folder, name=feed_cfg.name)
            digest = content_hash("\n".join(f"{e.id}\n{entry_text(e)}" for e in parsed.entries))
            return _Fetched(feed=parsed, body_hash=digest)
        url = state.moved_to or feed_cfg.url
        result = await self.fetcher.fetch(
            url, etag=state.etag, last_modified=state.last_modified, headers=dict(feed_cfg.headers or {})
        )
        fetched = _Fetched(
            not_modified=result.not_modified,
            etag=result.etag or state.etag,
            last_modified=result.last_modified or state.last_modified,
            max_age=result.max_age_seconds,
            permanent_url=result.permanent_url,
        )
        if result.not_modified or result.body is None:
            fetched.not_modified = True
            return fetched
        fetched.body_hash = content_hash(result.body.decode("utf-8", errors="replace"))
        if fetched.body_hash == state.content_hash and state.last_success_at is not None:
            fetched.not_modified = True  # the server ignores validators, but nothing changed
            return fetched
        fetched.feed = parse_feed(result.body, source=url, base_url=result.url, content_type=result.content_type)
        return fetched

    async def _handle(self, config: Config, feed_cfg: Any, state: FeedState, fetched: _Fetched, now: datetime) -> PollReport:
        name = feed_cfg.name
        changes: dict[str, Any] = {
            "last_polled_at": now,
            "last_success_at": now,
            "failures": 0,
            "first_failure_at": None,
            "last_error": None,
            "failure_reported": False,
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
        }
        if fetched.permanent_url:
            changes["moved_to"] = fetched.permanent_url
            log.info("feed %s moved permanently to %s; the stored URL is updated", name, fetched.permanent_url)
        if state.failure_reported:
            await self._notify(f"Feed **{name}** works again after {state.failures} failed polls.", feed=name)
        ttl = fetched.feed.ttl_minutes if fetched.feed else state.ttl_minutes
        changes["ttl_minutes"] = ttl
        changes["next_poll_at"] = next_poll_at(
            now,
            interval=timedelta(seconds=self._interval(config, feed_cfg)),
            ttl_minutes=ttl,
            max_age_seconds=fetched.max_age,
            retry_after=None,
            failures=0,
        )
        if fetched.not_modified or fetched.feed is None:
            await self.store.update_feed(name, **changes)
            return PollReport(name, "not-modified", next_poll_at=changes["next_poll_at"])

        first_poll = state.last_success_at is None
        new, routed, updated, waiting = await self._ingest(config, feed_cfg, fetched.feed, first_poll=first_poll, now=now)
        notices, self._filter_notices = self._filter_notices, []
        for key, text in notices:
            await notify_safely(self.notify, text, log, concerns=Concerns.subscription(key))
        changes["content_hash"] = fetched.body_hash
        if waiting:
            # Entries are still waiting: the next poll must parse this same body again.
            changes.update(content_hash=None, etag=None, last_modified=None)
        await self.store.update_feed(name, **changes)
        status: Status = "new" if new else "unchanged"
        return PollReport(name, status, new=new, routed=routed, updated=updated, next_poll_at=changes["next_poll_at"])

    def _interval(self, config: Config, feed_cfg: Any) -> int:
        return int(feed_cfg.interval or config.defaults.poll_interval)

    async def _ingest(
        self, config: Config, feed_cfg: Any, parsed: ParsedFeed, *, first_poll: bool, now: datetime
    ) -> tuple[int, int, int, int]:
        """Detect what is new, read it, store it and route it; returns (new, routed, updated, waiting)."""
        name = feed_cfg.name
        keyed = [(entry, identity_keys(entry)) for entry in parsed.entries]
        seen = await self.store.seen_keys(name, {k for _, keys in keyed for k in keys})
        fresh = [(e, keys) for e, keys in keyed if keys and not seen.intersection(keys)]
        known = [(e, keys) for e, keys in keyed if keys and seen.intersection(keys)]

        subscriptions = list(config.subscriptions_for(name))
        fresh = _chronological(fresh)
        # subscription key → entries not routed there this poll for being older than its max_age
        too_old: Counter[str] = Counter()
        fresh, unread = await self._skip_stale(feed_cfg, fresh, subscriptions, now, too_old)
        if first_poll:  # after the age filter: a backfill never reaches past max_age
            backfill = self._backfill(config, feed_cfg, subscriptions)
            cut = max(len(fresh) - backfill, 0)
            skipped, keep = fresh[:cut], fresh[cut:]  # the newest `backfill` entries are posted
            if skipped:
                await self._mark_seen_unread(name, skipped, now)
                log.info("feed %s first poll: %d entries marked seen, %d backfilled", name, len(skipped), len(keep))
            fresh = keep

        options = SummaryOptions(config.defaults.summary_sentences, config.defaults.tldr_sentences)
        per_run: dict[str, int] = {}
        new = routed = 0
        immediate = [s for s in subscriptions if s.mode != "digest"]
        waiting = 0
        for index, (entry, keys) in enumerate(fresh):
            full = any(per_run.get(s.key, 0) >= s.max_posts_per_run for s in immediate)
            if index >= MAX_NEW_PER_POLL or full:
                # Left unseen on purpose: the next poll picks them up (nothing is dropped).
                waiting = len(fresh) - index
                log.info("feed %s: %d new entries wait for the next poll (per-run limit)", name, waiting)
                break
            recent, stale = _split_by_age(entry, feed_cfg, subscriptions, now)
            too_old.update(sub.key for sub in stale)
            article = await self._read(feed_cfg, entry, parsed.title or feed_cfg.name, options)
            async with self._route_lock:
                routed += await self._store_and_route(name, entry, keys, article, recent, per_run, now)
            new += 1
        if unread or too_old:
            per_sub = ", ".join(f"{key} {count}" for key, count in sorted(too_old.items()))
            log.info(
                "feed %s: entries older than max_age not posted — %s; %d too old everywhere, marked seen unread",
                name, per_sub or "no subscriptions", unread,
            )

        updated = 0
        if any(getattr(s, "repost_updates", False) for s in subscriptions):
            for entry, keys in known:
                updated += await self._maybe_update(feed_cfg, entry, keys, parsed, subscriptions, options, now)
        return new, routed, updated, waiting

    async def _skip_stale(
        self, feed_cfg: Feed, fresh: list[Keyed], subscriptions: Sequence[Subscription], now: datetime, too_old: Counter[str]
    ) -> tuple[list[Keyed], int]:
        """Mark seen, unread, the entries older than every subscription's max_age (the feed's own
        when nothing subscribes); return the rest and how many were skipped.

        Done before backfill and the per-poll limits, so a feed that adds years of archive at once
        costs no article fetches and holds up none of its new entries.  An entry too old for only
        some subscriptions stays: the others still get it (see ``_split_by_age`` in ``_ingest``).
        """
        keep: list[Keyed] = []
        skip: list[Keyed] = []
        for entry, keys in fresh:
            recent, stale = _split_by_age(entry, feed_cfg, subscriptions, now)
            everywhere = not recent if subscriptions else is_stale(entry_date(entry), now, feed_cfg.max_age)
            if everywhere:
                skip.append((entry, keys))
                too_old.update(sub.key for sub in stale)
            else:
                keep.append((entry, keys))
        await self._mark_seen_unread(feed_cfg.name, skip, now)
        return keep, len(skip)

    async def _mark_seen_unread(self, feed: str, entries: Sequence[Keyed], now: datetime) -> None:
        """Record entries as handled without reading or posting them (backfill's cut, too old), in
        one transaction: they are never considered again."""
        if not entries:
            return
        async with self.store.transaction() as tx:
            for _, keys in entries:
                await tx.mark_seen(feed, keys, None, now)

    def _backfill(self, config: Config, feed_cfg: Any, subscriptions: Sequence[Any]) -> int:
        values = [getattr(s, "backfill", None) for s in subscriptions]
        values = [v for v in values if v is not None]
        if values:
            return max(values)
        value = getattr(feed_cfg, "backfill", None)
        return int(value if value is not None else config.defaults.backfill)

    async def _read(self, feed_cfg: Any, entry: FeedEntry, source: str, options: SummaryOptions) -> Article:
        page_html = None
        mode = getattr(feed_cfg, "fetch_article", "auto")
        wants_page = mode is True or (mode == "auto" and is_teaser(entry))
        if wants_page and entry.link and entry.link.startswith(("http://", "https://")) and not feed_cfg.folder:
            try:
                page = await self.fetcher.fetch(entry.link, accept=HTML_ACCEPT, headers=dict(feed_cfg.headers or {}))
                if page.body:
                    page_html = decode_page(page.body, page.content_type)
            except FetchError as exc:
                log.info("feed %s: article page %s unavailable (%s); using the feed's text", feed_cfg.name, entry.link, exc.reason)
        return await asyncio.to_thread(build_article, entry, source=source, page_html=page_html, options=options)

    async def _store_and_route(
        self,
        feed: str,
        entry: FeedEntry,
        keys: tuple[str, ...],
        article: Article,
        subscriptions: Sequence[Any],
        per_run: dict[str, int],
        now: datetime,
    ) -> int:
        url_key = normalize_url(entry.link) if entry.link else None
        text = article_text(article)
        fp = fingerprint(text)
        routed = 0
        async with self.store.transaction() as tx:
            # Check and insert under one lock across workers: the fingerprint match has no unique
            # index behind it, so two workers checking at once would both store the story.
            await tx.serialize_new_stories()
            existing = await self._stored_story(tx, url_key, fp, now)
            if existing is None and await self._pruned_story(tx, url_key, fp, now):
                log.info("feed %s: %r is a story stored before and pruned since; not posted again", feed, article.title)
                await tx.mark_seen(feed, keys, None, now)
                return 0
            if existing is None:
                article_id = await self._insert_or_existing(tx, feed, entry, article, url_key, fp, now)
            else:
                article_id = existing
                log.info("feed %s: %r is a story already stored (#%d); not stored twice", feed, article.title, existing)
            await tx.mark_seen(feed, keys, article_id, now)
            for sub in subscriptions:
                if not passes_filters(sub, feed, article, self._filter_notices):
                    continue
                digest = sub.mode == "digest"
                row = await tx.enqueue(
                    subscription=sub.key,
                    channel_id=sub.channel,
                    kind="article",
                    article_id=article_id,
                    dedupe_key=f"story:{article_id}",
                    status="held" if digest else "pending",
                    now=now,
                )
                if row is not None:
                    routed += 1
                    if not digest:
                        per_run[sub.key] = per_run.get(sub.key, 0) + 1
        return routed

    async def _stored_story(self, tx: Tx, url_key: str | None, fp: int, now: datetime) -> int | None:
        """The stored article that is this story, by its normalized URL or else by its text."""
        existing = await tx.article_by_url(url_key) if url_key else None
        if existing is None:
            recent = await tx.recent_fingerprints(now - DUPLICATE_WINDOW)
            existing = next((aid for aid, other in recent if same_story(fp, other)), None)
        return existing

    async def _pruned_story(self, tx: Tx, url_key: str | None, fp: int, now: datetime) -> bool:
        """Whether this story was stored and has been pruned since (storage.retention): matched as
        :meth:`_stored_story` matches, against what retention kept of it."""
        if url_key and await tx.pruned_by_url(url_key):
            return True
        return any(same_story(fp, other) for other in await tx.pruned_fingerprints(now - DUPLICATE_WINDOW))

    async def _insert_or_existing(
        self,
        tx: Tx,
        feed: str,
        entry: FeedEntry,
        article: Article,
        url_key: str | None,
        fp: int,
        now: datetime,
    ) -> int:
        """Store the article, or use the one another worker stored under its URL since we looked.

        ``serialize_new_stories`` keeps workers of this release from storing between our check
        and this insert; a worker that does not take that lock (the previous release, during a
        rolling upgrade) still can.  The unique URL index then reports it as ArticleExistsError
        without breaking the transaction, so the entry is recorded and routed against the
        existing article, exactly as if the check had found it: the outbox's per-story dedupe key
        then keeps it from being posted twice.
        """
        try:
            return await tx.insert_article(
                article, feed=feed, url_key=url_key, fingerprint=fp, content_hash=content_hash(entry_text(entry)), now=now
            )
        except ArticleExistsError as exc:
            if exc.article_id is None:  # the conflicting row vanished again: nothing to fall back on
                raise
            log.info(
                "feed %s: %r was stored meanwhile by another worker (#%d); not stored twice", feed, article.title, exc.article_id
            )
            return exc.article_id

    async def _maybe_update(
        self,
        feed_cfg: Any,
        entry: FeedEntry,
        keys: tuple[str, ...],
        parsed: ParsedFeed,
        subscriptions: Sequence[Any],
        options: SummaryOptions,
        now: datetime,
    ) -> int:
        """A known entry whose feed text changed: store the new text; re-post only where asked.

        An entry whose story was pruned (storage.retention) has no article any more: it stays
        seen, and nothing is stored or posted for it.
        """
        article_id = await self.store.article_for_keys(feed_cfg.name, keys)
        if article_id is None:
            return 0
        stored = await self.store.get_article(article_id)
        new_hash = content_hash(entry_text(entry))
        if stored is None or stored.content_hash == new_hash:
            return 0
        article = await self._read(feed_cfg, entry, parsed.title or feed_cfg.name, options)
        substantial = changed_substantially(article_text(stored.article), article_text(article))
        routed = 0
        async with self.store.transaction() as tx:
            try:
                await tx.update_article(article_id, article, content_hash=new_hash, fingerprint=fingerprint(article_text(article)), now=now)
            except NotFoundError:  # pruned (storage.retention) while we read it: its entry stays seen
                log.info("feed %s: %r was pruned meanwhile; its update is not stored", feed_cfg.name, article.title)
                return 0
            if substantial:
                # An update belongs where the story went: not to a subscription that filtered it
                # out, found it too old (max_age), or was added after it.
                went_to = await tx.routed_subscriptions(article_id)
                for sub in subscriptions:
                    if (
                        getattr(sub, "repost_updates", False)
                        and sub.mode != "digest"
                        and sub.key in went_to
                        and passes_filters(sub, feed_cfg.name, article, self._filter_notices)
                    ):
                        row = await tx.enqueue(
                            subscription=sub.key,
                            channel_id=sub.channel,
                            kind="update",
                            article_id=article_id,
                            dedupe_key=f"update:{article_id}:{new_hash}",
                            now=now,
                        )
                        routed += row is not None
        return routed

    async def _failed(self, feed_cfg: Any, state: FeedState, exc: SourceError, now: datetime) -> PollReport:
        name = feed_cfg.name
        failures = state.failures + 1
        first = state.first_failure_at or now
        status = getattr(exc, "status", None)
        changes: dict[str, Any] = {
            "last_polled_at": now,
            "failures": failures,
            "first_failure_at": first,
            "last_error": exc.reason,
        }
        if status == 410:
            changes.update(disabled=True, disabled_reason="the server says the feed is gone for good (410 Gone)")
            await self.store.update_feed(name, **changes)
            await self._notify(f"Feed **{name}** was disabled: {changes['disabled_reason']}. Remove it or fix its URL.", feed=name)
            log.warning("feed %s: 410 Gone; disabled", name)
            return PollReport(name, "disabled", message=changes["disabled_reason"])
        changes["next_poll_at"] = next_poll_at(
            now,
            interval=timedelta(seconds=self._interval(self.config(), feed_cfg)),
            ttl_minutes=state.ttl_minutes,
            max_age_seconds=None,
            retry_after=getattr(exc, "retry_after", None),
            failures=failures,
        )
        if now - first >= REPORT_FAILING_AFTER and not state.failure_reported:
            changes["failure_reported"] = True
            await self._notify(
                f"Feed **{name}** has been failing since {first:%Y-%m-%d %H:%M} UTC ({failures} polls): {exc.reason}",
                feed=name,
            )
        await self.store.update_feed(name, **changes)
        kind = "parse" if isinstance(exc, ParseError) else "fetch"
        log.warning("feed %s: %s failed (%d in a row): %s; next try %s", name, kind, failures, exc.reason, changes["next_poll_at"])
        return PollReport(name, "failed", message=exc.reason, next_poll_at=changes["next_poll_at"])

    async def _notify(self, text: str, *, feed: str) -> None:
        """Tell the admins about ``feed``: the operator, and each server the feed posts to."""
        await notify_safely(self.notify, text, log, concerns=Concerns.feed(feed))


def _chronological(entries: list[Keyed]) -> list[Keyed]:
    """Oldest first (by date when the feed gives dates, else feed order, which lists newest first),
    so a channel reads in the order stories happened and a backfill is the tail of this list."""
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    indexed = list(enumerate(entries))
    indexed.sort(key=lambda item: (entry_date(item[1][0]) or epoch, -item[0]))
    return [entry for _, entry in indexed]


def _split_by_age(
    entry: FeedEntry, feed: Feed, subscriptions: Sequence[Subscription], now: datetime
) -> tuple[list[Subscription], list[Subscription]]:
    """(the subscriptions ``entry`` is recent enough for, those whose max_age it exceeds)."""
    when = entry_date(entry)
    recent: list[Subscription] = []
    stale: list[Subscription] = []
    for sub in subscriptions:
        (stale if is_stale(when, now, sub.max_age_for(feed)) else recent).append(sub)
    return recent, stale
