"""Tests for draaiboek.engine.parse: typed keys (Dutch and English) and YAML answers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from draaiboek.engine.decide import Prompt, open_events, prompt, respond
from draaiboek.engine.fold import apply, initial_state
from draaiboek.engine.inputs import (
    Act,
    Back,
    Choose,
    Complete,
    Confirm,
    ItemAnswer,
    Note,
    Pause,
    Value,
)
from draaiboek.engine.parse import Help, Overview, Parsed, ParseError, from_yaml, parse_typed
from draaiboek.engine.state import OpenItem
from draaiboek.load.build import build_runbook
from draaiboek.load.documents import read_document
from draaiboek.model.runbook import Runbook, Step

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
TOP = "every-step-type"


def _load() -> Runbook:
    doc, findings = read_document(CORPUS / f"{TOP}.yaml")
    assert doc is not None, findings
    return build_runbook(doc)


RUNBOOK = _load()
DECISION = RUNBOOK.step("vaststellen")
ACTION = RUNBOOK.step("testbellen")
CHECKLIST = RUNBOOK.step("lijst")
INPUT = RUNBOOK.step("starttijd")
END = RUNBOOK.step("klaar")
OPEN = (
    OpenItem(TOP, "testbellen", None, True, datetime(2026, 1, 1, tzinfo=UTC)),
    OpenItem(TOP, "lijst", "lms", True, None),
)


def at(step: Step, item: str | None = None) -> Prompt:
    kind = {"checklist": "checklist-item", "end": "confirm-end"}.get(step.type, step.type)
    return Prompt(kind, TOP, step.id, item)


def typed(text: str, step: Step, item: str | None = "lms") -> Parsed:
    return parse_typed(text, at(step, item if step.type == "checklist" else None), step, OPEN)


def error(text: str, step: Step) -> str:
    with pytest.raises(ParseError) as caught:
        typed(text, step)
    return caught.value.code


@pytest.mark.parametrize(
    ("text", "option"),
    [("1", "nergens"), ("2", "overal"), ("nergens", "nergens"), (" Overal ", "overal")],
)
def test_decision_by_number_or_id(text: str, option: str) -> None:
    assert typed(text, DECISION) == Choose(option)


@pytest.mark.parametrize("text", ["0", "3", "ergens", "ja"])
def test_decision_unknown_option(text: str) -> None:
    assert error(text, DECISION) == "unknown-option"


@pytest.mark.parametrize("key", ["j", "ja", "y", "yes", "done", "klaar", "JA", "Yes"])
def test_action_done_keys(key: str) -> None:
    assert typed(key, ACTION) == Act("done")


@pytest.mark.parametrize("key", ["n", "nee", "no"])
def test_action_skipped_needs_a_reason(key: str) -> None:
    expected = Act("skipped", "geen lijn beschikbaar")
    assert typed(f"{key}  geen lijn beschikbaar ", ACTION) == expected
    assert error(key, ACTION) == "reason-required"


@pytest.mark.parametrize("key", ["l", "later", "L"])
def test_action_later(key: str) -> None:
    assert typed(key, ACTION) == Act("deferred")


@pytest.mark.parametrize("text", ["misschien", "j want", "later vandaag"])
def test_action_unknown_key(text: str) -> None:
    assert error(text, ACTION) == "unknown-key"


def test_checklist_current_item_and_out_of_order() -> None:
    assert typed("ja", CHECKLIST) == ItemAnswer("lms", "done")
    assert typed("l", CHECKLIST) == ItemAnswer("lms", "deferred")
    expected = ItemAnswer("lms", "skipped", "niet bereikbaar")
    assert typed("nee niet bereikbaar", CHECKLIST) == expected
    assert typed("2 j", CHECKLIST) == ItemAnswer("ncc", "done")
    assert typed("ncc later", CHECKLIST) == ItemAnswer("ncc", "deferred")
    assert typed("2 no line down", CHECKLIST) == ItemAnswer("ncc", "skipped", "line down")
    assert error("2 n", CHECKLIST) == "reason-required"
    assert error("3 j", CHECKLIST) == "unknown-item"
    assert error("xyz j", CHECKLIST) == "unknown-item"
    assert error("2", CHECKLIST) == "key-required"


def test_input_keeps_the_text() -> None:
    assert typed("14:03", INPUT) == Value("14:03")
    assert typed("  NL-Alert: blijf binnen ", INPUT) == Value("  NL-Alert: blijf binnen ")
    assert typed("//pad", INPUT) == Value("/pad")


@pytest.mark.parametrize(
    ("key", "yes"),
    [
        ("j", True),
        ("ja", True),
        ("y", True),
        ("yes", True),
        ("n", False),
        ("nee", False),
        ("no", False),
    ],
)
def test_confirm_end(key: str, yes: bool) -> None:
    assert typed(key, END) == Confirm(yes)


def test_confirm_end_other() -> None:
    assert error("misschien", END) == "yes-or-no"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/n KPN gebeld", Note("KPN gebeld")),
        ("/notitie KPN gebeld", Note("KPN gebeld")),
        ("/note called KPN", Note("called KPN")),
        ("/t", Back()),
        ("/terug", Back()),
        ("/back", Back()),
        ("/o", Overview()),
        ("/overzicht", Overview()),
        ("/overview", Overview()),
        ("/p", Pause("user")),
        ("/pauze", Pause("user")),
        ("/pause", Pause("user")),
        ("/?", Help()),
        ("/help", Help()),
        ("/hulp", Help()),
        ("/k 1", Complete(TOP, "testbellen", None)),
        ("/klaar 2", Complete(TOP, "lijst", "lms")),
        ("/done 2", Complete(TOP, "lijst", "lms")),
        ("/TERUG", Back()),
    ],
)
def test_commands_at_any_prompt(text: str, expected: Any) -> None:
    for step in (DECISION, ACTION, CHECKLIST, INPUT, END):
        assert typed(text, step) == expected
    assert parse_typed(text, Prompt("closed", TOP, "klaar"), END, OPEN) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("/n", "note-text-required"),
        ("/k", "number-required"),
        ("/k een", "number-required"),
        ("/k 3", "no-such-open-item"),
        ("/k 0", "no-such-open-item"),
        ("/x", "unknown-command"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_command_errors(text: str, code: str) -> None:
    assert error(text, ACTION) == code


def test_only_commands_when_closed() -> None:
    with pytest.raises(ParseError) as caught:
        parse_typed("j", Prompt("closed", TOP, "klaar"), END)
    assert caught.value.code == "closed"


def test_from_yaml_decision() -> None:
    assert from_yaml("overal", DECISION) == [Choose("overal")]
    assert from_yaml(1, DECISION) == [Choose("nergens")]
    for bad in ("ergens", True, None, 5):
        with pytest.raises(ParseError, match="unknown-option"):
            from_yaml(bad, DECISION)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("done", Act("done")),
        ("deferred", Act("deferred")),
        ("j", Act("done")),
        ("l", Act("deferred")),
        ("n geen lijn", Act("skipped", "geen lijn")),
        ({"skipped": "geen lijn"}, Act("skipped", "geen lijn")),
        (True, Act("done")),
    ],
)
def test_from_yaml_action(value: Any, expected: Act) -> None:
    assert from_yaml(value, ACTION) == [expected]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("skipped", "reason-required"),
        ({"skipped": ""}, "reason-required"),
        (False, "reason-required"),
        ("n", "reason-required"),
        ({"gedaan": 1}, "unknown-key"),
        (3, "unknown-key"),
        ("soms", "unknown-key"),
    ],
)
def test_from_yaml_action_errors(value: Any, code: str) -> None:
    with pytest.raises(ParseError) as caught:
        from_yaml(value, ACTION)
    assert caught.value.code == code


def test_from_yaml_checklist_unlisted_items_are_deferred() -> None:
    assert from_yaml({"ncc": "done"}, CHECKLIST) == [
        ItemAnswer("lms", "deferred"),
        ItemAnswer("ncc", "done"),
    ]
    assert from_yaml({"lms": {"skipped": "weg"}, "ncc": "j"}, CHECKLIST) == [
        ItemAnswer("lms", "skipped", "weg"),
        ItemAnswer("ncc", "done"),
    ]
    for bad, code in (({"xyz": "done"}, "unknown-item"), ("done", "checklist-mapping-required")):
        with pytest.raises(ParseError) as caught:
            from_yaml(bad, CHECKLIST)
        assert caught.value.code == code


def test_from_yaml_input_and_end() -> None:
    assert from_yaml("14:03", INPUT) == [Value("14:03")]
    assert from_yaml(42, INPUT) == [Value("42")]
    assert from_yaml(True, INPUT) == [Value("true")]
    with pytest.raises(ParseError, match="invalid-value"):
        from_yaml(None, INPUT)
    assert from_yaml("yes", END) == [Confirm(True)]
    assert from_yaml(False, END) == [Confirm(False)]
    assert from_yaml("j", END) == [Confirm(True)]
    assert from_yaml("nee", END) == [Confirm(False)]
    with pytest.raises(ParseError, match="yes-or-no"):
        from_yaml(3, END)


def test_from_yaml_list_is_successive_visits() -> None:
    visits = ["overal", "nergens"]
    assert from_yaml(visits, DECISION, 0) == [Choose("overal")]
    assert from_yaml(visits, DECISION, 1) == [Choose("nergens")]
    with pytest.raises(ParseError, match="no-answer-for-visit"):
        from_yaml(visits, DECISION, 2)
    assert from_yaml("overal", DECISION, 5) == [Choose("overal")]


def test_typed_answers_are_accepted_by_the_engine() -> None:
    # The engine's own walk, answered only with typed keys.
    doc, _ = read_document(CORPUS / "sub-procedure.yaml")
    assert doc is not None
    runbooks = {TOP: RUNBOOK, "sub-procedure": build_runbook(doc)}
    state = initial_state(runbooks)
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    drafts = open_events(
        RUNBOOK,
        incident="i",
        mode="live",
        operator="Jan",
        tool_version="0",
        timezone="UTC",
        lang="nl",
        allow_draft=False,
        runbooks=runbooks,
    )
    for line in ["1", "l", "2 ja", "j", "14:03", "klaar", "nee", "/k 1"]:
        for draft in drafts:
            state = apply(state, {"type": draft.type, "at": now.isoformat(), **draft.fields})
        p = prompt(state)
        parsed = parse_typed(line, p, state.step_of(p.runbook_id, p.step_id), state.open_items)
        assert not isinstance(parsed, Overview | Help)
        drafts = respond(state, parsed, now)
    for draft in drafts:
        state = apply(state, {"type": draft.type, "at": now.isoformat(), **draft.fields})
    assert state.closed and state.open_items == ()
