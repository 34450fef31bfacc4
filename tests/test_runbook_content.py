"""The shipped model runbooks, read as a CaCo would: rules of issue 13 that a schema cannot say.

Each test names the finding it keeps fixed. They read the runbooks as loaded (the model), so a
later edit that breaks a lesson of 24 June 2019 or September 2020 fails here, not in an outage.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import date
from pathlib import Path

import pytest

from draaiboek.load.library import load_library
from draaiboek.model.runbook import Runbook

SHIPPED = Path(__file__).resolve().parent.parent / "runbooks"
LIBRARY = load_library([SHIPPED], today=date(2026, 11, 29))
RUNBOOKS = dict(LIBRARY.runbooks)
IDS = sorted(RUNBOOKS)
# A statement without a source is marked in the step's note, in both languages.
MARKED = {
    "nl": re.compile(r"\b(Voorstel|Afleiding)\b"),
    "en": re.compile(r"\b(Proposal|Inference)\b"),
}


def _reach(runbook: Runbook, start: str, avoid: frozenset[str] = frozenset()) -> set[str]:
    """Step ids reachable from `start` without passing through `avoid`."""
    seen = {start}
    todo = deque([start])
    while todo:
        for nxt in runbook.steps[todo.popleft()].successors():
            if nxt not in seen and nxt not in avoid:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_shipped_runbooks_load_without_errors() -> None:
    assert LIBRARY.errors == ()
    assert IDS == [
        "0900-8844-onbereikbaar",
        "112-onbereikbaar",
        "meldkamer-ict-verstoring",
        "nl-alert-verstoring",
    ]


@pytest.mark.parametrize("runbook_id", IDS)
def test_titles_are_short(runbook_id: str) -> None:
    """Finding 14: no step title over eight words, in any language."""
    runbook = RUNBOOKS[runbook_id]
    long = [
        (step.id, lang, step.title.get(lang))
        for step in runbook.steps.values()
        for lang in runbook.languages
        if len(step.title.get(lang).split()) > 8
    ]
    assert long == []


@pytest.mark.parametrize("runbook_id", IDS)
def test_every_statement_is_sourced_or_marked(runbook_id: str) -> None:
    """Finding 13 and 'what must hold': a step that says something cites a source or marks
    itself as a proposal; so does every target."""
    runbook = RUNBOOKS[runbook_id]
    bare = [
        step.id
        for step in runbook.steps.values()
        if (step.text or step.items)
        and not step.sources
        and not all(MARKED[lang].search(step.note.get(lang)) for lang in ("nl", "en"))
    ]
    assert bare == []
    assert [t.id for t in runbook.targets if not t.sources and not t.proposal] == []
    for step in runbook.steps.values():
        assert set(step.sources) <= set(runbook.sources), step.id


@pytest.mark.parametrize("runbook_id", IDS)
def test_time_zero_is_the_first_question(runbook_id: str) -> None:
    """Finding 5: every runbook asks for the first signal first and counts from it."""
    runbook = RUNBOOKS[runbook_id]
    assert runbook.time_zero == runbook.start
    assert runbook.steps[runbook.start].type == "input"


def test_the_domain_time_targets_are_incident_targets() -> None:
    """Finding 5: first public message 15 min, NL-Alert request and decision, uitwijk 30 min
    and test rounds every 15 min count from time zero, each a proposal."""
    targets = {t.id: t for t in RUNBOOKS["112-onbereikbaar"].targets}
    minutes = {}
    for target in targets.values():
        interval = target.within if target.within is not None else target.every
        assert interval is not None, target.id
        minutes[target.id] = interval.total_seconds() / 60
    assert minutes["eerste-publieksbericht"] == 15
    assert minutes["nl-alert-aanvraag"] == 15
    assert minutes["nl-alert-besluit"] == 30
    assert minutes["uitwijk-besluit"] == 30
    assert targets["testronde"].repeating and minutes["testronde"] == 15
    assert all(t.proposal for t in targets.values())
    for runbook_id in ("0900-8844-onbereikbaar", "meldkamer-ict-verstoring"):
        assert any(t.repeating for t in RUNBOOKS[runbook_id].targets), runbook_id
    assert [t.id for t in RUNBOOKS["nl-alert-verstoring"].targets] == ["juist-bericht"]


def test_every_outage_path_meets_the_uitwijk_decision() -> None:
    """Findings 5 and 6: the uitwijk decision stands on every scope, several control rooms
    included; no scope skips it."""
    runbook = RUNBOOKS["112-onbereikbaar"]
    assert {o.next for o in runbook.steps["omvang"].options} == {"uitwijk-besluit"}


@pytest.mark.parametrize("runbook_id", ["112-onbereikbaar", "0900-8844-onbereikbaar"])
def test_a_failed_number_check_never_publishes_the_number(runbook_id: str) -> None:
    """Finding 1: only a passed check leads to publishing the number."""
    runbook = RUNBOOKS[runbook_id]
    check = runbook.steps["nummer-controle"]
    for option in check.options:
        publishes = runbook.steps[option.next].publishes
        if option.id == "geslaagd":
            assert publishes == "public-message"
        else:
            assert publishes is None, option.id


def test_the_first_quarter_waits_for_no_national_decision() -> None:
    """Finding 3: test calls, C2000, staffing, visible units and a first message without a
    number come before scope, uitwijk and the NL-Alert decision."""
    runbook = RUNBOOKS["112-onbereikbaar"]
    national = frozenset({"omvang", "uitwijk-besluit", "nl-alert-besluit"})
    before = _reach(runbook, runbook.start, avoid=national)
    for step in ("testbellen", "c2000-status", "eerste-kwartier", "eerste-publieksbericht"):
        assert step in before
    assert "nl-alert-aanvragen" in before  # the request, not the decision
    first = runbook.steps["eerste-publieksbericht"]
    assert first.publishes == "public-message" and first.contacts == ()  # no number offered


@pytest.mark.parametrize(
    ("runbook_id", "step"),
    [
        ("112-onbereikbaar", "nl-alert-besluit"),
        ("0900-8844-onbereikbaar", "nl-alert-besluit"),
        ("nl-alert-verstoring", "verzendniveau"),
    ],
)
def test_someone_elses_decision_never_blocks(runbook_id: str, step: str) -> None:
    """Finding 4: a step that records another's decision can say 'no decision yet', and that
    branch goes on with the work instead of ending."""
    runbook = RUNBOOKS[runbook_id]
    waiting = runbook.steps[step].option("nog-geen-besluit")
    assert waiting is not None
    onward = _reach(runbook, waiting.next)
    assert any(runbook.steps[s].type == "decision" for s in onward)
    assert step in onward or runbook_id == "nl-alert-verstoring"


def test_c2000_is_asked_early_and_its_failure_does_not_end_the_runbook() -> None:
    """Finding 7."""
    runbook = RUNBOOKS["112-onbereikbaar"]
    c2000 = runbook.steps["c2000-status"]
    for option in c2000.options:
        assert "eerste-kwartier" in _reach(runbook, option.next), option.id
    ends = [s.id for s in runbook.steps.values() if s.type == "end"]
    assert "herstelcontrole" in _reach(runbook, "brede-crisis")
    assert ends == ["einde-geen-storing", "einde-hersteld"]


def test_the_088_number_is_named_tested_and_withdrawn_on_police_ict() -> None:
    """Finding 2."""
    runbook = RUNBOOKS["112-onbereikbaar"]
    assert "lms-alternatief-nummer" in runbook.steps["testbellen"].contacts
    assert "088" in runbook.steps["testbellen"].title.get("nl")
    ict = _reach(runbook, "ict-draaiboek-starten")
    assert "088-intrekken" in ict
    assert runbook.steps["088-intrekken"].publishes == "withdrawal"
    registry = LIBRARY.contacts["lms-alternatief-nummer"]
    assert "088" in registry.name.get("nl") and "S2" in registry.note.get("nl")


def test_the_wrong_nl_alert_is_stopped_first_and_typed_afterwards() -> None:
    """Finding 10: stop or replace first; the wrong text is recorded only after the right
    message is out."""
    runbook = RUNBOOKS["nl-alert-verstoring"]
    wrong = runbook.steps["wat-is-er-mis"].option("fout-in-bericht")
    assert wrong is not None and wrong.next == "fout-stoppen"
    before_right = _reach(runbook, runbook.start, avoid=frozenset({"verzonden-bericht"}))
    assert "foute-tekst" not in before_right


def test_publishing_and_national_marks() -> None:
    """Finding 18: the national picture can find what was published and decided."""
    marks = {
        (rb.id, s.id): (s.publishes, s.national)
        for rb in RUNBOOKS.values()
        for s in rb.steps.values()
        if s.publishes or s.national
    }
    for (runbook_id, step_id), (publishes, _) in marks.items():
        if publishes:
            assert RUNBOOKS[runbook_id].steps[step_id].type == "input", step_id
    national_112 = {n for (rb, _), (_, n) in marks.items() if rb == "112-onbereikbaar" and n}
    assert national_112 == {"scope", "uitwijk", "nl-alert-requested", "nl-alert-sent"}
    published_112 = {p for (rb, _), (p, _) in marks.items() if rb == "112-onbereikbaar" and p}
    assert published_112 == {"public-message", "nl-alert", "withdrawal"}
