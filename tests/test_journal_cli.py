"""Issue 12's measurements, repeated through the command line: each gives the new behaviour.

In-process (typer's CliRunner), so that faults can be injected where root would pass a
permission test (CI runs as root): the disk refuses by a replaced write, another user by a
replaced user id.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_run import cli as run

from draaiboek.journal import read, verify
from draaiboek.journal.files import JOURNAL_NAME

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
RB = ["--runbooks", str(CORPUS)]
TOP = "every-step-type"
SEAL = re.compile(r"^zegel ([0-9a-f]{6})…$", re.M)


def start(home: Path, answers: str, incident: str = "x") -> tuple[int, str]:
    return run(home, ["start", TOP, *RB, "--operator", "Jan", "--incident", incident], answers)


def folder_of(home: Path, incident: str = "x") -> Path:
    return home / "incidents" / incident


# --- 1. no dead ends; 6. a cut tail shows -----------------------------------------------------


def test_the_seal_is_printed_at_every_pause_and_close_and_matches_the_head(home: Path) -> None:
    code, out = start(home, "1\n")  # one answer, then the input ends: paused
    assert code == 1
    [seal] = SEAL.findall(out)
    assert seal == list(read(folder_of(home)))[-1]["hash"][:6]
    code, out = run(home, ["resume", "x", *RB], "j\nj\nj\n12:30\nj\n")
    assert code == 0 and "afgerond" in out
    [seal] = SEAL.findall(out)
    assert seal == list(read(folder_of(home)))[-1]["hash"][:6]


def test_verify_reports_a_journal_whose_last_three_lines_were_cut_after_a_pause(
    home: Path,
) -> None:
    start(home, "1\n")
    journal = folder_of(home) / JOURNAL_NAME
    lines = journal.read_bytes().split(b"\n")[:-1]
    journal.write_bytes(b"".join(line + b"\n" for line in lines[:-3]))
    code, out = run(home, ["verify", "x"])
    assert code == 1 and "NIET intact" in out and "cut off the end" in out
    code, out = run(home, ["incidents"])
    assert "NIET GECONTROLEERD" in out
    code, out = run(home, ["status", "x", *RB])
    assert "LET OP: logboek niet gecontroleerd" in out
    code, out = run(home, ["resume", "x", *RB, "--operator", "Piet"])
    assert code == 1 and "cut off the end" in out and "interne fout" not in out
    code, out = run(home, ["report", "x"])
    assert code == 1 and "VERIFICATIE MISLUKT" in out


def test_a_changed_runbook_copy_fails_verify_and_report(home: Path) -> None:
    start(home, "1\n")
    copy = next(folder_of(home).glob("*.yaml"))
    copy.write_bytes(copy.read_bytes() + b"# verbeterd achteraf\n")
    code, out = run(home, ["verify", "x"])
    assert code == 1 and "Logboek intact" in out and copy.name in out
    code, out = run(home, ["report", "x"])
    assert code == 1 and "VERIFICATIE MISLUKT" in out


def test_an_incident_without_its_first_event_is_no_dead_end(home: Path) -> None:
    """What an earlier version left when a start was killed before `opened`."""
    folder = folder_of(home, "kort")
    folder.mkdir(mode=0o700, parents=True)
    (folder / JOURNAL_NAME).write_bytes(b"")
    (folder / "writer.lock").write_bytes(b"")
    home.chmod(0o700)
    (home / "incidents").chmod(0o700)
    code, out = run(home, ["status", "kort", *RB])
    assert code == 1 and "start --incident kort" in out
    code, out = run(home, ["resume", "kort", *RB, "--operator", "Jan"])
    assert code == 1 and "start --incident kort" in out
    assert "start --incident kort" in run(home, ["incidents", "--format", "json"])[1]
    code, out = start(home, "1\n", incident="kort")  # the way out: start it again
    assert code == 1 and [e["type"] for e in read(folder)][:1] == ["opened"]


# --- 2. storage errors, said plainly ---------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "why"),
    [(errno.ENOSPC, "De schijf is vol."), (errno.EROFS, "De schijf is alleen-lezen."),
     (errno.EIO, "De schijf geeft een I/O-fout.")],
)  # fmt: skip
def test_a_full_disk_names_the_answer_that_was_not_logged(
    home: Path, monkeypatch: pytest.MonkeyPatch, number: int, why: str
) -> None:
    from draaiboek.journal import files

    calls = {"n": 0}

    def filling(fd: int, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > 2:  # `opened` and `entered` fit; the first answer does not
            raise OSError(number, os.strerror(number))
        files.write_all(fd, data)

    monkeypatch.setattr("draaiboek.journal.writer.write_all", filling)
    code, out = start(home, "1\nj\n")
    lines = [line for line in out.splitlines() if line.startswith("draaiboek:")]
    assert code == 1, out
    assert len(lines) == 1 and "NIET vastgelegd: gekozen:" in lines[0] and why in lines[0]
    assert "draaiboek resume x" in lines[0] and "interne fout" not in out
    assert verify(folder_of(home)).ok
    assert [e["type"] for e in read(folder_of(home))] == ["opened", "entered"]

    code, out = run(home, ["resume", "x", *RB, "--operator", "Jan"])  # still full
    assert code == 1 and "NIET vastgelegd" in out and why in out
    monkeypatch.undo()
    code, out = run(home, ["resume", "x", *RB, "--operator", "Jan"], "1\n")
    assert "vastgelegd: gekozen" in out  # the answer, given again, is logged now


# --- 3. ids before the filesystem ------------------------------------------------------------


@pytest.mark.parametrize("command", ["resume", "status", "verify", "report"])
def test_a_300_character_id_is_one_line_not_an_internal_error(home: Path, command: str) -> None:
    code, out = run(home, [command, "a" * 300, *(RB if command in ("resume", "status") else [])])
    assert code in (1, 2), out
    assert "not a plain name" in out and len(out.strip().splitlines()) == 1
    assert "interne fout" not in out and "internal error" not in out


# --- 5. owner-only, checked ------------------------------------------------------------------


def test_a_home_others_can_read_is_tightened_with_one_notice(home: Path) -> None:
    start(home, "1\n")
    home.chmod(0o755)  # as an earlier version left it
    code, out = run(home, ["incidents"])
    assert code == 0 and "0755" in out and "0700" in out
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert "0755" not in run(home, ["incidents"])[1]  # said once


def test_a_home_others_can_write_is_refused(home: Path) -> None:
    start(home, "1\n")
    (home / "incidents").chmod(0o777)  # under umask 000, or made so by someone else
    for args in (["incidents"], ["resume", "x", *RB, "--operator", "Jan"], ["status", "x", *RB]):
        code, out = run(home, args)
        assert code == 1 and "others can write" in out, args


def test_a_home_of_another_user_is_refused(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    start(home, "1\n")
    monkeypatch.setattr("draaiboek.journal.safety.current_user", lambda: 4242)
    code, out = run(home, ["resume", "x", *RB, "--operator", "Jan"])
    assert code == 1 and "not to you" in out


def test_crash_notes_and_reports_are_owner_only(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from draaiboek.cli.app import crash_note

    note = crash_note(RuntimeError("stuk"), tmp_path / "notes")
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    start(home, "1\n")
    old = os.umask(0)
    try:
        code, _ = run(home, ["report", "x", "-o", str(tmp_path / "verslag.md")])
    finally:
        os.umask(old)
    assert code == 0 and stat.S_IMODE((tmp_path / "verslag.md").stat().st_mode) == 0o600


# --- 6. report -o does not overwrite ---------------------------------------------------------


def test_report_does_not_overwrite_an_earlier_report_without_force(
    home: Path, tmp_path: Path
) -> None:
    start(home, "1\n")
    earlier = tmp_path / "verslag.md"
    earlier.write_text("het eerdere rapport, met de hash van toen\n", encoding="utf-8")
    code, out = run(home, ["report", "x", "-o", str(earlier)])
    assert code == 1 and "bestaat al" in out and "--force" in out
    assert earlier.read_text(encoding="utf-8") == "het eerdere rapport, met de hash van toen\n"
    code, out = run(home, ["report", "x", "-o", str(earlier), "--force"])
    assert code == 0 and "Logboek intact" in earlier.read_text(encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "elders.md")
    code, out = run(home, ["report", "x", "-o", str(link)])
    assert code == 1 and not (tmp_path / "elders.md").exists()


# --- 8. the clock going back; 9. unambiguous times -------------------------------------------


def walked_with(home: Path, times: list[datetime]) -> None:
    """A walk whose clock reads `times` one after another (then stays at the last)."""
    from draaiboek.engine.inputs import Act, Choose
    from draaiboek.load.library import load_library
    from draaiboek.services.session import Session

    runbooks = load_library([CORPUS], today=date(2026, 11, 23)).all_runbooks()
    queue = list(times)

    def clock() -> datetime:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    session = Session.start(home, runbooks[TOP], runbooks, operator="Jan", clock=clock,
                            incident_id="x")  # fmt: skip
    session.submit(Choose("nergens"))
    session.submit(Act("done"))
    session.pause("user")
    session.close()


def report_json(home: Path) -> dict[str, Any]:
    code, out = run(home, ["report", "x", "--format", "json"])
    assert code == 0, out
    data: dict[str, Any] = json.loads(out)
    return data


def test_a_clock_set_back_is_flagged_in_the_report(home: Path) -> None:
    t0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    back = t0 - timedelta(hours=2)
    walked_with(home, [t0, t0, t0 + timedelta(minutes=5), t0 + timedelta(minutes=5), back, back])
    data = report_json(home)
    kinds = [e["type"] for e in data["events"]]
    assert "clock" in kinds and "action" in kinds  # the answer is logged all the same
    late = data["verification"]["out_of_order"]
    assert late and data["events"][late[0]]["type"] == "clock"  # said where it went back
    _, md = run(home, ["report", "x"])
    assert "⚠" in md and "De klok liep terug" in md
    assert re.search(r"Klok teruggezet: 2:0\d:00 terug \(vorige gebeurtenis om ", md)


def test_times_on_a_day_with_a_clock_change_carry_their_zone(home: Path) -> None:
    # 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:50 CEST comes before 02:10 CET.
    first, second = (
        datetime(2026, 10, 25, 0, 50, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 10, tzinfo=UTC),
    )
    walked_with(home, [first, first, second, second, second])
    _, md = run(home, ["report", "x"])
    assert "02:50:00 CEST" in md and "02:10:00 CET" in md
    assert "2026-10-25 02:50:00 CEST (+02:00)" in md  # the header: always with its offset
    _, out = run(home, ["status", "x", *RB])
    assert re.search(r"\d\d:\d\d:\d\d CE(S)?T", out), out
    quiet = home.parent / "quiet"
    walked_with(quiet, [datetime(2026, 11, 3, 9, 0, tzinfo=UTC)])
    _, md = run(quiet, ["report", "x"])
    assert "10:00:00 CET" not in md.split("## ", 2)[2]  # an ordinary day: no zone needed
    assert "2026-11-03 10:00:00 CET (+01:00)" in md  # but the header always says it


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"
