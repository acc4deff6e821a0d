"""command_help: the bot's own slash commands, read as /help lists them (no Discord connection needed)."""

from __future__ import annotations

from bot.discord.commands import NewsCommands, command_help

COMMANDS = list(NewsCommands.__cog_app_commands__)


def test_in_a_server_every_command_is_listed_and_the_groups_sub_commands_are_admin_ones() -> None:
    listed = {entry.name: entry for entry in command_help(COMMANDS, in_guild=True)}
    assert {"article", "section", "latest", "search", "help"} <= set(listed)
    assert not any(listed[name].admin for name in ("article", "section", "latest", "search", "help"))
    assert {"feeds list", "feeds add", "feeds import", "feeds remove", "digest now"} <= set(listed)
    assert all(entry.admin for name, entry in listed.items() if name.startswith(("feeds ", "digest ")))
    add = listed["feeds add"]
    assert [(o.name, o.required) for o in add.options] == [("url", True), ("name", False), ("channel", False)]
    assert [o.description for o in listed["feeds remove"].options] == [""]  # no description: none shown


def test_outside_a_server_the_admin_commands_are_left_out_and_the_member_ones_listed() -> None:
    listed = [entry.name for entry in command_help(COMMANDS, in_guild=False)]
    assert listed == ["article", "section", "latest", "search", "help"]


def test_only_help_is_offered_in_a_dm_the_story_commands_need_a_server() -> None:
    """A member reads the stories of the server channels they can view; a DM is in no server."""
    offered_in_dms = {command.name for command in COMMANDS if not command.guild_only}
    assert offered_in_dms == {"help"}
