"""render_help: the /help reply from command descriptions, within Discord's limits."""

from __future__ import annotations

from bot.render.help import CommandHelp, OptionHelp, admin_line, member_block, render_help, usage
from bot.render.limits import payload_problems

ARTICLE = CommandHelp("article", "Show a story", (OptionHelp("query", "Words from the story", False),))
SECTION = CommandHelp(
    "section", "Show one section", (OptionHelp("article", "The story", True), OptionHelp("section", "", True))
)
FEEDS_ADD = CommandHelp(
    "feeds add", "Follow a feed", (OptionHelp("url", "The URL", True), OptionHelp("name", "A name", False)), admin=True
)
DIGEST_NOW = CommandHelp("digest now", "Send the digests *now*", admin=True)


def test_usage_brackets_optional_options() -> None:
    assert usage(ARTICLE) == "/article [query]"
    assert usage(SECTION) == "/section article section"
    assert usage(FEEDS_ADD) == "/feeds add url [name]"
    assert usage(DIGEST_NOW) == "/digest now"


def test_a_member_command_shows_its_described_options_and_an_admin_command_is_one_line() -> None:
    assert member_block(ARTICLE) == "**`/article [query]`** — Show a story\n• `query`: Words from the story"
    assert member_block(SECTION) == "**`/section article section`** — Show one section\n• `article`: The story"
    assert admin_line(DIGEST_NOW) == r"`/digest now` — Send the digests \*now\*"


def test_members_see_only_member_commands_and_admins_see_the_admin_ones_too() -> None:
    commands = [ARTICLE, FEEDS_ADD, SECTION, DIGEST_NOW]
    [member] = render_help(commands, admin=False)
    assert member["embeds"] == [{"title": "Commands", "description": member_block(ARTICLE) + "\n\n" + member_block(SECTION)}]
    [admin] = render_help(commands, admin=True)
    assert admin["embeds"][0]["description"] == (
        member_block(ARTICLE) + "\n\n" + member_block(SECTION) + "\n\n**For admins** (Manage Server)\n"
        + admin_line(FEEDS_ADD) + "\n" + admin_line(DIGEST_NOW)
    )
    assert payload_problems(member) == [] and payload_problems(admin) == []


def test_a_note_comes_first_in_italics_and_is_made_safe() -> None:
    [payload] = render_help([ARTICLE], admin=False, note="Run these in a *server*")
    assert payload["embeds"][0]["description"] == r"*Run these in a \*server\**" + "\n\n" + member_block(ARTICLE)


def test_a_help_too_long_for_one_embed_continues_within_every_limit() -> None:
    options = tuple(OptionHelp(f"opt{i}", "A fairly long description of this option " * 8, False) for i in range(20))
    commands = [CommandHelp(f"cmd{i}", "Does a thing " * 30, options) for i in range(12)]
    commands += [CommandHelp(f"admin cmd{i}", "Manages a thing " * 10, admin=True) for i in range(40)]
    payloads = render_help(commands, admin=True)
    text = "\n\n".join(e.get("description", "") for p in payloads for e in p["embeds"])
    assert len(payloads) > 1 or len(payloads[0]["embeds"]) > 1
    for payload in payloads:
        assert payload_problems(payload) == []
    assert all(f"/cmd{i}" in text for i in range(12)) and all(f"/admin cmd{i}" in text for i in range(40))
