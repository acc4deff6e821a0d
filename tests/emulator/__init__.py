"""A stand-in for Discord (REST API v10 + gateway) on 127.0.0.1, for tests that run real discord.py.

    async with DiscordEmulator() as emu:
        guild = emu.add_guild("news")
        channel = emu.add_channel(guild, "feed")
        with point_discord_py_at(emu):
            ...  # start a discord.Client with emu.token

See README.md for what it covers, what it does not, and which Discord documentation each
rule comes from.
"""

from .discordpy import point_discord_py_at
from .errors import ApiError, EmulatorUsageError
from .interactions import InteractionHandle
from .permissions import DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, Permission
from .server import DiscordEmulator, FaultRule, RequestCounts

__all__ = [
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "ApiError",
    "DiscordEmulator",
    "EmulatorUsageError",
    "FaultRule",
    "InteractionHandle",
    "Permission",
    "RequestCounts",
    "point_discord_py_at",
]
