"""Runbooks and contacts as the overview reads them: runbook copies from the store (by sha256,
parsed once per process) and the contacts registry from the runbooks folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from draaiboek.load.build import build_contacts, build_runbook
from draaiboek.load.documents import Document, collect_files, read_document
from draaiboek.load.schemacheck import schema_findings
from draaiboek.load.yamlread import YamlProblem, decode, read_yaml
from draaiboek.model.runbook import CONTACTS_FORMAT, RUNBOOK_FORMAT, Contact, Runbook

_CACHE: dict[str, Runbook | None] = {}


def runbook_from_copy(sha256: str, content: bytes) -> Runbook | None:
    """The runbook in a stored copy, or None when the copy is not a valid runbook (or not the
    bytes its sha256 names). Cached by sha256: a copy never changes."""
    if sha256 in _CACHE:
        return _CACHE[sha256]
    runbook = None
    if hashlib.sha256(content).hexdigest() == sha256:
        try:
            data, positions = read_yaml(decode(content))
        except YamlProblem:
            data = None
        if isinstance(data, dict) and data.get("format") == RUNBOOK_FORMAT:
            name = f"{sha256}.yaml"
            if not schema_findings(RUNBOOK_FORMAT, data, positions, name):
                document = Document(name, RUNBOOK_FORMAT, data, positions, content, sha256, True)
                runbook = build_runbook(document)
    _CACHE[sha256] = runbook
    return runbook


def cached(sha256: str) -> Runbook | None:
    """The runbook of a copy parsed before in this process (None: not parsed, or not valid)."""
    return _CACHE.get(sha256)


def uncached(shas: list[str]) -> list[str]:
    """The copies not parsed yet in this process: the only ones worth fetching."""
    return [sha for sha in shas if sha not in _CACHE]


def contacts_in(folder: Path) -> dict[str, Contact]:
    """Every contact of the valid contacts registries in `folder` (searched recursively)."""
    contacts: dict[str, Contact] = {}
    for path in collect_files([folder]):
        document, _ = read_document(path)
        if document is not None and document.format == CONTACTS_FORMAT and document.schema_valid:
            contacts.update(build_contacts(document))
    return contacts
