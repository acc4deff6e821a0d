"""Live reload: watch the admins' file and the managed file, swap in the new Config when it validates.

A broken edit is reported once (per distinct broken content, not every few seconds) and the config
in force stays as it was, so a typo never stops the bot.  Change is detected by the files' stat
(mtime, size, inode) first, cheap on every ``interval``, then confirmed by a content hash, so
``touch`` or an editor rewriting identical bytes does nothing.  As in git's "racy" check, a file
modified within the last second is always hashed: the file system's clock is coarser than two quick
writes of the same size.  Polling rather than inotify: it works the same on every OS, in containers
and on network file systems, and two stat calls every two seconds cost nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from bot.config.loader import load_config, sources_digest
from bot.config.resolved import Config
from bot.errors import ConfigError

log = logging.getLogger(__name__)

#: Seconds between checks.
DEFAULT_INTERVAL = 2.0

OnChange = Callable[[Config], Awaitable[None] | None]
OnError = Callable[[ConfigError], Awaitable[None] | None]
_Stat = tuple[int, int, int] | None
#: A file modified this recently (ns) may change again without its stat changing.
_RACY_NS = 1_000_000_000


class ConfigWatcher:
    """Reloads the config when its files change; ``current`` is the config in force."""

    def __init__(
        self,
        path: Path,
        current: Config,
        *,
        on_change: OnChange,
        on_error: OnError,
        interval: float = DEFAULT_INTERVAL,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.current = current
        self.on_change = on_change
        self.on_error = on_error
        self.interval = interval
        self.env = env
        self._stats: tuple[_Stat, _Stat] | None = None  # None: compare contents on the first check
        self._seen_digest = current.source_digest
        self._reported_digest: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def start(self) -> None:
        """Start checking every ``interval`` seconds in the running event loop."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="config-watcher")

    async def stop(self) -> None:
        """Stop checking (waits for a check in progress to be cancelled)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check_now()
            except Exception:  # a failing callback must not end the watching
                log.exception("config watcher: check failed")

    async def check_now(self) -> Config | None:
        """Check once; return the new Config when a changed, valid config was swapped in, else None.

        After a broken edit, the next valid load always calls ``on_change`` (even when it restores
        the very config in force), so whoever was told about the error also hears it is fixed.
        """
        async with self._lock:
            return await self._check()

    async def _check(self) -> Config | None:
        managed_path = self.current.managed_path
        stats = (_stat(self.path), _stat(managed_path))
        if stats == self._stats:
            return None
        now = time.time_ns()
        main_bytes, managed_bytes = _read(self.path), _read(managed_path)
        digest = sources_digest(main_bytes or b"", managed_bytes)
        racy = any(stat is not None and now - stat[0] < _RACY_NS for stat in stats)
        self._stats = None if racy else stats
        if digest == self._seen_digest:
            return None
        self._seen_digest = digest
        try:
            new = await asyncio.to_thread(load_config, self.path, env=self.env)
        except ConfigError as error:
            if digest != self._reported_digest:
                self._reported_digest = digest
                log.warning("config not reloaded, the previous one stays in force: %s", error)
                await _call(self.on_error, error)
            return None
        recovered, self._reported_digest = self._reported_digest is not None, None
        if new.source_digest != digest or new.managed_path != managed_path:
            self._stats = None  # changed while loading, or a new managed file: look again next time
        self._seen_digest = new.source_digest
        old, self.current = self.current, new
        if new.same_settings(old) and not recovered:
            return None  # comments or formatting only
        log.info("config reloaded from %s", self.path)
        await _call(self.on_change, new)
        return new


def _stat(path: Path) -> _Stat:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


async def _call(callback: Callable[..., Awaitable[None] | None], value: object) -> None:
    result = callback(value)
    if inspect.isawaitable(result):
        await result
