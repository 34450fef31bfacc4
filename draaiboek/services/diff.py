"""What changed between two versions of one runbook, and whether its version was raised enough.

The rule (semver for procedures): anything that can break a journal, a test or an answers file
that names the old structure calls for a MAJOR raise (a step, option or checklist item removed,
an edge retargeted, the start or a step's type changed, a sub-runbook or an outcome swapped);
something new to walk, or a changed duty (role, deadline, contacts, critical flag, the order of
options) calls for a MINOR raise; wording and metadata only call for a PATCH raise.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from draaiboek.load.build import build_runbook
from draaiboek.load.documents import read_document
from draaiboek.model.durations import format_duration
from draaiboek.model.runbook import RUNBOOK_FORMAT, Runbook, Step, Text
from draaiboek.model.semver import parse_version
from draaiboek.services.worddiff import word_change

BUMPS = ("none", "patch", "minor", "major")
FORMATS = ("text", "json")
KIND_BUMP = {
    "step-removed": "major",
    "type-changed": "major",
    "start-changed": "major",
    "option-removed": "major",
    "item-removed": "major",
    "next-changed": "major",
    "runbook-changed": "major",
    "outcome-changed": "major",
    "step-added": "minor",
    "option-added": "minor",
    "item-added": "minor",
    "order-changed": "minor",
    "field-changed": "minor",
    "text-changed": "patch",
    "metadata-changed": "patch",
}
_STEP_TEXTS = ("title", "text", "note")
_STEP_FIELDS = ("role", "sources", "contacts", "due", "repeat", "until", "critical", "value")
_ITEM_FIELDS = ("role", "due", "critical", "contacts")
_SHOW_MAX = 60


class DiffError(Exception):
    """Cannot compare; the message is one line for the user. `usage` marks a missing path."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Change:
    kind: str
    step: str | None  # None for a change to the runbook's own metadata
    field: str | None
    detail: str

    @property
    def bump(self) -> str:
        return KIND_BUMP[self.kind]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "step": self.step, "field": self.field, "detail": self.detail}


@dataclass(frozen=True)
class DiffResult:
    runbook: str
    old_version: str
    new_version: str
    changes: tuple[Change, ...]
    required_bump: str  # none | patch | minor | major
    actual_bump: str  # none | patch | minor | major | lower
    ok: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "required_bump": self.required_bump,
            "actual_bump": self.actual_bump,
            "ok": self.ok,
            "changes": [change.as_dict() for change in self.changes],
        }


# --- reading -----------------------------------------------------------------------------------


def read_version(spec: str) -> Runbook:
    """A runbook from a file, or from `REV:PATH` through `git show` (local objects only)."""
    path = Path(spec)
    if path.is_file():
        return _parse(path, spec)
    rev, sep, inner = spec.partition(":")
    if not sep or not inner or len(rev) < 2:  # `C:` is a Windows drive, not a revision
        raise DiffError(f"{spec} does not exist: give a runbook file or REV:PATH", usage=True)
    if rev.startswith("-"):  # would be read by git as an option (e.g. --output)
        raise DiffError(f"{spec}: a revision cannot start with '-'", usage=True)
    # A partial clone would otherwise fetch a missing object from its remote.
    env = {**os.environ, "GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0"}
    try:
        shown = subprocess.run(
            ["git", "show", spec], capture_output=True, env=env, check=False, timeout=60
        )
    except FileNotFoundError:
        raise DiffError(f"{spec}: git is not installed, so REV:PATH cannot be read") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiffError(f"{spec}: git show failed: {exc}") from None
    if shown.returncode != 0:
        lines = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(f"{spec}: git show failed: {lines[0] if lines else shown.returncode}")
    with tempfile.TemporaryDirectory(prefix="draaiboek-diff-") as folder:
        copy = Path(folder) / "runbook.yaml"
        copy.write_bytes(shown.stdout)
        return _parse(copy, spec)


def _parse(path: Path, shown: str) -> Runbook:
    document, findings = read_document(path, shown)
    if findings:
        first = findings[0]
        raise DiffError(f"{first.file}:{first.line}:{first.column}: {first.message}")
    if document is None:
        raise DiffError(f"{shown}: cannot be read as a runbook")
    if document.format != RUNBOOK_FORMAT:
        raise DiffError(f"{shown} is not a runbook (format: {document.format})")
    return build_runbook(document)


# --- comparing ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Comparable, printable values: texts as maps, durations in ISO 8601, maps as dicts."""
    if isinstance(value, Text):
        return dict(value.by_lang)
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def _show(value: Any, lang: str) -> str:
    plain = _plain(value)
    if isinstance(plain, dict) and isinstance(value, Text):
        plain = value.get(lang)
    if plain is None or plain == [] or plain == {}:
        return "—"
    text = ", ".join(map(str, plain)) if isinstance(plain, list) else str(plain)
    text = " ".join(text.split())
    return repr(text if len(text) <= _SHOW_MAX else text[: _SHOW_MAX - 1] + "…")


def _was(old: Any, new: Any, lang: str) -> str:
    """`'old' -> 'new'`; for a long text, the changed words (`services.worddiff`) in each
    language that changed, the default language first."""
    if isinstance(old, Text) and isinstance(new, Text):
        before_by, after_by = dict(old.by_lang), dict(new.by_lang)
        languages = sorted(set(before_by) | set(after_by), key=lambda code: (code != lang, code))
        changed = [
            (code, before_by.get(code, ""), after_by.get(code, ""))
            for code in languages
            if before_by.get(code, "") != after_by.get(code, "")
        ]
        if any(max(len(before), len(after)) > _SHOW_MAX for _, before, after in changed):
            shown = [(code, word_change(before, after)) for code, before, after in changed]
            named = len(languages) > 1
            words = [f"{code}: {change}" if named else change for code, change in shown if change]
            return "; ".join(words) if words else "only whitespace changed"
    return f"{_show(old, lang)} -> {_show(new, lang)}"


def _keyed(
    kind: str, step: str, old: Iterable[Any], new: Iterable[Any], lang: str
) -> tuple[list[Change], list[tuple[Any, Any]]]:
    """Options or items matched by id: added, removed, reordered, and the pairs to compare."""
    before = {entry.id: entry for entry in old}
    after = {entry.id: entry for entry in new}
    changes = [
        Change(f"{kind}-removed", step, f"{kind}s.{key}", _show(entry.label, lang))
        for key, entry in before.items()
        if key not in after
    ]
    changes += [
        Change(f"{kind}-added", step, f"{kind}s.{key}", _show(entry.label, lang))
        for key, entry in after.items()
        if key not in before
    ]
    kept_before = [key for key in before if key in after]
    kept_after = [key for key in after if key in before]
    if kept_before != kept_after:
        changes.append(
            Change(
                "order-changed",
                step,
                f"{kind}s",
                f"{', '.join(kept_before)} -> {', '.join(kept_after)}",
            )
        )
    return changes, [(before[key], after[key]) for key in kept_before]


def _compare_step(old: Step, new: Step, lang: str) -> list[Change]:
    sid = old.id
    if old.type != new.type:
        return [Change("type-changed", sid, "type", f"{old.type} -> {new.type}")]
    changes = [
        Change("text-changed", sid, name, _was(getattr(old, name), getattr(new, name), lang))
        for name in _STEP_TEXTS
        if _plain(getattr(old, name)) != _plain(getattr(new, name))
    ]
    for name in _STEP_FIELDS:
        attribute = "value_schema" if name == "value" else name
        before, after = getattr(old, attribute), getattr(new, attribute)
        if _plain(before) != _plain(after):
            changes.append(Change("field-changed", sid, name, _was(before, after, lang)))
    for name, kind in (
        ("next", "next-changed"),
        ("runbook", "runbook-changed"),
        ("outcome", "outcome-changed"),
    ):
        if getattr(old, name) != getattr(new, name):
            changes.append(Change(kind, sid, name, f"{getattr(old, name)} -> {getattr(new, name)}"))
    found, pairs = _keyed("option", sid, old.options, new.options, lang)
    changes += found
    for before, after in pairs:
        where = f"options.{before.id}"
        changes += [
            Change(
                "text-changed",
                sid,
                f"{where}.{name}",
                _was(getattr(before, name), getattr(after, name), lang),
            )
            for name in ("label", "text")
            if _plain(getattr(before, name)) != _plain(getattr(after, name))
        ]
        if before.next != after.next:
            changes.append(
                Change("next-changed", sid, f"{where}.next", f"{before.next} -> {after.next}")
            )
    found, pairs = _keyed("item", sid, old.items, new.items, lang)
    changes += found
    for before, after in pairs:
        where = f"items.{before.id}"
        for name in ("label", "text", *_ITEM_FIELDS):
            if _plain(getattr(before, name)) != _plain(getattr(after, name)):
                kind = "text-changed" if name in ("label", "text") else "field-changed"
                changes.append(
                    Change(
                        kind,
                        sid,
                        f"{where}.{name}",
                        _was(getattr(before, name), getattr(after, name), lang),
                    )
                )
    return changes


_METADATA = (
    "status",
    "title",
    "description",
    "languages",
    "owner",
    "review_before",
    "approval",
    "roles",
    "sources",
)


def changes_between(old: Runbook, new: Runbook) -> list[Change]:
    lang = old.default_lang
    changes = [
        Change("metadata-changed", None, name, _was(getattr(old, name), getattr(new, name), lang))
        for name in _METADATA
        if _plain(getattr(old, name)) != _plain(getattr(new, name))
    ]
    if old.start != new.start:
        changes.append(Change("start-changed", None, "start", f"{old.start} -> {new.start}"))
    for step_id, step in old.steps.items():
        if step_id not in new.steps:
            changes.append(Change("step-removed", step_id, None, _show(step.title, lang)))
    for step_id, step in new.steps.items():
        if step_id not in old.steps:
            changes.append(Change("step-added", step_id, None, _show(step.title, lang)))
        else:
            changes += _compare_step(old.steps[step_id], step, lang)
    return changes


# --- versions ----------------------------------------------------------------------------------


def actual_bump(old: str, new: str) -> str:
    """none | patch | minor | major | lower. A pre-release step (rc1 -> rc2) counts as a patch."""
    *before, pre_before = parse_version(old)
    *after, pre_after = parse_version(new)
    for level, name in ((0, "major"), (1, "minor"), (2, "patch")):
        if after[level] != before[level]:
            return name if after[level] > before[level] else "lower"
    if pre_before == pre_after:
        return "none"
    if not pre_after:  # 1.0.0-rc1 -> 1.0.0: the release follows its pre-release
        return "patch"
    if not pre_before or pre_after < pre_before:
        return "lower"
    return "patch"


def suggest(old: str, bump: str) -> str:
    major, minor, patch, pre = parse_version(old)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch}" if pre else f"{major}.{minor}.{patch + 1}"


def compare(old: Runbook, new: Runbook) -> DiffResult:
    if old.id != new.id:
        raise DiffError(
            f"these are different runbooks ({old.id!r} and {new.id!r}): diff compares "
            "two versions of one runbook"
        )
    changes = tuple(changes_between(old, new))
    required = max((c.bump for c in changes), key=BUMPS.index, default="none")
    actual = actual_bump(old.version, new.version)
    ok = actual != "lower" and BUMPS.index(actual) >= BUMPS.index(required)
    span = f"{old.version} -> {new.version}"
    if actual == "lower":
        message = f"the version went down ({span}): a new version must be higher"
    elif ok and not changes:
        message = "no changes" + (f"; version raised ({span})" if actual != "none" else "")
    elif ok:
        message = f"version raised enough ({span}, {actual}; the changes need {required})"
    elif actual == "none":
        message = (
            f"content changed but the version was not raised ({old.version}): the changes "
            f"call for a {required} raise, to {suggest(old.version, required)}"
        )
    else:
        message = (
            f"the version was raised too little ({span}, {actual}): the changes call for "
            f"a {required} raise, to {suggest(old.version, required)} or higher"
        )
    return DiffResult(old.id, old.version, new.version, changes, required, actual, ok, message)


def as_text(result: DiffResult) -> str:
    lines = [f"{result.runbook} {result.old_version} -> {result.new_version}"]
    for change in result.changes:
        where = (change.step or "(runbook)") + (f" {change.field}" if change.field else "")
        lines.append(f"  {change.bump:<5}  {change.kind:<16}  {where}: {change.detail}")
    lines.append(f"{'ok' if result.ok else 'FAIL'}: {result.message}")
    return "\n".join(lines) + "\n"
