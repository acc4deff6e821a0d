"""A subscription's ``color:``: the embeds' side bar, written as admins copy it from an image editor."""

from __future__ import annotations

import pytest

from bot.config import describe_config
from bot.config.fieldtypes import format_color
from tests.config.conftest import BASE, Write, load, problems


@pytest.mark.parametrize(
    ("written", "color"),
    [('"#1e90ff"', 0x1E90FF), ('"#1E90FF"', 0x1E90FF), ("'1e90ff'", 0x1E90FF), ('"0x1e90ff"', 0x1E90FF),
     ("2003199", 0x1E90FF), ("0", 0), ('" #000000 "', 0)],
)
def test_color_accepts_hex_and_integers(write: Write, written: str, color: int) -> None:
    assert load(write(BASE + f"    color: {written}\n")).subscriptions[0].color == color


def test_no_color_by_default(write: Write) -> None:
    assert load(write(BASE)).subscriptions[0].color is None


@pytest.mark.parametrize("written", ['"blue"', '"#12345"', "16777216", "-1", "true", '"#1e90ffaa"'])
def test_a_bad_color_is_located_and_explained(write: Write, written: str) -> None:
    [problem] = problems(write(BASE + f"    color: {written}\n"))
    assert "subscriptions[0].color" in problem and '"#1e90ff"' in problem


def test_check_config_shows_the_color(write: Write) -> None:
    assert "colour #1e90ff" in describe_config(load(write(BASE + '    color: "#1E90FF"\n')))
    assert format_color(0x00FF00) == "#00ff00"
