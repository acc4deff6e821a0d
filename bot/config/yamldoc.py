"""YAML text → plain data, remembering where every key was written, with ``${ENV}`` filled in.

``yaml.safe_load`` forgets positions, so the text is composed into PyYAML's node graph and walked
here: each key path gets the line and column of its key, which is what an error message points at.
The walk also does what only the raw text can tell:

- ``${VAR}`` and ``${VAR:-default}`` in string values are replaced from the environment (``$${`` is
  a literal ``${``); a missing variable without a default is a problem — except for
  ``discord.token``, where it simply means "run without Discord";
- a secret written literally (a ``discord.token`` that is not ``${…}``, or anything shaped like a
  Discord bot token) is refused, without repeating it;
- a key written twice in one mapping is a problem (PyYAML would silently keep the last one).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.config.problems import Path, Problem

#: Where the bot token lives; a missing ${VAR} there is allowed and means "no Discord".
TOKEN_PATH: Path = ("discord", "token")

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}")
#: A Discord bot token: base64 user id . timestamp . HMAC (the last part 27–38 characters).
_TOKEN_SHAPE = re.compile(r"(?<![\w.-])[MNO][\w-]{23,27}\.[\w-]{6,7}\.[\w-]{27,40}(?![\w.-])")


@dataclass
class Document:
    """One YAML file's data and where each key path was written."""

    #: The file name shown in messages.
    file: str
    #: The plain data (dicts, lists, scalars); None for an empty file.
    data: Any
    #: Key path → (line, column), 1-based: the key's own position for mapping entries, the item's
    #: position for list items.
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path) -> tuple[int, int]:
        """Where ``path`` was written, or its nearest written parent (a missing key's mapping)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.marks:
                return self.marks[path[:end]]
        return (1, 1)

    def problem(self, path: Path, message: str) -> Problem:
        """A problem placed at ``path`` in this file."""
        line, column = self.locate(path)
        return Problem(self.file, line, column, path, message)


def looks_like_token(text: str) -> bool:
    """Whether ``text`` contains something shaped like a Discord bot token."""
    return _TOKEN_SHAPE.search(text) is not None


def parse(text: str, file: str, env: Mapping[str, str]) -> tuple[Document, list[Problem]]:
    """Parse one YAML file; problems are collected, never raised."""
    document = Document(file, None)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return document, [_syntax_problem(file, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks its errors
        return document, [Problem(file, None, None, (), f"YAML error: {exc}")]
    if root is None:
        return document, []
    walker = _Walker(document, env)
    document.data = walker.value(root, ())
    return document, walker.problems


def _syntax_problem(file: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or "invalid YAML"
    hint = ""
    if "'\\t'" in what or "tab" in what:
        hint = " — YAML indents with spaces, not tabs"
    elif "another document" in what:
        what, hint = "a second document starts here ('---')", " — newsbot reads one document per file"
    elif exc.context:
        hint = f" ({exc.context}"
        if exc.context_mark is not None and exc.context_mark is not mark:
            hint += f" at line {exc.context_mark.line + 1}"
        hint += ")"
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return Problem(file, line, column, (), f"YAML syntax error: {what}{hint}")


class _Walker:
    """Builds plain data from a node graph, recording marks and problems on the way."""

    def __init__(self, document: Document, env: Mapping[str, str]) -> None:
        self.document = document
        self.env = env
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()
        self._active: set[int] = set()

    def _note(self, path: Path, message: str) -> None:
        self.problems.append(self.document.problem(path, message))

    def value(self, node: Node, path: Path) -> Any:
        if id(node) in self._active:
            self._note(path, "an alias refers to itself; newsbot cannot read recursive YAML")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return self._sequence(node, path)
            return self._scalar(node, path)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                continue
            key = key_node.value
            if key in seen:
                self.problems.append(
                    Problem(
                        self.document.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        (*path, key),
                        f"key {key!r} is written twice in this mapping (first at line {seen[key]}) — keep one",
                    )
                )
            else:
                seen[key] = key_node.start_mark.line + 1
        try:
            self._constructor.flatten_mapping(node)  # resolve '<<: *anchor' merge keys
        except ConstructorError as exc:
            self._note(path, f"bad merge key: {exc.problem}")
        pairs: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                mark = key_node.start_mark
                self.problems.append(
                    Problem(self.document.file, mark.line + 1, mark.column + 1, path, "a key must be plain text")
                )
                continue
            # The text as written: 'on', 'yes', '1' stay keys rather than becoming bools or ints.
            # The last one wins, as in PyYAML: a key of its own overrides one merged in with '<<'.
            pairs.pop(str(key_node.value), None)
            pairs[str(key_node.value)] = (key_node, value_node)
        result: dict[str, Any] = {}
        for key, (key_node, value_node) in pairs.items():
            child = (*path, key)
            self.document.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.value(value_node, child)
        return result

    def _sequence(self, node: SequenceNode, path: Path) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.document.marks.setdefault(child, (item.start_mark.line + 1, item.start_mark.column + 1))
            items.append(self.value(item, child))
        return items

    def _scalar(self, node: Node, path: Path) -> Any:
        if node.tag != _STR_TAG:
            try:
                return self._constructor.construct_object(node, deep=True)
            except ConstructorError as exc:
                self._note(path, f"cannot read this value: {exc.problem}")
                return None
        raw = str(node.value)
        if path == TOKEN_PATH:
            if raw.strip() and "${" not in raw:
                self._note(
                    path,
                    "a token written in the file is refused — write token: ${DISCORD_TOKEN} and set "
                    "DISCORD_TOKEN in the environment (if this file was shared, reset the token in the "
                    "Discord developer portal)",
                )
                return None
        elif looks_like_token(raw):
            self._note(
                path,
                "this looks like a Discord bot token — secrets never go in this file: use ${VARIABLE} "
                "and set it in the environment",
            )
            return None
        return self._interpolate(raw, path)

    def _interpolate(self, raw: str, path: Path) -> str | None:
        missing: list[str] = []

        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            name, has_default, default = match.group(1), match.group(2), match.group(3)
            value = self.env.get(name)
            if value is None or (has_default and value == ""):
                if has_default:
                    return default or ""
                missing.append(name)
                return ""
            return value

        result = _VARIABLE.sub(replace, raw)
        unclosed = "${" in _VARIABLE.sub("", raw)
        if unclosed:
            self._note(path, "malformed ${…}: write ${NAME} or ${NAME:-default} (and $${ for a literal ${)")
        if missing:
            if path == TOKEN_PATH:
                return None  # no token: run without Discord
            names = ", ".join(missing)
            self._note(
                path, f"environment variable {names} is not set — set it, or give a default: ${{{missing[0]}:-value}}"
            )
            return None
        return result
