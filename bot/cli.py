"""The `newsbot` command line: run, preview, check-config, config-schema, feeds import|export, prune, status.

The entry point builds the config, the aiohttp session and the database engine once and passes
them down; nothing below it reads the environment or global state.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import NewsbotError, StoreError

if TYPE_CHECKING:
    from datetime import datetime

    from bot.config import Config
    from bot.feeds.addresses import AddressPolicy
    from bot.store import PruneReport, StoreStatus

DEFAULT_CONFIG = Path("config/newsbot.yaml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="A Discord bot that posts per-section news summaries.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    preview = sub.add_parser("preview", help="show what the bot would post for a feed, page, file or folder")
    preview.add_argument("source", help="feed URL, article URL, feed file, article file (.md/.html/.txt) or folder")
    preview.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    preview.add_argument("--limit", type=int, default=None, metavar="N", help="at most N articles")
    preview.add_argument(
        "--fetch-pages", choices=("auto", "yes", "no"), default="auto",
        help="fetch article pages of teaser entries (auto: only for URL sources)",
    )
    preview.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    preview.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG,
        help="a URL is fetched from the addresses this config allows, as the bot's (network.allow_addresses); "
        "no such file: public addresses only (default: %(default)s)",
    )

    run = sub.add_parser("run", help="run the bot (posts to the terminal when no Discord token is set)")
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="config file (default: %(default)s)")
    run.add_argument("--log-level", default=os.environ.get("NEWSBOT_LOG_LEVEL", "INFO"))

    check = sub.add_parser("check-config", help="validate the config (and the managed file) without starting")
    check.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="config file (default: %(default)s)")

    feeds = sub.add_parser("feeds", help="import feeds from an OPML file, or export them as OPML")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    feeds_import = feeds_sub.add_parser("import", help="add an OPML file's feeds to the managed file")
    feeds_import.add_argument("file", type=Path, metavar="FILE.opml", help="the OPML file another reader exported")
    feeds_import.add_argument("--channel", default=None, metavar="ID", help="post each imported feed to this channel")
    feeds_import.add_argument("--dry-run", action="store_true", help="show what would be added; write nothing")
    feeds_import.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="config file (default: %(default)s)")
    feeds_export = feeds_sub.add_parser("export", help="print (or write) every configured URL feed as OPML")
    feeds_export.add_argument("--output", type=Path, default=None, metavar="FILE", help="write it to FILE instead")
    feeds_export.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="config file (default: %(default)s)")

    prune = sub.add_parser("prune", help="remove the stories older than storage.retention now (the bot does it daily)")
    prune.add_argument("--dry-run", action="store_true", help="count what would be removed; remove nothing")
    prune.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="config file (default: %(default)s)")

    status = sub.add_parser("status", help="feeds' health, subscriptions' posts and the backlog, read from the database")
    status.add_argument("--json", action="store_true", help="print one JSON object (for monitoring scripts)")
    status.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="config file (default: %(default)s)")

    schema = sub.add_parser("config-schema", help="print (or write) the JSON Schema of the config file")
    schema.add_argument("--write", type=Path, default=None, metavar="FILE", help="write it to FILE instead of printing")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "preview":
            return _preview(args)
        if args.command == "run":
            return _run(args)
        if args.command == "check-config":
            return _check_config(args)
        if args.command == "config-schema":
            return _config_schema(args)
        if args.command == "feeds":
            return _feeds_import(args) if args.feeds_command == "import" else _feeds_export(args)
        if args.command == "prune":
            return _prune(args)
        if args.command == "status":
            return _status(args)
    except NewsbotError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 2


def _preview_policy(config: Path) -> AddressPolicy:
    """The bot's address policy, so a preview fetches what the bot would; public only without a config."""
    from bot.config import load_config
    from bot.feeds.addresses import PUBLIC_ONLY, AddressPolicy

    return AddressPolicy.of(load_config(config).network.allow_addresses) if config.is_file() else PUBLIC_ONLY


def _preview(args: argparse.Namespace) -> int:
    from bot.feeds.addresses import PUBLIC_ONLY
    from bot.preview import is_url, preview_source
    from bot.terminal import article_json, format_article

    if args.limit is not None and args.limit < 1:
        print("newsbot: --limit must be at least 1", file=sys.stderr)
        return 2
    fetch = {"auto": None, "yes": True, "no": False}[args.fetch_pages]
    policy = _preview_policy(args.config) if is_url(args.source) else PUBLIC_ONLY
    articles = asyncio.run(preview_source(args.source, limit=args.limit, fetch_pages=fetch, policy=policy))
    if args.json:
        json.dump({"articles": [article_json(a) for a in articles]}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    if not articles:
        print("(no articles)")
    for i, article in enumerate(articles):
        if i:
            print("\n" + "─" * 60 + "\n")
        print(format_article(article, color=color))
    return 0


def _run(args: argparse.Namespace) -> int:
    import logging

    from bot.app import run_app
    from bot.config import load_config

    logging.basicConfig(
        level=str(args.log_level).upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    logging.getLogger("discord").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    load_config(args.config)  # fail fast, with every problem, before anything starts
    return asyncio.run(run_app(args.config))


def _check_config(args: argparse.Namespace) -> int:
    from bot.config import describe_config, load_config

    try:
        config = load_config(args.config)
    except NewsbotError as exc:
        problems = getattr(exc, "problems", [str(exc)])
        print(f"{args.config}: {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(describe_config(config))
    print("config OK")
    return 0


def _config_schema(args: argparse.Namespace) -> int:
    from bot.config import write_json_schema
    from bot.config.schema_file import render_json_schema

    if args.write:
        write_json_schema(args.write)
        print(f"wrote {args.write}")
    else:
        sys.stdout.write(render_json_schema())
    return 0


def _prune(args: argparse.Namespace) -> int:
    """The bot's daily prune, now, with the configured retention; prints what went (or would go)."""
    from datetime import UTC, datetime

    from bot.config import load_config
    from bot.config.durations import format_duration
    from bot.store import retention_cutoff

    config = load_config(args.config)
    retention = config.storage.retention
    cutoff = retention_cutoff(retention, datetime.now(UTC))
    if cutoff is None:
        print("storage.retention is 0: every story is kept, nothing to prune")
        return 0
    report = asyncio.run(_prune_store(config.storage.url, cutoff, dry_run=args.dry_run))
    when = f"stored before {cutoff:%Y-%m-%d %H:%M} UTC (storage.retention {format_duration(retention)})"
    if args.dry_run:
        print(f"would remove {report.summary()} {when}; nothing was removed (--dry-run)")
    else:
        print(f"removed {report.summary()} {when}")
    return 0


async def _prune_store(url: str, cutoff: datetime, *, dry_run: bool) -> PruneReport:
    from bot.store import open_store

    store = await open_store(url)
    try:
        return await store.prune(cutoff, dry_run=dry_run)
    finally:
        await store.close()


def _status(args: argparse.Namespace) -> int:
    """What a running bot is doing, from its database (read-only: safe beside it), without Discord."""
    from datetime import UTC, datetime

    from bot.config import load_config
    from bot.status import build_status, status_json, status_lines

    config = load_config(args.config)
    stored, note = asyncio.run(_read_status(config))
    status = build_status(config, stored, datetime.now(UTC), schema_note=note)
    if args.json:
        json.dump(status_json(status), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print("\n".join(status_lines(status)))
    return 0


async def _read_status(config: Config) -> tuple[StoreStatus, str | None]:
    """The store's status and, for a schema of another revision, the note saying so."""
    from bot.store import open_store_readonly

    store = await open_store_readonly(config.storage.url)
    try:
        return await store.store_status(), store.schema_note
    except StoreError as exc:
        if store.schema_note is None:
            raise
        raise StoreError(f"{exc} ({store.schema_note})") from exc
    finally:
        await store.close()


def _feeds_import(args: argparse.Namespace) -> int:
    """Add the OPML file's feeds to the managed file in one write; print each added or skipped feed."""
    from bot.config.feedlist import import_opml
    from bot.config.fieldtypes import parse_snowflake
    from bot.config.opml import read_opml

    channel = None
    if args.channel is not None:
        try:
            channel = parse_snowflake(args.channel)
        except ValueError as exc:
            print(f"newsbot: --channel: {exc}", file=sys.stderr)
            return 2
    report = import_opml(args.config, read_opml(args.file), str(args.file), channel=channel, dry_run=args.dry_run)
    for line in (*report.lines, report.summary):
        print(line)
    if report.added and channel is None:
        print("no --channel: the new feeds are polled but posted nowhere until a subscription names them")
    return 0


def _feeds_export(args: argparse.Namespace) -> int:
    """Every configured URL feed (both files) as OPML 2.0; folder feeds are noted on stderr."""
    from datetime import UTC, datetime

    from bot.config import load_config
    from bot.config.feedlist import export_opml

    exported = export_opml(load_config(args.config), now=datetime.now(UTC))
    for feed in exported.folder_feeds:
        print(f"newsbot: skipped folder feed {feed.name!r} ({feed.folder}): OPML lists URLs only", file=sys.stderr)
    if args.output:
        try:
            args.output.write_bytes(exported.data)
        except OSError as exc:
            print(f"newsbot: {args.output}: cannot write it: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"wrote {len(exported.feeds)} feed(s) to {args.output}")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(exported.data)
        sys.stdout.buffer.flush()
    return 0
