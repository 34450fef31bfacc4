"""`draaiboek exercise` on the command line: scripted runs against a clock the test drives.

The exercise's real-time source (`cli_exercise.REAL_CLOCK`) is replaced by a fake; reading an
answer sets it to the simulated minute the script gives for that answer, so every event's time,
and so the score, is exact. The timer thread is tested on its own and end to end.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import draaiboek.cli.exercise as X
import draaiboek.cli.main  # noqa: F401  (registers every command, report too)
from draaiboek.cli.app import app
from draaiboek.cli.render import Screen
from draaiboek.cli.walkinput import LineSource
from draaiboek.journal import read as read_journal
from draaiboek.load.scenario import load_scenario
from draaiboek.model.catalogue import Messages
from draaiboek.services.scoring import score
from draaiboek.services.session import Session
from draaiboek.services.simclock import DueQueue, SimClock

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "valid"
SCENARIOS = REPO / "tests" / "corpus" / "scenarios"
SHIPPED = REPO / "runbooks"
UNSET = ("DRAAIBOEK_RUNBOOKS", "DRAAIBOEK_LANG", "DRAAIBOEK_OPERATOR", "DRAAIBOEK_HOME")


class FakeReal:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@dataclass(frozen=True)
class Run:
    code: int
    output: str
    events: list[dict[str, Any]]


Script = Sequence[tuple[float, str]]  # (simulated minute when it is answered, the answer)


@pytest.fixture
def exercise(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Run]:
    """Run `draaiboek exercise ARGS` with the answers of a script at their simulated minutes."""

    def run(
        args: list[str],
        script: Script = (),
        speed: float = 1.0,
        tick: float = 3600.0,
        wait_for: Callable[[float], None] | None = None,
    ) -> Run:
        real = FakeReal()
        monkeypatch.setattr(X, "REAL_CLOCK", real)
        monkeypatch.setattr(X, "TICK", tick)  # an hour: only before_prompt delivers injects
        minutes = [m for m, _ in script]
        original = LineSource.read

        def read(self: LineSource, hint: str) -> str | None:
            if minutes:
                real.t = minutes.pop(0) * 60 / speed
                if wait_for is not None:
                    wait_for(real.t)
            return original(self, hint)

        monkeypatch.setattr(LineSource, "read", read)
        home = tmp_path / "home"
        env: dict[str, str | None] = {name: None for name in UNSET}
        env.update(COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home))
        answers = "".join(f"{answer}\n" for _, answer in script)
        pace = [] if "--speed" in args else ["--speed", str(speed)]
        result = CliRunner().invoke(app, ["exercise", *args, *pace], input=answers, env=env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        journals = sorted(home.glob("incidents/*/journal.jsonl"))
        events = list(read_journal(journals[0])) if journals else []
        return Run(result.exit_code, result.output, events)

    return run


CORPUS_ARGS = ["--runbooks", str(CORPUS), "--operator", "Jan"]
# elk-staptype: every expectation met in time
GOOD: Script = [
    (1, "nergens"),
    (2, "j"),
    (3, "/n LMS gebeld, NCC volgt"),
    (4, "j"),
    (4, "j"),
    (5, "15:34"),
    (21, "j"),
]


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


def test_a_scripted_exercise_is_logged_as_an_exercise_in_simulated_time(
    exercise: Callable[..., Run],
) -> None:
    run = exercise([str(SCENARIOS / "elk-staptype.yaml"), *CORPUS_ARGS], GOOD)
    assert run.code == 0, run.output
    opened, exercised = run.events[0], run.events[2]
    assert opened["type"] == "opened" and opened["mode"] == "exercise"
    assert opened["incident"].startswith("oefening-elk-staptype-")
    assert exercised["type"] == "exercise"
    assert {
        k: exercised[k] for k in ("scenario", "scenario_version", "runbook", "speed", "start")
    } == {
        "scenario": "elk-staptype",
        "scenario_version": "1.0.0",
        "runbook": "every-step-type",
        "speed": 1.0,
        "start": "2019-06-24T15:34:00+02:00",
    }
    assert all(e["at"].startswith("2019-06-24T13:") for e in run.events)
    assert run.events[-1]["type"] == "closed" and run.events[-1]["at"].startswith(
        "2019-06-24T13:55:00"
    )
    injects = of_type(run.events, "inject")
    assert [(i["id"], i["at"][11:19]) for i in injects] == [("geen-verbinding", "13:34:00")]
    assert injects[0]["message"].startswith("Testgesprek vanaf KPN")
    # every screen of the walk carries the banner; the score and timeline follow
    assert run.output.count("OEFENING — GEEN ECHT INCIDENT") >= 8
    assert "INJECT 15:34:00 (T+0:00:00)" in run.output
    assert "Totaal: 35 van 35 punten (100%)" in run.output
    assert "T+0:21:00  15:55:00  incident afgesloten" in run.output


def test_the_score_table_shows_met_late_and_missed(exercise: Callable[..., Run]) -> None:
    script: Script = [(6, "1"), (7, "l"), (8, "n geen verbinding"), (9, "j"), (10, "09:00")]
    run = exercise([str(SCENARIOS / "elk-staptype.yaml"), *CORPUS_ARGS], script)
    assert run.code == 1  # the answers ran out: paused
    assert of_type(run.events, "paused")[-1]["reason"] == "input-ended"
    assert "te laat T+0:06:00" in run.output and "gemist" in run.output
    assert "Totaal: 0 van 35 punten (0%)" in run.output


def test_injects_arrive_before_the_next_question(exercise: Callable[..., Run]) -> None:
    # at minute 25 a note is made; the NCC inject (due at 20) comes before the next question
    script = [*GOOD[:-1], (25, "/n NCC belt"), (26, "j")]
    run = exercise([str(SCENARIOS / "elk-staptype.yaml"), *CORPUS_ARGS], script)
    kinds = [
        (e["type"], e.get("id") or e.get("step")) for e in run.events if e["type"] != "reminder"
    ]
    at = kinds.index(("inject", "ncc-vraagt"))
    assert kinds[at - 1][0] == "note" and kinds[at + 1] == ("action", "melden")
    assert run.events[at]["at"].startswith("2019-06-24T13:59:00")
    assert "INJECT 15:59:00 (T+0:25:00)" in run.output


def test_an_inject_arrives_while_the_trainee_is_typing(
    exercise: Callable[..., Run],
    tmp_path: Path,
) -> None:
    """The timer thread logs and shows the inject while the walk waits for an answer."""

    def wait_for_inject(now: float) -> None:
        if now < 20 * 60:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for journal in (tmp_path / "home").glob("incidents/*/journal.jsonl"):
                if "ncc-vraagt" in journal.read_text(encoding="utf-8"):
                    return
            time.sleep(0.01)
        raise AssertionError("the inject did not arrive while the answer was awaited")

    script = [*GOOD[:-1], (22, "j")]
    run = exercise(
        [str(SCENARIOS / "elk-staptype.yaml"), *CORPUS_ARGS],
        script,
        tick=0.01,
        wait_for=wait_for_inject,
    )
    assert run.code == 0, run.output
    ncc = of_type(run.events, "inject")[1]
    melden = next(e for e in run.events if e["type"] == "action" and e["step"] == "melden")
    assert ncc["at"].startswith("2019-06-24T13:56:00") and ncc["seq"] < melden["seq"]


def test_the_timer_thread_stops_with_the_walk(tmp_path: Path) -> None:
    scenario, _, _ = load_scenario(SCENARIOS / "elk-staptype.yaml")
    assert scenario is not None
    from draaiboek.load.library import load_library

    library = load_library([CORPUS], today=datetime(2026, 1, 1).date())
    real = FakeReal()
    clock = SimClock(scenario.start, 60, real)
    session = Session.start(
        tmp_path,
        library.runbooks["every-step-type"],
        library.all_runbooks(),
        operator="Jan",
        clock=clock.now,
        mode="exercise",
        incident_id="oefening-x",
    )
    out = io.StringIO()
    screen = Screen(
        Console(file=out, width=100, no_color=True),
        Messages("en"),
        "Europe/Amsterdam",
        library.contacts,
    )
    timer = X.InjectTimer(
        session,
        screen,
        clock,
        DueQueue(clock.start_sim, scenario.injects),
        hint="(the question above is still open)",
    )
    timer.ticker.interval = 0.01
    try:
        timer.ticker.start()
        _wait(lambda: bool(of_type(session.events(), "inject")))
        real.t = 20  # 20 simulated minutes
        _wait(lambda: len(of_type(session.events(), "inject")) == 2)
    finally:
        timer.ticker.stop()
    assert not timer.ticker.thread.is_alive() and timer.ticker.error is None
    assert out.getvalue().count("INJECT") == 2 and "still open" in out.getvalue()
    session.pause("user")
    assert timer.deliver() == 0  # nothing after the walk stopped
    card = score(scenario, session.events())
    assert [i.delivered for i in card.injects] == [timedelta(0), timedelta(minutes=20)]
    session.close()


def _wait(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_scripted_answers_file_in_english(exercise: Callable[..., Run], tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("vaststellen: overal\n", encoding="utf-8")
    run = exercise(
        [
            str(SCENARIOS / "alles-werkt.yaml"),
            *CORPUS_ARGS,
            "--answers",
            str(answers),
            "--lang",
            "en",
        ],
        speed=60,
    )
    assert run.code == 0, run.output
    assert "EXERCISE — NOT A REAL INCIDENT" in run.output
    assert "Total: 20 of 20 points (100%)" in run.output
    assert "No needless round of test calls" in run.output


def test_a_scenario_by_id_from_the_runbooks_folder(
    exercise: Callable[..., Run],
    tmp_path: Path,
) -> None:
    folder = tmp_path / "runbooks"
    (folder / "scenarios").mkdir(parents=True)
    for name in ("every-step-type", "sub-procedure", "contacts"):
        (folder / f"{name}.yaml").write_bytes((CORPUS / f"{name}.yaml").read_bytes())
    for name in ("elk-staptype", "alles-werkt"):
        text = (SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8")
        (folder / "scenarios" / f"x-{name}.yaml").write_text(text, encoding="utf-8")
    run = exercise(["alles-werkt", "--runbooks", str(folder), "--operator", "Jan"], [(1, "2")])
    assert run.code == 0, run.output
    missing = exercise(["geen-idee", "--runbooks", str(folder), "--operator", "Jan"])
    assert missing.code == 2  # a name nothing has is a usage error, as for a runbook
    assert "no scenario 'geen-idee'" in missing.output
    assert "alles-werkt, elk-staptype" in missing.output


def test_incidents_lists_an_exercise_as_one(exercise: Callable[..., Run], tmp_path: Path) -> None:
    exercise([str(SCENARIOS / "alles-werkt.yaml"), *CORPUS_ARGS], [(1, "2")])
    env = {name: None for name in UNSET}
    listed = CliRunner().invoke(
        app, ["incidents", "--home", str(tmp_path / "home"), "--format", "json"], env=env
    )
    found = json.loads(listed.output)
    assert [(i["mode"], i["id"].split("-")[0]) for i in found] == [("exercise", "oefening")]


@pytest.mark.parametrize(
    ("old", "new", "code", "says"),
    [
        ('versions: "^1.2.0"', 'versions: "^2.0.0"', 1, "alles-werkt.yaml:7:11:"),
        ("not_visited: testbellen", "not_visited: testbelen", 1, "did you mean 'testbellen'"),
        ("points: 10", "points: tien", 1, "alles-werkt.yaml:18:13:"),
    ],
)
def test_a_broken_scenario_is_refused_with_its_position(
    exercise: Callable[..., Run],
    tmp_path: Path,
    old: str,
    new: str,
    code: int,
    says: str,
) -> None:
    path = tmp_path / "alles-werkt.yaml"
    text = (SCENARIOS / "alles-werkt.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace(old, new), encoding="utf-8")
    run = exercise([str(path), *CORPUS_ARGS])
    assert run.code == code and says in run.output, run.output
    assert run.events == []  # nothing was started


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nergens.yaml"], "does not exist"),
        (
            [str(SCENARIOS / "alles-werkt.yaml"), "--speed", "0", "--lang", "en"],
            "--speed must be a positive",
        ),
    ],
)
def test_usage_errors(exercise: Callable[..., Run], args: list[str], says: str) -> None:
    run = exercise([*args, *CORPUS_ARGS])
    assert run.code == 2 and says in run.output


# --- the shipped scenarios -------------------------------------------------------------------


def shipped(exercise: Callable[..., Run], scenario: str, script: Script) -> Run:
    run = exercise([scenario, "--runbooks", str(SHIPPED), "--operator", "J. de Vries"], script)
    assert run.code == 0, run.output
    assert of_type(run.events, "closed"), run.output
    return run


def points(run: Run, scenario: str) -> dict[str, int]:
    found, _, _ = load_scenario(SHIPPED / "scenarios" / f"{scenario}.yaml")
    assert found is not None
    card = score(found, run.events)
    return {o.expectation.id: o.points for o in card.outcomes} | {"total": card.earned}


def shipped_scenarios() -> Iterator[str]:
    return (p.stem for p in sorted((SHIPPED / "scenarios").glob("*.yaml")))


def items(minute: float, count: int) -> list[tuple[float, str]]:
    """A checklist's items all done at one simulated minute."""
    return [(minute, "j")] * count


# 24 June 2019: a good walk, but the wrong national NL-Alert is reported 7 minutes after the
# unit's message (target: 5)
STORING_2019: Script = [
    (1, "15:34"),
    (2, "j"),
    (4, "geen-enkel-netwerk"),
    (5, "c2000-werkt"),
    *items(9, 5),  # eerste-kwartier
    (11, "112 is gestoord. Bij spoed: ga naar een brandweerkazerne, politiebureau of ziekenhuis"),
    (12, "landelijk-aangevraagd"),
    (13, "/n Landelijk NL-Alert aangevraagd via de LMS; eerste bericht zonder nummer"),
    (14, "landelijk"),
    (15, "geen-uitwijk-landelijk"),
    *items(16, 5),  # keten-informeren
    (17, "0900-onbereikbaar"),
    (18, "j"),
    (20, "j"),  # opschalen
    *items(24, 7),  # zorgketen
    (31, "ncv-werkt-niet"),
    *items(33, 4),
    (34, "telecomoperator"),
    (35, "j"),
    (36, "4g-uitgevallen"),
    (37, "j"),
    (38, "geen-aanwijzingen"),
    (39, "nog-geen-besluit"),
    (40, "j"),  # nl-alert-escaleren
    (45, "nog-onbereikbaar"),
    (46, "niets-nieuws"),
    (47, "j"),  # situatie-bijwerken: call back
    (66, "nog-onbereikbaar"),
    (67, "nummer-beschikbaar"),
    *items(70, 4),  # nummer-verifieren
    (72, "geslaagd"),
    (73, "112 is gestoord. Bij spoed: bel het gecontroleerde 088-nummer of ga naar een kazerne"),
    (161, "nog-onbereikbaar"),
    (162, "nl-alert-besluit-binnen"),
    (163, "landelijk-verzonden"),
    (164, "Bel bij nood het nummer in dit bericht (tiplijn van een krant, fout nummer)"),
    (170, "fout-in-bericht"),
    (171, "j"),  # nl-alert-fout-melden: 7 minutes after the unit's message
    (172, "18:18"),
    (173, "fout-in-bericht"),
    (174, "j"),
    (175, "verkeerd-nummer"),
    (176, "j"),
    *items(178, 6),  # bericht-controleren
    (179, "nog-geen-besluit"),
    (180, "j"),
    *items(182, 5),  # alternatieve-kanalen
    (183, "nog-niet-uit"),
    (184, "j"),  # overdragen-aan-ncc
    (200, "overal-hersteld"),
    *items(202, 5),
    (205, "112 werkt weer. Gebruik de eerder genoemde nummers niet meer"),
    *items(210, 4),
    (215, "stabiel"),
    (220, "j"),
    *items(230, 4),
]


def test_shipped_storing_24_juni_2019(exercise: Callable[..., Run]) -> None:
    run = shipped(exercise, "storing-24-juni-2019", STORING_2019)
    assert points(run, "storing-24-juni-2019") == {
        "c2000-getest": 5,
        "personeel": 5,
        "zichtbaar": 5,
        "kazernes": 5,
        "eerste-bericht": 10,
        "nl-alert-aanvraag": 10,
        "landelijk": 10,
        "0900-getest": 5,
        "niet-scenario-4": 10,
        "opschalen": 5,
        "zorgketen": 5,
        "ncv-getest": 5,
        "niet-wachten": 5,
        "tweede-persoon": 10,
        "testgesprek-nummer": 5,
        "terugbellen": 5,
        "fout-gemeld": 0,
        "geen-eigen-correctie": 5,
        "herstel-getest": 5,
        "nummers-ingetrokken": 10,
        "notities": 5,
        "total": 130,
    }
    assert "Totaal: 130 van 140 punten (92.9%)" in run.output
    delivered = [e["id"] for e in of_type(run.events, "inject")]
    assert delivered == [
        "geen-gesprekken",
        "testgesprekken",
        "c2000-werkt",
        "lms-landelijk",
        "0900-test",
        "4g-storing",
        "ncv-test",
        "ncc-geen-besluit",
        "088-nummer",
        "buurregio",
        "landelijk-nl-alert",
        "tiplijn",
        "herstel",
        "correctie",
    ]


def test_the_2019_wrong_branch_costs_points(exercise: Callable[..., Run]) -> None:
    script = [
        (1, "15:34"),
        (2, "j"),
        (4, "geen-enkel-netwerk"),
        (5, "c2000-werkt"),
        *items(9, 5),
        (11, "112 is gestoord. Bij spoed: ga naar een brandweerkazerne"),
        (12, "landelijk-aangevraagd"),
        (13, "landelijk"),
        (14, "geen-uitwijk-landelijk"),
        *items(14, 5),
        (15, "0900-bereikbaar"),
    ]
    run = exercise(["storing-24-juni-2019", "--runbooks", str(SHIPPED), "--operator", "A"], script)
    assert run.code == 1  # stopped halfway: the score so far
    got = points(run, "storing-24-juni-2019")
    assert got["niet-scenario-4"] == 0 and got["0900-getest"] == 0
    # c2000-getest, personeel, zichtbaar, kazernes, eerste-bericht, nl-alert-aanvraag, landelijk;
    # the wrong branches not yet come near (geen-eigen-correctie) earn nothing yet
    assert got["total"] == 5 + 5 + 5 + 5 + 10 + 10 + 10
    assert got["geen-eigen-correctie"] == 0
    assert "verkeerde tak T+0:15:00" in run.output


# 15-17 September 2020: switched back once too early
ICT_2020: Script = [
    (1, "10:00"),
    *items(2, 2),  # eerste-melding
    (6, "meerdere-meldkamers"),
    (7, "j"),
    (11, "112-intact"),
    (12, "c2000-intact"),
    (16, "beperkt"),
    (17, "j"),
    (18, "wisselend"),
    (19, "j"),
    (20, "slecht-bereikbaar"),
    (21, "j"),
    (22, "verstoord"),
    (23, "j"),
    *items(24, 5),  # keten-informeren
    (27, "geen-aanwijzingen"),
    (29, "lokale-terugval"),
    *items(30, 4),
    (31, "/n Lokale terugval; meldkamer blijft bereikbaar, geen uitwijk"),
    (32, "j"),  # stabiliteit-bewaken
    (60, "nog-verstoord"),
    (61, "j"),
    (62, "j"),
    (125, "stabiel-vrijgegeven"),
    *items(126, 8),
    (130, "opnieuw-instabiel"),
    (131, "j"),
    (132, "j"),
    (165, "nog-verstoord"),
    (166, "j"),
    (167, "j"),
    (2945, "stabiel-vrijgegeven"),
    *items(2950, 8),
    (2955, "geslaagd"),
    *items(2960, 5),
]


def test_shipped_ict_verstoring_sept_2020(exercise: Callable[..., Run]) -> None:
    run = shipped(exercise, "ict-verstoring-sept-2020", ICT_2020)
    assert points(run, "ict-verstoring-sept-2020") == {
        "eerste-melding": 10,
        "meerdere": 10,
        "lms-coordinatie": 5,
        "112-getest": 10,
        "geen-112-draaiboek": 5,
        "handmatig": 10,
        "stabiliteitsronde": 5,
        "opzet": 5,
        "terugval-besluit": 15,
        "niet-te-vroeg": 0,
        "testgesprekken-112": 5,
        "notities": 5,
        "total": 85,
    }
    assert run.events[-1]["at"].startswith("2020-09-17T")  # two days of simulated time


# the national NL-Alert with the wrong number: everything in time, but no note
NL_ALERT: Script = [
    (1, "18:15"),
    (2, "fout-in-bericht"),
    (3, "j"),  # fout-stoppen: reported to LMS and NCC
    (4, "verkeerd-nummer"),
    (8, "j"),  # nummerhouder-informeren
    (12, "j"),
    (13, "j"),
    (14, "j"),
    (16, "j"),
    (17, "j"),
    (17, "j"),  # bericht-controleren
    (18, "landelijk"),
    (26, "j"),  # landelijk-verzenden, after the NCC's message at 25
    (27, "correct-ontvangen"),
    *items(35, 5),
    (45, "juist-bericht-uit"),
    (46, "Correctie: het nummer in het vorige NL-Alert was fout. Ga bij nood naar een kazerne"),
    (47, "fout-bericht-uit"),
    (48, "Bel bij nood 0800-0000000 (tiplijn, fout nummer)"),
    (50, "j"),
]


def test_shipped_nl_alert_fout_nummer(exercise: Callable[..., Run]) -> None:
    run = shipped(exercise, "nl-alert-fout-nummer", NL_ALERT)
    assert points(run, "nl-alert-fout-nummer") == {
        "fout-herkend": 10,
        "fout-gemeld": 15,
        "nummerhouder": 10,
        "correctie-vermeld": 5,
        "uit-register": 10,
        "tweede-persoon": 10,
        "testgesprek": 5,
        "landelijk": 10,
        "geen-eigen-correctie": 10,
        "correctie-ontvangen": 10,
        "kanalen": 5,
        "foute-tekst-achteraf": 5,
        "notitie": 0,
        "total": 105,
    }


def test_every_shipped_scenario_is_played_here() -> None:
    assert set(shipped_scenarios()) == {
        "storing-24-juni-2019",
        "ict-verstoring-sept-2020",
        "nl-alert-fout-nummer",
    }


def test_shipped_scenarios_validate_clean() -> None:
    from draaiboek.load.library import load_library
    from draaiboek.load.scenario import check_scenario

    library = load_library([SHIPPED], today=datetime(2026, 11, 23).date())
    for name in shipped_scenarios():
        found, document, findings = load_scenario(SHIPPED / "scenarios" / f"{name}.yaml")
        assert found is not None and document is not None and findings == []
        assert check_scenario(document, library.all_runbooks()) == [], name


def test_the_report_of_an_exercise_carries_its_score(
    exercise: Callable[..., Run], tmp_path: Path
) -> None:
    run = exercise([str(SCENARIOS / "elk-staptype.yaml"), *CORPUS_ARGS], GOOD)
    assert run.code == 0, run.output
    home = tmp_path / "home"
    incident = run.events[0]["incident"]
    as_json = CliRunner().invoke(app, ["report", incident, "--home", str(home), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    card = json.loads(as_json.output)["score"]
    assert (card["earned"], card["possible"], card["percent"]) == (35, 35, 100.0)
    assert {e["status"] for e in card["expectations"]} == {"met"}
    as_md = CliRunner().invoke(app, ["report", incident, "--home", str(home), "--lang", "en"])
    assert "## Exercise score" in as_md.output
    assert "**Total:** 35/35 (100%)" in as_md.output


def test_a_live_report_has_no_score(tmp_path: Path) -> None:
    home = tmp_path / "home"
    walked = CliRunner().invoke(
        app,
        [
            "start",
            "every-step-type",
            "--runbooks",
            str(CORPUS),
            "--operator",
            "J",
            "--home",
            str(home),
        ],
        input="2\n",
    )
    assert walked.exit_code == 0, walked.output
    incident = next(home.glob("incidents/*")).name
    as_json = CliRunner().invoke(app, ["report", incident, "--home", str(home), "--format", "json"])
    assert "score" not in json.loads(as_json.output)


@pytest.mark.parametrize(
    ("fit", "way_on"), [(0, "draaiboek exercise "), (4, "draaiboek resume oefening-")]
)
def test_a_full_disk_during_an_exercise_is_one_line_not_an_internal_error(
    exercise: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, fit: int, way_on: str
) -> None:
    """The exercise walks like `start`: a refusing disk names what was not logged, exit 1;
    at the start (no write fits) in Dutch as well, not the journal's own English words."""
    import errno
    import os

    from draaiboek.journal import files

    calls = {"n": 0}

    def filling(fd: int, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > fit:  # 4: the exercise's opening events fit, the first answer not
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        files.write_all(fd, data)

    monkeypatch.setattr("draaiboek.journal.writer.write_all", filling)
    run = exercise([str(SCENARIOS / "elk-staptype.yaml"), *CORPUS_ARGS], GOOD)
    refused = [line for line in run.output.splitlines() if line.startswith("draaiboek:")]
    assert run.code == 1, run.output
    assert len(refused) == 1 and "NIET vastgelegd" in refused[0], run.output
    assert "De schijf is vol." in refused[0] and way_on in refused[0]
    assert "interne fout" not in run.output
