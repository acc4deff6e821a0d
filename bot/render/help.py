"""/help: what each slash command does, drawn from the commands the bot registers.

Pure: bot/discord/commands.py reads the command tree into :class:`CommandHelp` values, so the
reply can never drift from the real commands (a new option or description shows up by itself),
and this module only lays them out within Discord's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.render.limits import DESCRIPTION_LIMIT
from bot.render.pack import EmbedPacker
from bot.render.payloads import MessagePayload
from bot.render.text import safe_text, truncate

HELP_TITLE = "Commands"
#: The heading before the admin commands, shown only to members who may use them.
ADMIN_HEADING = "**For admins** (Manage Server)"


@dataclass(frozen=True)
class OptionHelp:
    """One option of a slash command."""

    #: As the member types it, e.g. ``query``.
    name: str
    #: The option's description as registered; "" when it has none.
    description: str
    #: Whether Discord makes the member fill it in.
    required: bool


@dataclass(frozen=True)
class CommandHelp:
    """One slash command, or one sub-command of a group."""

    #: The full name without the slash: ``article``, or ``feeds add`` for a sub-command.
    name: str
    #: The description registered with Discord.
    description: str
    #: Its options, in the order Discord shows them.
    options: tuple[OptionHelp, ...] = ()
    #: True when Discord shows it only to members with a permission (its ``default_permissions``).
    admin: bool = False


def usage(command: CommandHelp) -> str:
    """``/section article section``, optional options in brackets: ``/latest [feed] [count]``."""
    words = [f"/{command.name}"] + [o.name if o.required else f"[{o.name}]" for o in command.options]
    return " ".join(words)


def member_block(command: CommandHelp) -> str:
    """A member command: its usage and description, then a line per described option."""
    lines = [f"**`{usage(command)}`** — {safe_text(command.description)}"]
    lines += [f"• `{o.name}`: {safe_text(o.description)}" for o in command.options if o.description]
    return "\n".join(lines)


def admin_line(command: CommandHelp) -> str:
    """An admin command in one line: usage and description."""
    return f"`{usage(command)}` — {safe_text(command.description)}"


def render_help(commands: Sequence[CommandHelp], *, admin: bool, note: str | None = None) -> list[MessagePayload]:
    """The /help reply: ``note`` first when given (where the commands work), then every member command
    with its options; with ``admin``, the admin commands too, one line each.  Usually one embed; a
    longer list continues in more (EmbedPacker keeps every embed and message within Discord's limits)."""
    packer = EmbedPacker({"title": HELP_TITLE}, lambda: {"title": f"{HELP_TITLE} (continued)"})
    if note:
        packer.add_text(truncate(f"*{safe_text(note)}*", DESCRIPTION_LIMIT))
    for command in commands:
        if not command.admin:
            packer.add_text(truncate(member_block(command), DESCRIPTION_LIMIT))
    admins = [command for command in commands if command.admin]
    if admin and admins:
        packer.add_text(ADMIN_HEADING)
        for command in admins:
            packer.add_text(truncate(admin_line(command), DESCRIPTION_LIMIT), sep="\n")
    return packer.payloads()
