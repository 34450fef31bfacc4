"""The walk and the commands around it with hostile text, bytes and ids (issue 11): control
characters refused at the prompt and in --operator, stored ones written out everywhere, a line
that is not UTF-8 asked again, output to a stream that cannot encode a character degraded,
short incident ids, and the shipped examples kept out of real work. None ends in exit 3."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import draaiboek.cli.main  # noqa: F401  (importing it registers every command on the app)
from draaiboek.cli.app import app
from draaiboek.engine.decide import Draft
from draaiboek.load.library import load_library
from draaiboek.model.text import CONTROL
from draaiboek.services.session import Session

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "valid"
SHIPPED = REPO / "runbooks"
TOP = "every-step-type"
RB = ["--runbooks", str(CORPUS)]
UNSET = ("DRAAIBOEK_RUNBOOKS", "DRAAIBOEK_LANG", "DRAAIBOEK_OPERATOR", "DRAAIBOEK_HOME")
ESCAPES = "rood \x1b[31mRED\x1b[0m \x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\ \x9b2J"


def run(
    home: Path, args: list[str], input: bytes = b"", cwd: Path = REPO, **env: str
) -> subprocess.CompletedProcess[bytes]:
    """`python -m draaiboek ARGS` in a child process: real stdin and stdout bytes."""
    environ = {k: v for k, v in os.environ.items() if k not in UNSET and k != "NO_COLOR"}
    environ.update(PYTHONPATH=str(REPO), COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home))
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "draaiboek", *args],
        input=input,
        capture_output=True,
        env=environ,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def invoke(home: Path, args: list[str], input: str | bytes = "", cwd: Path | None = None) -> Any:
    env: dict[str, str | None] = {name: None for name in UNSET}
    env.update(COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home))
    if cwd is None:
        return CliRunner().invoke(app, args, input=input, env=env)
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, args, input=input, env=env)
    finally:
        os.chdir(previous)


def journal(home: Path, incident: str) -> list[dict[str, Any]]:
    path = home / "incidents" / incident / "journal.jsonl"
    return [json.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


# --- control characters at the prompt and in --operator ---------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["/n rood \x1b[31mRED", "/n \x9b2J weg", "/n nul\x00byte", "/n del\x7f", "/n \x07bel"],
    ids=["escape", "c1", "nul", "del", "bell"],
)
def test_a_typed_control_character_is_refused_and_asked_again(home: Path, typed: str) -> None:
    done = run(home, ["start", TOP, *RB, "--operator", "Jan", "--incident", "x"],
               input=f"1\n{typed}\n/n schoon\n".encode())  # fmt: skip
    assert done.returncode == 1  # the answers ran out: paused, as ever
    out = done.stdout.decode()
    assert out.count("Deze regel bevat een stuurteken (U+") == 1
    assert CONTROL.search(out) is None  # the echo writes it out too
    notes = [e["text"] for e in journal(home, "x") if e["type"] == "note"]
    assert notes == ["schoon"]  # the same question took the next line
    assert CONTROL.search((home / "incidents" / "x" / "journal.jsonl").read_text()) is None


def test_a_line_that_is_not_utf8_is_refused_and_nothing_is_lost(home: Path) -> None:
    done = run(home, ["start", TOP, *RB, "--operator", "Jan", "--incident", "x"],
               input=b"1\n/n caf\xe9 \xff\xfe\nj\n")  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr.decode()
    out = done.stdout.decode()
    assert out.count("Deze regel is geen UTF-8-tekst") == 1
    kinds = [e["type"] for e in journal(home, "x")]
    # the refused line logged nothing; the next line answered the same question
    assert kinds == ["opened", "entered", "answered", "entered", "action", "entered", "paused"]


@pytest.mark.parametrize(
    "name",
    ["Jan\nde Vries", "Jan\x1b[2J", "Jan\tde Vries", "Jan\x85X"],
    ids=["nl", "esc", "tab", "c1"],
)
def test_an_operator_name_with_a_control_character_is_a_usage_error(home: Path, name: str) -> None:
    result = invoke(home, ["start", TOP, *RB, "--operator", name], input="1\n")
    assert result.exit_code == 2, result.output
    assert "--operator" in result.stderr
    assert not (home / "incidents").exists() or not any((home / "incidents").iterdir())


def test_an_answers_file_value_is_checked_like_a_typed_one(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text('vaststellen: nergens\nstarttijd: "12:30\\e[2J"\n', encoding="utf-8")
    result = invoke(home, ["start", TOP, *RB, "--operator", "Jan", "--answers", str(answers)])
    assert result.exit_code == 2, result.output
    assert "--answers: starttijd: the answer holds a control character (U+001B)" in result.stderr
    assert not (home / "incidents").exists()


# --- what is stored already is shown written out ---------------------------------------------


@pytest.fixture
def stored(home: Path) -> Iterator[str]:
    """An incident whose journal holds what an older version let through: a note full of escape
    sequences and an operator name with a newline (logged past the prompt's checks)."""
    library = load_library([CORPUS], today=datetime.now(UTC).date())
    runbook = library.runbooks[TOP]
    session = Session.start(
        home,
        runbook,
        library.all_runbooks(),
        operator="Jan\nPiet",
        clock=lambda: datetime.now(UTC),
        incident_id="oud",
    )
    try:
        session.log(Draft("note", {"runbook": TOP, "step": "vaststellen", "text": ESCAPES}))
        session.pause("interrupted")
    finally:
        session.close()
    yield "oud"


@pytest.mark.parametrize(
    "args",
    [
        ["status", "oud"],
        ["report", "oud"],
        ["report", "oud", "--format", "html"],
        ["resume", "oud", "--operator", "Kees", *RB],
    ],
    ids=["status", "report-md", "report-html", "resume"],
)
def test_stored_control_characters_are_shown_written_out(
    home: Path, stored: str, args: list[str]
) -> None:
    done = run(home, args, input=b"/o\n")
    assert done.returncode in (0, 1), done.stderr
    out = done.stdout.decode()
    assert CONTROL.search(out) is None, out
    if args[0] != "status":
        assert "x1b" in out and "RED" in out
    if args[0] in ("status", "resume"):
        # the name stays on one line: the header is not split
        assert "Jan\\nPiet" in out or "Kees" in out


# --- output that cannot be encoded ---------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["start", TOP, *RB, "--operator", "Jan", "--incident", "cp"],
        ["status", "cp"],
        ["print", TOP, *RB],
        ["graph", TOP, *RB],
        ["report", "cp"],
        ["start", "112-onbereikbaar", "--runbooks", str(SHIPPED), "--operator", "Jan"],
    ],
    ids=["start", "status", "print", "graph", "report", "start-shipped"],
)
def test_output_in_a_code_page_degrades_and_never_exits_3(home: Path, args: list[str]) -> None:
    if args[0] in ("status", "report"):
        run(home, ["start", TOP, *RB, "--operator", "Jan", "--incident", "cp"], input=b"1\n")
    done = run(home, args, input=b"1\n", PYTHONIOENCODING="cp1252")
    assert done.returncode in (0, 1), done.stderr.decode("cp1252")
    assert b"internal error" not in done.stderr
    out = done.stdout.decode("cp1252")  # every byte is cp1252
    if args[:2] == ["start", TOP]:
        assert "ok " in out and "vastgelegd" in out  # ✓ became "ok"


def test_stand_ins_for_what_a_code_page_lacks() -> None:
    from draaiboek.cli.encoding import stand_in

    assert [stand_in(c) for c in "✓☎↪⏰ő漢"] == ["ok", "tel", "->", "(!)", "o", "?"]


# --- short ids -----------------------------------------------------------------------------------


def test_any_unique_part_of_an_id_works_and_an_ambiguous_one_lists_the_candidates(
    home: Path,
) -> None:
    for incident in ("20261123-1405-112-onbereikbaar-3f9a", "20261123-1410-112-onbereikbaar-77b0"):
        done = run(home, ["start", TOP, *RB, "--operator", "Jan", "--incident", incident],
                   input=b"1\n")  # fmt: skip
        assert done.returncode == 1
    for args in (["status", "3f9a"], ["report", "3F9A"], ["verify", "1405"]):
        result = invoke(home, args)
        assert result.exit_code == 0, (args, result.output)
    result = invoke(home, ["resume", "77b0", "--operator", "Jan", *RB], input="j\n")
    assert result.exit_code == 1  # walked on, then the answers ran out
    assert "resumed" in [e["type"] for e in journal(home, "20261123-1410-112-onbereikbaar-77b0")]
    for command in ("status", "report", "verify", "resume"):
        result = invoke(
            home, [command, "onbereikbaar", "--operator", "Jan"][: 2 + 2 * (command == "resume")]
        )
        assert result.exit_code == 2, (command, result.output)
        assert "20261123-1405-112-onbereikbaar-3f9a" in result.stderr
        assert "20261123-1410-112-onbereikbaar-77b0" in result.stderr
    result = invoke(home, ["status", "ffff"])
    assert result.exit_code == 1
    assert "ffff" in result.stderr


# --- the shipped examples stay out of real work -------------------------------------------------


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working folder without ./runbooks: the shipped examples are the fallback there."""
    folder = tmp_path / "elders"
    folder.mkdir()
    return folder


def test_validate_of_a_file_elsewhere_does_not_resolve_in_the_shipped_examples(
    home: Path, tmp_path: Path, elsewhere: Path
) -> None:
    own = tmp_path / "eigen"
    own.mkdir()
    shutil.copy(SHIPPED / "112-onbereikbaar.yaml", own)
    result = invoke(home, ["validate", str(own / "112-onbereikbaar.yaml"), "--format", "json"],
                    cwd=elsewhere)  # fmt: skip
    assert result.exit_code == 1
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert {"unknown-contact", "unknown-runbook"} <= codes
    # beside it, they resolve
    for name in ("contacts.yaml", "nl-alert-verstoring.yaml"):
        shutil.copy(SHIPPED / name, own)
    result = invoke(home, ["validate", str(own / "112-onbereikbaar.yaml")], cwd=elsewhere)
    assert result.exit_code == 0, result.output


def test_a_runbook_file_resolves_beside_it_and_in_runbooks(home: Path, tmp_path: Path) -> None:
    own = tmp_path / "eigen"
    own.mkdir()
    shutil.copy(CORPUS / f"{TOP}.yaml", own)  # its sub-runbook and contacts are in --runbooks
    done = run(home, ["start", str(own / f"{TOP}.yaml"), *RB, "--operator", "Jan",
                      "--incident", "eigen"], input=b"1\n", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1, done.stderr
    opened = journal(home, "eigen")[0]
    assert "examples" not in opened
    assert "MEEGELEVERD VOORBEELDDRAAIBOEK" not in done.stdout.decode()


def test_a_walk_on_the_shipped_examples_says_so_on_every_screen_and_in_the_report(
    home: Path, elsewhere: Path
) -> None:
    done = run(home, ["start", "112-onbereikbaar", "--operator", "Jan", "--incident", "vb"],
               input=b"", cwd=elsewhere)  # fmt: skip
    assert done.returncode == 1, done.stderr
    banner = "VOORBEELD — MEEGELEVERD VOORBEELDDRAAIBOEK, NIET VOOR ECHT WERK"
    assert banner in done.stdout.decode()
    assert journal(home, "vb")[0]["examples"] is True
    status = run(home, ["status", "vb"], cwd=elsewhere)
    assert banner in status.stdout.decode()
    resumed = run(home, ["resume", "vb", "--operator", "Jan"], cwd=elsewhere)
    assert banner in resumed.stdout.decode()
    listed = json.loads(run(home, ["incidents", "--format", "json"]).stdout)
    assert listed[0]["examples"] is True
    for report_format in ("md", "html", "json"):
        report = run(home, ["report", "vb", "--format", report_format]).stdout.decode()
        assert "meegeleverd voorbeelddraaiboek" in report


def test_a_real_incident_resumed_without_a_runbooks_folder_shows_no_example_contacts(
    home: Path, tmp_path: Path, elsewhere: Path
) -> None:
    run(home, ["start", TOP, *RB, "--operator", "Jan", "--incident", "echt"], input=b"1\n")
    resumed = run(home, ["resume", "echt", "--operator", "Jan"], cwd=elsewhere)
    out = resumed.stdout.decode()
    assert "Bel 112 testen" in out
    assert "+31 00 000 0000" not in out  # no number from the shipped registry


def test_a_walk_without_a_terminal_never_loads_the_line_editor(home: Path) -> None:
    code = (
        "import sys\n"
        "from draaiboek.cli.main import main\n"
        f"status = main(['start', {TOP!r}, '--runbooks', {str(CORPUS)!r}, '--operator', 'Jan'])\n"
        "print('prompt_toolkit' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=b"1\n",
        capture_output=True,
        env={**os.environ, "DRAAIBOEK_HOME": str(home), "PYTHONPATH": str(REPO)},
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.stderr.decode().splitlines()[-1] == "False", done.stderr
