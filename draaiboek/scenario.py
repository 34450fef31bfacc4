"""Exercise scenarios (draaiboek-scenario/1): load, check against the runbooks, and score.

A scenario names the runbook it drives and the versions it was written for, a simulated start
time, injects (messages at a simulated time) and expectations worth points. `score` is a pure
function of a scenario and a journal's events, so the score can be recomputed from the journal
at any time (the report does). Steps of a sub-runbook are named `<runbook id>/<step id>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from draaiboek.build import format_duration, parse_duration
from draaiboek.documents import Document, read_document
from draaiboek.model import SCENARIO_FORMAT, Finding, Runbook, Step, Text
from draaiboek.schemacheck import json_path
from draaiboek.yamlread import Path as DataPath

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

_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$")
_COMPARATOR = re.compile(r"(>=|<=|>|<|==|=|\^|~)?\s*([0-9][0-9A-Za-z.-]*)")
Version = tuple[int, int, int, tuple[tuple[int, int | str], ...]]


def parse_version(text: str) -> Version:
    match = _VERSION.match(text.strip())
    if not match:
        raise ValueError(f"not a semantic version (MAJOR.MINOR.PATCH): {text!r}")
    pre = tuple((0, int(p)) if p.isdigit() else (1, p) for p in (match[4] or "").split(".") if p)
    return int(match[1]), int(match[2]), int(match[3]), pre


def _order(version: Version) -> tuple[Any, ...]:
    # semver precedence: a pre-release comes before its release; numeric parts before text
    major, minor, patch, pre = version
    return (major, minor, patch, 0 if pre else 1, pre)


def version_matches(version: str, wanted: str) -> bool:
    """Does `version` satisfy every comparator in `wanted` (e.g. '>=1.0.0 <2.0.0', '^1.2.0')?"""
    have = _order(parse_version(version))
    found = _COMPARATOR.findall(wanted)
    if not found or _COMPARATOR.sub("", wanted).strip():
        raise ValueError(f"not a version range: {wanted!r}")
    for op, text in found:
        bound = parse_version(text)
        low, major, minor = _order(bound), bound[0], bound[1]
        if op in ("^", "~"):
            if op == "~" or (major == 0 and minor > 0):
                top = (major, minor + 1, 0)
            else:
                top = (major + 1, 0, 0) if major else (0, 0, bound[2] + 1)
            ok = low <= have < (*top, 0, ())
        else:
            ok = {">=": have >= low, "<=": have <= low, ">": have > low, "<": have < low}.get(
                op, have == low
            )
        if not ok:
            return False
    return True


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
        injects.append(Inject(raw["id"], parse_duration(raw["at"]), text(raw["message"]),
                              expect, option))
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
        expectations.append(Expectation(raw["id"], text(raw["title"]), int(raw["points"]), kind,
                                        runbook, step, raw.get("option"), item, within, key,
                                        str(raw[key])))
    return Scenario(
        id=data["id"], version=data["version"], title=text(data["title"]), runbook=top,
        versions=data["versions"], briefing=text(data["briefing"]),
        start=datetime.fromisoformat(str(data["start"]).replace("Z", "+00:00")),
        injects=tuple(injects), expectations=tuple(expectations),
        description=text(data["description"]) if "description" in data else None,
        file=document.file, sha256=document.sha256,
    )


def load_scenario(path: Path, display: str | None = None
                  ) -> tuple[Scenario | None, Document | None, list[Finding]]:
    """Read one scenario file: the model (None when it has schema errors), and the findings."""
    document, findings = read_document(path, display)
    if document is not None and document.format != SCENARIO_FORMAT:
        line, column = document.positions.of_value(("format",))
        findings.append(Finding(document.file, line, column, "$.format", "not-a-scenario",
                                f"this is a {document.format} file, not {SCENARIO_FORMAT}"))
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
    return Finding(document.file, line, column, "$.start", "bad-date",
                   f"{document.data['start']!r} is not a real date and time")


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
                emit((where, index, "id"), "duplicate-id",
                     f"{where[:-1]} id {raw['id']!r} is used twice: ids must be unique")
            seen.add(raw["id"])
            for pos, source in enumerate(raw.get("sources", [])):
                if source not in data.get("sources", {}):
                    emit((where, index, "sources", pos), "unknown-source",
                         f"source {source!r} is not defined under sources")
    top = runbooks.get(str(data["runbook"]))
    if top is None:
        known = ", ".join(sorted(runbooks)) or "none"
        emit(("runbook",), "unknown-runbook",
             f"runbook {data['runbook']!r} is not in the runbooks folder, or it has schema "
             f"errors (available: {known})")
        return findings
    try:
        matches = version_matches(top.version, str(data["versions"]))
    except ValueError as exc:
        emit(("versions",), "bad-format", str(exc))
        matches = True
    if not matches:
        emit(("versions",), "version-mismatch",
             f"the scenario is written for {top.id} {data['versions']}, but the runbooks folder "
             f"has version {top.version}: update the scenario or its versions")
    if scenario is None:
        return findings
    walked = _called(top, runbooks)
    for index, inject in enumerate(scenario.injects):
        if inject.expect is not None:
            at: DataPath = ("injects", index, "expect")
            _check_step((*at, "step"), inject.expect, walked, emit, inject.expect_option,
                        (*at, "option"))
    for index, x in enumerate(scenario.expectations):
        path: DataPath = ("expectations", index, x.key)
        step = None if x.kind == "note" else _check_step(
            path, (x.runbook, x.step), walked, emit, x.option, ("expectations", index, "option"))
        if step is not None and x.item is not None and step.item(x.item) is None:
            emit(path, "unknown-item", f"step {x.step!r} has no checklist item {x.item!r}")
        elif step is not None and x.key == "action_done" and step.type != "action":
            emit(path, "not-an-action", f"step {x.step!r} is a {step.type}, not an action"
                 + (": name its items as item: step/item" if step.type == "checklist" else ""))
    return findings


def _called(top: Runbook, runbooks: Mapping[str, Runbook]) -> dict[str, Runbook]:
    found, todo = {top.id: top}, [top]
    while todo:
        for step in todo.pop().steps.values():
            if step.runbook and step.runbook in runbooks and step.runbook not in found:
                found[step.runbook] = runbooks[step.runbook]
                todo.append(runbooks[step.runbook])
    return found


def _check_step(path: DataPath, ref: tuple[str, str], walked: Mapping[str, Runbook],
                emit: Callable[[DataPath, str, str], None], option: str | None,
                option_path: DataPath) -> Step | None:
    runbook_id, step_id = ref
    runbook = walked.get(runbook_id)
    if runbook is None:
        emit(path, "unknown-runbook", f"runbook {runbook_id!r} is not walked in this scenario "
             f"(walked: {', '.join(walked)})")
        return None
    step = runbook.steps.get(step_id)
    if step is None:
        emit(path, "unknown-step", f"runbook {runbook_id} {runbook.version} has no step "
             f"{step_id!r}{_suggest(step_id, runbook.steps)}")
        return None
    if option is not None and step.option(option) is None:
        ids = {o.id: o for o in step.options}
        emit(option_path, "unknown-option",
             f"step {step_id!r} has no option {option!r}{_suggest(option, ids)}"
             if ids else f"step {step_id!r} is a {step.type}, it has no options")
    return step


def _suggest(name: str, known: Mapping[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def scenario_for_incident(folder: Path, events: Sequence[Mapping[str, Any]]) -> Scenario | None:
    """The scenario an exercise incident was played with (its stored copy), None for an
    incident without an `exercise` event; ValueError when the copy is missing or changed."""
    logged = next((e for e in events if e.get("type") == "exercise"), None)
    if logged is None:
        return None
    sha256 = str(logged.get("sha256", ""))
    scenario, _, _ = load_scenario(folder / f"{sha256}.yaml")
    if scenario is None or scenario.sha256 != sha256:
        raise ValueError(f"the stored copy of scenario {logged.get('scenario')!r} ({sha256}.yaml)"
                         " is missing, damaged or changed")
    return scenario


# --- scoring -------------------------------------------------------------------------------

MET, LATE, MISSED, VISITED = "met", "late", "missed", "visited"


@dataclass(frozen=True)
class Outcome:
    """One expectation judged: met (in time), late, missed, or visited (a wrong branch taken)."""

    expectation: Expectation
    status: str
    at: datetime | None  # when it was done, or when the wrong branch was entered
    offset: timedelta | None  # `at` as T+ from the scenario start
    points: int  # earned


@dataclass(frozen=True)
class InjectLog:
    inject: Inject
    delivered: timedelta | None  # T+
    answered: timedelta | None  # T+ of the answer it should provoke, on or after delivery


@dataclass(frozen=True)
class ScoreCard:
    scenario: str
    version: str
    start: datetime
    outcomes: tuple[Outcome, ...]
    injects: tuple[InjectLog, ...]

    @property
    def earned(self) -> int:
        return sum(o.points for o in self.outcomes)

    @property
    def possible(self) -> int:
        return sum(o.expectation.points for o in self.outcomes)

    @property
    def percent(self) -> float:
        return round(100 * self.earned / self.possible, 1) if self.possible else 0.0

    def as_dict(self, lang: str = DEFAULT_LANG) -> dict[str, Any]:
        def seconds(value: timedelta | None) -> int | None:
            return None if value is None else int(value.total_seconds())

        return {
            "scenario": self.scenario, "version": self.version, "start": self.start.isoformat(),
            "earned": self.earned, "possible": self.possible, "percent": self.percent,
            "expectations": [{
                "id": o.expectation.id, "title": o.expectation.title.get(lang),
                "kind": o.expectation.kind, "target": o.expectation.target,
                "within": format_duration(o.expectation.within) if o.expectation.within else None,
                "status": o.status, "at": o.at.isoformat() if o.at else None,
                "offset_seconds": seconds(o.offset), "points": o.points,
                "possible": o.expectation.points} for o in self.outcomes],
            "injects": [{"id": i.inject.id, "delivered_seconds": seconds(i.delivered),
                         "answered_seconds": seconds(i.answered)} for i in self.injects],
        }


Event = Mapping[str, Any]


def score(scenario: Scenario, events: Sequence[Event]) -> ScoreCard:
    """Judge every expectation against a journal's events (pure: same events, same score).

    Times are simulated times from the scenario start. The first matching event counts: a
    wrong answer corrected in time still meets `reached ... option`; a wrong branch entered
    stays visited even when corrected later (the journal keeps it).
    """
    timed = [(datetime.fromisoformat(str(e["at"])), e) for e in events]
    outcomes = []
    for x in scenario.expectations:
        match = _matcher(x)
        hit = next((at for at, e in timed if match(e)), None)
        offset = hit - scenario.start if hit is not None else None
        if x.kind == "not_visited":
            status = VISITED if hit is not None else MET
        elif offset is None:
            status = MISSED
        else:
            status = LATE if x.within is not None and offset > x.within else MET
        outcomes.append(Outcome(x, status, hit, offset, x.points if status == MET else 0))
    logs = []
    for inject in scenario.injects:
        sent = next((at for at, e in timed
                     if e.get("type") == "inject" and e.get("id") == inject.id), None)
        answered = None
        if sent is not None and inject.expect is not None:
            wanted = _answer_matcher(*inject.expect, inject.expect_option)
            answered = next((at for at, e in timed if at >= sent and wanted(e)), None)
        logs.append(InjectLog(inject, sent - scenario.start if sent else None,
                              answered - scenario.start if answered else None))
    return ScoreCard(scenario.id, scenario.version, scenario.start, tuple(outcomes), tuple(logs))


def _answer_matcher(runbook: str, step: str, option: str | None) -> Callable[[Event], bool]:
    def matches(e: Event) -> bool:
        if e.get("runbook") != runbook or e.get("step") != step:
            return False
        if option is None:
            return e.get("type") == "entered"
        return e.get("type") == "answered" and e.get("option") == option

    return matches


def _matcher(x: Expectation) -> Callable[[Event], bool]:
    if x.kind == "note":
        return lambda e: e.get("type") == "note"
    if x.kind == "action_done":
        kind = "item" if x.item is not None else "action"
        return lambda e: (e.get("type") == kind and e.get("runbook") == x.runbook
                          and e.get("step") == x.step and e.get("item") == x.item
                          and e.get("result") == "done")
    return _answer_matcher(x.runbook, x.step, x.option)
