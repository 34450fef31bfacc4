"""Exercise scenarios (draaiboek-scenario/1): load them and check them against the runbooks.

A scenario names the runbook it drives and the versions it was written for, a simulated start
time, injects (messages at a simulated time) and expectations worth points (judged by
`scoring`). Steps of a sub-runbook are named `<runbook id>/<step id>`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from draaiboek.load.documents import Document, read_document
from draaiboek.load.schemacheck import json_path
from draaiboek.load.yamlread import Path as DataPath
from draaiboek.model.durations import parse_duration
from draaiboek.model.runbook import SCENARIO_FORMAT, Finding, Runbook, Step, Text
from draaiboek.model.semver import version_matches
from draaiboek.model.suggestions import did_you_mean

DEFAULT_LANG = "nl"
KINDS = ("reached", "action_done", "item", "not_visited", "note")


@dataclass(frozen=True)
class Inject:
    id: str
    at: timedelta  # from the scenario start
    message: Text
    expect: tuple[str, str] | None = None  # (runbook, step)
    expect_option: str | None = None


@dataclass(frozen=True)
class Expectation:
    id: str
    title: Text
    points: int
    kind: str  # one of KINDS
    runbook: str = ""
    step: str = ""
    option: str | None = None
    item: str | None = None
    within: timedelta | None = None
    key: str = ""  # the key of the kind, as written: reached, item, ...
    ref: str = ""  # what it names, as written: `step`, `step/item`, `runbook/step`

    @property
    def target(self) -> str:
        """What it names, for display: `step`, `step/item`, `runbook/step`, `step = option`."""
        if self.kind == "note":
            return "note"
        return self.ref + (f" = {self.option}" if self.option else "")


@dataclass(frozen=True)
class Scenario:
    id: str
    version: str
    title: Text
    runbook: str
    versions: str
    briefing: Text
    start: datetime
    injects: tuple[Inject, ...]
    expectations: tuple[Expectation, ...]
    description: Text | None = None
    file: str = ""
    sha256: str = ""


# --- versions ------------------------------------------------------------------------------

# --- loading -------------------------------------------------------------------------------


def _ref(text: str, default: str) -> tuple[str, str]:
    runbook, _, step = text.rpartition("/")
    return runbook or default, step


def build_scenario(document: Document) -> Scenario:
    """A schema-valid scenario document -> the model."""
    data = document.data
    top = str(data["runbook"])

    def text(value: Any) -> Text:
        return Text.of(value, DEFAULT_LANG)

    injects = []
    for raw in data.get("injects", []):
        expect, option = None, None
        if "expect" in raw:
            expect = _ref(raw["expect"]["step"], top)
            option = raw["expect"].get("option")
        injects.append(
            Inject(raw["id"], parse_duration(raw["at"]), text(raw["message"]), expect, option)
        )
    expectations = []
    for raw in data["expectations"]:
        key = next(k for k in KINDS if k in raw)
        runbook, step, item = "", "", None
        if key == "item":
            runbook, step = _ref(raw["item"].rpartition("/")[0], top)
            item = raw["item"].rpartition("/")[2]
        elif key != "note":
            runbook, step = _ref(raw[key], top)
        within = parse_duration(raw["within"]) if "within" in raw else None
        kind = "action_done" if key == "item" else key
        expectations.append(
            Expectation(
                raw["id"],
                text(raw["title"]),
                int(raw["points"]),
                kind,
                runbook,
                step,
                raw.get("option"),
                item,
                within,
                key,
                str(raw[key]),
            )
        )
    return Scenario(
        id=data["id"],
        version=data["version"],
        title=text(data["title"]),
        runbook=top,
        versions=data["versions"],
        briefing=text(data["briefing"]),
        start=datetime.fromisoformat(str(data["start"]).replace("Z", "+00:00")),
        injects=tuple(injects),
        expectations=tuple(expectations),
        description=text(data["description"]) if "description" in data else None,
        file=document.file,
        sha256=document.sha256,
    )


def load_scenario(
    path: Path, display: str | None = None
) -> tuple[Scenario | None, Document | None, list[Finding]]:
    """Read one scenario file: the model (None when it has schema errors), and the findings."""
    document, findings = read_document(path, display)
    if document is not None and document.format != SCENARIO_FORMAT:
        line, column = document.positions.of_value(("format",))
        findings.append(
            Finding(
                document.file,
                line,
                column,
                "$.format",
                "not-a-scenario",
                f"this is a {document.format} file, not {SCENARIO_FORMAT}",
            )
        )
    if document is not None and not findings and _start(document.data) is None:
        findings.append(_bad_date(document))
    if document is None or findings:
        return None, document, findings
    return build_scenario(document), document, findings


def _start(data: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(data["start"]).replace("Z", "+00:00"))
    except ValueError:
        return None


def _bad_date(document: Document) -> Finding:
    line, column = document.positions.of_value(("start",))
    return Finding(
        document.file,
        line,
        column,
        "$.start",
        "bad-date",
        f"{document.data['start']!r} is not a real date and time",
    )


# --- checks --------------------------------------------------------------------------------


def check_scenario(document: Document, runbooks: Mapping[str, Runbook]) -> list[Finding]:
    """What the schema cannot say: the runbook exists in a matching version, and every step,
    option, item and source the scenario names exists. Call it on schema-valid documents."""
    findings: list[Finding] = []

    def emit(path: DataPath, code: str, message: str) -> None:
        line, column = document.positions.of_value(path)
        findings.append(Finding(document.file, line, column, json_path(path), code, message))

    data = document.data
    if _start(data) is None:
        findings.append(_bad_date(document))
    scenario = build_scenario(document) if not findings else None
    for where in ("injects", "expectations"):
        seen: set[str] = set()
        for index, raw in enumerate(data.get(where, [])):
            if raw["id"] in seen:
                emit(
                    (where, index, "id"),
                    "duplicate-id",
                    f"{where[:-1]} id {raw['id']!r} is used twice: ids must be unique",
                )
            seen.add(raw["id"])
            for pos, source in enumerate(raw.get("sources", [])):
                if source not in data.get("sources", {}):
                    emit(
                        (where, index, "sources", pos),
                        "unknown-source",
                        f"source {source!r} is not defined under sources"
                        + did_you_mean(source, data.get("sources", {})),
                    )
    top = runbooks.get(str(data["runbook"]))
    if top is None:
        known = ", ".join(sorted(runbooks)) or "none"
        emit(
            ("runbook",),
            "unknown-runbook",
            f"runbook {data['runbook']!r} is not in the runbooks folder, or it has schema "
            f"errors (available: {known})",
        )
        return findings
    try:
        matches = version_matches(top.version, str(data["versions"]))
    except ValueError as exc:
        emit(("versions",), "bad-format", str(exc))
        matches = True
    if not matches:
        emit(
            ("versions",),
            "version-mismatch",
            f"the scenario is written for {top.id} {data['versions']}, but the runbooks folder "
            f"has version {top.version}: update the scenario or its versions",
        )
    if scenario is None:
        return findings
    walked = _called(top, runbooks)
    for index, inject in enumerate(scenario.injects):
        if inject.expect is not None:
            at: DataPath = ("injects", index, "expect")
            _check_step(
                (*at, "step"), inject.expect, walked, emit, inject.expect_option, (*at, "option")
            )
    for index, x in enumerate(scenario.expectations):
        path: DataPath = ("expectations", index, x.key)
        step = (
            None
            if x.kind == "note"
            else _check_step(
                path, (x.runbook, x.step), walked, emit, x.option, ("expectations", index, "option")
            )
        )
        if step is not None and x.item is not None and step.item(x.item) is None:
            emit(path, "unknown-item", f"step {x.step!r} has no checklist item {x.item!r}")
        elif step is not None and x.key == "action_done" and step.type != "action":
            emit(
                path,
                "not-an-action",
                f"step {x.step!r} is a {step.type}, not an action"
                + (": name its items as item: step/item" if step.type == "checklist" else ""),
            )
    return findings


def _called(top: Runbook, runbooks: Mapping[str, Runbook]) -> dict[str, Runbook]:
    found, todo = {top.id: top}, [top]
    while todo:
        for step in todo.pop().steps.values():
            if step.runbook and step.runbook in runbooks and step.runbook not in found:
                found[step.runbook] = runbooks[step.runbook]
                todo.append(runbooks[step.runbook])
    return found


def _check_step(
    path: DataPath,
    ref: tuple[str, str],
    walked: Mapping[str, Runbook],
    emit: Callable[[DataPath, str, str], None],
    option: str | None,
    option_path: DataPath,
) -> Step | None:
    runbook_id, step_id = ref
    runbook = walked.get(runbook_id)
    if runbook is None:
        emit(
            path,
            "unknown-runbook",
            f"runbook {runbook_id!r} is not walked in this scenario (walked: {', '.join(walked)})",
        )
        return None
    step = runbook.steps.get(step_id)
    if step is None:
        emit(
            path,
            "unknown-step",
            f"runbook {runbook_id} {runbook.version} has no step "
            f"{step_id!r}{did_you_mean(step_id, runbook.steps)}",
        )
        return None
    if option is not None and step.option(option) is None:
        ids = {o.id: o for o in step.options}
        emit(
            option_path,
            "unknown-option",
            f"step {step_id!r} has no option {option!r}{did_you_mean(option, ids)}"
            if ids
            else f"step {step_id!r} is a {step.type}, it has no options",
        )
    return step


def scenario_for_incident(folder: Path, events: Sequence[Mapping[str, Any]]) -> Scenario | None:
    """The scenario an exercise incident was played with (its stored copy), None for an
    incident without an `exercise` event; ValueError when the copy is missing or changed."""
    logged = next((e for e in events if e.get("type") == "exercise"), None)
    if logged is None:
        return None
    sha256 = str(logged.get("sha256", ""))
    scenario, _, _ = load_scenario(folder / f"{sha256}.yaml")
    if scenario is None or scenario.sha256 != sha256:
        raise ValueError(
            f"the stored copy of scenario {logged.get('scenario')!r} ({sha256}.yaml)"
            " is missing, damaged or changed"
        )
    return scenario
