"""The REST API: every route Discord exposes that the emulator serves, and the handler behind it.

Routes are API v10 paths (Discord docs, Reference > API Versioning).  Handlers live in per-domain
mixins (``routes_*.py``) over ``RestBase``; this module composes them and lists the routes.
"""

from __future__ import annotations

from aiohttp import web

from .rest_base import API_PREFIX, MAX_REQUEST_BYTES, Reply, RouteSpec
from .routes_core import CoreRoutes
from .routes_forum import ForumRoutes
from .routes_interactions import InteractionRoutes
from .routes_messages import MessageRoutes
from .routes_webhooks import WebhookRoutes


class Rest(CoreRoutes, MessageRoutes, ForumRoutes, WebhookRoutes, InteractionRoutes):
    """All handlers, bound to one emulator."""

    async def post_webhook(self, request: web.Request) -> Reply:
        """POST /webhooks/{id}/{token}: an interaction follow-up or a webhook execute."""
        if self.is_interaction_webhook(request):
            return await self.create_followup(request)
        return await self.execute_webhook(request)

    async def webhook_message_route(self, request: web.Request) -> Reply:
        """GET/PATCH/DELETE /webhooks/{id}/{token}/messages/{message}: interaction or webhook message."""
        if self.is_interaction_webhook(request):
            return await self.interaction_message(request)
        return await self.webhook_message(request)


def route_table() -> list[RouteSpec]:
    """Every emulated route; static segments (``@me``) before parameters, as aiohttp matches in order."""
    R = Rest
    app = "/applications/{application_id}"
    return [
        RouteSpec("GET", "/users/@me", R.get_me),
        RouteSpec("GET", "/users/{user_id}", R.get_user),
        RouteSpec("GET", "/oauth2/applications/@me", R.get_application),
        RouteSpec("GET", "/applications/@me", R.get_application),
        RouteSpec("GET", "/gateway", R.get_gateway, auth="none", bucket=None),
        RouteSpec("GET", "/gateway/bot", R.get_gateway_bot),
        RouteSpec("GET", app + "/commands", R.list_commands),
        RouteSpec("PUT", app + "/commands", R.put_commands),
        RouteSpec("POST", app + "/commands", R.post_command),
        RouteSpec("GET", app + "/commands/{command_id}", R.get_command),
        RouteSpec("PATCH", app + "/commands/{command_id}", R.patch_command),
        RouteSpec("DELETE", app + "/commands/{command_id}", R.delete_command),
        RouteSpec("GET", app + "/guilds/{guild_id}/commands", R.list_commands),
        RouteSpec("PUT", app + "/guilds/{guild_id}/commands", R.put_commands),
        RouteSpec("POST", app + "/guilds/{guild_id}/commands", R.post_command),
        RouteSpec("GET", app + "/guilds/{guild_id}/commands/{command_id}", R.get_command),
        RouteSpec("PATCH", app + "/guilds/{guild_id}/commands/{command_id}", R.patch_command),
        RouteSpec("DELETE", app + "/guilds/{guild_id}/commands/{command_id}", R.delete_command),
        RouteSpec("GET", "/guilds/{guild_id}", R.get_guild),
        RouteSpec("GET", "/guilds/{guild_id}/channels", R.get_guild_channels),
        RouteSpec("GET", "/guilds/{guild_id}/members/{user_id}", R.get_member),
        RouteSpec("GET", "/guilds/{guild_id}/threads/active", R.list_active_threads),
        RouteSpec("GET", "/channels/{channel_id}", R.get_channel),
        RouteSpec("POST", "/channels/{channel_id}/typing", R.typing),
        RouteSpec("GET", "/channels/{channel_id}/messages", R.list_messages),
        RouteSpec("POST", "/channels/{channel_id}/messages", R.create_message, bucket="message"),
        RouteSpec("GET", "/channels/{channel_id}/messages/{message_id}", R.get_message),
        RouteSpec("PATCH", "/channels/{channel_id}/messages/{message_id}", R.edit_message),
        RouteSpec("DELETE", "/channels/{channel_id}/messages/{message_id}", R.delete_message),
        RouteSpec("POST", "/channels/{channel_id}/messages/{message_id}/threads", R.start_thread),
        RouteSpec("POST", "/channels/{channel_id}/threads", R.start_forum_thread),
        RouteSpec("GET", "/channels/{channel_id}/threads/archived/public", R.list_public_archived_threads),
        RouteSpec("GET", "/channels/{channel_id}/thread-members/{user_id}", R.get_thread_member),
        RouteSpec("POST", "/channels/{channel_id}/webhooks", R.create_webhook),
        RouteSpec("GET", "/channels/{channel_id}/webhooks", R.list_webhooks),
        RouteSpec("GET", "/webhooks/{webhook_id}", R.get_webhook),
        RouteSpec("DELETE", "/webhooks/{webhook_id}", R.delete_webhook),
        RouteSpec("GET", "/webhooks/{webhook_id}/{webhook_token}", R.webhook_with_token, auth="token"),
        RouteSpec("DELETE", "/webhooks/{webhook_id}/{webhook_token}", R.webhook_with_token, auth="token"),
        RouteSpec("POST", "/webhooks/{webhook_id}/{webhook_token}", R.post_webhook, auth="token",
                  bucket="webhook"),
        RouteSpec("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", R.webhook_message_route,
                  auth="token"),
        RouteSpec("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", R.webhook_message_route,
                  auth="token"),
        RouteSpec("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", R.webhook_message_route,
                  auth="token"),
        RouteSpec("POST", "/interactions/{interaction_id}/{interaction_token}/callback", R.interaction_callback,
                  auth="token", bucket="interaction"),
    ]


__all__ = ["API_PREFIX", "MAX_REQUEST_BYTES", "Reply", "Rest", "RouteSpec", "route_table"]
