"""Load the admins' file and the managed file into one validated :class:`Config`, or say everything wrong.

    text ─► yamldoc.parse (data + where each key is) ─► schema models (pydantic) ─► cross-checks ─► Config

Every stage collects problems instead of stopping at the first, so one run of ``newsbot
check-config`` lists all of them, each as ``file:line:column: key.path: message``.

Relative paths: ``folder:`` and a relative SQLite path in ``storage.url`` are relative to the working
directory newsbot runs in (the repository root with the Procfile); ``managed_file`` is relative to
the admins' file's own folder, since it belongs beside it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from bot.config.durations import format_duration
from bot.config.problems import Problem, data_path, explain, suggest
from bot.config.resolved import MANAGED, Config, Feed, Subscription
from bot.config.schema import (
    DEFAULT_MANAGED_FILE,
    MIN_URL_INTERVAL,
    ConfigFile,
    Defaults,
    FeedSpec,
    ManagedFile,
    SubscriptionSpec,
    distinct,
)
from bot.config.yamldoc import Document, parse
from bot.errors import ConfigError

M = TypeVar("M", bound=BaseModel)
_UNSET: Any = object()


def load_config(path: Path, *, env: Mapping[str, str] | None = None) -> Config:
    """Load and validate ``path`` and its managed file; ConfigError listing every problem found.

    ``env`` (default ``os.environ``) fills ``${VAR}`` references.  A missing ``DISCORD_TOKEN`` is not
    a problem: the config then has no token and the bot runs without Discord.
    """
    return load_sources(Path(path), env=env)


def load_sources(path: Path, *, env: Mapping[str, str] | None = None, managed_text: Any = _UNSET) -> Config:
    """``load_config``, optionally with the managed file's would-be text instead of what is on disk.

    The managed-file writers validate their change this way before anything touches the disk.
    """
    env = os.environ if env is None else env
    main_bytes = _read(path)
    main_doc, problems = parse(_decode(main_bytes, str(path)), str(path), env)
    main = _validate(main_doc, ConfigFile, problems, required=True)

    managed_path = managed_path_for(path, main_doc.data)
    if managed_text is _UNSET:
        managed_bytes = _read(managed_path) if managed_path.is_file() else None
    else:
        managed_bytes = None if managed_text is None else managed_text.encode()
    managed: _Checked[ManagedFile] | None = None
    if managed_bytes is not None:
        managed_doc, managed_problems = parse(_decode(managed_bytes, str(managed_path)), str(managed_path), env)
        problems += managed_problems
        managed = _validate(managed_doc, ManagedFile, problems, required=False)

    merged = _merge(main, managed, origin=path.name, base_dir=Path.cwd())
    problems += merged.problems
    if problems:
        raise _config_error(path, problems, [main_doc.file, str(managed_path)])
    assert main.model is not None  # no problems: the file validated
    return Config(
        path=path,
        managed_path=managed_path,
        managed_loaded=managed_bytes is not None,
        discord=main.model.discord,
        storage=main.model.storage,
        defaults=merged.defaults,
        feeds=tuple(merged.feeds),
        subscriptions=tuple(merged.subscriptions),
        network=main.model.network,
        alert_channels=_alert_channels(main.model, managed.model if managed is not None else None),
        warnings=tuple(merged.warnings),
        source_digest=sources_digest(main_bytes, managed_bytes),
    )


def _alert_channels(main: ConfigFile, managed: ManagedFile | None) -> tuple[int, ...]:
    """The alert channels of both files as one list: the operator's (``discord.alert_channels``)
    first, then those set from Discord; a channel in both is one alert channel."""
    return distinct(main.discord.alert_channels + (managed.alert_channels if managed is not None else ()))


def managed_path_for(path: Path, data: Any) -> Path:
    """The managed file of the admins' file at ``path`` with parsed ``data`` (default beside it)."""
    written = data.get("managed_file") if isinstance(data, dict) else None
    name = written.strip() if isinstance(written, str) and written.strip() else DEFAULT_MANAGED_FILE
    return path.parent / Path(name).expanduser()


def sources_digest(main: bytes, managed: bytes | None) -> str:
    """Identity of a pair of file contents (the watcher compares it with ``Config.source_digest``)."""
    digest = hashlib.sha256(main)
    digest.update(b"\0managed\0" if managed is not None else b"\0none\0")
    digest.update(managed or b"")
    return digest.hexdigest()


# --- reading ----------------------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found — copy config/newsbot.yaml from the newsbot repository and edit it",
            file=str(path),
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file: {exc.strerror or exc}", file=str(path)) from exc


def _decode(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{file}:{line}: the file is not UTF-8 text (byte {exc.start}) — save it as UTF-8", file=file
        ) from exc


def _config_error(path: Path, problems: list[Problem], files: list[str]) -> ConfigError:
    order = {name: index for index, name in enumerate(files)}
    problems = sorted(problems, key=lambda p: (order.get(p.file, len(order)), p.line or 0, p.column or 0))
    lines = [str(problem) for problem in dict.fromkeys(problems)]
    count = f"{len(lines)} problem{'s' if len(lines) != 1 else ''}"
    message = f"{path}: {count} in the config:\n" + "\n".join(f"  {line}" for line in lines)
    return ConfigError(message, file=str(path), problems=lines)


# --- schema validation ------------------------------------------------------------------------


@dataclass
class _Checked(Generic[M]):
    """One file after schema validation: the whole model if valid, else the entries that are."""

    doc: Document
    model: M | None
    defaults: Defaults | None
    #: (index, spec or None when the entry is invalid, the raw entry) in file order.
    feeds: list[tuple[int, FeedSpec | None, Any]] = field(default_factory=list)
    subscriptions: list[tuple[int, SubscriptionSpec | None, Any]] = field(default_factory=list)
    paused: list[tuple[int, str]] = field(default_factory=list)


def _validate(doc: Document, model: type[M], problems: list[Problem], *, required: bool) -> _Checked[M]:
    """Validate ``doc`` against ``model``, adding a located problem for each error to ``problems``."""
    data = doc.data
    if data is None:
        if required and not any(p.file == doc.file for p in problems):
            problems.append(
                Problem(doc.file, 1, 1, (), "the file is empty — it needs at least feeds: and subscriptions:")
            )
        data = {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        keys = ", ".join(f"{key}:" for key in model.model_fields)
        problems.append(Problem(doc.file, 1, 1, (), f"the file must be a mapping of sections ({keys}), not {kind}"))
        return _Checked(doc, None, None)

    reported = [p.path for p in problems if p.file == doc.file]
    try:
        whole: M | None = model.model_validate(data)
    except ValidationError as exc:
        whole = None
        for error in exc.errors():
            for where, message in explain(error, data_path(error["loc"], data), model):
                if not any(where[: len(bad)] == bad for bad in reported if bad):
                    problems.append(doc.problem(where, message))
                # else: the YAML stage reported it already (a missing ${VAR} or unknown tag left a null)
    return _entries(doc, whole, data)


def _entries(doc: Document, whole: M | None, data: dict[str, Any]) -> _Checked[M]:
    """Per-entry results, so cross-checks still run on the valid entries of an invalid file."""
    checked: _Checked[M] = _Checked(doc, whole, None)
    checked.defaults = getattr(whole, "defaults", None) if whole is not None else _try(Defaults, data.get("defaults"))
    checked.feeds = _items(data, whole, "feeds", FeedSpec)
    checked.subscriptions = _items(data, whole, "subscriptions", SubscriptionSpec)
    raw_paused = data.get("paused") if "paused" in data else ()
    checked.paused = [(i, name) for i, name in enumerate(raw_paused or ()) if isinstance(name, str)]
    return checked


S = TypeVar("S", FeedSpec, SubscriptionSpec)


def _items(data: dict[str, Any], whole: BaseModel | None, key: str, model: type[S]) -> list[tuple[int, S | None, Any]]:
    """(index, spec or None, raw entry) for each entry of list ``key``."""
    raw = data.get(key)
    specs: tuple[S, ...] = getattr(whole, key, ()) if whole is not None else ()
    return [
        (i, specs[i] if whole is not None else _try(model, item), item)
        for i, item in enumerate(raw if isinstance(raw, list) else [])
    ]


def _try(model: type[M], data: Any) -> M | None:
    """``data`` validated, else validated without its keys that had errors, else None.

    The errors are already reported; this only lets the cross-checks see the rest of an entry (a
    feed with one misspelt key still has its name and URL checked).
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        if not isinstance(data, dict):
            return None
        bad = {error["loc"][0] for error in exc.errors() if error["loc"] and error["loc"][0] in data}
    try:
        return model.model_validate({key: value for key, value in data.items() if key not in bad}) if bad else None
    except ValidationError:
        return None


# --- across entries and files -----------------------------------------------------------------


@dataclass
class _Merged:
    defaults: Defaults
    feeds: list[Feed] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _name_of(spec: FeedSpec | SubscriptionSpec | None, raw: Any) -> str | None:
    if spec is not None:
        return spec.name
    name = raw.get("name") if isinstance(raw, dict) else None
    return name if isinstance(name, str) else None


def _merge(main: _Checked[Any], managed: _Checked[Any] | None, *, origin: str, base_dir: Path) -> _Merged:
    """Check what spans entries and files, and resolve inherited values into Feeds and Subscriptions."""
    merged = _Merged(defaults=main.defaults or Defaults())
    parts = [(main, origin)] + ([(managed, MANAGED)] if managed is not None else [])

    # Feed names are unique across both files; an entry's raw name counts even when the entry is
    # invalid, so its subscriptions do not also get a misleading "unknown feed".
    where: dict[str, tuple[Document, int]] = {}
    for part, _ in parts:
        for index, spec, raw in part.feeds:
            name = _name_of(spec, raw)
            if name is None:
                continue
            if name in where:
                first_doc, first_index = where[name]
                line = first_doc.locate(("feeds", first_index))[0]
                if first_doc is part.doc:
                    message = f"duplicate feed name {name!r} — feeds[{first_index}] at line {line} has it already"
                else:
                    here = part.doc.locate(("feeds", index))[0]
                    message = (
                        f"feed {name!r} is defined in both {first_doc.file}:{line} and {part.doc.file}:{here} "
                        "— keep one (remove it here with /feeds remove, or from the other file)"
                    )
                merged.problems.append(part.doc.problem(("feeds", index, "name"), message))
            else:
                where[name] = (part.doc, index)

    paused: set[str] = set()
    if managed is not None:
        for index, name in managed.paused:
            if name in where:
                paused.add(name)
            else:
                merged.warnings.append(f"{managed.doc.file}: paused[{index}]: feed {name!r} is not defined; ignored")

    for part, part_origin in parts:
        for index, spec, _ in part.feeds:
            if spec is not None and where.get(spec.name) == (part.doc, index):
                feed = _resolve_feed(spec, merged, part.doc, index, part_origin, base_dir, spec.name in paused)
                if feed is not None:
                    merged.feeds.append(feed)

    keys: dict[str, tuple[Document, int]] = {}
    known = list(where)
    for part, part_origin in parts:
        for index, sub_spec, raw in part.subscriptions:
            _check_references(sub_spec, raw, part.doc, index, known, merged)
            if sub_spec is None:
                continue
            subscription = _resolve_subscription(sub_spec, merged.defaults, part_origin)
            if subscription.key in keys:
                first_doc, first_index = keys[subscription.key]
                line = first_doc.locate(("subscriptions", first_index))[0]
                what = (
                    f"named {subscription.key!r}"
                    if sub_spec.name
                    else f"posting the same feeds to channel {sub_spec.channel}"
                )
                merged.problems.append(
                    part.doc.problem(
                        ("subscriptions", index, "name" if sub_spec.name else "feeds"),
                        f"another subscription {what} is at {first_doc.file}:{line} — merge them, "
                        "or give each its own name",
                    )
                )
                continue
            keys[subscription.key] = (part.doc, index)
            merged.subscriptions.append(subscription)
    return merged


def _resolve_feed(
    spec: FeedSpec, merged: _Merged, doc: Document, index: int, origin: str, base_dir: Path, paused: bool
) -> Feed | None:
    defaults = merged.defaults
    interval = spec.interval if spec.interval is not None else defaults.poll_interval
    if spec.url is not None and interval < MIN_URL_INTERVAL:
        inherited = "" if spec.interval is not None else " (from defaults.poll_interval)"
        merged.problems.append(
            doc.problem(
                ("feeds", index, "interval"),
                f"{format_duration(interval)}{inherited} is too often for a URL feed — at least "
                f"{MIN_URL_INTERVAL}s, out of politeness to the site",
            )
        )
        return None
    enabled = spec.enabled and not paused
    folder = None
    if spec.folder is not None:
        folder = Path(os.path.abspath(base_dir / spec.folder))
        problem = None
        if not folder.exists():
            problem = (
                f"folder {spec.folder!r} does not exist (looked for {folder}; relative folders are relative "
                "to the directory newsbot runs in)"
            )
        elif not folder.is_dir():
            problem = f"{spec.folder!r} is a file, not a folder ({folder})"
        if problem is not None and enabled:
            merged.problems.append(doc.problem(("feeds", index, "folder"), problem))
            return None
        if problem is not None:
            merged.warnings.append(f"{doc.file}: feeds[{index}].folder: {problem} (the feed is not polled now)")
    return Feed(
        name=spec.name,
        url=spec.url,
        folder=folder,
        interval=interval,
        fetch_article=spec.fetch_article if spec.fetch_article is not None else defaults.fetch_article,
        headers=spec.headers,
        backfill=spec.backfill if spec.backfill is not None else defaults.backfill,
        max_age=spec.max_age if spec.max_age is not None else defaults.max_age,
        enabled=enabled,
        paused=paused,
        origin=origin,
    )


def _check_references(
    spec: SubscriptionSpec | None, raw: Any, doc: Document, index: int, known: list[str], merged: _Merged
) -> None:
    """Every feed a subscription names must exist (checked on the raw entry, valid or not)."""
    written = spec.feeds if spec is not None else raw.get("feeds") if isinstance(raw, dict) else None
    written_as_list = isinstance(raw, dict) and isinstance(raw.get("feeds"), list)
    names = [written] if isinstance(written, str) else list(written) if isinstance(written, list | tuple) else []
    for position, name in enumerate(names):
        if not isinstance(name, str) or name in known:
            continue
        path = ("subscriptions", index, "feeds", position) if written_as_list else ("subscriptions", index, "feeds")
        close = suggest(name, known)
        hint = f"did you mean {close!r}? " if close else ""
        listing = f"known feeds: {', '.join(known)}" if known else "no feeds are defined"
        merged.problems.append(doc.problem(path, f"unknown feed {name!r} — {hint}{listing}"))


def _resolve_subscription(spec: SubscriptionSpec, defaults: Defaults, origin: str) -> Subscription:
    implied = "template" if spec.template is not None else defaults.layout
    layout = spec.layout if spec.layout is not None else implied
    return Subscription(
        name=spec.name,
        feeds=tuple(dict.fromkeys(spec.feeds)),
        channel=spec.channel,
        mode=spec.mode,
        schedule=spec.schedule,
        timezone=spec.timezone or defaults.timezone,
        layout=layout,
        template=spec.template,
        include=spec.include,
        exclude=spec.exclude,
        max_posts_per_run=spec.max_posts_per_run or defaults.max_posts_per_run,
        repost_updates=spec.repost_updates,
        section_menu=spec.section_menu,
        webhook=spec.webhook,
        backfill=spec.backfill,
        max_age=spec.max_age,
        mention=spec.mention,
        color=spec.color,
        origin=origin,
    )
