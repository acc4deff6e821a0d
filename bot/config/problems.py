"""Config problems as admins read them: ``file:line:column: key.path: what is wrong — what would do``.

Pydantic reports errors by ``loc`` (a key path); the YAML document (bot.config.yamldoc) knows where
each key path was written.  This module joins the two and words pydantic's error types for people
who edit YAML, not Python.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from bot.config.schema import RELATIONS_ERROR

Path = tuple[str | int, ...]

#: Keys whose values are never repeated in a message (they may be secrets).
_SECRET_KEYS = frozenset({"token", "headers", "password"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding in one file, with the place it was written (line and column are 1-based)."""

    file: str
    line: int | None
    column: int | None
    path: Path
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        key = dotted(self.path)
        return f"{where}: {key}: {self.message}" if key else f"{where}: {self.message}"


def dotted(path: Sequence[str | int]) -> str:
    """``('feeds', 1, 'interval')`` → ``feeds[1].interval``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The choice an admin most likely meant by ``word``, if any is close."""
    choices = list(choices)
    lowered = {choice.lower(): choice for choice in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _shown(value: Any, path: Sequence[str | int]) -> str:
    """A bad value as a message shows it: short, and only its kind where it may be a secret."""
    secret = any(part in _SECRET_KEYS for part in path if isinstance(part, str))
    if secret and isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    if secret and isinstance(value, str):
        return "some text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def explain(error: ErrorDetails, path: Path, root: type[BaseModel]) -> list[tuple[Path, str]]:
    """Turn one pydantic error at data ``path`` into (path, message) findings (relations give several)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == RELATIONS_ERROR:
        return [((*path, key), message) for key, message in ctx["problems"]]
    if kind == "extra_forbidden":
        key = str(path[-1])
        valid = valid_keys(root, path[:-1])
        close = suggest(key, valid) if valid else None
        if close:
            return [(path, f"unknown key {key!r} — did you mean {close!r}?")]
        listing = f" — valid keys: {', '.join(valid)}" if valid else ""
        return [(path, f"unknown key {key!r}{listing}")]
    if kind == "missing":
        return [(path, f"required key {path[-1]!r} is missing")]
    if kind in {"value_error", "assertion_error"} and "error" in ctx:
        return [(path, str(ctx["error"]))]
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        close = suggest(str(given), expected) if isinstance(given, str) else None
        hint = f" — did you mean {close!r}?" if close else ""
        return [(path, f"{_shown(given, path)} is not allowed — expected {ctx.get('expected')}{hint}")]
    return [(path, _plain(kind, ctx, given, path, error["msg"]))]


def _plain(kind: str, ctx: dict[str, Any], given: Any, path: Path, fallback: str) -> str:
    shown = _shown(given, path)
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"expected a whole number, got {shown}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"expected true or false, got {shown}"
    if kind == "string_type":
        if isinstance(given, bool):
            return (
                "expected text, got a true/false value — YAML reads unquoted yes, no, on, off as booleans: "
                "put it in quotes"
            )
        quote = " — put it in quotes" if isinstance(given, int | float) else ""
        return f"expected text, got {shown}{quote}"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"expected a mapping of keys (key: value), got {shown}"
    if kind in {"tuple_type", "list_type"}:
        return f"expected a list (items starting with '- '), got {shown}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}, got {shown}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}, got {shown}"
    if kind == "greater_than":
        return f"must be more than {ctx['gt']}, got {shown}"
    if kind == "too_short":
        return f"needs at least {ctx['min_length']} item(s)"
    if kind == "string_too_long":
        return f"is too long: at most {ctx['max_length']} characters"
    return fallback


def data_path(loc: Sequence[str | int], data: Any) -> Path:
    """Pydantic's ``loc`` as a path into the YAML data, without pydantic's own union/validator labels."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        found, child = _child(node, part)
        if not found and index < len(loc) - 1:
            continue  # a label such as 'function-after[...]' or a union member's name
        node = child
        path.append(part)
    return tuple(path)


def _child(node: Any, part: str | int) -> tuple[bool, Any]:
    """Whether ``node`` has ``part`` (a key, or an index of a list), and the value there."""
    if isinstance(node, dict):
        return (part in node, node.get(part))
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return (True, node[part])
    return (False, None)


def valid_keys(root: type[BaseModel], path: Path) -> list[str]:
    """The keys the model at ``path`` accepts (for "did you mean")."""
    model: type[BaseModel] | None = root
    for part in path:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field is not None else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``tuple[FeedSpec, ...]`` or ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
