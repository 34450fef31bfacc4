"""Where the schemas and the shipped runbooks are: package data of the installed draaiboek."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


class MissingPackageData(FileNotFoundError):
    """The installed package lacks its schemas or runbooks: a broken build, not a user error."""


def _data_dir(name: str) -> Path:
    # A wheel carries the top-level folders `schemas` and `runbooks` as package data under
    # draaiboek/_data (the force-include block in pyproject.toml).
    packaged = resources.files("draaiboek") / "_data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    # Only an editable install (a developer's checkout) runs from the source tree, where the
    # folders stand at the top of the repository. A wheel without them must fail loudly rather
    # than find a checkout by accident: CI installs the wheel outside the checkout to prove it.
    checkout = _editable_checkout()
    if checkout is not None and (checkout / name).is_dir():
        return checkout / name
    raise MissingPackageData(
        f"draaiboek's package data is missing ({packaged}): this installation is broken; "
        "reinstall draaiboek"
    )


@cache
def _editable_checkout() -> Path | None:
    """The source tree of an editable install (pip install -e), from the distribution's
    direct_url.json (PEP 610); None for a normal install or when there is no metadata."""
    from importlib import metadata  # ~20 ms: only when the wheel's data is not there

    try:
        direct_url = metadata.distribution("draaiboek").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    try:
        recorded = json.loads(direct_url or "{}")
    except ValueError:
        return None
    if not (isinstance(recorded, dict) and recorded.get("dir_info", {}).get("editable")):
        return None
    # This very file is in the checkout then: draaiboek/load/resources.py.
    return Path(__file__).resolve().parent.parent.parent


def schemas_dir() -> Path:
    """The folder of the JSON Schemas (MissingPackageData when the install lacks it)."""
    return _data_dir("schemas")


def shipped_runbooks_dir() -> Path:
    """The folder of the runbooks shipped with draaiboek (MissingPackageData when missing)."""
    return _data_dir("runbooks")


def is_shipped(path: str | Path) -> bool:
    """Whether `path` (a file or folder) is one of the shipped example runbooks or their folder:
    what is walked from there is an example, never real work."""
    shipped = shipped_runbooks_dir().resolve()
    resolved = Path(path).resolve()
    return resolved == shipped or shipped in resolved.parents


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
