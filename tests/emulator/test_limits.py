"""Pure checks of Discord's payload limits: each limit accepted at its value, refused one past it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator import limits as L
from tests.emulator.errors import FieldError, nest_errors


def paths(problems: list[FieldError]) -> list[tuple[Any, ...]]:
    return [p.path for p in problems]


def embed(**fields: Any) -> dict[str, Any]:
    return {"embeds": [fields]}


def fields(n: int, name: str = "n", value: str = "v") -> list[dict[str, str]]:
    return [{"name": name, "value": value} for _ in range(n)]


AT_LIMIT: list[tuple[str, dict[str, Any]]] = [
    ("content", {"content": "x" * 2000}),
    ("nonce", {"nonce": "n" * 25}),
    ("embeds count", {"embeds": [{"title": "t"}] * 10}),
    ("title", embed(title="t" * 256)),
    ("description", embed(description="d" * 4096)),
    ("fields count", embed(fields=fields(25))),
    ("field name", embed(fields=fields(1, name="n" * 256))),
    ("field value", embed(fields=fields(1, value="v" * 1024))),
    ("footer", embed(footer={"text": "f" * 2048})),
    ("author", embed(author={"name": "a" * 256})),
    ("total 6000", {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2000}]}),
    ("whitespace is trimmed", embed(title="  " + "t" * 256 + "  ")),
    ("ephemeral in interactions", {"content": "x", "flags": 64}),
]


@pytest.mark.parametrize(("case", "body"), AT_LIMIT, ids=[c for c, _ in AT_LIMIT])
def test_message_at_the_limit_is_accepted(case: str, body: dict[str, Any]) -> None:
    kind = "interaction" if case.startswith("ephemeral") else "channel"
    assert L.check_message(body, kind) == []


PAST_LIMIT: list[tuple[str, dict[str, Any], tuple[Any, ...], str]] = [
    ("content", {"content": "x" * 2001}, ("content",), "BASE_TYPE_MAX_LENGTH"),
    ("nonce", {"nonce": "n" * 26}, ("nonce",), "BASE_TYPE_MAX_LENGTH"),
    ("embeds count", {"embeds": [{"title": "t"}] * 11}, ("embeds",), "BASE_TYPE_MAX_LENGTH"),
    ("title", embed(title="t" * 257), ("embeds", 0, "title"), "BASE_TYPE_MAX_LENGTH"),
    ("description", embed(description="d" * 4097), ("embeds", 0, "description"), "BASE_TYPE_MAX_LENGTH"),
    ("fields count", embed(fields=fields(26)), ("embeds", 0, "fields"), "BASE_TYPE_MAX_LENGTH"),
    ("field name", embed(fields=fields(1, name="n" * 257)), ("embeds", 0, "fields", 0, "name"),
     "BASE_TYPE_MAX_LENGTH"),
    ("field value", embed(fields=fields(1, value="v" * 1025)), ("embeds", 0, "fields", 0, "value"),
     "BASE_TYPE_MAX_LENGTH"),
    ("empty field name", embed(fields=fields(1, name="  ")), ("embeds", 0, "fields", 0, "name"),
     "BASE_TYPE_REQUIRED"),
    ("footer", embed(footer={"text": "f" * 2049}), ("embeds", 0, "footer", "text"), "BASE_TYPE_MAX_LENGTH"),
    ("author", embed(author={"name": "a" * 257}), ("embeds", 0, "author", "name"), "BASE_TYPE_MAX_LENGTH"),
    ("total 6001", {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, ("embeds",),
     "MAX_EMBED_SIZE_EXCEEDED"),
    ("color", embed(color=0x1000000), ("embeds", 0, "color"), "NUMBER_TYPE_MAX"),
    ("url scheme", embed(url="ftp://x"), ("embeds", 0, "url"), "URL_TYPE_INVALID_SCHEME"),
    ("image without url", embed(image={}), ("embeds", 0, "image", "url"), "BASE_TYPE_REQUIRED"),
    ("timestamp", embed(timestamp="yesterday"), ("embeds", 0, "timestamp"), "DATE_TIME_TYPE_PARSE"),
    ("ephemeral on a channel post", {"content": "x", "flags": 64}, ("flags",), "MESSAGE_FLAGS_INVALID"),
    ("parse and users together", {"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
     ("allowed_mentions",), "ALLOWED_MENTIONS_PARSE_EXCLUSIVE"),
    ("unknown parse value", {"content": "x", "allowed_mentions": {"parse": ["all"]}},
     ("allowed_mentions", "parse", 0), "BASE_TYPE_CHOICES"),
    ("101 allowed users", {"content": "x", "allowed_mentions": {"users": [str(i) for i in range(101)]}},
     ("allowed_mentions", "users"), "BASE_TYPE_MAX_LENGTH"),
]


@pytest.mark.parametrize(("case", "body", "path", "code"), PAST_LIMIT, ids=[c[0] for c in PAST_LIMIT])
def test_message_past_the_limit_is_refused_at_its_path(case: str, body: dict[str, Any], path: tuple[Any, ...],
                                                        code: str) -> None:
    problems = L.check_message(body, "channel")
    assert (path, code) in [(p.path, p.code) for p in problems]


def test_embed_length_counts_the_six_fields_trimmed() -> None:
    sample = {"title": " ab ", "description": "cd", "fields": [{"name": "e", "value": "fg"}],
              "footer": {"text": "h"}, "author": {"name": "ij"}, "url": "https://not-counted.example"}
    assert L.embed_text_length(sample) == 2 + 2 + 1 + 2 + 1 + 2


@pytest.mark.parametrize(("body", "empty"), [
    ({}, True),
    ({"content": "   "}, True),
    ({"embeds": [{}]}, True),
    ({"content": "hi"}, False),
    ({"embeds": [{"title": "t"}]}, False),
    ({"components": [{"type": 1, "components": []}]}, False),
])
def test_empty_message(body: dict[str, Any], empty: bool) -> None:
    assert L.message_is_empty(body) is empty


def test_nested_errors_have_discords_shape() -> None:
    problems = L.check_message(embed(title="t" * 257, fields=fields(1, value="v" * 1025)))
    assert nest_errors(problems) == {
        "embeds": {"0": {
            "title": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}]},
            "fields": {"0": {"value": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH",
                                                    "message": "Must be 1024 or fewer in length."}]}}},
        }}}


def button(custom_id: str | None = "b", **extra: Any) -> dict[str, Any]:
    data = {"type": 2, "style": 1, "label": "Go", **extra}
    if custom_id is not None:
        data["custom_id"] = custom_id
    return data


def select(options: int = 2, **extra: Any) -> dict[str, Any]:
    return {"type": 3, "custom_id": "s", "options": [{"label": f"o{i}", "value": f"v{i}"} for i in range(options)],
            **extra}


COMPONENTS: list[tuple[str, list[dict[str, Any]], bool]] = [
    ("row of five buttons", [{"type": 1, "components": [button(f"b{i}") for i in range(5)]}], True),
    ("six buttons", [{"type": 1, "components": [button(f"b{i}") for i in range(6)]}], False),
    ("six rows", [{"type": 1, "components": [button(f"b{i}")]} for i in range(6)], False),
    ("select with 25 options", [{"type": 1, "components": [select(25)]}], True),
    ("select with 26 options", [{"type": 1, "components": [select(26)]}], False),
    ("select beside a button", [{"type": 1, "components": [select(), button()]}], False),
    ("duplicate custom ids", [{"type": 1, "components": [button("x"), button("x")]}], False),
    ("custom id of 101", [{"type": 1, "components": [button("c" * 101)]}], False),
    ("label of 81", [{"type": 1, "components": [button(label="l" * 81)]}], False),
    ("link button", [{"type": 1, "components": [button(None, style=5, url="https://example.com")]}], True),
    ("link button with custom id", [{"type": 1, "components": [button("x", style=5, url="https://e.com")]}], False),
    ("max_values above options", [{"type": 1, "components": [select(2, max_values=3)]}], False),
    ("bare button outside a row", [button()], False),
]


@pytest.mark.parametrize(("case", "components", "ok"), COMPONENTS, ids=[c[0] for c in COMPONENTS])
def test_components(case: str, components: list[dict[str, Any]], ok: bool) -> None:
    assert (L.check_components(components) == []) is ok


def command(**extra: Any) -> dict[str, Any]:
    return {"name": "feeds", "description": "Manage feeds", "type": 1, **extra}


def string_option(name: str = "url", **extra: Any) -> dict[str, Any]:
    return {"type": 3, "name": name, "description": "d", **extra}


COMMANDS: list[tuple[str, dict[str, Any], bool]] = [
    ("plain", command(), True),
    ("uppercase name", command(name="Feeds"), False),
    ("name of 33", command(name="f" * 33), False),
    ("space in name", command(name="my feeds"), False),
    ("accented lowercase name", command(name="nouvelles-é"), True),
    ("description of 101", command(description="d" * 101), False),
    ("no description", command(description=""), False),
    ("25 choices", command(options=[string_option(choices=[{"name": f"c{i}", "value": f"v{i}"}
                                                            for i in range(25)])]), True),
    ("26 choices", command(options=[string_option(choices=[{"name": f"c{i}", "value": f"v{i}"}
                                                            for i in range(26)])]), False),
    ("choice name of 101", command(options=[string_option(choices=[{"name": "c" * 101, "value": "v"}])]), False),
    ("choice value of 101", command(options=[string_option(choices=[{"name": "c", "value": "v" * 101}])]), False),
    ("autocomplete with choices", command(options=[string_option(autocomplete=True,
                                                                 choices=[{"name": "c", "value": "v"}])]), False),
    ("required after optional", command(options=[string_option("a"), string_option("b", required=True)]), False),
    ("duplicate option names", command(options=[string_option("a"), string_option("a")]), False),
    ("26 options", command(options=[string_option(f"o{i}") for i in range(26)]), False),
    ("sub-command with options", command(options=[{"type": 1, "name": "add", "description": "Add",
                                                   "options": [string_option(required=True)]}]), True),
    ("group of sub-commands", command(options=[{"type": 2, "name": "g", "description": "G", "options": [
        {"type": 1, "name": "add", "description": "Add"}]}]), True),
    ("sub-command mixed with options", command(options=[{"type": 1, "name": "add", "description": "Add"},
                                                        string_option()]), False),
    ("group inside a sub-command", command(options=[{"type": 1, "name": "add", "description": "Add", "options": [
        {"type": 2, "name": "g", "description": "G"}]}]), False),
    ("over 4000 characters", command(options=[string_option(f"o{i}", description="d" * 100, choices=[
        {"name": "n" * 100, "value": f"v{j}"} for j in range(25)]) for i in range(2)]), False),
    ("user command with description", {"type": 2, "name": "Report", "description": "no"}, False),
    ("user command", {"type": 2, "name": "Report Message"}, True),
]


@pytest.mark.parametrize(("case", "body", "ok"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_command_definitions(case: str, body: dict[str, Any], ok: bool) -> None:
    assert (L.check_command(body) == []) is ok


def test_command_list_rejects_duplicates_and_reports_the_index() -> None:
    problems = L.check_command_list([command(), command(), command(name="x", description="")])
    assert (1, "name") in paths(problems)
    assert (2, "description") in paths(problems)


@pytest.mark.parametrize(("choices", "ok"), [
    ([{"name": f"c{i}", "value": f"v{i}"} for i in range(25)], True),
    ([{"name": f"c{i}", "value": f"v{i}"} for i in range(26)], False),
    ([{"name": "c" * 100, "value": "v"}], True),
    ([{"name": "c" * 101, "value": "v"}], False),
    ([{"name": "", "value": "v"}], False),
    ([{"name": "c", "value": 3}], False),
])
def test_autocomplete_choices_for_a_string_option(choices: list[dict[str, Any]], ok: bool) -> None:
    assert (L.check_autocomplete_choices({"choices": choices}, L.OPT_STRING) == []) is ok


@pytest.mark.parametrize(("interaction_type", "callback", "ok"), [
    (2, {"type": 4, "data": {"content": "hi"}}, True),
    (2, {"type": 5}, True),
    (2, {"type": 5, "data": {"flags": 64}}, True),
    (2, {"type": 5, "data": {"flags": 4}}, False),
    (2, {"type": 7, "data": {"content": "hi"}}, False),
    (2, {"type": 8, "data": {"choices": []}}, False),
    (3, {"type": 7, "data": {"content": "hi"}}, True),
    (3, {"type": 6}, True),
    (4, {"type": 8, "data": {"choices": []}}, True),
    (4, {"type": 4, "data": {"content": "hi"}}, False),
    (2, {"type": 9, "data": {"custom_id": "m", "title": "t" * 46, "components": [{}]}}, False),
])
def test_callback_types_per_interaction(interaction_type: int, callback: dict[str, Any], ok: bool) -> None:
    assert (L.check_callback(callback, interaction_type) == []) is ok


@pytest.mark.parametrize(("name", "ok"), [
    ("Ars Technica", True), ("x" * 80, True), ("x" * 81, False), ("", False), ("My Discord feed", False),
    ("clyde", False), ("CLYDE bot", False),
])
def test_webhook_names(name: str, ok: bool) -> None:
    assert (L.check_webhook_name(name) == []) is ok


@pytest.mark.parametrize(("body", "ok"), [
    ({"name": "t" * 100}, True), ({"name": "t" * 101}, False), ({"name": ""}, False), ({}, False),
    ({"name": "t", "auto_archive_duration": 1440}, True), ({"name": "t", "auto_archive_duration": 30}, False),
])
def test_thread_start(body: dict[str, Any], ok: bool) -> None:
    assert (L.check_thread_start(body) == []) is ok
