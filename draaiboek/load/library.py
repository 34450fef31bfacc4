"""Load a set of draaiboek files into runbooks, contacts and findings (the `validate` service).

Files outside the set (the runbooks folder) are read only to resolve references: a runbook that
calls `nl-alert-verstoring` validates on its own when that runbook sits in the runbooks folder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from draaiboek.load.build import build_contacts, build_runbook
from draaiboek.load.checks import (
    CheckContext,
    check_references,
    check_runbook_alone,
    check_test_file,
    reference_paths,
)
from draaiboek.load.documents import Document, collect_files, read_document
from draaiboek.load.kinds import looks_like_draaiboek
from draaiboek.load.schemacheck import json_path
from draaiboek.load.yamlread import MAX_BYTES, Positions
from draaiboek.model.calls import calls
from draaiboek.model.runbook import (
    CONTACTS_FORMAT,
    RUNBOOK_FORMAT,
    SCENARIO_FORMAT,
    TEST_FORMAT,
    Contact,
    Finding,
    Runbook,
    Severity,
    frozen_map,
)


@dataclass(frozen=True)
class Library:
    runbooks: Mapping[str, Runbook]
    contacts: Mapping[str, Contact]
    # The files of the set other than runbooks (contacts, tests, scenarios), whole. A runbook
    # file is checked as it is read and only its model is kept (`runbooks`): a folder of large
    # runbooks would otherwise hold every value's text and position until the end.
    documents: tuple[Document, ...]
    findings: tuple[Finding, ...]
    files: tuple[str, ...]  # every file in the set, readable or not (except `skipped`)
    context_runbooks: Mapping[str, Runbook] = field(default_factory=lambda: frozen_map({}))
    # YAML files of the set that are no draaiboek files, passed over (`only_draaiboek`).
    skipped: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    def all_runbooks(self) -> dict[str, Runbook]:
        """Runbooks of the set, and those of the context that the set does not override."""
        return {**self.context_runbooks, **self.runbooks}

    def documents_of(self, format_name: str) -> list[Document]:
        """The set's documents of a format other than runbooks (see `documents`)."""
        return [d for d in self.documents if d.format == format_name]


@dataclass(frozen=True)
class _Pending:
    """A runbook of the set checked on its own, waiting for the checks against other files."""

    runbook: Runbook
    file: str
    positions: Positions  # only those the references checks can point at


Read = tuple[Document | None, list[Finding]]


def load_library(
    paths: Sequence[Path],
    *,
    today: date,
    context: Sequence[Path] = (),
    strict: bool = False,
    display: Mapping[Path, str] | None = None,
    already_read: Mapping[Path, Read] | None = None,
    already_built: Mapping[Path, Runbook] | None = None,
    only_draaiboek: bool = False,
) -> Library:
    """Read, check and build every file of `paths` (folders searched), resolving references to
    runbooks and contacts in the set or in `context`. `already_read` gives files that were read
    before (with `read_document`, same display name), so that they are not parsed again, and
    `already_built` the runbooks built from some of them. `display` names files as the user
    should read them (default: the path as found). With `only_draaiboek`, a YAML file that is
    not read as a draaiboek file and does not look like one (`load.kinds`) is passed over
    (`Library.skipped`) instead of being reported.

    A contacts registry that cannot be read makes one finding, its own, and no `unknown-contact`
    finding for each reference into it."""
    files = collect_files(list(paths))
    in_set = {path.resolve() for path in files}
    skipped: list[Path] = []
    broken_contacts: list[Finding] = []  # the first problem of each unreadable registry
    context_broken: list[Finding] = []  # the same, of registries outside the set
    findings: list[Finding] = []
    kept: list[Document] = []
    runbooks: dict[str, Runbook] = {}
    runbook_files: dict[str, str] = {}
    pending: list[_Pending] = []
    contacts: dict[str, Contact] = {}
    contact_files: dict[str, str] = {}
    for path in files:
        earlier = (already_read or {}).get(path)
        document, problems = earlier or read_document(path, (display or {}).get(path))
        if document is None and only_draaiboek and _other_yaml(path, problems):
            skipped.append(path)
            continue
        findings.extend(problems)
        if _is_broken_registry(path, document):
            broken_contacts.extend(problems[:1])
        if document is None:
            continue
        if document.format != RUNBOOK_FORMAT:
            kept.append(document)
            _add_contacts(document, contacts, contact_files, findings)
            continue
        if not document.schema_valid:
            continue
        runbook = (already_built or {}).get(path) or build_runbook(document)
        if runbook.id in runbooks:
            line, column = document.positions.of_value(("id",))
            findings.append(
                Finding(
                    document.file,
                    line,
                    column,
                    json_path(("id",)),
                    "duplicate-id",
                    f"runbook id {runbook.id!r} is also used by {runbook_files[runbook.id]}: "
                    "ids must be unique",
                )
            )
            continue
        runbooks[runbook.id] = runbook
        runbook_files[runbook.id] = document.file
        findings.extend(check_runbook_alone(document, runbook, today=today, strict=strict))
        positions = document.positions.subset(reference_paths(runbook))
        pending.append(_Pending(runbook, document.file, positions))
        # Nothing else of the document is kept: its data and positions go here.

    context_runbooks: dict[str, Runbook] = {}
    context_contacts: dict[str, Contact] = {}
    for path in collect_files(list(context)):
        if path.resolve() in in_set:
            continue
        document, problems = read_document(path, (display or {}).get(path))
        if _is_broken_registry(path, document):
            # Not in the set, so not reported yet: its one finding stands for every reference
            # into it (added below if there is one).
            context_broken.extend(problems[:1])
        if document is None or not document.schema_valid:
            continue
        if document.format == RUNBOOK_FORMAT:
            runbook = build_runbook(document)
            context_runbooks.setdefault(runbook.id, runbook)
        else:
            _add_contacts(document, context_contacts, {}, None)
    for extra_id, extra in context_contacts.items():
        contacts.setdefault(extra_id, extra)

    every = {**context_runbooks, **runbooks}
    check_context = CheckContext(
        runbook_ids=frozenset(every),
        contact_ids=frozenset(contacts),
        calls={runbook_id: frozenset(calls(runbook)) for runbook_id, runbook in every.items()},
        today=today,
        strict=strict,
    )
    unchecked_contacts = False
    for waiting in pending:
        found = check_references(waiting.file, waiting.positions, waiting.runbook, check_context)
        if broken_contacts or context_broken:
            checked = [f for f in found if f.code != "unknown-contact"]
            unchecked_contacts |= len(checked) != len(found)
            found = checked
        findings.extend(found)
    if unchecked_contacts:
        findings.extend(context_broken)
    for document in kept:
        if document.format == TEST_FORMAT and document.schema_valid:
            findings.extend(check_test_file(document, every))
        elif document.format == SCENARIO_FORMAT and document.schema_valid:
            from draaiboek.load.scenario import check_scenario

            findings.extend(check_scenario(document, every))
    return Library(
        runbooks=frozen_map(runbooks),
        contacts=frozen_map(contacts),
        documents=tuple(kept),
        findings=tuple(sorted(findings)),
        files=tuple((display or {}).get(path, str(path)) for path in files if path not in skipped),
        context_runbooks=frozen_map(
            {k: v for k, v in context_runbooks.items() if k not in runbooks}
        ),
        skipped=tuple((display or {}).get(path, str(path)) for path in skipped),
    )


# What read_document says of a file it could not identify as a draaiboek file (bad YAML, no or
# an unknown `format:`, not a mapping): with only_draaiboek, such a file is passed over unless
# its text looks like a draaiboek file. A file that cannot be opened is always reported.
_UNIDENTIFIED = frozenset(
    {
        "unknown-format",
        "not-a-mapping",
        "empty",
        "yaml-syntax",
        "yaml-tag",
        "yaml-key",
        "yaml-alias",
        "duplicate-key",
        "several-documents",
        "too-deep",
        "too-many-nodes",
        "too-large",
        "binary",
        "not-utf8",
    }
)


def _other_yaml(path: Path, problems: Sequence[Finding]) -> bool:
    """Whether a file that read_document could not take is some other tool's YAML."""
    if not problems or any(f.code not in _UNIDENTIFIED for f in problems):
        return False
    raw = _head(path)
    return raw is not None and not looks_like_draaiboek(raw)


def _is_broken_registry(path: Path, document: Document | None) -> bool:
    """A contacts registry whose contacts cannot be used: schema errors, or a file named
    contacts*.yaml (the convention) or saying so that could not be read at all."""
    if document is not None:
        return document.format == CONTACTS_FORMAT and not document.schema_valid
    if path.name.startswith("contacts"):
        return True
    head = _head(path)
    return head is not None and b"draaiboek-contacts/" in head


def _head(path: Path) -> bytes | None:
    """The first MAX_BYTES of a file, or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES)
    except OSError:
        return None


def _add_contacts(
    document: Document,
    contacts: dict[str, Contact],
    origin: dict[str, str],
    findings: list[Finding] | None,
) -> None:
    """The contacts of a valid registry, each id once (the first wins; a later one is a finding
    when `findings` is given)."""
    if document.format != CONTACTS_FORMAT or not document.schema_valid:
        return
    for contact_id, contact in build_contacts(document).items():
        if contact_id not in contacts:
            contacts[contact_id] = contact
            origin[contact_id] = document.file
        elif findings is not None:
            line, column = document.positions.of_key(("contacts", contact_id))
            findings.append(
                Finding(
                    document.file,
                    line,
                    column,
                    json_path(("contacts", contact_id)),
                    "duplicate-contact",
                    f"contact {contact_id!r} is also defined in {origin[contact_id]}",
                )
            )


def load_for_walk(folder: Path, runbook_id: str, *, today: date) -> Library:
    """The runbook to walk, the runbooks it calls, and the contacts: only those files.

    The first question should be on screen fast, so the folder is not validated as a whole:
    runbooks are looked up by the convention `<id>.yaml` and contacts as `contacts*.yaml`.
    When the convention does not hold, the whole folder is loaded instead.
    """
    chosen: dict[str, Path] = {}
    read: dict[Path, Read] = {}  # each file is parsed once, for its calls and then its checks
    built: dict[Path, Runbook] = {}  # and built once
    wanted = [runbook_id]
    while wanted:
        current = wanted.pop()
        path = next(
            (p for p in (folder / f"{current}.yaml", folder / f"{current}.yml") if p.is_file()),
            None,
        )
        called = _calls_in(path, current, read, built) if path is not None else None
        if path is None or called is None:
            return load_library([folder], today=today, already_read=read, already_built=built)
        chosen[current] = path
        wanted.extend(c for c in called if c not in chosen and c not in wanted)
    contacts = sorted(folder.glob("contacts*.y*ml"))
    library = load_library(
        [*chosen.values(), *contacts], today=today, already_read=read, already_built=built
    )
    if any(f.code in ("unknown-runbook", "unknown-contact") for f in library.errors):
        return load_library([folder], today=today, already_read=read, already_built=built)
    return library


def _calls_in(
    path: Path, runbook_id: str, read: dict[Path, Read], built: dict[Path, Runbook]
) -> tuple[str, ...] | None:
    """The ids of the runbooks that the runbook in `path` calls; None when the file does not
    hold that runbook, valid (the caller then loads the whole folder). What was read and built
    is kept in `read` and `built` for load_library."""
    document, problems = read_document(path)
    read[path] = (document, problems)
    if document is None or document.format != RUNBOOK_FORMAT or not document.schema_valid:
        return None
    runbook = build_runbook(document)
    if runbook.id != runbook_id:
        return None
    built[path] = runbook
    return calls(runbook)


class FolderContacts(Mapping[str, Contact]):
    """The contacts registry of a runbooks folder, read when first looked at: resuming or
    looking at an incident does not wait for the whole folder to be read and checked."""

    def __init__(self, folder: Path, today: date) -> None:
        self.folder, self.today = folder, today
        self._contacts: Mapping[str, Contact] | None = None

    @property
    def _loaded(self) -> Mapping[str, Contact]:
        if self._contacts is None:
            self._contacts = load_library([self.folder], today=self.today).contacts
        return self._contacts

    def __getitem__(self, key: str) -> Contact:
        return self._loaded[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded)

    def __len__(self) -> int:
        return len(self._loaded)
