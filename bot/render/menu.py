"""The section menu: select menus, as Discord component payloads, that open any section of a story.

The `/article` reply and the bot's own posts carry the same menu, so a click on either is handled
by one custom id, ``newsbot:sec:<stored article id>:<first section of this select>`` (the picked
option's value is the section's index).  The id names the stored story, not anything held in
memory, so a click works after a restart.  Pure: the cog turns these dicts into discord.py items,
the sink sends them as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.model import UNTITLED, Section
from bot.render.limits import OPTION_LABEL_LIMIT, OPTIONS_PER_SELECT
from bot.render.payloads import ActionRow, MessagePayload, SelectMenu, SelectOption
from bot.render.text import truncate

#: Prefix of the custom ids of newsbot's buttons and menus.
CUSTOM_PREFIX = "newsbot:"
#: The kind part of the section menu's custom id (``newsbot:sec:<article id>:<start>``).
SECTION_MENU_KIND = "sec"
#: Most sections the menu opens: 4 selects of 25, within the 5 action rows a message may hold; a
#: story with more is rare enough that its later sections are left to ``/section``.
MENU_SECTIONS_LIMIT = 100
#: A lead without a heading, as the menu names it.
LEAD_LABEL = "In brief"
#: The titles that say nothing of a section: none (the lead), and the parts a long article without
#: headings is cut into (bot.articles.sections names them "Part 2", "Part 3", …).
_PLACEHOLDER_TITLE = re.compile(r"\s*(?:Part \d+)?\s*")


def has_section_menu(sections: Sequence[Section]) -> bool:
    """Whether a post of this story gets a menu: not for no sections, nor for one untitled section
    (the post already shows all there is to pick)."""
    return len(sections) > 1 or (len(sections) == 1 and bool(sections[0].title.strip()))


def section_menu_id(article_id: int, start: int) -> str:
    """The custom id of the select holding sections ``start`` … ``start + 24`` of a stored story."""
    return f"{CUSTOM_PREFIX}{SECTION_MENU_KIND}:{article_id}:{start}"


def option_label(index: int, section: Section) -> str:
    """"2. Heading" on one line, within Discord's 100 characters."""
    text = " ".join(f"{index + 1}. {section.title.strip() or LEAD_LABEL}".split())
    return truncate(text, OPTION_LABEL_LIMIT) or UNTITLED


def option_description(section: Section) -> str:
    """The opening of the section's summary (of its text, when it has none) on one line, within
    Discord's 100 characters; "" when there is nothing.  A member sees what a section holds before
    opening it, and "Part 3" of a long article without headings gets its only clue."""
    return truncate(" ".join((section.summary or section.text).split()), OPTION_LABEL_LIMIT)


def says_nothing(title: str) -> bool:
    """Whether a section's title tells nothing of its content: none, or "Part 3"."""
    return _PLACEHOLDER_TITLE.fullmatch(title) is not None


def _placeholder(start: int, count: int) -> str:
    return "Open a section…" if start == 0 else f"Sections {start + 1}–{start + count}…"


def section_menu_rows(article_id: int, sections: Sequence[Section]) -> list[ActionRow]:
    """One action row per 25 sections (at most ``MENU_SECTIONS_LIMIT``), each holding one select.

    No sections: no rows.  Whether a post shows the menu at all is ``has_section_menu``'s call.
    """
    rows: list[ActionRow] = []
    shown = sections[:MENU_SECTIONS_LIMIT]
    for start in range(0, len(shown), OPTIONS_PER_SELECT):
        options: list[SelectOption] = []
        for i, section in enumerate(shown[start : start + OPTIONS_PER_SELECT], start=start):
            option: SelectOption = {"label": option_label(i, section), "value": str(i)}
            if description := option_description(section):
                option["description"] = description
            options.append(option)
        select: SelectMenu = {
            "type": 3,
            "custom_id": section_menu_id(article_id, start),
            "placeholder": _placeholder(start, len(options)),
            "options": options,
        }
        rows.append({"type": 1, "components": [select]})
    return rows


def with_menu(payload: MessagePayload, rows: list[ActionRow]) -> MessagePayload:
    """A copy of ``payload`` carrying ``rows`` under it (no rows: the payload unchanged)."""
    if not rows:
        return payload
    menu: MessagePayload = {**payload, "components": rows}
    return menu
