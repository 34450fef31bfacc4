"""Where the schemas and the shipped runbooks are, in a checkout and in an installed wheel."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent.parent


def _data_dir(name: str) -> Path:
    # In a wheel the folders travel as package data (see pyproject.toml); in a checkout or an
    # editable install they stand at the top of the repository.
    packaged = resources.files("draaiboek") / "_data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    return _CHECKOUT_ROOT / name


def schemas_dir() -> Path:
    return _data_dir("schemas")


def shipped_runbooks_dir() -> Path:
    return _data_dir("runbooks")


SCHEMA_FILES = {
    "draaiboek/1": "runbook.schema.json",
    "draaiboek-contacts/1": "contacts.schema.json",
    "draaiboek-test/1": "test.schema.json",
    "draaiboek-scenario/1": "scenario.schema.json",
}


@cache
def schema(format_name: str) -> dict[str, Any]:
    """The JSON Schema for a file's `format:` value (KeyError for an unknown format)."""
    path = schemas_dir() / SCHEMA_FILES[format_name]
    with path.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded
