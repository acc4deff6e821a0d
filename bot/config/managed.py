"""The managed file: feeds and subscriptions added from Discord (``/feeds add|edit|remove|pause|resume``).

The admins' hand-written file is never touched by the bot; what admins change from Discord goes to
this second file (``newsbot.managed.yaml`` beside it), which ``load_config`` merges in.  Each writer
here builds the new file's text, validates the whole merged config with it, and only then replaces
the file atomically — a change that would not load is refused with the loader's own messages, and
nothing on disk changes.

These functions do blocking file I/O; call them from async code through ``asyncio.to_thread``.
Each holds the managed file's lock (a ``.lock`` file beside it) from reading the file to writing it
back: two writers at once — two /feeds commands in the bot's threads, or the bot and the operator's
``newsbot feeds import`` — would otherwise each write back the file they read, and one change would
be lost without a word.
"""

from __future__ import annotations

import functools
import os
import stat
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import yaml
from filelock import FileLock, Timeout

from bot.config.durations import format_duration
from bot.config.fieldtypes import format_color, parse_snowflake
from bot.config.filters import split_rules
from bot.config.loader import load_sources, managed_path_for
from bot.config.opml import unique_name
from bot.config.problems import suggest
from bot.config.resolved import MANAGED, Config, Subscription
from bot.errors import ConfigError

HEADER = """\
# Written by newsbot when admins use /feeds in Discord or `newsbot feeds import`; merged into {main} when it loads.
# Edit {main} by hand instead: this file is rewritten on every change and its comments are not kept.
"""

#: Seconds a writer waits for another to finish before giving up with a message.
LOCK_TIMEOUT = 10.0

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _one_writer(writer: Callable[Concatenate[Path, _P], _R]) -> Callable[Concatenate[Path, _P], _R]:
    """Run ``writer`` (whose first argument is the admins' file) holding its managed file's lock."""

    @functools.wraps(writer)
    def locked(config_path: Path, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        config_path = Path(config_path)
        managed_path = managed_path_for(config_path, _main_data(config_path))
        lock = FileLock(managed_path.with_name(f".{managed_path.name}.lock"), timeout=LOCK_TIMEOUT)
        try:
            lock.acquire()
        except Timeout:
            raise ConfigError(
                f"{managed_path} is being changed by another command (or `newsbot feeds import`); try again in a moment",
                file=str(managed_path),
            ) from None
        except OSError as exc:
            raise ConfigError(f"{managed_path}: cannot lock it for writing: {exc.strerror or exc}", file=str(managed_path)) from exc
        try:
            return writer(config_path, *args, **kwargs)
        finally:
            lock.release()

    return locked


@_one_writer
def managed_add_feed(
    config_path: Path,
    feed: Mapping[str, Any],
    subscription: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> None:
    """Add a feed (and optionally a subscription to it) to the managed file, if the result validates.

    ``feed`` and ``subscription`` use the config file's keys (``{"name": ..., "url": ...}``,
    ``{"feeds": ["name"], "channel": 123}``).  ``$`` in their text is written escaped, so text typed
    in Discord can never pull ``${SECRET}`` values out of the bot's environment.
    """
    config_path = Path(config_path)
    managed_path, data = _current(config_path)
    data["feeds"].append(_escaped(dict(feed)))
    if subscription is not None:
        data["subscriptions"].append(_escaped(dict(subscription)))
    _commit(config_path, managed_path, data, env)


@dataclass(frozen=True)
class AddedFeeds:
    """What :func:`managed_add_feeds` did (with ``dry_run``: would do)."""

    #: The managed file written (or that would be).
    path: Path
    #: Names of the feeds added, as written, in the order given.
    added: tuple[str, ...]
    #: (name, why) of each feed left out because the config already has its name or URL.
    skipped: tuple[tuple[str, str], ...]
    #: (name given, name written) of each feed added under a free variant of its name, because a
    #: feed the caller does not see (``visible``) has that name.
    renamed: tuple[tuple[str, str], ...] = ()
    #: Names (as given) of the feeds left out because ``limit`` feeds had been added before them.
    over_limit: tuple[str, ...] = ()


#: Where a feed added earlier in the same batch is, in a skip line ("… already in this import").
_THIS_IMPORT = "this import"


@_one_writer
def managed_add_feeds(
    config_path: Path,
    feeds: Sequence[Mapping[str, Any]],
    *,
    channel: int | None = None,
    dry_run: bool = False,
    env: Mapping[str, str] | None = None,
    visible: Callable[[str], bool] | None = None,
    limit: int | None = None,
) -> AddedFeeds:
    """Add many feeds in one write (``newsbot feeds import``), each posted to ``channel`` if given.

    A feed whose name or URL either file already has is skipped, not an error — importing the same
    list twice adds nothing the second time, and a hand-written feed is never shadowed.  The rest is
    validated with the whole config, as :func:`managed_add_feed` does (all or nothing, ``$``
    escaped); with ``dry_run`` it is validated and nothing is written.

    ``visible`` (a predicate over feed names; ``/feeds import`` in one of several servers passes
    ``GuildScope.sees``) limits those checks to the feeds the caller may know exist, so no skip line
    names another server's feed and no server goes without stories another one follows: a URL only
    feeds it does not see have is added as a feed of its own, and a name only such a feed has is
    replaced by a free variant (:func:`unique_name`, listed in ``renamed``).  None: every feed is
    visible (the operator's command line).

    ``limit`` (``/feeds import`` passes what ``discord.max_feeds_per_server`` leaves the server)
    adds at most that many, in the order given; each further feed that would have been added is
    listed in ``over_limit`` instead.  None: no limit (the operator's command line).
    """
    config_path = Path(config_path)
    managed_path, data = _current(config_path)
    names, urls, taken = _visible_feeds(config_path, managed_path, data, visible)
    reserved = taken | {str(feed["name"]) for feed in feeds}  # a variant never takes a later feed's own name
    added: list[str] = []
    skipped: list[tuple[str, str]] = []
    renamed: list[tuple[str, str]] = []
    over_limit: list[str] = []
    for feed in feeds:
        name, url = str(feed["name"]), str(feed.get("url") or "")
        if url in urls:
            skipped.append((name, f"its URL is already {urls[url]}"))
        elif name in names:
            skipped.append((name, f"a feed named {name!r} is already in {names[name]} — retitle it to add it too"))
        elif limit is not None and len(added) >= limit:
            over_limit.append(name)
        else:
            written = unique_name(name, reserved) if name in taken else name  # taken by a feed not visible
            if written != name:
                renamed.append((name, written))
            taken.add(written)
            reserved.add(written)
            names[written], urls[url] = _THIS_IMPORT, f"feed {written!r} of {_THIS_IMPORT}"
            data["feeds"].append(_escaped({**feed, "name": written}))
            if channel is not None:
                data["subscriptions"].append({"feeds": [_escaped(written)], "channel": channel})
            added.append(written)
    if added:
        _commit(config_path, managed_path, data, env, write=not dry_run)
    return AddedFeeds(
        path=managed_path, added=tuple(added), skipped=tuple(skipped), renamed=tuple(renamed), over_limit=tuple(over_limit)
    )


def _visible_feeds(
    config_path: Path, managed_path: Path, data: Mapping[str, Any], visible: Callable[[str], bool] | None
) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """What :func:`managed_add_feeds` checks a feed against, from both files.

    Returns the names of the feeds ``visible`` lets the caller see (→ the file each is first in),
    their URLs (→ "feed 'x' in file" of the first such feed) and the names of every feed, seen or not.
    """
    names: dict[str, str] = {}
    urls: dict[str, str] = {}
    taken: set[str] = set()
    for file, items, unescape in (
        (config_path, _items(_main_data(config_path), "feeds"), False),
        (managed_path, _items(data, "feeds"), True),
    ):
        for item in items:
            name, url = item.get("name"), item.get("url")
            if not isinstance(name, str):
                continue
            taken.add(name)
            if visible is not None and not visible(name):
                continue
            names.setdefault(name, file.name)
            if isinstance(url, str):
                urls.setdefault(url.replace("$$", "$") if unescape else url, f"feed {name!r} in {file.name}")
    return names, urls, taken


@_one_writer
def managed_remove_feed(config_path: Path, name: str, *, env: Mapping[str, str] | None = None) -> None:
    """Remove a feed added from Discord, with its managed subscriptions and pause.

    Feeds written in the admins' file are refused (ConfigError telling to edit that file), as is a
    feed still used by a subscription there.
    """
    config_path = Path(config_path)
    managed_path, data = _current(config_path)
    main = _main_data(config_path)
    _require_managed_feed(name, main, data, config_path, "removed", "remove it")
    for index, item in enumerate(_items(main, "subscriptions")):
        if name in _feed_names(item.get("feeds")):
            raise ConfigError(
                f"feed {name!r} is still used by subscriptions[{index}] in {config_path} — remove it there first",
                file=str(config_path),
            )
    data["feeds"] = [item for item in data["feeds"] if not (isinstance(item, dict) and item.get("name") == name)]
    kept = []
    for item in data["subscriptions"]:
        if isinstance(item, dict) and name in _feed_names(item.get("feeds")):
            rest = [feed for feed in _feed_names(item.get("feeds")) if feed != name]
            if not rest:
                continue
            item = {**item, "feeds": rest}
        kept.append(item)
    data["subscriptions"] = kept
    data["paused"] = [paused for paused in data["paused"] if paused != name]
    _commit(config_path, managed_path, data, env)


#: The subscription keys ``/feeds edit`` may change, as the config file spells them.
EDITABLE_KEYS = (
    "layout", "mode", "schedule", "timezone", "mention", "include", "exclude", "webhook", "max_age", "repost_updates",
    "color", "section_menu",
)
#: Text an admin types in a text option of ``/feeds edit`` to remove that key (back to the default).
CLEAR_WORDS = frozenset({"none", "-"})
#: The keys whose text value is a comma-separated list (``include: "ai, robots"``).
_LIST_KEYS = frozenset({"include", "exclude"})


@dataclass(frozen=True)
class EditedSubscription:
    """What :func:`managed_edit_subscription` did: the subscription before and after, as the bot runs it."""

    #: The managed file written.
    path: Path
    #: The subscription as it was (None when the config did not load before the edit).
    before: Subscription | None
    #: The subscription as it is now, every inherited value filled in.
    after: Subscription
    #: The keys whose written value changed, in the order given; empty: nothing was written.
    changed: tuple[str, ...]

    def change_lines(self) -> list[str]:
        """One "key: before → after" line per changed key, values as the bot resolves them."""
        return [
            f"{key}: {_shown(key, self.before) if self.before is not None else '?'} → {_shown(key, self.after)}"
            for key in self.changed
        ]


def changes_from_text(options: Mapping[str, Any]) -> dict[str, Any]:
    """``/feeds edit``'s options (config keys; text as typed) → the ``changes`` of :func:`managed_edit_subscription`.

    Text is stripped; "none" or "-" removes the key (back to the default); ``include`` and
    ``exclude`` are comma-separated rules (a comma inside a ``/regex/`` stays in it).  Other
    values (a role id, a bool, None) pass through.
    """
    changes: dict[str, Any] = {}
    for key, value in options.items():
        if isinstance(value, str):
            value = value.strip()
            if value.lower() in CLEAR_WORDS:
                value = None
            elif key in _LIST_KEYS:
                value = split_rules(value)
        changes[key] = value
    return changes


@_one_writer
def managed_edit_subscription(
    config_path: Path,
    feed_name: str,
    channel_id: int | None,
    changes: Mapping[str, Any],
    *,
    env: Mapping[str, str] | None = None,
) -> EditedSubscription:
    """Change how a feed added from Discord posts: keys of its managed subscription (``/feeds edit``).

    ``changes`` maps keys of :data:`EDITABLE_KEYS` to values as the file would spell them (a
    ``webhook`` given as text is its name); None removes the key, so the default applies again.
    When the feed posts to several channels, ``channel_id`` picks the subscription.  Validated with
    the whole config like the other writers (all or nothing, ``$`` escaped); a change that changes
    nothing writes nothing.  Going back to ``mode: immediate`` drops the digest's ``schedule``.  A
    feed written in the admins' file is refused, as for remove.
    """
    config_path = Path(config_path)
    if changes.get("mode") == "immediate" and "schedule" not in changes:
        changes = {**changes, "schedule": None}  # a schedule only means something to a digest
    unknown = [key for key in changes if key not in EDITABLE_KEYS]
    if unknown or not changes:
        wrong = f"{', '.join(map(repr, unknown))} cannot be changed here — " if unknown else "nothing to change — "
        raise ConfigError(wrong + f"give one or more of {', '.join(EDITABLE_KEYS)}", file=str(config_path))
    managed_path, data = _current(config_path)
    main = _main_data(config_path)
    index = _editable_subscription(config_path, managed_path, main, data, feed_name, channel_id)
    item = data["subscriptions"][index]
    edited = dict(item)
    for key, value in changes.items():
        if value is None:
            edited.pop(key, None)
        elif key == "webhook" and isinstance(value, str):
            edited[key] = {**(item[key] if isinstance(item.get(key), dict) else {}), "name": _escaped(value)}
        else:
            edited[key] = _escaped(value)
    changed = tuple(key for key in changes if item.get(key) != edited.get(key))
    try:
        before: Subscription | None = _managed_subscription(load_sources(config_path, env=env), index)
    except ConfigError:
        before = None  # the files do not load now; this edit may be what makes them load again
    if not changed and before is not None:
        return EditedSubscription(path=managed_path, before=before, after=before, changed=())
    data["subscriptions"][index] = edited
    after = _managed_subscription(_commit(config_path, managed_path, data, env, write=bool(changed)), index)
    return EditedSubscription(path=managed_path, before=before, after=after, changed=changed)


@_one_writer
def managed_set_paused(config_path: Path, name: str, paused: bool, *, env: Mapping[str, str] | None = None) -> None:
    """Pause (stop polling) or resume any feed, from either file; doing it twice changes nothing."""
    config_path = Path(config_path)
    managed_path, data = _current(config_path)
    names = [item.get("name") for item in _items(_main_data(config_path), "feeds") + _items(data, "feeds")]
    if name not in names:
        raise _unknown_feed(name, names, config_path)
    if (name in data["paused"]) == paused:
        return
    data["paused"] = [*data["paused"], name] if paused else [other for other in data["paused"] if other != name]
    _commit(config_path, managed_path, data, env)


# --- helpers ----------------------------------------------------------------------------------


def _main_data(config_path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(config_path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: file not found", file=str(config_path)) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"{config_path} cannot be read ({exc}) — run `newsbot check-config` and fix it first",
            file=str(config_path),
        ) from exc
    return data if isinstance(data, dict) else {}


def _current(config_path: Path) -> tuple[Path, dict[str, Any]]:
    """The managed file's path and its raw content (``${…}`` not expanded, so it is written back as is)."""
    managed_path = managed_path_for(config_path, _main_data(config_path))
    data: Any = None
    if managed_path.exists():
        try:
            data = yaml.safe_load(managed_path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(
                f"{managed_path} cannot be read ({exc}) — fix it by hand or delete it", file=str(managed_path)
            ) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{managed_path} is not a mapping — fix it by hand or delete it", file=str(managed_path))
    for key in ("feeds", "subscriptions", "paused"):
        value = data.get(key)
        data[key] = list(value) if isinstance(value, list) else ([] if value is None else value)
    return managed_path, data


def _items(data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _feed_names(value: Any) -> list[str]:
    return (
        [value]
        if isinstance(value, str)
        else [v for v in value if isinstance(v, str)]
        if isinstance(value, list)
        else []
    )


def _editable_subscription(
    config_path: Path,
    managed_path: Path,
    main: Mapping[str, Any],
    data: Mapping[str, Any],
    feed_name: str,
    channel_id: int | None,
) -> int:
    """The index in the managed file of the subscription of ``feed_name`` that ``/feeds edit`` changes."""
    _require_managed_feed(feed_name, main, data, config_path, "edited", "change how it posts")
    mine = [
        (index, item)
        for index, item in enumerate(data["subscriptions"])
        if isinstance(item, dict) and feed_name in _feed_names(item.get("feeds"))
    ]
    if not mine:
        raise ConfigError(
            f"feed {feed_name!r} has no subscription added from Discord — remove it and add it again with a channel",
            file=str(config_path),
        )
    chosen = [(index, item) for index, item in mine if channel_id is None or _channel(item) == channel_id]
    if len(chosen) == 1:
        return chosen[0][0]
    channels = ", ".join(f"{_channel(item) or item.get('channel')!r}" for _, item in mine)
    if not chosen:
        raise ConfigError(
            f"feed {feed_name!r} does not post to channel {channel_id} — it posts to {channels}",
            file=str(config_path),
        )
    if channel_id is None:
        raise ConfigError(
            f"feed {feed_name!r} posts to several channels ({channels}) — say which one with the channel option",
            file=str(config_path),
        )
    names = ", ".join(repr(item.get("name")) for _, item in chosen)
    raise ConfigError(
        f"feed {feed_name!r} has several subscriptions in channel {channel_id} ({names}) — edit {managed_path} by hand",
        file=str(config_path),
    )


def _channel(item: Mapping[str, Any]) -> int | None:
    return _channel_id(item.get("channel"))


def _managed_subscription(config: Config, index: int) -> Subscription:
    """The resolved subscription written at ``subscriptions[index]`` of the managed file.

    A config that loads resolves every managed subscription, in file order, after the admins' ones.
    """
    return [sub for sub in config.subscriptions if sub.origin == MANAGED][index]


def _shown(key: str, sub: Subscription) -> str:
    """A resolved subscription's value of ``key``, as a change line shows it."""
    value = getattr(sub, key)
    if key == "mention":
        return " ".join(f"<@&{role}>" for role in value) or "none"
    if key in _LIST_KEYS:
        return ", ".join(value) or "none"
    if key == "webhook":
        return "off" if value is None else f"as {value.name!r}" if value.name else "as the feed's name"
    if key == "max_age":
        return "the feed's" if value is None else format_duration(value) if value else "no limit"
    if key in ("repost_updates", "section_menu"):
        return "yes" if value else "no"
    if key == "color":
        return "Discord's" if value is None else format_color(value)
    return "none" if value is None else str(value)


def _require_managed_feed(
    name: str, main: Mapping[str, Any], data: Mapping[str, Any], config_path: Path, done: str, action: str
) -> None:
    """Refuse an unknown feed, and one of the admins' file: the bot never rewrites that file, so a
    feed written there is changed there (the message says to edit it to ``action``)."""
    main_feeds = [item.get("name") for item in _items(main, "feeds")]
    if name in main_feeds:
        raise ConfigError(
            f"feed {name!r} is written in {config_path} (feeds[{main_feeds.index(name)}]) — only feeds added "
            f"from Discord can be {done} here; edit {config_path} to {action}",
            file=str(config_path),
        )
    managed_feeds = [item.get("name") for item in _items(data, "feeds")]
    if name not in managed_feeds:
        raise _unknown_feed(name, main_feeds + managed_feeds, config_path)


def _unknown_feed(name: str, known: list[Any], config_path: Path) -> ConfigError:
    names = [n for n in known if isinstance(n, str)]
    close = suggest(name, names)
    hint = f"did you mean {close!r}? " if close else ""
    listing = f"known feeds: {', '.join(names)}" if names else "no feeds are defined"
    return ConfigError(f"unknown feed {name!r} — {hint}{listing}", file=str(config_path))


def _escaped(value: Any) -> Any:
    """Plain YAML data with every ``$`` doubled (``$$`` reads back as one ``$``, never as ``${VAR}``)."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, Mapping):
        return {str(key): _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    return value


def _render(config_path: Path, data: dict[str, Any]) -> str:
    body = {key: value for key, value in data.items() if value not in ([], None)}
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, default_flow_style=False) if body else ""
    return HEADER.format(main=config_path.name) + text


def _commit(
    config_path: Path, managed_path: Path, data: dict[str, Any], env: Mapping[str, str] | None, *, write: bool = True
) -> Config:
    """Validate the merged config with ``data`` as the managed file, then (if ``write``) write it.

    Returns the config as it loads with that file, for callers that report what it now says.
    """
    text = _render(config_path, data)
    try:
        config = load_sources(config_path, env=env, managed_text=text)
    except ConfigError as exc:
        raise ConfigError(
            "the change was refused, the config would not load:\n" + "\n".join(f"  {p}" for p in exc.problems),
            file=str(managed_path),
            problems=exc.problems,
        ) from exc
    if not write:
        return config
    try:
        _write_atomically(managed_path, text)
    except OSError as exc:
        raise ConfigError(f"{managed_path}: cannot write it: {exc.strerror or exc}", file=str(managed_path)) from exc
    return config


def _write_atomically(path: Path, text: str) -> None:
    """Write a temp file beside ``path`` and rename it over: readers see the old or the new file, whole."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# --- alert channels (``/feeds alerts``) ---------------------------------------------------------


@dataclass(frozen=True)
class ServerAlertChannels:
    """What :func:`managed_set_alert_channel` did to one server's alert channels in the managed file."""

    #: The managed file written (unless nothing changed).
    path: Path
    #: The server's alert channels the managed file listed before.
    before: tuple[int, ...]
    #: The server's alert channels it lists now: the one set, or none.
    after: tuple[int, ...]


@_one_writer
def managed_set_alert_channel(
    config_path: Path,
    guild_channels: frozenset[int],
    channel_id: int | None,
    *,
    env: Mapping[str, str] | None = None,
) -> ServerAlertChannels:
    """Make ``channel_id`` the alert channel of the server whose channel ids are ``guild_channels``
    (``/feeds alerts``); None: that server has none in the managed file any more.

    Only that server's entries of the managed file's ``alert_channels`` are replaced: another
    server's stay, and so do those of the admins' file (``discord.alert_channels``), which the bot
    never rewrites.  Validated with the whole config like the other writers; a change that changes
    nothing writes nothing.
    """
    config_path = Path(config_path)
    if channel_id is not None and channel_id not in guild_channels:
        raise ConfigError(f"channel {channel_id} is not in this server — choose one of its channels", file=str(config_path))
    managed_path, data = _current(config_path)
    raw = data.get("alert_channels")
    written = list(raw) if isinstance(raw, list) else [] if raw is None else [raw]
    before = tuple(dict.fromkeys(
        channel for channel in map(_channel_id, written) if channel is not None and channel in guild_channels
    ))
    after = (channel_id,) if channel_id is not None else ()
    if before == after:
        return ServerAlertChannels(path=managed_path, before=before, after=after)
    kept = [item for item in written if _channel_id(item) not in guild_channels]  # unreadable ones too
    data["alert_channels"] = kept + list(after)
    _commit(config_path, managed_path, data, env)
    return ServerAlertChannels(path=managed_path, before=before, after=after)


def _channel_id(value: Any) -> int | None:
    """A channel id as the managed file writes it (a subscription's ``channel``, an entry of
    ``alert_channels``); None when it is not one."""
    try:
        return parse_snowflake(value)
    except ValueError:
        return None
