"""The incident's clock as a duty officer sees it: a walk (WalkLoop with a fake clock), `status`
(text and `--format json`), `resume` by another operator, and the report.

Measured faults, each a test here: the first public message still due 15 minutes after opening
when the first signal came earlier; a deadline invisible until its step; `/o` showing an
answered deadline as pending and `PT15M`; a critical item marked not possible vanishing from
"open"; a resume by another operator showing only the current step.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from clock_walk import CLOCK_FILE, clock_runbook
from conftest import RunCli
from rich.console import Console

from draaiboek.cli.render import Screen
from draaiboek.cli.walkloop import WalkLoop
from draaiboek.journal import read
from draaiboek.load.library import load_library
from draaiboek.model.catalogue import Messages
from draaiboek.model.runbook import Runbook
from draaiboek.services.session import Session

REPO = Path(__file__).resolve().parent.parent
OPENED = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 18:00 in Amsterdam
MIN = timedelta(minutes=1)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _screen(lang: str = "nl") -> tuple[Screen, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=200, no_color=True, highlight=False)
    return Screen(console, Messages(lang), "Europe/Amsterdam", {}), out


def _start(home: Path, clock: Clock, runbook: Runbook | None = None, **options: object) -> Session:
    runbook = runbook or clock_runbook()
    return Session.start(
        home, runbook, {runbook.id: runbook}, operator="Jan", clock=clock, incident_id="klok-1",
        **options,  # type: ignore[arg-type]
    )  # fmt: skip


def _walk(
    session: Session, lines: Sequence[str | tuple[str, timedelta]], clock: Clock, lang: str = "nl"
) -> tuple[str, list[str]]:
    """Walk `lines` (a line, or (line, time to let pass first)); the screen and the hints."""
    screen, out = _screen(lang)
    hints: list[str] = []
    queue = list(lines)

    def read(hint: str) -> str | None:
        hints.append(hint)
        if not queue:
            return None
        line = queue.pop(0)
        if isinstance(line, tuple):
            line, wait = line
            clock.now += wait
        return line

    WalkLoop(session, screen, read).run()
    return out.getvalue(), hints


def _types(session: Session) -> list[str]:
    return [str(e["type"]) for e in read(session.folder)]


# --- done when: status --format json counts from the first signal ---------------------------


def test_status_json_counts_the_first_public_message_from_the_first_signal(
    tmp_path: Path, run_cli: RunCli
) -> None:
    library = load_library([REPO / "runbooks"], today=date(2026, 11, 23))
    runbooks = library.all_runbooks()
    clock = Clock(OPENED)
    session = Session.start(
        tmp_path / "home", runbooks["112-onbereikbaar"], runbooks, operator="Jan",
        clock=clock, incident_id="signaal-1",
    )  # fmt: skip
    from draaiboek.engine.inputs import Value

    session.submit(Value("17:50"))  # the first signal: 10 minutes before opening at 18:00
    session.close()
    run = run_cli(["status", "signaal-1", "--format", "json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert data["opened"] == "2026-11-23T17:00:00.000000+00:00"
    assert data["time_zero"] == "2026-11-23T16:50:00.000000+00:00"
    assert data["time_zero_from"] == "first-signal"
    target = next(t for t in data["targets"] if t["id"] == "eerste-publieksbericht")
    assert target["due"] == "2026-11-23T17:05:00.000000+00:00"  # 5 minutes after opening
    assert target["state"] in ("open", "missed")  # which one depends on today's date
    assert set(target) >= {"id", "title", "due", "state"}
    assert data["runbook"] == {
        "id": "112-onbereikbaar",
        "version": runbooks["112-onbereikbaar"].version,
        "title": "112 onbereikbaar",
    }
    assert data["incident"] == "signaal-1" and data["verified"] is True
    assert data["current_step"]["step"] == "testbellen"
    for key in ("mode", "open_items", "examples", "decisions", "notes", "not_done"):
        assert key in data


def test_status_json_of_a_stopped_incident(tmp_path: Path, run_cli: RunCli) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    _walk(session, ["17:52", "/n lijnen dood", "/stop vals alarm"], clock)
    session.close()
    data = json.loads(run_cli(["status", "klok-1", "--format", "json"]).stdout)
    assert (data["state"], data["outcome"], data["current_step"]) == ("closed", "aborted", None)
    assert data["decisions"][0]["answer"] == "17:52"
    assert data["notes"][0]["text"] == "lijnen dood"
    assert {t["state"] for t in data["targets"]} <= {"open", "met", "late", "missed"}


def test_status_refuses_an_unknown_format(tmp_path: Path, run_cli: RunCli) -> None:
    run = run_cli(["status", "klok-1", "--format", "xml"])
    assert run.exit_code == 2


# --- the walk: time zero, header, /o --------------------------------------------------------


def test_the_header_counts_from_the_first_signal_and_names_the_next_target(
    tmp_path: Path,
) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    shown, _ = _walk(session, ["17:52"], clock)
    session.close()
    first, after = shown.split("vastgelegd: ingevuld: 17:52", 1)
    # Before the first signal: the opening, and the targets counted from it, visible at once.
    assert "T+0:00:00 sinds het openen" in first
    assert "Volgende: LMS gebeld om 18:10:00 (nog 0:10:00)" in first
    assert "tijdstip nul (eerste signaal): 2026-11-23 17:52 +0100" in after
    assert "18:00:00 (T+0:08:00 sinds het eerste signaal (17:52:00))" in after
    assert "Volgende: LMS gebeld om 18:02:00 (nog 0:02:00)" in after
    assert "Termijn: Eerste bericht uitbrengen om 18:12:00" in after  # the step's own due


def test_the_overview_shows_each_target_and_settled_deadlines_are_not_pending(
    tmp_path: Path,
) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    lines: list[str | tuple[str, timedelta]] = [
        "17:52",
        ("j", MIN),  # the first message out at 18:01: met
        ("n lijn dood", MIN),  # lms (critical) not possible
        "j",
        ("/o", 20 * MIN),  # 18:22: besluit still open, the round came and went
    ]
    shown, _ = _walk(session, lines, clock)
    session.close()
    overview = shown.rsplit("Gelopen route:", 1)[1]
    assert "✓ Eerste bericht (binnen 15 minuten) — gehaald om 18:01:00 (uiterlijk 18:07:00)" in (
        overview
    )
    missed = "✗ LMS gebeld (binnen 10 minuten) — GEMIST: uiterlijk 18:02:00, nu 0:20:00 over tijd"
    assert missed in overview
    assert "○ Uitwijkbesluit (binnen 30 minuten) — uiterlijk 18:22:00, nog 0:00:00" in overview
    assert "↻ Testronde (elk kwartier) — 2 ronde(s) geweest; volgende om 18:37:00" in overview
    assert "Termijn: Eerste bericht uitbrengen om 18:12:00 — gehaald om 18:01:00" in overview
    assert "nog " not in overview.split("Termijnen:", 1)[1]  # an answered deadline is settled
    assert "Kritiek, niet gedaan:" in overview
    assert "LMS gebeld (niet mogelijk om 18:02:00: lijn dood) KRITIEK" in overview
    assert "PT15M" not in shown


def test_the_overview_in_english(tmp_path: Path) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock, lang="en")
    shown, _ = _walk(session, ["17:52", ("/o", MIN)], clock, lang="en")
    session.close()
    assert "Targets:" in shown
    assert "↻ Test round (every 15 minutes) — 0 round(s) so far; next at 18:07:00" in shown
    assert "○ First message (within 15 minutes) — due 18:07:00, 0:06:00 left" in shown


def test_a_correction_at_any_prompt(tmp_path: Path) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    shown, _ = _walk(session, ["17:52", "/nul 17:40", ("/o", MIN)], clock)
    session.close()
    assert "tijdstip nul gecorrigeerd naar 2026-11-23 17:40 +0100" in shown
    assert _types(session).count("time-zero") == 2
    assert "uiterlijk 17:55:00" in shown  # Eerste bericht: 17:40 + 15 minutes


def test_a_time_in_the_future_is_refused_and_asked_again(tmp_path: Path) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    shown, hints = _walk(session, ["2026-11-23T19:00", "17:52"], clock)
    session.close()
    assert "ligt in de toekomst" in shown
    assert hints[0] == hints[1]  # the same question again
    assert _types(session).count("time-zero") == 1


def test_the_repeated_autumn_hour_asks_which_one(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 10, 25, 3, 0, tzinfo=UTC))  # 04:00 winter time
    session = _start(tmp_path / "home", clock)
    shown, hints = _walk(session, ["02:30", "3", "2"], clock)
    session.close()
    assert (
        hints[1]
        == "02:30 kwam twee keer voor. 1 = 02:30 +02:00 (zomertijd) · 2 = 02:30 +01:00 (wintertijd)"
    )
    assert "Antwoord 1 of 2." in shown
    (zero,) = [e for e in read(session.folder) if e["type"] == "time-zero"]
    assert zero["time_zero"] == "2026-10-25T01:30:00.000000+00:00" and zero["fold"] == 1


def test_the_spring_gap_is_refused_with_one_line(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 3, 29, 3, 0, tzinfo=UTC))  # 05:00 summer time
    session = _start(tmp_path / "home", clock)
    shown, _ = _walk(session, ["02:30", "01:30"], clock)
    session.close()
    assert "02:30 bestaat niet op die dag" in shown
    assert _types(session).count("time-zero") == 1


# --- reminders while the prompt waits -----------------------------------------------------------


def test_a_target_passing_is_logged_as_a_reminder_and_shown(tmp_path: Path) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    from draaiboek.engine.inputs import Value

    session.submit(Value("17:52"))
    assert session.reminders() == []
    clock.now = OPENED + 2 * MIN + timedelta(seconds=1)  # lms was due at 18:02
    (logged,) = session.reminders()
    assert (logged["type"], logged["target"], logged["kind"]) == ("reminder", "lms", "overdue")
    assert logged["due"] == "2026-11-23T17:02:00.000000+00:00"
    assert session.reminders() == []  # once
    screen, out = _screen()
    screen.reminder(session.state, logged)
    assert "HERINNERING: doel gemist: LMS gebeld (uiterlijk 18:02:00)" in out.getvalue()
    clock.now = OPENED + 7 * MIN  # the first test round (17:52 + 15 minutes)
    rounds = [e for e in session.reminders() if e.get("kind") == "round"]
    screen.reminder(session.state, rounds[0])
    assert "HERINNERING: Testronde — ronde van 18:07:00 (elk kwartier)" in out.getvalue()
    session.close()


def test_a_repeating_step_reminds_in_words(tmp_path: Path) -> None:
    screen, out = _screen()
    from draaiboek.engine.fold import replay

    runbooks = load_library([REPO / "tests" / "corpus" / "valid"], today=date(2026, 11, 23))
    state = replay(runbooks.all_runbooks(), [])
    event = {"type": "reminder", "runbook": "every-step-type", "step": "testbellen"}
    screen.reminder(state, {**event, "kind": "repeat", "due_at": OPENED.isoformat()})
    assert "(elk kwartier)" in out.getvalue() and "PT15M" not in out.getvalue()


# --- /stop -----------------------------------------------------------------------------------


def test_stop_with_critical_items_asks_first(tmp_path: Path) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    lines = ["17:52", "l", "n lijn dood", "/stop vals alarm", "misschien", "j"]
    shown, hints = _walk(session, lines, clock)
    session.close()
    assert "Kritieke punten nog open of niet gedaan:" in shown
    assert "  - Eerste bericht uitbrengen" in shown  # deferred: open and critical
    assert "  - LMS gebeld" in shown  # not possible: not done
    assert hints[-1] == "Toch stoppen (afgebroken)? j/n"
    assert "Antwoord j (ja) of n (nee)." in shown
    events = list(read(session.folder))
    assert [e["type"] for e in events][-2:] == ["confirmed", "closed"]
    assert events[-1]["outcome"] == "aborted" and events[-1]["reason"] == "vals alarm"
    assert "incident gestopt (afgebroken): vals alarm" in shown


def test_stop_with_nothing_critical_open_closes_at_once(tmp_path: Path) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    shown, _ = _walk(session, ["17:52", "/stop verkeerd draaiboek"], clock)
    session.close()
    assert "Kritieke punten" not in shown  # the action being asked is not left open by it
    assert _types(session)[-1] == "closed"


def test_stop_declined_goes_on(tmp_path: Path) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    shown, _ = _walk(session, ["17:52", "l", "/stop vals alarm", "n"], clock)
    assert "  - Eerste bericht uitbrengen" in shown  # deferred: open and critical
    assert "Niet gestopt: het draaiboek gaat verder." in shown
    assert "closed" not in _types(session) and not session.state.closed
    session.close()


# --- handover --------------------------------------------------------------------------------


def _cli(home: Path, args: list[str], input: str) -> str:
    """`draaiboek ARGS` in-process with answers on stdin; exit 0 expected, its output."""
    from typer.testing import CliRunner

    import draaiboek.cli.main  # noqa: F401  (registers the commands)
    from draaiboek.cli.app import app

    env: dict[str, str | None] = {"COLUMNS": "200", "NO_COLOR": "1", "DRAAIBOEK_HOME": str(home)}
    env.update(DRAAIBOEK_RUNBOOKS=None, DRAAIBOEK_LANG=None)
    result = CliRunner().invoke(app, args, input=input, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_another_operator_resuming_sees_the_handover_summary(tmp_path: Path) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock, runbook=clock_runbook())
    lines: list[str | tuple[str, timedelta]] = [
        "17:52",
        ("n geen verbinding", MIN),
        ("/n KPN belt terug", MIN),
        "l",
        "j",
        "1",
        "/p",
    ]
    _walk(session, lines, clock)
    session.close()
    out = _cli(tmp_path / "home", ["resume", "klok-1", "--operator", "Piet"], "/p\n")
    summary = out.split("Overdracht — de stand van zaken", 1)[1]
    assert "Tijdstip nul: 17:52:00 (eerste signaal)" in summary
    assert "Tijd van het eerste signaal (UU:MM): 17:52" in summary  # a value recorded
    assert "Uitwijken?: Ja, uitwijken" in summary  # a decision, by its label
    assert "LMS gebeld" in summary and "KRITIEK" in summary  # deferred, critical: open
    assert "Eerste bericht uitbrengen (niet mogelijk om 18:01:00: geen verbinding)" in summary
    assert "Laatste notities (1 van 1):" in summary and "KPN belt terug" in summary
    assert "Doelen die nog komen of gemist zijn:" in summary


def test_status_shows_the_handover_summary(tmp_path: Path, run_cli: RunCli) -> None:
    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    _walk(session, ["17:52", "n geen verbinding", "/n lijnen dood", "/p"], clock)
    session.close()
    run = run_cli(["status", "klok-1", "--runbooks", str(CLOCK_FILE.parent)])
    assert run.exit_code == 0, run.output
    assert "Overdracht — de stand van zaken" in run.stdout
    assert "Kritiek, niet gedaan:" in run.stdout
    assert "lijnen dood" in run.stdout
    assert "/k 1" not in run.stdout  # status lists, it does not offer commands


# --- the report counts from time zero ---------------------------------------------------------


def test_the_report_counts_from_time_zero(tmp_path: Path) -> None:
    from draaiboek.services.report import build_report

    clock = Clock(OPENED)
    session = _start(tmp_path / "home", clock)
    _walk(session, ["17:52", ("j", MIN), "/stop vals alarm", "j"], clock)
    session.close()
    report = build_report(session.folder, lang="nl", now=OPENED + timedelta(hours=1))
    data = report.data
    assert data["time_zero"] == "2026-11-23T16:52:00.000000+00:00"
    assert data["time_zero_from"] == "first-signal"
    assert data["events"][0]["elapsed"] == "T+0:08:00"  # opened 8 minutes after the signal
    assert data["duration_seconds"] == (9 * MIN).total_seconds()  # to the stop at 18:01
    target = next(t for t in data["targets"] if t["id"] == "bericht")
    assert (target["state"], target["met_at"]) == ("met", "2026-11-23T17:01:00.000000+00:00")
    facts = dict(report.sections[0].facts)
    assert facts["Tijdstip nul"].endswith("(eerste signaal)")
    sections = {s.key: s for s in report.sections}
    assert "targets" in sections
    timeline = [row[-1] for row in sections["timeline"].rows]
    assert any(r.startswith("Tijdstip nul (eerste signaal): 2026-11-23 17:52:00") for r in timeline)
    assert any(r.startswith("Gestopt met uitkomst afgebroken: vals alarm") for r in timeline)
