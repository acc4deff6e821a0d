"""config/newsbot.schema.json: the JSON Schema editors use to complete and check newsbot.yaml.

Generated from the pydantic models, never written by hand; a test fails when the shipped file
differs from what the code generates.  Regenerate with
``python -c "from bot.config import write_json_schema; write_json_schema()"`` from the repository root.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.config.schema import ConfigFile

#: Where the shipped schema lives, relative to the repository root.
SCHEMA_PATH = Path("config/newsbot.schema.json")


def json_schema() -> dict[str, Any]:
    """The config file's JSON Schema (draft 2020-12, as pydantic generates it)."""
    schema = ConfigFile.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def render_json_schema() -> str:
    """The schema file's exact text (stable key order, trailing newline)."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_json_schema(path: Path = SCHEMA_PATH) -> None:
    """Write the schema to ``path``."""
    Path(path).write_text(render_json_schema(), encoding="utf-8")
