"""Interactions sent on behalf of a test member or user: slash commands, autocomplete, component clicks.

Builds the INTERACTION_CREATE payloads Discord sends (Interactions > Receiving and Responding >
Interaction Object; Application Commands > option types) from what the bot registered, in a guild
channel (``member``) or in a user's DM with the bot (``user``, context BOT_DM), and refuses — with
EmulatorUsageError — what Discord's own client would never let a user send: an unknown command or
option, a missing required option, a value outside the declared choices or bounds, a command hidden
from the member by ``default_member_permissions``, a command not offered in DMs (a guild command,
or one whose ``contexts``/``dm_permission`` leave BOT_DM out), a click on a component that is not there.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import limits as L
from .errors import EmulatorUsageError
from .permissions import ALL_PERMISSIONS, Permission
from .state import Channel, DMChannel, Guild, Member, StoredMessage, User

if TYPE_CHECKING:  # pragma: no cover
    from .server import DiscordEmulator

INTERACTION_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4

#: Interaction context types (Receiving and Responding > Interaction Context Types).
CONTEXT_GUILD = 0
CONTEXT_BOT_DM = 1
#: Application integration type of an app installed to a server (the only install emulated).
GUILD_INSTALL = 0
#: ``app_permissions`` in a DM with the app's bot user: "ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE
#: ... and additionally USE_EXTERNAL_EMOJIS for DMs with the app's bot user" (Interaction Object).
DM_APP_PERMISSIONS = int(Permission.ATTACH_FILES | Permission.EMBED_LINKS | Permission.MENTION_EVERYONE
                         | Permission.USE_EXTERNAL_EMOJIS)

OptionsArg = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


@dataclass(frozen=True)
class Upload:
    """A file a member attaches to an attachment option: ``{"file": Upload("feeds.opml", data)}``.

    Discord's client uploads it first; the interaction carries its id as the option's value and the
    attachment object under ``resolved.attachments``, whose ``url`` the bot downloads it from.
    """

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass
class InteractionRecord:
    """Everything the emulator knows about one interaction it sent."""

    id: int
    token: str
    type: int
    #: None for an interaction made in a DM.
    guild_id: int | None
    channel_id: int
    #: The invoking user's id (a guild member's, or the DM's user).
    member_id: int
    payload: dict[str, Any]
    #: loop.time() when INTERACTION_CREATE was dispatched (the 3-second clock).
    created: float
    #: Type of the focused option (autocomplete) — decides the choice value type.
    option_type: int | None = None
    #: The message a clicked component is on.
    component_message_id: int | None = None
    #: Callback type once acknowledged.
    acknowledged: int | None = None
    expired: bool = False
    #: Every callback body, follow-up and edit, in order: {"kind": ..., ...}.
    log: list[dict[str, Any]] = field(default_factory=list)
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    #: After a deferred message, the first follow-up edits the loading message (Discord's rule).
    loading_replaced: bool = False

    @property
    def name(self) -> str:
        return str(self.payload.get("data", {}).get("name", ""))


class InteractionHandle:
    """What ``invoke_command``/``click`` return: the interaction and its answers as they arrive."""

    def __init__(self, emu: DiscordEmulator, record: InteractionRecord) -> None:
        self._emu = emu
        self.record = record

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def token(self) -> str:
        return self.record.token

    @property
    def payload(self) -> dict[str, Any]:
        """The INTERACTION_CREATE data that was sent."""
        return self.record.payload

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Callback, follow-ups and edits in order (see ``DiscordEmulator.interaction_responses``)."""
        return list(self.record.log)

    @property
    def callback(self) -> dict[str, Any] | None:
        """The first callback body ``{"type", "data"}``, or None while unanswered."""
        for entry in self.record.log:
            if entry["kind"] == "callback":
                return entry["body"]
        return None

    @property
    def original(self) -> dict[str, Any] | None:
        """The original response message as it is now (after edits), or None."""
        mid = self.record.original_message_id
        stored = self._emu.world.messages.get(mid) if mid is not None else None
        return None if stored is None or stored.deleted else stored.data

    @property
    def followups(self) -> list[dict[str, Any]]:
        """Messages created through the follow-up endpoint, current state, in order.

        After a deferred response the first follow-up edits the loading message instead of
        creating one (Discord's documented behaviour), so it is also ``original``.
        """
        out = []
        for mid in self.record.followup_ids:
            stored = self._emu.world.messages.get(mid)
            if stored is not None and not stored.deleted:
                out.append(stored.data)
        return out

    async def wait_response(self, timeout: float = 5.0) -> dict[str, Any]:
        """The first callback ``{"type": ..., "data": ...}``; raises TimeoutError if none comes."""
        return await self._emu.wait_until(lambda: self.callback, timeout,
                                          f"no response to interaction /{self.record.name}")

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least ``count`` follow-ups were posted; returns them."""
        return await self._emu.wait_until(
            lambda: self.followups if len(self.followups) >= count else None, timeout,
            f"fewer than {count} follow-ups to /{self.record.name}")

    async def wait_original(self, predicate: Callable[[dict[str, Any]], bool] | None = None,
                            timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the original response exists (and satisfies ``predicate``); returns it."""

        def check() -> dict[str, Any] | None:
            original = self.original
            if original is None or (predicate is not None and not predicate(original)):
                return None
            return original

        return await self._emu.wait_until(check, timeout, f"original response to /{self.record.name}")


# ------------------------------------------------------------------------------------------------
# Building payloads
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Who makes an interaction and where: a member in a guild channel, or a user in their DM with the bot."""

    user: User
    channel: Channel | DMChannel
    guild: Guild | None = None
    member: Member | None = None

    @classmethod
    def in_guild(cls, guild: Guild, member: Member, channel: Channel) -> Origin:
        return cls(member.user, channel, guild, member)

    @classmethod
    def in_dm(cls, dm: DMChannel) -> Origin:
        return cls(dm.recipient, dm)


def find_command(emu: DiscordEmulator, guild_id: int | None, name: str) -> dict[str, Any]:
    """The registered chat-input command a user would pick: guild commands first, then global; in a DM
    (``guild_id`` None) only global ones — "Guild commands are available only within the guild"."""
    scopes: tuple[int | None, ...] = (guild_id, None) if guild_id is not None else (None,)
    for scope in scopes:
        for command in emu.commands.get(scope, {}).values():
            if command.get("type", 1) == L.COMMAND_CHAT_INPUT and command["name"] == name:
                return command
    known = sorted({c["name"] for scope in scopes for c in emu.commands.get(scope, {}).values()})
    where = f"for guild {guild_id}" if guild_id is not None else "globally (a DM offers only global commands)"
    raise EmulatorUsageError(f"the bot registered no slash command /{name} {where} "
                             f"(registered: {', '.join('/' + k for k in known) or 'none'})")


def _check_offered_in_dm(command: dict[str, Any]) -> None:
    """Discord's client offers a global command in the bot's DM only if its ``contexts`` include BOT_DM,
    or, with ``contexts`` null, unless the deprecated ``dm_permission`` is false (ignored once
    ``contexts`` is set).  ``default_member_permissions`` does not apply in DMs."""
    name = command["name"]
    integration_types = command.get("integration_types")
    if integration_types is not None and GUILD_INSTALL not in integration_types:
        raise EmulatorUsageError(f"/{name} is only for user installs (integration_types {integration_types}); "
                                 "the emulator models an app installed to servers")
    contexts = command.get("contexts")
    if contexts is not None:
        if CONTEXT_BOT_DM not in contexts:
            raise EmulatorUsageError(f"/{name} has contexts {contexts} without BOT_DM (1), so Discord does not "
                                     "offer it in a DM with the bot")
    elif command.get("dm_permission") is False:
        raise EmulatorUsageError(f"/{name} has dm_permission false (and no contexts), so Discord does not offer "
                                 "it in a DM with the bot")


def _check_visible(emu: DiscordEmulator, origin: Origin, command: dict[str, Any]) -> None:
    guild, member, channel = origin.guild, origin.member, origin.channel
    if guild is None or member is None or not isinstance(channel, Channel):
        _check_offered_in_dm(command)
        return
    contexts = command.get("contexts")
    if command.get("guild_id") is None and contexts is not None and CONTEXT_GUILD not in contexts:
        raise EmulatorUsageError(f"/{command['name']} has contexts {contexts} without GUILD (0), so Discord does "
                                 "not offer it in a server")
    required = command.get("default_member_permissions")
    if required is None:
        return
    have = emu.world.member_permissions(guild, member, channel)
    need = int(required)
    if have == ALL_PERMISSIONS or have & Permission.ADMINISTRATOR:
        return
    if need == 0 or have & need != need:
        raise EmulatorUsageError(
            f"/{command['name']} needs permissions {need} (default_member_permissions); member "
            f"{member.user.username} has {have}, so Discord would not show them the command")


def _resolve_path(command: dict[str, Any], path: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Walk sub-command groups/sub-commands; returns (option definitions at the leaf, names walked)."""
    options: list[dict[str, Any]] = list(command.get("options") or [])
    walked: list[str] = []
    for part in path:
        match = next((o for o in options if o.get("name") == part and o.get("type") in (1, 2)), None)
        if match is None:
            raise EmulatorUsageError(f"/{command['name']} has no sub-command {' '.join(walked + [part])!r}")
        walked.append(part)
        options = list(match.get("options") or [])
    if any(o.get("type") in (1, 2) for o in options):
        subs = [o["name"] for o in options if o.get("type") in (1, 2)]
        raise EmulatorUsageError(f"/{command['name']} {' '.join(walked)} needs a sub-command: {subs}")
    return options, walked


#: The fields of a channel an interaction's ``resolved.channels`` carries: a partial channel, or
#: for a thread a partial thread with its owner and counts (discord.py's ``PartialChannel`` and
#: ``PartialThread``, which its AppCommandThread reads).
_RESOLVED_CHANNEL_FIELDS = frozenset({
    "id", "name", "type", "parent_id", "guild_id", "flags", "position", "topic", "nsfw", "last_message_id",
    "rate_limit_per_user", "thread_metadata", "owner_id", "message_count", "member_count", "total_message_sent",
    "applied_tags",
})


def _convert(emu: DiscordEmulator, guild: Guild | None, definition: dict[str, Any], value: Any,
             resolved: dict[str, dict[str, Any]]) -> Any:
    """Check and convert one option value as Discord's client would; fills ``resolved``.

    In a DM (``guild`` None) a user option resolves to the user alone (no member); role and channel
    options are not emulated there.
    """
    otype = definition["type"]
    name = definition["name"]
    if guild is None and otype in (L.OPT_USER, L.OPT_MENTIONABLE, L.OPT_ROLE, L.OPT_CHANNEL):
        return _convert_in_dm(emu, definition, value, resolved)
    if otype == L.OPT_STRING:
        value = str(value)
        low, high = definition.get("min_length"), definition.get("max_length")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high) or len(value) > 6000:
            raise EmulatorUsageError(f"option {name!r}: length {len(value)} outside [{low}, {high}]")
    elif otype == L.OPT_INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise EmulatorUsageError(f"option {name!r} is an integer, got {value!r}")
    elif otype == L.OPT_NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise EmulatorUsageError(f"option {name!r} is a number, got {value!r}")
    elif otype == L.OPT_BOOLEAN:
        if not isinstance(value, bool):
            raise EmulatorUsageError(f"option {name!r} is a boolean, got {value!r}")
    elif otype in (L.OPT_USER, L.OPT_MENTIONABLE) and int(value) in guild.members:
        member = guild.members[int(value)]
        resolved.setdefault("users", {})[str(member.user.id)] = member.user.payload()
        resolved.setdefault("members", {})[str(member.user.id)] = member.payload(with_user=False) | {
            "permissions": str(emu.world.member_base(guild, member))}
        value = str(member.user.id)
    elif otype in (L.OPT_ROLE, L.OPT_MENTIONABLE) and int(value) in guild.roles:
        resolved.setdefault("roles", {})[str(value)] = guild.roles[int(value)].payload()
        value = str(value)
    elif otype == L.OPT_CHANNEL:
        channel = emu.world.live_channel(int(value))
        if channel is None or channel.guild_id != guild.id:
            raise EmulatorUsageError(f"option {name!r}: no channel {value} in this guild")
        types = definition.get("channel_types")
        if types and channel.type not in types:
            raise EmulatorUsageError(f"option {name!r}: channel type {channel.type} not in {types}")
        resolved.setdefault("channels", {})[str(channel.id)] = {
            k: v for k, v in channel.payload().items()
            if k in _RESOLVED_CHANNEL_FIELDS
        } | {"permissions": str(ALL_PERMISSIONS)}
        value = str(channel.id)
    elif otype == L.OPT_ATTACHMENT:
        if not isinstance(value, Upload):
            raise EmulatorUsageError(f"option {name!r} is an attachment: pass an Upload(filename, data), got {value!r}")
        attachment = emu.world.add_file(emu.base_url, value.filename, value.data, value.content_type, ephemeral=True)
        resolved.setdefault("attachments", {})[attachment["id"]] = attachment
        value = attachment["id"]
    elif otype in (L.OPT_USER, L.OPT_ROLE, L.OPT_MENTIONABLE):
        raise EmulatorUsageError(f"option {name!r}: {value!r} is not a member or role of this guild")
    else:
        raise EmulatorUsageError(f"option {name!r}: option type {otype} is not emulated")
    if otype in (L.OPT_INTEGER, L.OPT_NUMBER):
        low, high = definition.get("min_value"), definition.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise EmulatorUsageError(f"option {name!r}: {value} outside [{low}, {high}]")
    choices = definition.get("choices")
    if choices and value not in [c.get("value") for c in choices]:
        raise EmulatorUsageError(f"option {name!r}: {value!r} is not one of the declared choices")
    return value


def _convert_in_dm(emu: DiscordEmulator, definition: dict[str, Any], value: Any,
                   resolved: dict[str, dict[str, Any]]) -> str:
    name = definition["name"]
    if definition["type"] in (L.OPT_USER, L.OPT_MENTIONABLE):
        user = emu.world.users.get(int(value)) if str(value).isdigit() else None
        if user is None:
            raise EmulatorUsageError(f"option {name!r}: {value!r} is not a known user")
        resolved.setdefault("users", {})[str(user.id)] = user.payload()
        return str(user.id)
    raise EmulatorUsageError(f"option {name!r}: role and channel options are not emulated in DMs")


def _as_mapping(options: OptionsArg) -> dict[str, Any]:
    if options is None:
        return {}
    if isinstance(options, Mapping):
        return dict(options)
    return {str(o["name"]): o.get("value") for o in options}


def build_command_data(emu: DiscordEmulator, origin: Origin, full_name: str, options: OptionsArg, *,
                       focused: str | None = None) -> tuple[dict[str, Any], int | None]:
    """The ``data`` of an APPLICATION_COMMAND (or autocomplete) interaction, and the focused type."""
    parts = full_name.strip().lstrip("/").split()
    if not parts:
        raise EmulatorUsageError("empty command name")
    guild = origin.guild
    command = find_command(emu, guild.id if guild is not None else None, parts[0])
    _check_visible(emu, origin, command)
    definitions, walked = _resolve_path(command, parts[1:])
    given = _as_mapping(options)
    by_name = {d["name"]: d for d in definitions}
    unknown = set(given) - set(by_name)
    if unknown:
        raise EmulatorUsageError(f"/{full_name} has no option(s) {sorted(unknown)}; it has {sorted(by_name)}")
    resolved: dict[str, dict[str, Any]] = {}
    built: list[dict[str, Any]] = []
    focused_type: int | None = None
    if focused is not None:
        if focused not in by_name:
            raise EmulatorUsageError(f"/{full_name} has no option {focused!r} to autocomplete")
        if not by_name[focused].get("autocomplete"):
            raise EmulatorUsageError(f"option {focused!r} of /{full_name} is not an autocomplete option")
    for definition in definitions:
        name = definition["name"]
        if name == focused:
            focused_type = definition["type"]
            built.append({"type": definition["type"], "name": name, "value": str(given.get(name, "")),
                          "focused": True})
            continue
        if name not in given:
            if definition.get("required") and focused is None:
                raise EmulatorUsageError(f"/{full_name}: required option {name!r} is missing")
            continue
        value = given[name]
        if focused is None:
            value = _convert(emu, guild, definition, value, resolved)
        built.append({"type": definition["type"], "name": name, "value": value})
    for part in reversed(walked):
        kind = L.OPT_SUB_COMMAND if not built or built[0].get("type") != L.OPT_SUB_COMMAND else L.OPT_SUB_COMMAND_GROUP
        built = [{"type": kind, "name": part, "options": built}]
    data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": L.COMMAND_CHAT_INPUT,
                            "options": built}
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    if resolved:
        data["resolved"] = resolved
    return data, focused_type


def find_component(message: dict[str, Any], custom_id: str) -> dict[str, Any]:
    for row in message.get("components") or []:
        for component in row.get("components") or []:
            if component.get("custom_id") == custom_id:
                return component
    ids = [c.get("custom_id") for row in message.get("components") or [] for c in row.get("components") or []]
    raise EmulatorUsageError(f"message {message.get('id')} has no component {custom_id!r} (has {ids})")


def build_component_data(component: dict[str, Any], values: Sequence[str] | None) -> dict[str, Any]:
    ctype = component.get("type")
    if component.get("disabled"):
        raise EmulatorUsageError(f"component {component.get('custom_id')!r} is disabled")
    data: dict[str, Any] = {"custom_id": component["custom_id"], "component_type": ctype}
    if ctype == L.COMPONENT_BUTTON:
        if values:
            raise EmulatorUsageError("a button click carries no values")
        return data
    picked = list(values or [])
    low = component.get("min_values", 1)
    high = component.get("max_values", 1)
    if not low <= len(picked) <= high:
        raise EmulatorUsageError(f"select {component['custom_id']!r} takes {low}..{high} values, got {len(picked)}")
    if ctype == L.COMPONENT_STRING_SELECT:
        offered = [o.get("value") for o in component.get("options") or []]
        bad = [v for v in picked if v not in offered]
        if bad:
            raise EmulatorUsageError(f"select {component['custom_id']!r} does not offer {bad} (offers {offered})")
    data["values"] = picked
    return data


def _where(emu: DiscordEmulator, origin: Origin) -> dict[str, Any]:
    """The payload's fields that say where and by whom: ``guild_id``, ``member``... in a guild;
    ``user`` and the DM channel (no guild, no member) in a DM, as "member is sent when the
    interaction is invoked in a guild, and user is sent when invoked in a DM"."""
    guild, member, channel = origin.guild, origin.member, origin.channel
    if guild is None or member is None or not isinstance(channel, Channel):
        return {
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "user": origin.user.payload(),
            "app_permissions": str(DM_APP_PERMISSIONS),
            # GUILD_INSTALL's value is "0" when triggered from a DM with the app's bot user.
            "authorizing_integration_owners": {str(GUILD_INSTALL): "0"},
            "context": CONTEXT_BOT_DM,
        }
    member_perms = emu.world.member_permissions(guild, member, channel)
    return {
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "channel_id": str(channel.id),
        "channel": channel.payload() | {"permissions": str(member_perms)},
        "member": member.payload() | {"permissions": str(member_perms)},
        "app_permissions": str(emu.world.bot_permissions(channel)),
        "guild_locale": "en-US",
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": {str(GUILD_INSTALL): str(guild.id)},
        "context": CONTEXT_GUILD,
    }


def new_record(emu: DiscordEmulator, *, itype: int, origin: Origin, data: dict[str, Any],
               message: StoredMessage | None = None, option_type: int | None = None) -> InteractionRecord:
    """Build the full interaction payload and its record (not yet dispatched)."""
    iid = emu.world.ids.next()
    token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
    payload: dict[str, Any] = {
        "id": str(iid),
        "application_id": str(emu.application_id),
        "type": itype,
        "data": data,
        **_where(emu, origin),
        "token": token,
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if message is not None:
        payload["message"] = message.data
    guild_id = origin.guild.id if origin.guild is not None else None
    return InteractionRecord(iid, token, itype, guild_id, origin.channel.id, origin.user.id, payload,
                             created=time.monotonic(), option_type=option_type,
                             component_message_id=message.id if message is not None else None)
