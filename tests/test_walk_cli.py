"""The incident walk on the command line: start, resume, status, incidents, verify.

Walks run two ways: in-process through typer's CliRunner, and as `python -m draaiboek` with the
answers piped on stdin. Every test has its own DRAAIBOEK_HOME under tmp_path.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from runbook_corpus import ANSWERS
from typer.testing import CliRunner

import draaiboek.cli.main  # noqa: F401  (importing it registers every command on the app)
from draaiboek.cli.app import app

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "valid"
TOP = "every-step-type"
SUB = "sub-procedure"
RB = ["--runbooks", str(CORPUS)]
# decision 1, action j, checklist j j, input, the sub-procedure's action j
FULL = "1\nj\nj\nj\n12:30\nj\n"
UNSET = ("DRAAIBOEK_RUNBOOKS", "DRAAIBOEK_LANG", "DRAAIBOEK_OPERATOR", "DRAAIBOEK_HOME")


@dataclass(frozen=True)
class Run:
    code: int
    output: str  # stdout and stderr


Driver = Callable[[Path, list[str], str], Run]


def cli(home: Path, args: list[str], input: str = "") -> Run:
    """`draaiboek ARGS` in-process, answers on stdin."""
    env: dict[str, str | None] = {name: None for name in UNSET}
    env.update(COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home))
    result = CliRunner().invoke(app, args, input=input, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.output)


def sub_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(PYTHONPATH=str(REPO), COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home))
    return env


def piped(home: Path, args: list[str], input: str = "") -> Run:
    """`python -m draaiboek ARGS` in a child process, answers piped on stdin."""
    done = subprocess.run(
        [sys.executable, "-m", "draaiboek", *args],
        input=input.encode(),
        capture_output=True,
        env=sub_env(home),
        cwd=REPO,
        timeout=60,
    )
    return Run(done.returncode, (done.stdout + done.stderr).decode())


DRIVERS: dict[str, Driver] = {"clirunner": cli, "subprocess": piped}


@pytest.fixture(params=list(DRIVERS))
def drive(request: pytest.FixtureRequest) -> Driver:
    return DRIVERS[request.param]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def journal_path(home: Path, incident: str = "x") -> Path:
    return home / "incidents" / incident / "journal.jsonl"


def events(home: Path, incident: str = "x") -> list[dict[str, Any]]:
    lines = journal_path(home, incident).read_bytes().split(b"\n")
    return [json.loads(line) for line in lines if line]


def kinds(found: list[dict[str, Any]]) -> list[str]:
    return [str(e["type"]) for e in found]


def where(found: list[dict[str, Any]], kind: str) -> list[tuple[str, str]]:
    return [(str(e["runbook"]), str(e["step"])) for e in found if e["type"] == kind]


def start(drive: Driver, home: Path, input: str, *extra: str, incident: str = "x") -> Run:
    args = ["start", TOP, *RB, "--operator", "Jan", "--incident", incident, *extra]
    return drive(home, args, input)


def resume(drive: Driver, home: Path, input: str, *extra: str, incident: str = "x") -> Run:
    return drive(home, ["resume", incident, *RB, *extra], input)


# --- every step type -------------------------------------------------------------------------


def test_full_walk_through_every_step_type(drive: Driver, home: Path) -> None:
    run = start(drive, home, FULL)
    assert run.code == 0, run.output
    found = events(home)
    assert kinds(found) == [
        "opened", "entered", "answered", "entered", "action", "entered", "item", "item",
        "entered", "recorded", "entered", "called", "entered", "action", "entered", "returned",
        "entered", "closed",
    ]  # fmt: skip
    assert where(found, "entered") == [
        (TOP, "vaststellen"), (TOP, "testbellen"), (TOP, "lijst"), (TOP, "starttijd"),
        (TOP, "nlalert"), (SUB, "melden"), (SUB, "einde"), (TOP, "klaar"),
    ]  # fmt: skip
    assert found[2]["option"] == "nergens"
    assert (found[4]["result"], found[4]["reason"]) == ("done", "")
    assert [(e["item"], e["result"]) for e in found if e["type"] == "item"] == [
        ("lms", "done"),
        ("ncc", "done"),
    ]
    assert found[9]["value"] == "12:30"
    called = found[11]
    assert (called["runbook"], called["from_runbook"], called["from_step"]) == (
        SUB,
        TOP,
        "nlalert",
    )
    assert called["version"] == "0.1.0"
    returned = found[15]
    assert (returned["runbook"], returned["outcome"], returned["to_step"]) == (
        SUB,
        "resolved",
        "nlalert",
    )
    closed = found[-1]
    assert (closed["outcome"], closed["open"], closed["step"]) == ("resolved", [], "klaar")
    assert {e["by"] for e in found} == {"Jan"}
    # Dutch by default, and the sub-procedure is announced on screen
    assert "Is 112 bereikbaar?" in run.output
    assert "Kies 1-2" in run.output
    assert "Subprocedure: Subprocedure" in run.output
    assert "vastgelegd: subprocedure gestart: Subprocedure" in run.output
    assert "vastgelegd: subprocedure afgerond (opgelost)" in run.output
    assert "Het draaiboek is afgerond" in run.output
    assert "Can 112 be reached?" not in run.output


@pytest.mark.parametrize(
    ("driver", "typed", "option", "then"),
    [("subprocess", "1", "nergens", "testbellen"), ("subprocess", "overal", "overal", "klaar"),
     ("clirunner", "1", "nergens", "testbellen"), ("clirunner", "nergens", "nergens", "testbellen"),
     ("clirunner", "2", "overal", "klaar"), ("clirunner", "OVERAL", "overal", "klaar")],
)  # fmt: skip
def test_decision_by_number_and_by_id(
    home: Path, driver: str, typed: str, option: str, then: str
) -> None:
    run = start(DRIVERS[driver], home, f"3\nweet niet\n{typed}\n")
    found = events(home)
    assert run.output.count("Onbekende keuze") == 2
    assert [e["option"] for e in found if e["type"] == "answered"] == [option]
    assert where(found, "entered")[1] == (TOP, then)
    if then == "klaar":  # straight to the end: closed, nothing open
        assert run.code == 0
        assert found[-1]["type"] == "closed"
    else:
        assert run.code == 1


@pytest.mark.parametrize(
    ("driver", "typed", "result", "reason"),
    [("subprocess", "n geen lijn", "skipped", "geen lijn"), ("subprocess", "l", "deferred", ""),
     ("clirunner", "j", "done", ""), ("clirunner", "ja", "done", ""),
     ("clirunner", "n geen lijn naar KPN", "skipped", "geen lijn naar KPN"),
     ("clirunner", "l", "deferred", ""), ("clirunner", "later", "deferred", "")],
)  # fmt: skip
def test_action_keys(home: Path, driver: str, typed: str, result: str, reason: str) -> None:
    run = start(DRIVERS[driver], home, f"1\n{typed}\n")
    actions = [e for e in events(home) if e["type"] == "action"]
    assert [(e["step"], e["result"], e["reason"]) for e in actions] == [
        ("testbellen", result, reason)
    ]
    assert where(events(home), "entered")[-1] == (TOP, "lijst")
    assert run.code == 1  # the input ended at the checklist


def test_action_no_without_reason_is_asked_again(drive: Driver, home: Path) -> None:
    run = start(drive, home, "1\nn\nnee\nn storing\n")
    assert run.output.count("Geef een reden: n <reden>.") == 2
    actions = [e for e in events(home) if e["type"] == "action"]
    assert [(e["result"], e["reason"]) for e in actions] == [("skipped", "storing")]


def test_checklist_in_order(drive: Driver, home: Path) -> None:
    run = start(drive, home, "1\nj\nj\nn NCC neemt niet op\n")
    items = [(e["item"], e["result"], e["reason"]) for e in events(home) if e["type"] == "item"]
    assert items == [("lms", "done", ""), ("ncc", "skipped", "NCC neemt niet op")]
    assert "Punt 1/2: LMS geïnformeerd" in run.output
    assert "Punt 2/2: NCC geïnformeerd" in run.output
    assert where(events(home), "entered")[-1] == (TOP, "starttijd")


def test_checklist_out_of_order_and_deferred_item_completed_later(
    drive: Driver, home: Path
) -> None:
    run = start(drive, home, "1\nj\n2 j\nl\n/k 1\n12:30\nj\n")
    assert run.code == 0, run.output
    found = events(home)
    items = [(e["item"], e["result"], e.get("late", False)) for e in found if e["type"] == "item"]
    assert items == [("ncc", "done", False), ("lms", "deferred", False), ("lms", "done", True)]
    order = kinds(found)
    # the deferred item left the checklist open and the walk moved on; /k closed it later
    deferred_at = order.index("item", order.index("item") + 1)
    assert found[deferred_at + 1]["type"] == "entered"
    assert found[deferred_at + 1]["step"] == "starttijd"
    assert found[deferred_at + 2]["type"] == "item"
    assert "/k 1: LMS geïnformeerd (uitgesteld" in run.output
    # after 2 j the first item is still the one asked
    assert run.output.count("Punt 1/2: LMS geïnformeerd") >= 2
    assert found[-1]["type"] == "closed"
    assert found[-1]["open"] == []
    assert "confirmed" not in order


def test_deferred_item_stays_open_to_the_end(drive: Driver, home: Path) -> None:
    run = start(drive, home, "1\nj\nj\nl\n12:30\nj\n")
    assert run.code == 0, run.output
    found = events(home)
    assert found[-1]["type"] == "closed"
    assert found[-1]["open"] == [f"{TOP}/lijst/ncc"]
    # the open list is on every screen after it (input step, sub-procedure, end)
    assert run.output.count("/k 1: NCC geïnformeerd (uitgesteld") >= 2
    assert "confirmed" not in kinds(found)  # not critical: no confirmation


def test_input_valid_and_invalid_asked_again_with_reason(drive: Driver, home: Path) -> None:
    run = start(drive, home, "1\nj\nj\nj\n1230\n12:99\n09:45\n")
    rejected = [line for line in run.output.splitlines() if line.startswith("! ")]
    assert len(rejected) == 2
    for line in rejected:  # each says why: "! Ongeldige waarde: <reason>"
        reason = line.removeprefix("! Ongeldige waarde: ")
        assert reason != line
        assert reason.strip()
    assert run.output.count("Vul in > ") == 3  # asked again after each refusal
    recorded = [e["value"] for e in events(home) if e["type"] == "recorded"]
    assert recorded == ["09:45"]
    assert [e["runbook"] for e in events(home) if e["type"] == "called"] == [SUB]


def test_sub_runbook_entered_and_left(drive: Driver, home: Path) -> None:
    start(drive, home, FULL)
    found = events(home)
    called = kinds(found).index("called")
    returned = kinds(found).index("returned")
    inside = found[called + 1 : returned]
    assert {e["runbook"] for e in inside} == {SUB}
    assert [e["type"] for e in inside] == ["entered", "action", "entered"]
    assert (found[returned + 1]["runbook"], found[returned + 1]["step"]) == (TOP, "klaar")


def test_end_with_open_critical_asks_confirmation(drive: Driver, home: Path) -> None:
    run = start(drive, home, "1\nl\nj\nj\n12:30\nj\nn\nj\n")
    assert run.code == 0, run.output
    found = events(home)
    confirmations = [(e["yes"], e["open"]) for e in found if e["type"] == "confirmed"]
    assert confirmations == [(False, [f"{TOP}/testbellen"]), (True, [f"{TOP}/testbellen"])]
    assert kinds(found)[-3:] == ["confirmed", "confirmed", "closed"]
    assert found[-1]["open"] == [f"{TOP}/testbellen"]
    assert run.output.count("Er staan nog kritieke punten open. Toch afsluiten? j/n") == 2
    assert "afsluiten met open kritieke punten: nee" in run.output
    assert "afsluiten met open kritieke punten: bevestigd" in run.output


def test_end_confirmation_no_keeps_it_open(drive: Driver, home: Path) -> None:
    run = start(drive, home, "1\nl\nj\nj\n12:30\nj\nn\n")
    assert run.code == 1
    found = events(home)
    assert "closed" not in kinds(found)
    assert [e["yes"] for e in found if e["type"] == "confirmed"] == [False]
    assert found[-1]["type"] == "paused"
    # completing the critical action with /k lets the walk close without asking again
    again = resume(drive, home, "/k 1\n")
    assert again.code == 0, again.output
    after = events(home)
    assert after[-2]["type"] == "action"
    assert (after[-2]["step"], after[-2]["result"], after[-2]["late"]) == (
        "testbellen",
        "done",
        True,
    )
    assert after[-1]["type"] == "closed"
    assert after[-1]["open"] == []


# --- commands --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/n", "/notitie", "/note", "/N"])
def test_note(home: Path, command: str) -> None:
    run = start(cli, home, f"{command} Meldkamer belt terug\n1\n")
    notes = [e for e in events(home) if e["type"] == "note"]
    assert [(e["step"], e["text"], e["by"]) for e in notes] == [
        ("vaststellen", "Meldkamer belt terug", "Jan")
    ]
    assert "vastgelegd: notitie: Meldkamer belt terug" in run.output
    # a note is not an answer: the decision was still asked, and answered next
    assert [e["option"] for e in events(home) if e["type"] == "answered"] == ["nergens"]


def test_note_without_text_is_refused(home: Path) -> None:
    run = start(cli, home, "/n\n/n   \n")
    assert run.output.count("Schrijf de notitie achter de opdracht") == 2
    assert "note" not in kinds(events(home))


@pytest.mark.parametrize("command", ["/t", "/terug", "/back"])
def test_back_corrects_and_the_state_after_is_the_corrected_one(home: Path, command: str) -> None:
    run = start(cli, home, f"1\n{command}\n2\n")
    assert run.code == 0, run.output
    found = events(home)
    assert kinds(found) == [
        "opened", "entered", "answered", "entered", "corrected", "answered", "entered", "closed",
    ]  # fmt: skip
    corrected = found[4]
    assert (corrected["runbook"], corrected["step"]) == (TOP, "vaststellen")
    assert (corrected["from_runbook"], corrected["from_step"]) == (TOP, "testbellen")
    # the walk went on from the corrected step: the second answer ends it, no action asked
    assert [e["option"] for e in found if e["type"] == "answered"] == ["nergens", "overal"]
    assert "action" not in kinds(found)
    assert "vastgelegd: terug naar: Is 112 bereikbaar?" in run.output
    assert run.output.count("Vanuit geen enkel netwerk") >= 3  # listed again after going back


def test_back_from_the_checklist_forgets_its_items(home: Path) -> None:
    run = start(cli, home, "1\nj\nj\n/t\nj\nl\nl\n")
    found = events(home)
    assert where(found, "corrected") == [(TOP, "testbellen")]
    after = found[kinds(found).index("corrected") + 1 :]
    assert [(e["type"], e.get("result")) for e in after[:2]] == [
        ("action", "done"),
        ("entered", None),
    ]
    items = [(e["item"], e["result"]) for e in after if e["type"] == "item"]
    assert items == [("lms", "deferred"), ("ncc", "deferred")]  # asked from the first again
    assert run.code == 1


def test_back_at_the_first_step_is_refused(home: Path) -> None:
    run = start(cli, home, "/t\n")
    assert "Er is geen eerdere stap." in run.output
    assert "corrected" not in kinds(events(home))


@pytest.mark.parametrize("command", ["/o", "/overzicht", "/overview"])
def test_overview(home: Path, command: str) -> None:
    run = start(cli, home, f"1\nl\n/n eerste notitie\n{command}\n")
    shown = run.output.split("Gelopen route:", 1)
    assert len(shown) == 2, run.output
    overview = shown[1]
    assert "Is 112 bereikbaar?" in overview
    assert "Bel 112 testen" in overview
    assert "Informeer de keten" in overview
    assert "/k 1: Bel 112 testen (uitgesteld" in overview
    assert "Termijnen:" in overview
    assert "Notities:" in overview
    assert "Jan: eerste notitie" in overview
    # looking logs nothing
    assert kinds(events(home))[-2:] == ["note", "paused"]


@pytest.mark.parametrize("command", ["/p", "/pauze", "/pause"])
def test_pause(home: Path, command: str) -> None:
    run = start(cli, home, f"1\n{command}\nj\n")
    assert run.code == 0
    found = events(home)
    assert found[-1]["type"] == "paused"
    assert found[-1]["reason"] == "user"
    assert "action" not in kinds(found)  # the line after the pause was not read
    # the hint names the tool as it was started (and a home that is not the default)
    assert "Gepauzeerd. Verder gaan:" in run.output
    assert "draaiboek resume x" in " ".join(run.output.split())


@pytest.mark.parametrize("command", ["/?", "/hulp", "/help"])
def test_help(home: Path, command: str) -> None:
    run = start(cli, home, f"{command}\n")
    assert "Opdrachten, altijd mogelijk" in run.output
    assert "/t terug (corrigeren)" in run.output
    assert kinds(events(home)) == ["opened", "entered", "paused"]


def test_english_long_forms_and_texts(home: Path) -> None:
    run = start(cli, home, "/help\n/note in English\n1\n/overview\n/back\n/pause\n", "--lang", "en")
    assert run.code == 0
    assert "Commands, at any prompt" in run.output
    assert "logged: note: in English" in run.output
    assert "Path so far:" in run.output
    assert "logged: back to: Can 112 be reached?" in run.output
    assert "Paused. To continue:" in run.output
    assert "draaiboek resume x" in " ".join(run.output.split())
    assert kinds(events(home))[-3:] == ["entered", "corrected", "paused"]


def test_unknown_command_and_empty_line(home: Path) -> None:
    run = start(cli, home, "/x\n\n   \n")
    assert "Onbekende opdracht: /? voor hulp." in run.output
    assert run.output.count("Geef een antwoord (of /? voor hulp).") == 2
    assert kinds(events(home)) == ["opened", "entered", "paused"]


@pytest.mark.parametrize("typed", ["[/x]", "[bold]ja[/bold]", "\\[1]"])
def test_a_typed_answer_is_echoed_as_text(drive: Driver, home: Path, typed: str) -> None:
    """What comes through a pipe is shown as it was typed, never read as screen markup (a
    closing tag that closes nothing used to stop the walk with an internal error)."""
    run = start(drive, home, f"{typed}\n/n {typed}\n")
    assert run.code == 1, run.output  # the input ended: paused
    assert f"> {typed}\n" in run.output
    assert [e["text"] for e in events(home) if e["type"] == "note"] == [typed]


def test_all_commands_through_a_pipe(home: Path) -> None:
    """The same commands in a child process, answers piped on stdin."""
    typed = "/?\n/n via de pijp\n1\n/o\n/t\n1\nl\n/terug\n/back\n2\n"
    run = start(piped, home, typed)
    assert run.code == 0, run.output
    found = events(home)
    assert kinds(found) == [
        "opened", "entered", "note", "answered", "entered", "corrected", "answered", "entered",
        "action", "entered", "corrected", "corrected", "answered", "entered", "closed",
    ]  # fmt: skip
    assert where(found, "corrected") == [
        (TOP, "vaststellen"), (TOP, "testbellen"), (TOP, "vaststellen"),
    ]  # fmt: skip
    assert "Opdrachten, altijd mogelijk" in run.output
    assert "Gelopen route:" in run.output
    assert found[-1]["open"] == []  # the deferred action was on a path given up by going back


# --- language and exercise -------------------------------------------------------------------


def test_lang_en(drive: Driver, home: Path) -> None:
    run = start(drive, home, FULL, "--lang", "en")
    assert run.code == 0, run.output
    for text in (
        "Can 112 be reached?",
        "Choose 1-2 (or /? for help)",
        "logged: chosen: From no network",
        "y = done · n <reason> = not possible · l = later",  # English keys (j still works)
        "Item 1/2: LMS informed",
        "Sub-procedure: Sub-procedure",
        "The runbook is finished. Report:",
        "EXAMPLE NUMBER — DO NOT CALL",
    ):
        assert text in run.output
    assert "draaiboek report x" in " ".join(run.output.split())
    for dutch in ("Kies", "vastgelegd", "Is 112 bereikbaar?"):
        assert dutch not in run.output
    assert events(home)[0]["lang"] == "en"


def test_unknown_language_is_a_usage_error(home: Path) -> None:
    run = start(cli, home, FULL, "--lang", "en", "--lang", "de")
    assert run.code == 2
    assert "unknown language 'de'" in run.output
    assert not journal_path(home).exists()


@pytest.mark.parametrize(
    ("lang", "banner"),
    [("nl", "*** OEFENING — GEEN ECHT INCIDENT ***"),
     ("en", "*** EXERCISE — NOT A REAL INCIDENT ***")],
)  # fmt: skip
def test_exercise_banner_on_every_screen(drive: Driver, home: Path, lang: str, banner: str) -> None:
    run = start(drive, home, FULL, "--exercise", "--lang", lang)
    assert run.code == 0, run.output
    headers = run.output.count("· v1.2.0 · incident x")
    assert headers >= 6  # one screen per question
    assert run.output.count(banner) == headers
    opened = events(home)[0]
    assert opened["mode"] == "exercise"
    listed = cli(home, ["incidents", "--lang", lang])
    assert ("OEFENING" if lang == "nl" else "EXERCISE") in listed.output


def test_live_walk_has_no_banner(home: Path) -> None:
    run = start(cli, home, FULL)
    assert "OEFENING" not in run.output
    assert events(home)[0]["mode"] == "live"


# --- how a walk ends and what start refuses --------------------------------------------------


def test_input_ending_before_the_end_pauses_with_exit_1(drive: Driver, home: Path) -> None:
    run = start(drive, home, "1\nj\n")
    assert run.code == 1
    found = events(home)
    assert found[-1]["type"] == "paused"
    assert found[-1]["reason"] == "input-ended"
    assert "De invoer is op voordat het draaiboek klaar is." in run.output
    # the hint names the tool as it was started (and a home that is not the default)
    assert "Gepauzeerd. Verder gaan:" in run.output
    assert "draaiboek resume x" in " ".join(run.output.split())


def test_no_input_at_all_pauses_at_the_first_step(drive: Driver, home: Path) -> None:
    run = start(drive, home, "")
    assert run.code == 1
    assert kinds(events(home)) == ["opened", "entered", "paused"]


def test_generated_incident_id(home: Path) -> None:
    run = cli(home, ["start", TOP, *RB, "--operator", "Jan"], FULL)
    assert run.code == 0, run.output
    (folder,) = (home / "incidents").iterdir()
    assert re.fullmatch(rf"\d{{8}}-\d{{4}}-{TOP}-[0-9a-f]{{4}}", folder.name)
    assert f"draaiboek report {folder.name}" in run.output
    assert events(home, folder.name)[0]["incident"] == folder.name


def test_incident_folder_and_journal_are_private(home: Path) -> None:
    start(cli, home, "1\n")
    folder = journal_path(home).parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(journal_path(home).stat().st_mode) == 0o600
    copies = sorted(folder.glob("*.yaml"))
    assert len(copies) == 2  # the runbook and the sub-runbook it calls, as they were
    assert all(stat.S_IMODE(c.stat().st_mode) == 0o600 for c in copies)
    assert {c.read_bytes() for c in copies} == {
        (CORPUS / f"{TOP}.yaml").read_bytes(),
        (CORPUS / f"{SUB}.yaml").read_bytes(),
    }


def answers_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_answers_file_walks_to_the_end(drive: Driver, home: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, ANSWERS)
    run = start(drive, home, "", "--answers", str(path))
    assert run.code == 0, run.output
    found = events(home)
    assert found[-1]["type"] == "closed"
    assert [(e["item"], e["result"], e["reason"]) for e in found if e["type"] == "item"] == [
        ("lms", "done", ""),
        ("ncc", "skipped", "geen verbinding"),
    ]
    assert [e["step"] for e in found if e["type"] == "action"] == ["testbellen", "melden"]
    assert [e["runbook"] for e in found if e["type"] == "called"] == [SUB]


def test_answers_file_that_stops_early(home: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, "vaststellen: 1\ntestbellen: done\n")
    run = start(cli, home, "", "--answers", str(path))
    assert run.code == 1
    found = events(home)
    assert found[-1]["type"] == "paused"
    assert found[-1]["reason"] == "input-ended"
    assert where(found, "entered")[-1] == (TOP, "lijst")


def test_answers_file_that_is_not_yaml_or_missing(home: Path, tmp_path: Path) -> None:
    bad = answers_file(tmp_path, "vaststellen: [1\n")
    assert start(cli, home, "", "--answers", str(bad)).code == 2
    assert start(cli, home, "", "--answers", str(tmp_path / "nope.yaml")).code == 2
    assert not (home / "incidents").exists()


def test_operator_required_without_a_terminal(drive: Driver, home: Path, tmp_path: Path) -> None:
    run = drive(home, ["start", TOP, *RB, "--incident", "x"], FULL)
    assert run.code == 2
    assert "--operator" in run.output
    path = answers_file(tmp_path, ANSWERS)
    with_answers = drive(home, ["start", TOP, *RB, "--answers", str(path)], "")
    assert with_answers.code == 2
    assert "--operator" in with_answers.output
    assert not (home / "incidents").exists()


@pytest.mark.parametrize(
    "walk", [["start", TOP], ["exercise", str(REPO / "tests/corpus/scenarios/elk-staptype.yaml")]]
)
@pytest.mark.parametrize("operator", [[], ["--operator", ""]])
def test_an_answers_file_needs_operator_given(
    home: Path, tmp_path: Path, walk: list[str], operator: list[str]
) -> None:
    """With --answers the name is never asked (the file's answers are no name): one rule for
    `start` and `exercise`."""
    path = answers_file(tmp_path, ANSWERS)
    run = cli(home, [*walk, *RB, "--answers", str(path), *operator])
    assert run.code == 2, run.output
    assert "--operator NAAM is nodig bij --answers" in run.output
    assert not (home / "incidents").exists()


@pytest.mark.parametrize(
    ("driver", "given"),
    [("subprocess", "../x"), ("subprocess", "a/b")]
    + [("clirunner", bad) for bad in ["../x", "a/b", "/tmp/x", "..", ".verborgen", "a b", "x\\y",
                                      "x\n"]],
)  # fmt: skip
def test_incident_must_be_a_plain_name(home: Path, driver: str, given: str) -> None:
    run = start(DRIVERS[driver], home, FULL, incident=given)
    assert run.code == 2
    assert "not a plain name" in run.output
    assert not (home / "incidents").exists()
    assert not (home / "x").exists()


def test_incident_that_exists_already(home: Path) -> None:
    start(cli, home, "1\n")
    before = journal_path(home).read_bytes()
    run = start(cli, home, "2\n")
    assert run.code == 1
    assert "already exists" in run.output
    assert journal_path(home).read_bytes() == before


def draft_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    for name in ("contacts.yaml", f"{SUB}.yaml"):
        (folder / name).write_bytes((CORPUS / name).read_bytes())
    text = (CORPUS / f"{TOP}.yaml").read_text(encoding="utf-8")
    assert "status: approved" in text
    (folder / f"{TOP}.yaml").write_text(text.replace("status: approved", "status: draft"), "utf-8")
    return folder


def test_draft_runbook_needs_allow_draft_when_live(
    drive: Driver, home: Path, tmp_path: Path
) -> None:
    folder = draft_corpus(tmp_path)
    base = ["start", TOP, "--runbooks", str(folder), "--operator", "Jan", "--incident", "x"]
    refused = drive(home, base, FULL)
    assert refused.code == 1
    assert "draft" in refused.output
    assert "--allow-draft" in refused.output
    assert not journal_path(home).exists()
    allowed = drive(home, [*base, "--allow-draft"], FULL)
    assert allowed.code == 0, allowed.output
    opened = events(home)[0]
    assert (opened["allow_draft"], opened["status"], opened["mode"]) == (True, "draft", "live")
    assert "niet goedgekeurd (draft)" in allowed.output


def test_draft_runbook_in_an_exercise(home: Path, tmp_path: Path) -> None:
    folder = draft_corpus(tmp_path)
    run = cli(
        home,
        ["start", TOP, "--runbooks", str(folder), "--operator", "Jan", "--incident", "x",
         "--exercise"],
        FULL,
    )  # fmt: skip
    assert run.code == 0, run.output
    assert (events(home)[0]["mode"], events(home)[0]["allow_draft"]) == ("exercise", False)


# --- resume ----------------------------------------------------------------------------------


def test_resume_continues_at_the_same_step(drive: Driver, home: Path) -> None:
    start(drive, home, "1\n")
    paused_at = len(events(home))
    run = resume(drive, home, "j\n")
    assert run.code == 1
    after = events(home)[paused_at:]
    assert [e["type"] for e in after[:3]] == ["resumed", "action", "entered"]
    assert after[0]["by"] == "Jan"  # no --operator: the one who walked it before
    assert "handover" not in kinds(after)
    assert (after[1]["step"], after[1]["result"]) == ("testbellen", "done")
    assert "vastgelegd: hervat door Jan" in run.output
    first_screen = run.output.split(" > ", 1)[0]
    assert "Bel 112 testen" in first_screen
    assert "Is 112 bereikbaar?" not in first_screen


def test_resume_by_another_operator_hands_over_and_finishes(drive: Driver, home: Path) -> None:
    start(drive, home, "1\nj\n")
    paused_at = len(events(home))
    run = resume(drive, home, "j\nj\n12:30\nj\n", "--operator", "Piet")
    assert run.code == 0, run.output
    after = events(home)[paused_at:]
    assert [e["type"] for e in after[:2]] == ["resumed", "handover"]
    assert after[0]["by"] == "Piet"
    assert (after[1]["from"], after[1]["to"]) == ("Jan", "Piet")
    assert {e["by"] for e in after} == {"Piet"}
    assert after[-1]["type"] == "closed"
    # reaching the sub-runbook for the first time after a resume works (its copy is stored)
    assert "called" in kinds(after)
    assert "vastgelegd: overgedragen van Jan aan Piet" in run.output
    assert "operator Piet" in run.output
    listed = json.loads(cli(home, ["incidents", "--format", "json"]).output)
    assert listed[0]["operator"] == "Piet"


@contextmanager
def holding_writer(home: Path, incident: str = "x") -> Iterator[subprocess.Popen[bytes]]:
    """A walk in a child process that waits at a prompt (its stdin open, nothing written)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "draaiboek", "start", TOP, *RB, "--operator", "Jan",
         "--incident", incident],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=sub_env(home), cwd=REPO,
    )  # fmt: skip
    try:
        path = journal_path(home, incident)
        deadline = time.monotonic() + 30
        while not (path.is_file() and path.read_bytes().count(b"\n") >= 2):
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the walk did not start"
            time.sleep(0.02)
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate(timeout=30)


def test_second_writer_is_refused_and_status_still_works(home: Path) -> None:
    with holding_writer(home) as child:
        before = journal_path(home).read_bytes()
        refused = resume(cli, home, "1\n", "--operator", "Piet")
        assert refused.code == 1
        assert "is being walked by Jan" in refused.output
        assert f"pid {child.pid}" in refused.output
        assert "draaiboek status" in refused.output
        looked = cli(home, ["status", "x", *RB])
        assert looked.code == 0, looked.output
        assert "Status: open" in looked.output
        assert "Huidige stap: Is 112 bereikbaar?" in looked.output
        assert journal_path(home).read_bytes() == before  # neither of them wrote
        assert child.poll() is None  # the walk goes on undisturbed
    # once the first writer is gone the incident can be taken over
    taken = resume(cli, home, "1\n", "--operator", "Piet")
    assert "is being walked" not in taken.output
    assert "handover" in kinds(events(home))


def test_resume_of_a_closed_incident_is_refused(drive: Driver, home: Path) -> None:
    start(drive, home, FULL)
    before = journal_path(home).read_bytes()
    run = resume(drive, home, "j\n", "--operator", "Piet", "--lang", "en")
    assert run.code == 1
    assert "incident x is closed" in run.output
    assert journal_path(home).read_bytes() == before


def test_resume_of_an_unknown_incident(home: Path) -> None:
    run = resume(cli, home, "")
    assert run.code == 1
    assert "no incident 'x'" in run.output


def test_resume_of_a_damaged_journal_is_a_clear_refusal(home: Path) -> None:
    start(cli, home, "1\n")
    lines = journal_path(home).read_bytes().split(b"\n")
    lines[2] = b"dit is geen json"
    journal_path(home).write_bytes(b"\n".join(lines))
    before = journal_path(home).read_bytes()
    run = resume(cli, home, "j\n")
    assert run.code == 1
    assert "damaged at line 3" in run.output
    assert "internal error" not in run.output
    assert journal_path(home).read_bytes() == before


def test_resume_finishes_a_walk_cut_off_at_its_end(home: Path) -> None:
    """Killed right after entering the sub-procedure's end: taking over completes it."""
    start(cli, home, FULL)
    lines = journal_path(home).read_bytes().split(b"\n")
    cut = next(i for i, raw in enumerate(lines) if b'"step":"einde"' in raw)
    journal_path(home).write_bytes(b"\n".join(lines[: cut + 1]) + b"\n")
    heads = home / "heads" / "x.heads"  # a kill there leaves the head register at that event
    heads.write_bytes(b"\n".join(heads.read_bytes().split(b"\n")[: cut + 1]) + b"\n")
    run = resume(cli, home, "")
    assert run.code == 0, run.output
    assert kinds(events(home))[-4:] == ["resumed", "returned", "entered", "closed"]
    assert "Het draaiboek is afgerond" in run.output


# --- status, incidents, verify ---------------------------------------------------------------


def test_status(home: Path) -> None:
    start(cli, home, "1\nl\n", "--exercise")
    run = cli(home, ["status", "x", *RB])
    assert run.code == 0, run.output
    assert "Status: gepauzeerd" in run.output
    assert "Huidige stap: Informeer de keten" in run.output
    assert "- Bel 112 testen (uitgesteld" in run.output
    assert "Termijn: Bel 112 testen" in run.output
    assert "OEFENING" in run.output
    english = cli(home, ["status", "x", *RB, "--lang", "en"])
    assert "State: paused" in english.output
    assert "Current step: Inform the chain" in english.output
    start(cli, home, FULL, incident="y")
    closed = cli(home, ["status", "y", *RB])
    assert "Status: afgesloten" in closed.output
    assert "Afgesloten: opgelost" in closed.output
    assert cli(home, ["status", "nope", *RB]).code == 1


def test_incidents_text_and_json(home: Path) -> None:
    assert "Geen incidenten in" in cli(home, ["incidents"]).output
    long_id = "oefening-" + "lang" * 25  # longer than the terminal is wide
    start(cli, home, FULL, incident="a-live")
    time.sleep(0.01)
    start(cli, home, "1\n", "--exercise", incident=long_id)
    run = cli(home, ["incidents"])
    assert run.code == 0
    lines = run.output.splitlines()
    assert len(lines) == 2
    newest, oldest = lines
    assert newest.startswith(long_id + "  ")  # the id in full, newest first
    assert f"{TOP} 1.2.0" in newest
    assert "OEFENING" in newest
    assert "gepauzeerd" in newest
    assert newest.endswith(" paused")
    assert oldest.startswith("a-live  ")
    assert "  live  " in oldest
    assert "afgesloten (opgelost)" in oldest
    assert oldest.endswith(" closed")
    assert len(re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", oldest)) == 2
    english = cli(home, ["incidents", "--lang", "en"]).output
    assert "EXERCISE" in english
    assert "closed (resolved)" in english

    listed = json.loads(cli(home, ["incidents", "--format", "json"]).output)
    assert [item["id"] for item in listed] == [long_id, "a-live"]
    by_id = {item["id"]: item for item in listed}
    live, drill = by_id["a-live"], by_id[long_id]
    live_events, drill_events = events(home, "a-live"), events(home, long_id)
    assert (live["runbook"], live["version"], live["mode"], live["state"]) == (
        TOP,
        "1.2.0",
        "live",
        "closed",
    )
    assert live["outcome"] == "resolved"
    assert live["started"] == live_events[0]["at"]
    assert (live["last_event"], live["last_type"]) == (live_events[-1]["at"], "closed")
    assert live["events"] == len(live_events)
    assert (drill["mode"], drill["state"], drill["outcome"]) == ("exercise", "paused", None)
    assert drill["last_type"] == "paused"
    assert drill["last_event"] == drill_events[-1]["at"]
    assert drill["operator"] == "Jan"
    assert Path(drill["folder"]) == home / "incidents" / long_id
    assert cli(home, ["incidents", "--format", "xml"]).code == 2

    broken = home / "incidents" / "kapot"
    broken.mkdir()
    (broken / "journal.jsonl").write_bytes(b"geen json\n")
    damaged = [line for line in cli(home, ["incidents"]).output.splitlines() if "kapot" in line]
    assert len(damaged) == 1
    assert damaged[0].startswith("kapot  ")
    assert "beschadigd" in damaged[0]


def tamper(path: Path, line: int) -> None:
    """Change one byte of the journal, inside line `line` (1-based)."""
    data = bytearray(path.read_bytes())
    start_of_line = 0
    for _ in range(line - 1):
        start_of_line = data.index(b"\n", start_of_line) + 1
    at = data.index(b'"by":"Jan"', start_of_line) + len(b'"by":"')
    data[at] = ord("K")
    path.write_bytes(bytes(data))


def test_verify(home: Path) -> None:
    start(cli, home, FULL)
    last = events(home)[-1]
    run = cli(home, ["verify", "x"])
    assert run.code == 0
    assert last["hash"] in run.output
    assert f"{len(events(home))} gebeurtenissen" in run.output
    for target in (str(journal_path(home)), str(journal_path(home).parent)):
        assert cli(home, ["verify", target]).code == 0
    tamper(journal_path(home), 5)
    broken = cli(home, ["verify", "x"])
    assert broken.code == 1
    assert "regel 5 (seq 4)" in broken.output
    by_file = cli(home, ["verify", str(journal_path(home)), "--lang", "en"])
    assert by_file.code == 1
    assert "line 5 (seq 4)" in by_file.output
    assert cli(home, ["verify", str(journal_path(home).parent)]).code == 1
    assert cli(home, ["verify", "nope"]).code == 1


def test_verify_in_a_child_process(home: Path) -> None:
    start(piped, home, FULL)
    assert piped(home, ["verify", str(journal_path(home))]).code == 0
    tamper(journal_path(home), 9)
    run = piped(home, ["verify", str(journal_path(home))])
    assert run.code == 1
    assert "regel 9 (seq 8)" in run.output
