"""Pointing an unmodified discord.py at an emulator (or at any Discord-compatible address).

discord.py has two module-level addresses and no per-client setting for either:

- ``discord.http.Route.BASE`` — every REST call (and webhooks/interaction responses, which use
  the same ``Route``) is built from it;
- ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` — a plain ``discord.Client`` (not the
  AutoSharded one) never calls GET /gateway/bot: it connects to DEFAULT_GATEWAY first, and again
  after an INVALID_SESSION that cannot be resumed (``gateway.py`` resets ``self.gateway`` to it);
  only RESUMEs use READY's ``resume_gateway_url``.

So a client must set both.  The bot's one setting (the API base URL) is enough: set
``Route.BASE`` from it, call GET /gateway/bot, and set DEFAULT_GATEWAY from the ``url`` it
returns — which is what ``point_discord_py_at`` does, given both values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .server import DiscordEmulator


@contextmanager
def point_discord_py_at(emu: DiscordEmulator | None = None, *, api_base: str | None = None,
                        gateway_url: str | None = None) -> Iterator[None]:
    """Set discord.py's REST base and default gateway for the duration of the block, then restore."""
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    api = api_base or (emu.api_base if emu is not None else None)
    gateway = gateway_url or (emu.gateway_url if emu is not None else None)
    if api is None or gateway is None:
        raise ValueError("point_discord_py_at needs an emulator or both api_base and gateway_url")
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = api
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    try:
        yield
    finally:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
