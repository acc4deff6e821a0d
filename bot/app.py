"""`newsbot run`: the whole bot in one process — config, store, scheduler, polling, delivery.

Built once here and passed down: the config (swapped on a live reload), one aiohttp session,
one database engine.  With no Discord token the outbox is delivered to the terminal; with one,
to Discord (bot/discord/).  Stopping (SIGTERM/SIGINT) ends the loops within seconds; whatever was
in flight stays in the outbox for the next start.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import aiohttp
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Config, load_config
from bot.config.cron import cron_trigger
from bot.config.durations import format_duration
from bot.config.fieldtypes import hide_password
from bot.config_watch import ConfigWatcher
from bot.delivery import Deliverer, Sink
from bot.errors import ConfigError, StoreError
from bot.feeds.addresses import AddressPolicy
from bot.feeds.fetch import Fetcher, open_session
from bot.notices import OPERATOR_ONLY, Concerns
from bot.pipeline import Poller, PollReport, utcnow
from bot.schedule import missed_digest
from bot.store import PruneReport, Store, open_store, retention_cutoff

log = logging.getLogger("newsbot")

#: How often the store is asked which feeds are due.
POLL_TICK_SECONDS = 5.0
#: Feeds polled at once (each host is further limited by the fetcher).
POLL_CONCURRENCY = 8
#: A feed being polled is leased for this long, so another worker does not poll it too.
POLL_LEASE = timedelta(minutes=5)
#: Old stories are first pruned this long after start (not during it), then once a day.
PRUNE_DELAY = timedelta(minutes=5)
PRUNE_EVERY = timedelta(days=1)


class App:
    """One running bot.  ``start`` → (runs) → ``stop``; ``run`` does all three around a stop event."""

    def __init__(
        self,
        config_path: Path,
        *,
        env: dict[str, str] | None = None,
        clock: Callable[[], datetime] = utcnow,
        sink: Sink | None = None,
        poll_tick: float = POLL_TICK_SECONDS,
        watch_interval: float = 2.0,
        loops: bool = True,
    ) -> None:
        self.config_path = config_path
        self.env = env
        self.clock = clock
        self.poll_tick = poll_tick
        self.watch_interval = watch_interval
        #: False: start nothing that runs by itself (tests drive poll_due / delivery by hand).
        self.loops = loops
        self._sink = sink
        self.config: Config | None = None
        self.store: Store | None = None
        self.session: aiohttp.ClientSession | None = None
        self.poller: Poller | None = None
        self.deliverer: Deliverer | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self.watcher: ConfigWatcher | None = None
        self.discord: Any = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._polling: set[str] = set()
        #: Held by a Discord command from reading the config to reloading it after its write, so the
        #: next one decides on what this one wrote (a feed cap is counted once per add, not raced).
        self.config_writes = asyncio.Lock()
        self._notices: list[str] = []

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        self.config = load_config(self.config_path, env=self.env)
        config = self.config
        self.store = await open_store(config.storage.url)
        if config.storage.url.startswith("sqlite"):
            # SQLite means one process: any lease in the file was held by a run that died, and
            # its posts must go out now, not when the lease expires (their nonces stop doubles).
            released = await self.store.release_leases()
            if released:
                log.info("resuming %d post(s) left in flight by the previous run", released)
        self.session = open_session(self.address_policy)
        fetcher = Fetcher(self.session, policy=self.address_policy)
        await self._sync_feeds(config)
        sink = self._sink or await self._make_sink(config)
        self.poller = Poller(store=self.store, fetcher=fetcher, config=lambda: self.config, clock=self.clock, notify=self.notify)
        self.deliverer = Deliverer(store=self.store, sink=sink, config=lambda: self.config, clock=self.clock, notify=self.notify)
        self.scheduler = AsyncIOScheduler(timezone=timezone.utc)
        self.scheduler.add_job(
            self.poll_due, "interval", seconds=self.poll_tick, id="poll", max_instances=1, coalesce=True,
            next_run_time=datetime.now(timezone.utc),
        )
        self._schedule_digests(config)
        self.scheduler.add_job(
            self.prune_old_stories, "interval", seconds=PRUNE_EVERY.total_seconds(), id="prune",
            max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc) + PRUNE_DELAY,
        )
        self.watcher = ConfigWatcher(
            self.config_path, config, on_change=self._config_changed, on_error=self._config_broken,
            interval=self.watch_interval, env=self.env,
        )
        if self.loops:
            self.scheduler.start()
            await self.catch_up_digests()
            self.watcher.start()
            self._tasks.append(asyncio.create_task(self.deliverer.run_forever(self._stop), name="delivery"))
        log.info(
            "newsbot running: %d feed(s), %d subscription(s), storage %s",
            len(config.feeds), len(config.subscriptions), hide_password(config.storage.url),
        )

    def address_policy(self) -> AddressPolicy:
        """What fetches may connect to: the running config's ``network.allow_addresses``, read at
        each connection, so an edit applies without a restart."""
        assert self.config is not None
        return AddressPolicy.of(self.config.network.allow_addresses)

    async def _make_sink(self, config: Config) -> Sink:
        if config.discord.token is None:
            from bot.sinks import TerminalSink

            log.info(
                "no Discord token: posts are printed here. To post to Discord, set DISCORD_TOKEN "
                "(config/newsbot.yaml reads it as ${DISCORD_TOKEN}) and put your channel ids in the subscriptions."
            )
            return TerminalSink()
        from bot.discord.client import DiscordConnection

        self.discord = DiscordConnection(config=lambda: self.config, store=self.store, app=self)
        await self.discord.start()
        return self.discord.sink

    async def stop(self) -> None:
        self._stop.set()
        if self.watcher is not None:
            await self.watcher.stop()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        if self.discord is not None:
            await self.discord.close()
        if self.session is not None:
            await self.session.close()
        if self.store is not None:
            await self.store.close()
        log.info("newsbot stopped; undelivered posts stay in the outbox")

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Start, run until ``stop`` is set (or SIGTERM/SIGINT), then stop cleanly."""
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):  # not the main thread, or not Unix
                pass
        try:
            await self.start()
            await stop.wait()
        finally:
            await self.stop()

    # -- work units -------------------------------------------------------------------------------

    async def poll_due(self) -> list[PollReport]:
        """One tick: poll every feed that is due, a few at a time."""
        assert self.store is not None and self.poller is not None
        now = self.clock()
        names = [n for n in await self.store.due_feeds(now, POLL_CONCURRENCY * 4, lease=POLL_LEASE) if n not in self._polling]
        if not names:
            return []
        gate = asyncio.Semaphore(POLL_CONCURRENCY)

        async def one(name: str) -> PollReport:
            async with gate:
                self._polling.add(name)
                try:
                    return await self.poller.poll(name)  # type: ignore[union-attr]
                finally:
                    self._polling.discard(name)
                    await self.store.update_feed(name, leased_until=None)  # type: ignore[union-attr]

        reports = await asyncio.gather(*(one(n) for n in names), return_exceptions=True)
        done: list[PollReport] = []
        for name, report in zip(names, reports):
            if isinstance(report, BaseException):
                log.error("poll of feed %s crashed: %r", name, report, exc_info=report)
                continue
            done.append(report)
            log.info(
                "poll %s: %s%s%s", name, report.status,
                f", {report.new} new, {report.routed} routed" if report.new or report.routed else "",
                f" ({report.message})" if report.message else "",
            )
            if report.routed and self.deliverer is not None:
                self.deliverer.wake()
        return done

    async def fire_digest(self, key: str, fired_at: datetime | None = None) -> int | None:
        """Collect a digest subscription's held articles into one digest post (None: nothing new)."""
        assert self.store is not None and self.config is not None
        sub = self.config.subscription(key)
        if sub is None:
            return None
        now = self.clock()
        when = fired_at or now
        row = await self.store.collect_digest(key, sub.channel, now, dedupe_key=f"digest:{when.isoformat()}")
        await self.store.set_last_digest_at(key, now)
        log.info("digest %s: %s", key, f"outbox #{row}" if row else "nothing new")
        if row and self.deliverer is not None:
            self.deliverer.wake()
        return row

    async def prune_old_stories(self) -> PruneReport | None:
        """Remove the stories older than ``storage.retention`` (the config of now: a reload counts).

        Its own job, off the poll tick: a first prune of a big database takes a while, in short
        batches that polls and deliveries slip between.  A failure is logged and the bot goes on;
        the next day's run picks up where this one stopped.  None: it failed, or retention is 0.
        """
        assert self.store is not None and self.config is not None
        retention = self.config.storage.retention
        cutoff = retention_cutoff(retention, self.clock())
        if cutoff is None:
            return None
        try:
            report = await self.store.prune(cutoff)
        except StoreError as exc:
            log.error("pruning stories older than %s failed (%s); the next run tries again", format_duration(retention), exc)
            return None
        except Exception:  # noqa: BLE001 - pruning is housekeeping: it must never stop the bot
            log.exception("pruning stories older than %s failed; the next run tries again", format_duration(retention))
            return None
        log.info("pruned %s older than %s", report.summary(), format_duration(retention))
        return report

    async def catch_up_digests(self) -> None:
        """A digest missed while the bot was down is sent once at start, not once per missed firing."""
        assert self.store is not None and self.config is not None
        now = self.clock()
        for sub in self.config.subscriptions:
            if sub.mode != "digest" or not sub.schedule:
                continue
            state = await self.store.get_subscription(sub.key)
            missed = missed_digest(sub.schedule, sub.timezone, now, state.last_digest_at)
            if missed is not None and state.last_digest_at is not None:
                log.info("digest %s missed at %s while stopped; sending it now", sub.key, missed)
                await self.fire_digest(sub.key, missed)
            elif state.last_digest_at is None:
                await self.store.set_last_digest_at(sub.key, now)

    def _schedule_digests(self, config: Config) -> None:
        assert self.scheduler is not None
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:"):
                job.remove()
        for sub in config.subscriptions:
            if sub.mode == "digest" and sub.schedule:
                self.scheduler.add_job(
                    self.fire_digest, cron_trigger(sub.schedule, sub.timezone), args=[sub.key],
                    id=f"digest:{sub.key}", max_instances=1, coalesce=True, misfire_grace_time=3600,
                )

    # -- config ------------------------------------------------------------------------------------

    async def _sync_feeds(self, config: Config) -> None:
        assert self.store is not None
        for feed in config.feeds:
            location = feed.url or str(feed.folder)
            state = await self.store.get_feed(feed.name)
            if state is None or state.url != location:
                await self.store.upsert_feed(feed.name, location)
                if state is not None:  # the admins changed the URL: start afresh with it
                    await self.store.update_feed(
                        feed.name, moved_to=None, etag=None, last_modified=None, content_hash=None,
                        failures=0, first_failure_at=None, next_poll_at=None,
                    )
            if state is not None and state.disabled != (not feed.enabled) and state.disabled_reason in (None, "paused"):
                await self.store.update_feed(
                    feed.name, disabled=not feed.enabled, disabled_reason=None if feed.enabled else "paused"
                )

    async def _config_changed(self, config: Config) -> None:
        self.config = config
        await self._sync_feeds(config)
        self._schedule_digests(config)
        if self.discord is not None:
            await self.discord.config_changed(config)
        log.info("config reloaded: %d feed(s), %d subscription(s)", len(config.feeds), len(config.subscriptions))
        await self.notify("Config reloaded.")

    async def _config_broken(self, error: ConfigError) -> None:
        problems = "\n".join(f"- {p}" for p in error.problems)
        log.error("config edit refused; the running config stays:\n%s", problems)
        await self.notify(f"Config edit refused; the running config stays.\n{problems}")

    async def notify(self, text: str, *, concerns: Concerns = OPERATOR_ONLY) -> None:
        """Tell the admins: the log always; once Discord is connected, the admin log channel and the
        alert channels of the servers the notice ``concerns`` (nothing: the operator's alone)."""
        self._notices.append(text)
        log.warning("admin notice: %s", text)
        if self.discord is not None:
            await self.discord.notify_admins(text, concerns=concerns)


async def run_app(config_path: Path, *, stop: asyncio.Event | None = None, env: dict[str, str] | None = None) -> int:
    app = App(config_path, env=env)
    await app.run(stop)
    return 0

