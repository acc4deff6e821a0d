"""Turning an accepted request body into the message object Discord would store and return.

Pure: given the world (for users and roles) and the validated body, build the message dict.
Mentions follow Resources > Message > Allowed Mentions Object: without ``allowed_mentions``
every mention in the content pings; with it, only what ``parse``/``users``/``roles`` allow, and
``@everyone``/``@here`` only with the MENTION_EVERYONE permission.  What they allow is still
checked "against user/bot permissions": a role pings only if it is ``mentionable`` or the sender has
MENTION_EVERYONE ("Mention @everyone, @here, and All Roles") in the channel; otherwise the message
is posted and the role is left out of ``mention_roles``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from .state import Guild, World, iso

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)\b")

#: Message types (Resources > Message > Message Types).
TYPE_DEFAULT = 0
TYPE_THREAD_CREATED = 18
TYPE_REPLY = 19
TYPE_CHAT_INPUT_COMMAND = 20


def resolve_mentions(world: World, guild: Guild | None, content: str, allowed: Mapping[str, Any] | None,
                     *, may_mention_everyone: bool, by_webhook: bool = False
                     ) -> tuple[list[dict[str, Any]], list[str], bool]:
    """(mentioned users, mentioned role ids, mention_everyone) as Discord records them.

    ``by_webhook``: the message was posted through a webhook — an executed webhook, or an
    interaction's response or follow-up (posted through the application's webhook).  Discord does
    not document whether the "mentionable or MENTION_EVERYONE" rule applies to those; executed
    webhooks were reported to ping roles that cannot be mentioned (discord-api-docs#2988), so they
    keep pinging any role ``allowed_mentions`` lets through, as before the rule was emulated.
    """
    if allowed is None:
        parse = {"users", "roles", "everyone"}
        users_ok: set[str] = set()
        roles_ok: set[str] = set()
    else:
        parse = set(allowed.get("parse") or [])
        users_ok = {str(u) for u in allowed.get("users") or []}
        roles_ok = {str(r) for r in allowed.get("roles") or []}
    users = []
    for uid in dict.fromkeys(USER_MENTION.findall(content)):
        user = world.users.get(int(uid))
        if user is not None and ("users" in parse or uid in users_ok):
            users.append(user.payload())
    roles = []
    for rid in dict.fromkeys(ROLE_MENTION.findall(content)):
        role = guild.roles.get(int(rid)) if guild is not None else None
        if role is None or not ("roles" in parse or rid in roles_ok):
            continue
        if role.mentionable or may_mention_everyone or by_webhook:
            roles.append(rid)
    everyone = bool(EVERYONE_MENTION.search(content)) and "everyone" in parse and may_mention_everyone
    return users, roles, everyone


def normalize_embed(embed: Mapping[str, Any]) -> dict[str, Any]:
    """Stored shape: what was sent, typed ``rich`` (Discord ignores a client-sent type)."""
    data = dict(embed)
    data["type"] = "rich"
    return data


def build_message(
    world: World,
    *,
    message_id: int,
    channel_id: int,
    guild: Guild | None,
    author: dict[str, Any],
    body: Mapping[str, Any],
    may_mention_everyone: bool,
    embeds_allowed: bool = True,
    message_type: int = TYPE_DEFAULT,
    webhook_id: int | None = None,
    application_id: int | None = None,
    interaction_metadata: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    message_reference: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The message object for a create (channel post, webhook, interaction response or follow-up)."""
    content = body.get("content") or ""
    users, roles, everyone = resolve_mentions(world, guild, content, body.get("allowed_mentions"),
                                              may_mention_everyone=may_mention_everyone,
                                              by_webhook=webhook_id is not None)
    embeds = [normalize_embed(e) for e in body.get("embeds") or []] if embeds_allowed else []
    data: dict[str, Any] = {
        "id": str(message_id),
        "type": message_type,
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": iso(time.time()),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": everyone,
        "mentions": users,
        "mention_roles": roles,
        "attachments": attachments or [],
        "embeds": embeds,
        "pinned": False,
        "flags": int(body.get("flags") or 0),
        "components": list(body.get("components") or []),
    }
    if body.get("nonce") is not None:
        data["nonce"] = body["nonce"]
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    if application_id is not None:
        data["application_id"] = str(application_id)
    if interaction_metadata is not None:
        data["interaction_metadata"] = interaction_metadata
    if message_reference is not None:
        data["message_reference"] = message_reference
    return data


def apply_edit(world: World, data: dict[str, Any], body: Mapping[str, Any], *, guild: Guild | None,
               may_mention_everyone: bool, embeds_allowed: bool = True) -> None:
    """Apply a PATCH body to a stored message object in place (absent keys stay as they are)."""
    if "content" in body:
        data["content"] = body["content"] or ""
    if "embeds" in body:
        data["embeds"] = [normalize_embed(e) for e in body["embeds"] or []] if embeds_allowed else []
    if "components" in body:
        data["components"] = list(body["components"] or [])
    if "flags" in body and body["flags"] is not None:
        keep = data.get("flags", 0) & ~0b100
        data["flags"] = keep | (int(body["flags"]) & 0b100)
    if "content" in body or "allowed_mentions" in body:
        users, roles, everyone = resolve_mentions(world, guild, data["content"], body.get("allowed_mentions"),
                                                  may_mention_everyone=may_mention_everyone,
                                                  by_webhook="webhook_id" in data)
        data.update(mentions=users, mention_roles=roles, mention_everyone=everyone)
    data["edited_timestamp"] = iso(time.time())
