"""`draaiboek verify --format json`: the journal's verdict with fixed keys, for scripts."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import draaiboek.cli.main  # noqa: F401  (importing it registers every command on the app)
from draaiboek.cli.app import app
from draaiboek.journal.files import JOURNAL_NAME

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
UNSET = ("DRAAIBOEK_RUNBOOKS", "DRAAIBOEK_LANG", "DRAAIBOEK_OPERATOR", "DRAAIBOEK_HOME")
KEYS = ["ok", "events", "last_hash", "broken", "copies_changed", "register_problems"]


def _run(home: Path, args: list[str], input: str = "") -> tuple[int, str, str]:
    env: dict[str, str | None] = {name: None for name in UNSET}
    env.update(COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home))
    result = CliRunner().invoke(app, args, input=input, env=env)
    return result.exit_code, result.stdout, result.stderr


def _incident(home: Path) -> Path:
    args = ["start", "every-step-type", "--runbooks", str(CORPUS), "--operator", "Jan"]
    _run(home, [*args, "--incident", "x"], "1\n")  # one answer, then paused
    return home / "incidents" / "x"


def test_a_whole_journal(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _incident(home)
    code, out, _ = _run(home, ["verify", "x", "--format", "json"])
    assert code == 0
    report = json.loads(out)
    assert list(report) == KEYS
    assert report["ok"] is True and report["broken"] is None and report["events"] >= 2
    assert len(report["last_hash"]) == 64
    assert (report["copies_changed"], report["register_problems"]) == ([], [])


def test_a_changed_journal_names_the_first_broken_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    journal = _incident(home) / JOURNAL_NAME
    lines = journal.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"Jan"', b'"Piet"')
    journal.write_bytes(b"\n".join(lines))
    code, out, _ = _run(home, ["verify", "x", "--format", "json"])
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["broken"]["line"] == 2
    assert report["broken"]["reason"]


def test_json_and_a_store_are_not_asked_together(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _incident(home)
    code, _, err = _run(home, ["--lang", "en", "verify", "x", "-f", "json", "--db", "x"])
    assert code == 2 and "leave out --format json" in err
    code, _, err = _run(home, ["--lang", "en", "verify", "x", "-f", "xml"])
    assert code == 2 and "choose text or json" in err
