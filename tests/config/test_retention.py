"""storage.retention: 90 days unless set, 0 keeps everything, anything else at least a day; errors are located."""

from __future__ import annotations

import json

import pytest

from bot.config import describe_config, json_schema
from tests.config.conftest import BASE, Write, load, problems

DAY = 86_400


def storage(value: str) -> str:
    return BASE + f"storage:\n  retention: {value}\n"


def test_unset_is_ninety_days(write: Write) -> None:
    assert load(write(BASE)).storage.retention == 90 * DAY
    assert load(write(BASE + "storage:\n  url: sqlite+aiosqlite:///data/x.db\n")).storage.retention == 90 * DAY


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("0", 0), ('"0s"', 0), ("1d", DAY), ("30d", 30 * DAY), ("2d12h", 60 * 3_600), ("86400", DAY), ("365d", 365 * DAY)],
)
def test_durations_as_elsewhere_and_zero_keeps_everything(write: Write, value: str, seconds: int) -> None:
    assert load(write(storage(value))).storage.retention == seconds


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "12h",
            "newsbot.yaml:8:3: storage.retention: 12h is shorter than a day — write at least 1d (e.g. 90d), "
            "or 0 to keep every story",
            id="under-a-day",
        ),
        pytest.param("86399", "newsbot.yaml:8:3: storage.retention: 23h59m59s is shorter than a day", id="a-second-short"),
        pytest.param("-1d", "newsbot.yaml:8:3: storage.retention: '-1d' is not a duration", id="negative"),
        pytest.param("3 months", "newsbot.yaml:8:3: storage.retention: '3 months' is not a duration", id="bad-unit"),
    ],
)
def test_too_short_or_not_a_duration_is_refused_with_file_and_line(write: Write, value: str, expected: str) -> None:
    found = problems(write(storage(value)))
    assert any(problem.startswith(expected) for problem in found), found


def test_check_config_prints_it_on_the_storage_line(write: Write) -> None:
    lines = describe_config(load(write(storage("30d")))).splitlines()
    assert "Storage: sqlite+aiosqlite:///data/newsbot.db; stories kept 30d" in lines
    lines = describe_config(load(write(storage("0")))).splitlines()
    assert "Storage: sqlite+aiosqlite:///data/newsbot.db; every story kept (retention 0)" in lines


def test_check_config_command_shows_the_default(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    path = write(BASE)
    assert main(["check-config", "--config", str(path)]) == 0
    assert "Storage: sqlite+aiosqlite:///data/newsbot.db; stories kept 90d" in capsys.readouterr().out.splitlines()


def test_json_schema_offers_it_under_storage() -> None:
    field = json_schema()["$defs"]["StorageSection"]["properties"]["retention"]
    assert field["default"] == 90 * DAY
    text = json.dumps(field)
    assert '"minimum": 0' in text and "at least 1d" in text and "0: keep everything" in text
