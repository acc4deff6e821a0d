"""/section's autocomplete names: a heading as it is; a title that says nothing, with the opening of its summary."""

from __future__ import annotations

from bot.discord.commands import CHOICE_NAME_LIMIT, section_choice_name
from bot.model import Section


def test_a_heading_is_the_choice_name_alone() -> None:
    section = Section(title="UK Funding for Drone Production", text="…", summary="The UK will finance drones.")
    assert section_choice_name(2, section) == "3. UK Funding for Drone Production"


def test_the_lead_and_a_numbered_part_say_what_they_hold() -> None:
    lead = Section(title="", text="…", summary="Ukraine and the UK agreed to produce drones.")
    assert section_choice_name(0, lead) == "1. In brief — Ukraine and the UK agreed to produce drones."
    part = Section(title="Part 3", text="The council voted late on Tuesday " + "and then again " * 20)
    name = section_choice_name(2, part)
    assert name.startswith("3. Part 3 — The council voted late on Tuesday and then again")
    assert len(name) <= CHOICE_NAME_LIMIT and name.endswith("…")
    assert section_choice_name(1, Section(title="Part 2", text="")) == "2. Part 2"
