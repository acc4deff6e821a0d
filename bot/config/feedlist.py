"""The config's feed list as OPML: what `newsbot feeds import|export` and `/feeds import|export` share.

    config ─► export_opml ─► OpmlExport(data, feeds, folder_feeds)
    Opml ─► import_opml ─► managed_add_feeds ─► OpmlImport(lines, summary, added)
                 ▲ FeedCap (a Discord server's room under discord.max_feeds_per_server)

The shell and Discord differ only in where the bytes come from and go to, so both call these and
show the same words.  No discord, no aiohttp; ``import_opml`` writes the managed file (through
:func:`managed_add_feeds`, one validated write), so callers in an event loop run it in a thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.config.feedcap import FeedCap
from bot.config.managed import managed_add_feeds
from bot.config.opml import Opml, OpmlFeed, feed_names, render_opml
from bot.config.resolved import Config, Feed
from bot.errors import ConfigError

#: Largest OPML file taken from a Discord upload: far above any real feed list (thousands of feeds
#: are well under it) and below ``opml.MAX_OPML_BYTES``; a larger upload is refused before it is downloaded.
MAX_UPLOAD_BYTES = 1024 * 1024
#: File name endings and content types an uploaded OPML list may have (readers export ".opml" or ".xml").
OPML_SUFFIXES = (".opml", ".xml")
OPML_CONTENT_TYPES = frozenset({"text/xml", "application/xml", "text/x-opml", "application/x-opml", "text/x-opml+xml"})
#: Feeds left out by the cap that its one report line names; the rest are counted ("… and N more").
OVER_CAP_NAMED = 5


@dataclass(frozen=True)
class OpmlExport:
    """The config's URL feeds as an OPML 2.0 file, and the feeds that file cannot hold."""

    #: The OPML document (UTF-8).
    data: bytes
    #: The feeds in it, in config order (the admins' file, then the managed file).
    feeds: tuple[OpmlFeed, ...]
    #: Folder feeds, left out: OPML lists URLs only.
    folder_feeds: tuple[Feed, ...]


@dataclass(frozen=True)
class OpmlImport:
    """What importing an OPML list did (or, in a dry run, would do), as lines for the admin."""

    #: One line per feed added, then per feed skipped (already configured, or unusable in the file);
    #: the feeds a server's cap left out share one line.
    lines: tuple[str, ...]
    #: The closing count, e.g. "2 added to config/newsbot.managed.yaml, 2 skipped".
    summary: str
    #: Config names of the feeds added (or that would be, in a dry run).
    added: tuple[str, ...]


def export_opml(config: Config, *, now: datetime) -> OpmlExport:
    """Every URL feed of ``config`` (both files) as OPML, titled after the admins' file; ``now`` dates it."""
    feeds = tuple(OpmlFeed(title=feed.name, xml_url=feed.url) for feed in config.feeds if feed.url is not None)
    folders = tuple(feed for feed in config.feeds if feed.url is None)
    data = render_opml(feeds, title=f"newsbot feeds ({config.path.name})", now=now)
    return OpmlExport(data=data, feeds=feeds, folder_feeds=folders)


def import_opml(
    config_path: Path,
    opml: Opml,
    source: str,
    *,
    channel: int | None,
    dry_run: bool = False,
    env: Mapping[str, str] | None = None,
    visible: Callable[[str], bool] | None = None,
    cap: FeedCap | None = None,
) -> OpmlImport:
    """Add ``opml``'s feeds (read from ``source``) to the managed file, each posted to ``channel`` if given.

    One write, all or nothing, skipping names and URLs already configured (see
    :func:`managed_add_feeds`; ``visible`` limits that to the feeds one Discord server sees, and a
    feed renamed there is listed under its new name).  ``cap``: the Discord server's standing under
    ``discord.max_feeds_per_server``; feeds are added in file order while it leaves room, and the
    rest share one "skipped" line with its reason.  A list with no feed outline at all is a
    ConfigError naming ``source``.
    """
    if not opml.feeds and not opml.skipped:
        raise ConfigError(f"{source}: no feeds in it (no outline has an xmlUrl)", file=source)
    by_name = dict(zip(feed_names(opml.feeds), opml.feeds, strict=True))
    result = managed_add_feeds(
        config_path,
        [{"name": name, "url": feed.xml_url} for name, feed in by_name.items()],
        channel=channel,
        dry_run=dry_run,
        env=env,
        visible=visible,
        limit=cap.left if cap is not None else None,
    )
    given = {written: name for name, written in result.renamed}
    verb = "would add" if dry_run else "added"
    target = f" → channel {channel}" if channel is not None else ""
    lines = []
    for name in result.added:
        feed = by_name[given.get(name, name)]
        folder = f" ({'/'.join(feed.category)})" if feed.category else ""
        lines.append(f"{verb}: {name} — {feed.xml_url}{folder}{target}")
    lines += [f"skipped: {name} — {by_name[name].xml_url}: {why}" for name, why in result.skipped]
    if result.over_limit and cap is not None:
        lines.append(_over_cap_line(result.over_limit, by_name, cap.refusal(len(result.added), dry_run=dry_run)))
    lines += [f"skipped: line {s.line}{f' {s.title!r}' if s.title else ''}: {s.reason}" for s in opml.skipped]
    skipped = len(result.skipped) + len(result.over_limit) + len(opml.skipped)
    if not result.added:
        summary = f"0 added, {skipped} skipped; nothing to write"
    elif dry_run:
        summary = f"dry run: {len(result.added)} would be added to {result.path}, {skipped} skipped; nothing was written"
    else:
        summary = f"{len(result.added)} added to {result.path}, {skipped} skipped"
    return OpmlImport(lines=tuple(lines), summary=summary, added=result.added)


def _over_cap_line(names: Sequence[str], by_name: Mapping[str, OpmlFeed], why: str) -> str:
    """The one report line of the feeds a cap left out: a lone one as any skip line, many by count
    (naming the first :data:`OVER_CAP_NAMED`), so a long list cannot push the summary out of a message."""
    if len(names) == 1:
        return f"skipped: {names[0]} — {by_name[names[0]].xml_url}: {why}"
    shown = ", ".join(names[:OVER_CAP_NAMED]) + (f", … and {len(names) - OVER_CAP_NAMED} more" if len(names) > OVER_CAP_NAMED else "")
    return f"skipped {len(names)} feeds ({shown}): {why}"


def upload_problem(filename: str, content_type: str | None, size: int) -> str | None:
    """Why an uploaded file cannot be an OPML list to import (too large, or not OPML/XML), or None.

    Decided from what Discord says about the upload, before downloading it.
    """
    if size > MAX_UPLOAD_BYTES:
        return (f"{filename} is {size / (1024 * 1024):.1f} MiB — an OPML feed list over "
                f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MiB is refused")
    media = (content_type or "").split(";")[0].strip().lower()
    if not filename.lower().endswith(OPML_SUFFIXES) and media not in OPML_CONTENT_TYPES:
        shown = f" ({media})" if media else ""
        return (f"{filename}{shown} is not an OPML file — export the feed list from your reader as OPML "
                "(a .opml or .xml file) and attach that")
    return None


def cut_lines(lines: Sequence[str], limit: int) -> list[str]:
    """As many of ``lines`` as fit in ``limit`` characters joined by newlines, then "… and N more".

    The result, joined, never exceeds ``limit`` (``limit`` must leave room for the "more" line).
    """
    if len("\n".join(lines)) <= limit:
        return list(lines)
    kept: list[str] = []
    used = -1  # no newline before the first line
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        more = len(f"\n… and {rest} more") if rest else 0
        if used + 1 + len(line) + more > limit:
            return [*kept, f"… and {len(lines) - index} more"]
        kept.append(line)
        used += 1 + len(line)
    return kept
