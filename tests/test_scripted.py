"""Scripted answers (draaiboek.engine.script): one implementation for `start --answers FILE` and
`draaiboek test`, with the same step names and the same visit counting; a refused scripted
value ends the walk (exit 1, one line naming the step and the reason) instead of being asked
again forever."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from runbook_corpus import CORPUS, T0, TOP
from typer.testing import CliRunner

import draaiboek.cli.main  # noqa: F401  (importing it registers every command on the app)
from draaiboek.cli.app import app
from draaiboek.engine import script
from draaiboek.engine.decide import open_events, respond
from draaiboek.engine.fold import apply, initial_state
from draaiboek.engine.inputs import Choose
from draaiboek.engine.script import Script, ScriptStop
from draaiboek.engine.state import WalkState
from draaiboek.load.build import build_runbook
from draaiboek.load.documents import read_document
from draaiboek.services import pathtest
from draaiboek.services.answerfile import AnswerFileError, read_answers

REPO = Path(__file__).resolve().parent.parent
UNSET = ("DRAAIBOEK_RUNBOOKS", "DRAAIBOEK_LANG", "DRAAIBOEK_OPERATOR", "DRAAIBOEK_HOME")

# A decision that can lead back to itself: the visits of one step are what a YAML list answers.
LOOP_YAML = """\
format: draaiboek/1
id: lus
version: 0.1.0
status: approved
title: {nl: "Lus", en: "Loop"}
languages: [nl, en]
owner: draaiboek tests
review_before: 2099-12-31
roles:
  caco: {nl: Calamiteitencoördinator, en: Emergency coordinator}
start: q
steps:
  q:
    type: decision
    title: {nl: "Nog een ronde?", en: "Another round?"}
    role: caco
    options:
      - {id: nog, label: {nl: "Nog een", en: "Another"}, next: q}
      - {id: klaar, label: {nl: "Klaar", en: "Done"}, next: e}
  e:
    type: end
    title: {nl: "Einde", en: "End"}
    role: caco
    outcome: resolved
"""


def run_draaiboek(home: Path, args: list[str]) -> tuple[int, str]:
    """`python -m draaiboek ARGS` in a child process: a walk that never ends fails by timeout."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(PYTHONPATH=str(REPO), COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home))
    done = subprocess.run(
        [sys.executable, "-m", "draaiboek", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    return done.returncode, (done.stdout + done.stderr).decode()


def walk_with(tmp_path: Path, answers: str, runbooks: Path = CORPUS, top: str = TOP) -> Any:
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "answers.yaml"
    path.write_text(answers, encoding="utf-8")
    home = tmp_path / "home"
    args = ["start", top, "--runbooks", str(runbooks), "--operator", "Jan", "--incident", "x"]
    code, output = run_draaiboek(home, [*args, "--answers", str(path)])
    journal = home / "incidents" / "x" / "journal.jsonl"
    events = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    return code, output, events


ON_TO_STARTTIJD = "vaststellen: nergens\ntestbellen: done\nlijst: {lms: done, ncc: done}\n"


def test_a_refused_scripted_value_ends_the_walk_naming_the_step_and_the_reason(
    tmp_path: Path,
) -> None:
    code, output, events = walk_with(tmp_path, ON_TO_STARTTIJD + 'starttijd: "99:99"\n')
    assert code == 1
    refusals = [line for line in output.splitlines() if "starttijd" in line]
    assert len(refusals) == 1, output
    assert "--answers: starttijd: Ongeldige waarde" in refusals[0]
    assert "niet in de gevraagde vorm" in refusals[0]  # the reason, as a typed value gets it
    assert output.count("Ongeldige waarde") == 1
    assert [e["type"] for e in events][-2:] == ["entered", "paused"]
    assert events[-2]["step"] == "starttijd" and events[-1]["reason"] == "input-ended"
    assert not [e for e in events if e["type"] == "recorded"]


def test_a_scripted_value_that_is_no_answer_at_its_step_ends_the_walk(tmp_path: Path) -> None:
    code, output, events = walk_with(tmp_path, "vaststellen: ergens\n")
    assert code == 1
    lines = [line for line in output.splitlines() if "vaststellen" in line]
    assert lines == ["! --answers: vaststellen: Onbekende keuze: kies een nummer uit de lijst."]
    assert events[-1]["type"] == "paused" and events[-1]["reason"] == "input-ended"


@pytest.fixture
def loop_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "lus.yaml").write_text(LOOP_YAML, encoding="utf-8")
    return folder


def test_the_walk_and_draaiboek_test_count_visits_alike(tmp_path: Path, loop_folder: Path) -> None:
    doc, findings = read_document(loop_folder / "lus.yaml")
    assert doc is not None, findings
    runbooks = {"lus": build_runbook(doc)}
    case = {"name": "rondes", "answers": {"q": ["nog", "nog", "klaar"]}, "expect": {"end": "e"}}
    assert pathtest.run_case(runbooks, "lus", case, T0).passed
    code, output, events = walk_with(tmp_path, "q: [nog, nog, klaar]\n", loop_folder, "lus")
    assert code == 0, output
    assert [e["option"] for e in events if e["type"] == "answered"] == ["nog", "nog", "klaar"]

    short = {"name": "te kort", "answers": {"q": ["nog"]}, "expect": {"end": "e"}}
    assert pathtest.run_case(runbooks, "lus", short, T0).problems == (
        "step 'q': no-answer-for-visit (q visit 2)",
    )
    code, output, events = walk_with(tmp_path / "short", "q: [nog]\n", loop_folder, "lus")
    assert code == 1
    assert "--answers: q: Geen antwoord voor dit bezoek: q visit 2" in output
    assert [e["option"] for e in events if e["type"] == "answered"] == ["nog"]


def test_scripted_answers_that_go_round_forever_end_the_walk(
    tmp_path: Path, loop_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(script, "MAX_ANSWERS", 5)  # as 10,000, without 10,000 fsyncs
    answers = tmp_path / "answers.yaml"
    answers.write_text("q: nog\n", encoding="utf-8")
    args = ["start", "lus", "--runbooks", str(loop_folder), "--operator", "Jan"]
    env = {name: None for name in UNSET} | {"COLUMNS": "100", "NO_COLOR": "1"}
    env["DRAAIBOEK_HOME"] = str(tmp_path / "home")
    result = CliRunner().invoke(app, [*args, "--answers", str(answers)], env=env)
    assert result.exit_code == 1, result.output
    assert "--answers: q: Meer dan 5 antwoorden zonder het einde te bereiken" in result.output
    journal = next((tmp_path / "home" / "incidents").iterdir()) / "journal.jsonl"
    events = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert [e["type"] for e in events].count("answered") == 5
    assert events[-1]["type"] == "paused" and events[-1]["reason"] == "input-ended"


# --- the Script itself -------------------------------------------------------------------------


def _walked(runbooks: dict[str, Any], options: list[str]) -> WalkState:
    """A walk of `lus` that answered `q` with these options (as a journal replayed on resume)."""
    state = initial_state(runbooks)
    now = T0

    def log(drafts: Any) -> None:
        nonlocal state, now
        for draft in drafts:
            state = apply(state, {"type": draft.type, "at": now.isoformat(), **draft.fields})
            now += timedelta(minutes=1)

    log(
        open_events(
            runbooks["lus"], incident="x", mode="exercise", operator="Jan", tool_version="t",
            timezone="UTC", lang="nl", allow_draft=True,
        )
    )  # fmt: skip
    for option in options:
        log(respond(state, Choose(option), now))
    return state


def test_visits_count_the_whole_path_also_of_a_resumed_walk(loop_folder: Path) -> None:
    doc, _ = read_document(loop_folder / "lus.yaml")
    assert doc is not None
    runbooks = {"lus": build_runbook(doc)}
    state = _walked(runbooks, ["nog", "nog"])  # q entered three times: this is visit 3
    assert Script({"q": ["nog", "nog", "klaar"]}, "lus").next(state) == Choose("klaar")
    # The top runbook's steps may also be named with its id.
    assert Script({"lus/q": "klaar"}, "lus").next(state) == Choose("klaar")
    with pytest.raises(ScriptStop) as stop:
        Script({"x": "klaar"}, "lus").next(state)
    assert (stop.value.code, stop.value.step) == ("no-answer", "q")


def test_reading_an_answer_file(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("vaststellen: nergens\n", encoding="utf-8")
    assert read_answers(path) == {"vaststellen": "nergens"}
    path.write_text("- vaststellen\n", encoding="utf-8")
    with pytest.raises(AnswerFileError, match="must be a mapping"):
        read_answers(path)
    path.write_text("vaststellen: [1\n", encoding="utf-8")
    with pytest.raises(AnswerFileError, match=r"a\.yaml:\d+:\d+: "):
        read_answers(path)
    with pytest.raises(AnswerFileError, match="cannot read"):
        read_answers(tmp_path / "nope.yaml")
