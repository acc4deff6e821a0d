"""The section menu's rows: what the /article reply and the bot's posts carry, within Discord's limits."""

from __future__ import annotations

import pytest

from bot.model import Section
from bot.render.limits import OPTION_LABEL_LIMIT, payload_problems
from bot.render.menu import (
    MENU_SECTIONS_LIMIT,
    has_section_menu,
    option_description,
    option_label,
    says_nothing,
    section_menu_rows,
    with_menu,
)
from bot.render.payloads import MessagePayload


def sections(n: int, title: str = "Part {}") -> tuple[Section, ...]:
    return tuple(Section(title=title.format(i), text=f"text {i}") for i in range(n))


def post() -> MessagePayload:
    return {"content": "A story", "allowed_mentions": {"parse": []}}


@pytest.mark.parametrize(
    ("given", "menu"),
    [
        ((), False),
        ((Section(title="", text="all of it"),), False),
        ((Section(title="   ", text="all of it"),), False),
        ((Section(title="Only heading", text="x"),), True),
        ((Section(title="", text="lead"), Section(title="More", text="x")), True),
    ],
)
def test_a_story_with_nothing_to_pick_gets_no_menu(given: tuple[Section, ...], menu: bool) -> None:
    assert has_section_menu(given) is menu


def test_one_select_per_25_sections_each_id_naming_the_story_and_its_first_section() -> None:
    rows = section_menu_rows(7, sections(30))
    selects = [row["components"][0] for row in rows]
    assert [row["type"] for row in rows] == [1, 1] and [s["type"] for s in selects] == [3, 3]
    assert [s["custom_id"] for s in selects] == ["newsbot:sec:7:0", "newsbot:sec:7:25"]
    assert [s["placeholder"] for s in selects] == ["Open a section…", "Sections 26–30…"]
    assert selects[1]["options"][0] == {"label": "26. Part 25", "value": "25", "description": "text 25"}
    assert [len(s["options"]) for s in selects] == [25, 5]


def test_past_100_sections_the_rest_are_left_out_within_five_rows() -> None:
    rows = section_menu_rows(1, sections(130))
    assert len(rows) == 4 and sum(len(r["components"][0]["options"]) for r in rows) == MENU_SECTIONS_LIMIT
    assert payload_problems(with_menu(post(), rows)) == []


def test_labels_name_the_lead_and_fit_on_one_line_within_100_characters() -> None:
    assert option_label(0, Section(title="", text="x")) == option_label(0, Section(title="  ", text="x")) == "1. In brief"
    label = option_label(4, Section(title="A\nvery  " + "long " * 40, text="x"))
    assert label.startswith("5. A very long") and len(label) <= OPTION_LABEL_LIMIT and "\n" not in label


def test_no_sections_no_rows_and_the_payload_is_left_alone() -> None:
    payload = post()
    assert section_menu_rows(3, ()) == [] and with_menu(payload, []) is payload


def test_with_menu_copies_the_payload() -> None:
    payload = post()
    menued = with_menu(payload, section_menu_rows(3, sections(2)))
    assert "components" not in payload and len(menued["components"]) == 1 and menued["content"] == "A story"


def test_check_payload_names_a_menu_that_breaks_discords_limits() -> None:
    rows = section_menu_rows(3, sections(2))
    select = rows[0]["components"][0]
    select["options"][0]["label"] = "x" * (OPTION_LABEL_LIMIT + 1)
    select["options"].append({"label": "again", "value": "1"})
    too_many = [*rows, *section_menu_rows(4, sections(100)), *section_menu_rows(5, sections(1))]
    found = payload_problems(with_menu(post(), too_many))
    assert "message has 6 action rows (limit 5)" in found
    assert "components[0].select.options[0].label has 101 characters (limit 100)" in found
    assert "components[0].select offers a value twice" in found
    empty = section_menu_rows(3, sections(1))
    empty[0]["components"][0]["options"] = []
    assert "components[0].select has 0 options (1 to 25)" in payload_problems(with_menu(post(), empty))


def test_each_option_says_what_its_section_holds_on_one_line_within_100_characters() -> None:
    summary = "The UK will finance the procurement of Ukrainian-designed drones\nmade in Britain, " + "at scale " * 20
    section = Section(title="UK Funding", text="The whole text.", summary=summary)
    description = option_description(section)
    assert description.startswith("The UK will finance the procurement of Ukrainian-designed drones made in Britain,")
    assert len(description) <= OPTION_LABEL_LIMIT and description.endswith("…") and "\n" not in description
    assert option_description(Section(title="Part 2", text="Short  text,\n\nall of it.")) == "Short text, all of it."
    [row] = section_menu_rows(3, (section, Section(title="Empty", text="  ")))
    first, empty = row["components"][0]["options"]
    assert first["description"] == description and "description" not in empty  # Discord refuses a blank one
    assert payload_problems(with_menu(post(), [row])) == []


def test_a_description_over_100_characters_or_blank_is_a_payload_problem() -> None:
    [row] = section_menu_rows(3, sections(2))
    options = row["components"][0]["options"]
    options[0]["description"] = "x" * (OPTION_LABEL_LIMIT + 1)
    options[1]["description"] = " "
    problems = payload_problems(with_menu(post(), [row]))
    assert any("options[0].description" in p for p in problems) and any("options[1].description" in p for p in problems)


@pytest.mark.parametrize(
    ("title", "empty"),
    [("", True), ("  ", True), ("Part 3", True), ("Part 12", True), ("Part of the plan", False), ("Partners", False),
     ("UK Funding", False)],
)
def test_a_title_says_nothing_when_it_is_none_or_a_part_number(title: str, empty: bool) -> None:
    assert says_nothing(title) is empty
