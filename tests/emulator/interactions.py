"""Interactions sent on behalf of a test member: slash commands, autocomplete, component clicks.

Builds the INTERACTION_CREATE payloads Discord sends (Interactions > Receiving and Responding >
Interaction Object; Application Commands > option types) from what the bot registered, and
refuses — with EmulatorUsageError — what Discord's own client would never let a user send: an
unknown command or option, a missing required option, a value outside the declared choices or
bounds, a command hidden from the member by ``default_member_permissions``, a click on a
component that is not there.
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
from .state import Channel, Guild, Member, StoredMessage

if TYPE_CHECKING:  # pragma: no cover
    from .server import DiscordEmulator

INTERACTION_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4

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
    guild_id: int
    channel_id: int
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


def find_command(emu: DiscordEmulator, guild_id: int, name: str) -> dict[str, Any]:
    """The registered chat-input command a member would pick: guild commands first, then global."""
    for scope in (guild_id, None):
        for command in emu.commands.get(scope, {}).values():
            if command.get("type", 1) == L.COMMAND_CHAT_INPUT and command["name"] == name:
                return command
    known = sorted({c["name"] for scope in (guild_id, None) for c in emu.commands.get(scope, {}).values()})
    raise EmulatorUsageError(f"the bot registered no slash command /{name} for guild {guild_id} "
                             f"(registered: {', '.join('/' + k for k in known) or 'none'})")


def _check_visible(emu: DiscordEmulator, guild: Guild, member: Member, channel: Channel,
                   command: dict[str, Any]) -> None:
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


def _convert(emu: DiscordEmulator, guild: Guild, definition: dict[str, Any], value: Any,
             resolved: dict[str, dict[str, Any]]) -> Any:
    """Check and convert one option value as Discord's client would; fills ``resolved``."""
    otype = definition["type"]
    name = definition["name"]
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
            if k in ("id", "name", "type", "parent_id", "guild_id", "flags", "position", "topic", "nsfw",
                     "last_message_id", "rate_limit_per_user", "thread_metadata")
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


def _as_mapping(options: OptionsArg) -> dict[str, Any]:
    if options is None:
        return {}
    if isinstance(options, Mapping):
        return dict(options)
    return {str(o["name"]): o.get("value") for o in options}


def build_command_data(emu: DiscordEmulator, guild: Guild, member: Member, channel: Channel, full_name: str,
                       options: OptionsArg, *, focused: str | None = None) -> tuple[dict[str, Any], int | None]:
    """The ``data`` of an APPLICATION_COMMAND (or autocomplete) interaction, and the focused type."""
    parts = full_name.strip().lstrip("/").split()
    if not parts:
        raise EmulatorUsageError("empty command name")
    command = find_command(emu, guild.id, parts[0])
    _check_visible(emu, guild, member, channel, command)
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


def new_record(emu: DiscordEmulator, *, itype: int, guild: Guild, channel: Channel, member: Member,
               data: dict[str, Any], message: StoredMessage | None = None,
               option_type: int | None = None) -> InteractionRecord:
    """Build the full interaction payload and its record (not yet dispatched)."""
    world = emu.world
    iid = world.ids.next()
    token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
    member_perms = world.member_permissions(guild, member, channel)
    channel_payload = channel.payload() | {"permissions": str(member_perms)}
    payload: dict[str, Any] = {
        "id": str(iid),
        "application_id": str(emu.application_id),
        "type": itype,
        "data": data,
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "channel_id": str(channel.id),
        "channel": channel_payload,
        "member": member.payload() | {"permissions": str(member_perms)},
        "token": token,
        "version": 1,
        "app_permissions": str(world.bot_permissions(channel)),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if message is not None:
        payload["message"] = message.data
    return InteractionRecord(iid, token, itype, guild.id, channel.id, member.user.id, payload,
                             created=time.monotonic(), option_type=option_type,
                             component_message_id=message.id if message is not None else None)
