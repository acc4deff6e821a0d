"""The emulated Discord world: users, guilds, roles, channels, messages, webhooks, commands.

Plain in-memory records plus the builders that turn them into the JSON objects Discord sends
(Resources > User / Guild / Channel / Message / Webhook, Topics > Permissions > Role Object).
No I/O here; the REST and gateway layers read and change this state.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import permissions as perms
from .errors import EmulatorUsageError
from .permissions import Overwrite

#: Discord's epoch (2015-01-01T00:00:00Z) in milliseconds, for snowflakes.
DISCORD_EPOCH_MS = 1420070400000

#: Channel types (Resources > Channel > Channel Types).
CHANNEL_TYPES = {
    "text": 0,
    "voice": 2,
    "category": 4,
    "announcement": 5,
    "announcement_thread": 10,
    "public_thread": 11,
    "private_thread": 12,
    "forum": 15,
    "media": 16,
}
TEXT_LIKE = (0, 2, 5, 10, 11, 12)
THREAD_TYPES = (10, 11, 12)
PRIVATE_THREAD = CHANNEL_TYPES["private_thread"]
#: Channels whose every post is a thread (GUILD_FORUM, GUILD_MEDIA): no message can be sent to them.
FORUM_TYPES = (15, 16)
#: A direct message between one user and the bot (DM); not a guild channel, so not in CHANNEL_TYPES.
DM_TYPE = 1


def iso(ts: float) -> str:
    """Discord's timestamp format: ISO 8601 with microseconds and +00:00."""
    return datetime.fromtimestamp(ts, timezone.utc).isoformat()


class Snowflakes:
    """Monotonic, unique snowflakes whose timestamps are real (so discord.py's created_at is right)."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    bot_id: int | None = None
    #: "Allow anyone to @mention this role"; off unless asked for, as Create Guild Role defaults it.
    #: Without it only a sender with MENTION_EVERYONE pings the role (``messages.resolve_mentions``).
    mentionable: bool = False

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Member:
    user: User
    guild_id: int
    role_ids: list[int]
    joined_at: float = field(default_factory=time.time)

    def payload(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.role_ids],
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    type: int
    position: int = 0
    parent_id: int | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    topic: str | None = None
    last_message_id: int | None = None
    #: Threads only.
    owner_id: int | None = None
    message_count: int = 0
    #: Threads in a forum or media channel only (Resources > Channel, ``applied_tags``).
    applied_tags: list[int] | None = None
    created: float = field(default_factory=time.time)
    #: Threads only (``thread_metadata``): archived threads leave the active list; a locked one
    #: is unarchived only by MANAGE_THREADS (Topics > Threads "Active & Archived Threads").
    archived: bool = False
    locked: bool = False
    #: When ``archived`` last changed: "changed when creating, archiving, or unarchiving a
    #: thread" (None: never since it was created).
    archive_timestamp: float | None = None
    deleted: bool = False
    #: Private threads only: the users added to it (its owner joins when opening it).  Only they,
    #: and those with MANAGE_THREADS in its channel, can see it (Topics > Threads, "Private threads").
    member_ids: set[int] = field(default_factory=set)

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def archive_changed(self) -> float:
        """A thread's ``archive_timestamp``, as epoch seconds."""
        return self.created if self.archive_timestamp is None else self.archive_timestamp

    def set_archived(self, archived: bool, *, at: float | None = None, locked: bool | None = None) -> None:
        """Archive or unarchive this thread at ``at`` (now by default); ``locked`` if given."""
        self.archived = archived
        self.archive_timestamp = time.time() if at is None else at
        if locked is not None:
            self.locked = locked

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "flags": 0,
        }
        if self.is_thread:
            data.update({
                "parent_id": str(self.parent_id),
                "owner_id": str(self.owner_id),
                "last_message_id": str(self.last_message_id) if self.last_message_id else None,
                "rate_limit_per_user": 0,
                "message_count": self.message_count,
                "total_message_sent": self.message_count,
                "member_count": max(1, len(self.member_ids)),
                "thread_metadata": {
                    "archived": self.archived,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso(self.archive_changed),
                    "locked": self.locked,
                    "create_timestamp": iso(self.created),
                },
            })
            if self.type == PRIVATE_THREAD:
                data["thread_metadata"]["invitable"] = True
            if self.applied_tags is not None:
                data["applied_tags"] = [str(t) for t in self.applied_tags]
            return data
        data.update({
            "position": self.position,
            "permission_overwrites": [ow.to_payload() for ow in self.overwrites],
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "nsfw": False,
        })
        if self.type in (0, 5):
            data.update({"topic": self.topic, "rate_limit_per_user": 0, "default_auto_archive_duration": 1440,
                         "last_message_id": str(self.last_message_id) if self.last_message_id else None})
        elif self.type == 2:
            data.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None, "rate_limit_per_user": 0,
                         "last_message_id": str(self.last_message_id) if self.last_message_id else None})
        elif self.type in FORUM_TYPES:
            # A forum's last_message_id is the id of its newest post (thread).
            data.update({"topic": self.topic, "rate_limit_per_user": 0, "available_tags": [],
                         "default_reaction_emoji": None, "default_sort_order": None, "default_forum_layout": 0,
                         "default_auto_archive_duration": 1440,
                         "last_message_id": str(self.last_message_id) if self.last_message_id else None})
        return data


@dataclass
class DMChannel:
    """The DM between one user and the bot (Resources > Channel, type DM): no guild, no overwrites.

    Kept apart from guild channels: the REST routes that take a channel id answer 404 for it, as
    the emulator does not model the bot's own requests in DMs (only interactions made there).
    """

    id: int
    recipient: User
    last_message_id: int | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": DM_TYPE,
            "last_message_id": str(self.last_message_id) if self.last_message_id else None,
            "flags": 0,
            "recipients": [self.recipient.payload()],
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    bot_role_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    created: float = field(default_factory=time.time)

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]


@dataclass
class Webhook:
    id: int
    token: str
    channel_id: int
    guild_id: int
    name: str
    application_id: int
    creator_id: int

    def payload(self, creator: User | None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": 1,
            "id": str(self.id),
            "name": self.name,
            "avatar": None,
            "channel_id": str(self.channel_id),
            "guild_id": str(self.guild_id),
            "application_id": str(self.application_id),
            "token": self.token,
        }
        if creator is not None:
            data["user"] = creator.payload()
        return data


@dataclass
class StoredMessage:
    """A message as Discord returns it, plus what the emulator needs to know about it."""

    data: dict[str, Any]
    channel_id: int
    author_id: int
    created: float
    ephemeral: bool = False
    deleted: bool = False
    #: The interaction whose response or follow-up this is.
    interaction_id: int | None = None
    #: Threads started from this message.
    thread_id: int | None = None

    @property
    def id(self) -> int:
        return int(self.data["id"])


class World:
    """All state of one emulator: ids, entities and lookups with Discord's error semantics."""

    def __init__(self, *, bot_name: str = "newsbot") -> None:
        self.ids = Snowflakes()
        self.application_id = self.ids.next()
        self.bot = User(self.application_id, bot_name, bot=True)
        self.users: dict[int, User] = {self.bot.id: self.bot}
        #: The application's owner (a human account, as in the Developer Portal).
        self.owner = self.new_user("emulator-owner")
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        #: DMs with the bot by channel id, and each user's DM (Discord keeps one per user).
        self.dm_channels: dict[int, DMChannel] = {}
        self.dm_of_user: dict[int, int] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.webhooks: dict[int, Webhook] = {}
        #: Every uploaded file's bytes by attachment id (bot uploads and slash-command options).
        self.files: dict[int, bytes] = {}
        #: How often each attachment was downloaded from its URL.
        self.file_downloads: dict[int, int] = {}

    # --- building the world ----------------------------------------------------------------

    def new_user(self, name: str, *, bot: bool = False) -> User:
        user = User(self.ids.next(), name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str) -> Guild:
        gid = self.ids.next()
        owner = self.new_user(f"{name} owner")
        bot_role = Role(self.ids.next(), gid, self.bot.username, perms.DEFAULT_BOT_PERMISSIONS, position=1,
                        managed=True, bot_id=self.bot.id)
        guild = Guild(gid, name, owner.id, bot_role.id)
        guild.roles[gid] = Role(gid, gid, "@everyone", perms.DEFAULT_EVERYONE_PERMISSIONS)
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = Member(owner, gid, [])
        guild.members[self.bot.id] = Member(self.bot, gid, [bot_role.id])
        self.guilds[gid] = guild
        return guild

    def add_channel(self, guild: Guild, name: str, type_: int, *, parent_id: int | None = None) -> Channel:
        channel = Channel(self.ids.next(), guild.id, name, type_, position=len(guild.channel_ids),
                          parent_id=parent_id)
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        self.channel_messages[channel.id] = []
        return channel

    def add_thread(self, parent: Channel, thread_id: int, name: str, type_: int, *,
                   applied_tags: list[int] | None = None, owner_id: int | None = None) -> Channel:
        """A thread opened in ``parent``; its owner is the bot unless ``owner_id`` says who (a
        webhook's forum post is owned by the webhook)."""
        guild = self.guild_of(parent)
        thread = Channel(thread_id, guild.id, name, type_, parent_id=parent.id,
                         owner_id=self.bot.id if owner_id is None else owner_id, applied_tags=applied_tags)
        if type_ == PRIVATE_THREAD:
            thread.member_ids.add(thread.owner_id)  # type: ignore[arg-type]
        self.channels[thread.id] = thread
        self.channel_messages[thread.id] = []
        guild.channel_ids.append(thread.id)
        return thread

    def open_dm(self, user: User) -> DMChannel:
        """The user's DM with the bot, opened on first use; the same one after (as Create DM answers)."""
        existing = self.dm_of_user.get(user.id)
        if existing is not None:
            return self.dm_channels[existing]
        dm = DMChannel(self.ids.next(), user)
        self.dm_channels[dm.id] = dm
        self.dm_of_user[user.id] = dm.id
        self.channel_messages[dm.id] = []
        return dm

    def add_role(self, guild: Guild, name: str, permissions: int = 0, *, mentionable: bool = False) -> Role:
        role = Role(self.ids.next(), guild.id, name, permissions, position=len(guild.roles), mentionable=mentionable)
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: Guild, name: str, permissions: int) -> Member:
        user = self.new_user(name)
        role = self.add_role(guild, f"{name} role", permissions)
        member = Member(user, guild.id, [role.id])
        guild.members[user.id] = member
        return member

    # --- lookups ---------------------------------------------------------------------------

    def live_channel(self, channel_id: int) -> Channel | None:
        channel = self.channels.get(channel_id)
        if channel is None or channel.deleted:
            return None
        if channel.is_thread and channel.parent_id is not None:
            parent = self.channels.get(channel.parent_id)
            if parent is None or parent.deleted:
                return None
        return channel

    def guild_of(self, channel: Channel) -> Guild:
        return self.guilds[channel.guild_id]

    def permission_channel(self, channel: Channel) -> Channel:
        """Threads take their permissions from the parent channel."""
        if channel.is_thread and channel.parent_id is not None:
            return self.channels[channel.parent_id]
        return channel

    def member_base(self, guild: Guild, member: Member) -> int:
        everyone = guild.everyone.permissions
        roles = [guild.roles[r].permissions for r in member.role_ids if r in guild.roles]
        return perms.base_permissions(everyone, roles, is_owner=member.user.id == guild.owner_id)

    def member_permissions(self, guild: Guild, member: Member, channel: Channel | None) -> int:
        base = self.member_base(guild, member)
        if channel is None:
            return base
        target = self.permission_channel(channel)
        have = perms.channel_permissions(base, target.overwrites, guild_id=guild.id, member_id=member.user.id,
                                         member_role_ids=member.role_ids)
        if channel.type == PRIVATE_THREAD and member.user.id not in channel.member_ids and not have & perms.P.MANAGE_THREADS:
            return 0  # not added to it, and no moderator: the thread is not there for them
        return have

    def bot_permissions(self, channel: Channel) -> int:
        guild = self.guild_of(channel)
        return self.member_permissions(guild, guild.members[self.bot.id], channel)

    def set_overwrite(self, channel: Channel, target_id: int, *, allow: int, deny: int) -> None:
        """Replace the overwrite of one role (@everyone's id is the guild's) or member in a channel."""
        guild = self.guild_of(channel)
        if target_id in guild.roles:
            kind = perms.OVERWRITE_ROLE
        elif target_id in guild.members:
            kind = perms.OVERWRITE_MEMBER
        else:
            raise EmulatorUsageError(f"{target_id} is neither a role nor a member of guild {guild.id}")
        channel.overwrites = [ow for ow in channel.overwrites if ow.id != target_id]
        channel.overwrites.append(Overwrite(id=target_id, type=kind, allow=allow, deny=deny))

    def set_bot_permissions(self, channel: Channel, target: int) -> None:
        guild = self.guild_of(channel)
        base = self.member_base(guild, guild.members[self.bot.id])
        channel.overwrites = [ow for ow in channel.overwrites if ow.id != guild.bot_role_id]
        channel.overwrites.append(perms.overwrite_for_exact(target, base, role_id=guild.bot_role_id))

    # --- payloads --------------------------------------------------------------------------

    def guild_create_payload(self, guild: Guild) -> dict[str, Any]:
        channels = [self.channels[c] for c in guild.channel_ids if not self.channels[c].deleted]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "features": [],
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "vanity_url_code": None,
            "application_id": None,
            "roles": [role.payload() for role in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "joined_at": iso(guild.members[self.bot.id].joined_at),
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "members": [guild.members[self.bot.id].payload()],
            "voice_states": [],
            "presences": [],
            "channels": [c.payload() for c in channels if not c.is_thread],
            # "All active threads in the guild that current user has permission to view"
            "threads": [c.payload() for c in channels
                        if c.is_thread and not c.archived and self.bot_permissions(c) & perms.P.VIEW_CHANNEL],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "incidents_data": None,
            "lazy": True,
        }

    def rest_guild_payload(self, guild: Guild) -> dict[str, Any]:
        data = self.guild_create_payload(guild)
        for key in ("joined_at", "large", "unavailable", "member_count", "members", "voice_states", "presences",
                    "channels", "threads", "stage_instances", "guild_scheduled_events", "soundboard_sounds",
                    "lazy"):
            data.pop(key, None)
        return data

    def application_payload(self, privileged_flags: int) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": secrets.token_hex(32),
            "flags": privileged_flags,
            "owner": self.owner.payload(),
            "team": None,
            "bot": self.bot.payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "integration_types_config": {"0": {}},
            "approximate_guild_count": len(self.guilds),
        }

    # --- messages --------------------------------------------------------------------------

    def store_message(self, message: StoredMessage) -> None:
        self.messages[message.id] = message
        if not message.ephemeral:
            self.channel_messages.setdefault(message.channel_id, []).append(message.id)
            dm = self.dm_channels.get(message.channel_id)
            if dm is not None:
                dm.last_message_id = message.id
            channel = self.channels.get(message.channel_id)
            if channel is not None:
                channel.last_message_id = message.id
                # message_count leaves out a forum post's starter message, whose id is the thread's.
                if channel.is_thread and message.id != channel.id:
                    channel.message_count += 1

    # --- attachments -----------------------------------------------------------------------

    def add_file(self, base_url: str, filename: str, data: bytes, content_type: str | None, *,
                 ephemeral: bool = False) -> dict[str, Any]:
        """Keep an uploaded file and return its attachment object (Resources > Message > Attachment
        Object), its ``url`` on the emulator as Discord's is on its CDN."""
        attachment_id = self.ids.next()
        self.files[attachment_id] = data
        url = f"{base_url}/attachments/{attachment_id}/{filename}"
        attachment: dict[str, Any] = {"id": str(attachment_id), "filename": filename, "size": len(data), "url": url,
                                      "proxy_url": url}
        if content_type:
            attachment["content_type"] = content_type
        if ephemeral:
            attachment["ephemeral"] = True
        return attachment

    def channel_history(self, channel_id: int) -> list[StoredMessage]:
        return [self.messages[m] for m in self.channel_messages.get(channel_id, []) if not self.messages[m].deleted]
