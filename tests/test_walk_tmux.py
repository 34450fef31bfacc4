"""A walk in a real terminal, driven through tmux: typed answers, a note, Ctrl-C, a handover.

Each test runs its own tmux server (`tmux -L <unique socket>`), killed at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from draaiboek.journal import verify as verify_journal

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "valid"
TOP = "every-step-type"


def independent_verify(path: Path) -> str | None:
    """The published hash rule, re-implemented without draaiboek; returns the last hash."""
    prev = None
    for seq, raw in enumerate(path.read_bytes().split(b"\n")[:-1]):
        event = json.loads(raw)
        claimed = event.pop("hash")
        body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(body.encode()).hexdigest() == claimed, f"line {seq + 1}"
        assert event["seq"] == seq and event["prev"] == prev, f"line {seq + 1}"
        prev = claimed
    return prev


def wait_for(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Terminal:
    """One tmux server with one session, 120x40, running one shell script."""

    def __init__(self, socket: str) -> None:
        self.socket = socket
        self.env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        self.socket_path = ""

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=20,
            check=True,
        )
        return done.stdout

    def open(self, script: Path) -> None:
        command = f"sh {shlex.quote(str(script))}"
        self.tmux("new-session", "-d", "-s", "walk", "-x", "120", "-y", "40", command)
        self.socket_path = self.tmux("display-message", "-p", "#{socket_path}").strip()

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "walk", "-l", text)
        self.tmux("send-keys", "-t", "walk", "Enter")

    def press(self, key: str) -> None:
        self.tmux("send-keys", "-t", "walk", key)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "walk")

    def wait_screen(self, text: str) -> None:
        wait_for(lambda: text in self.screen(), f"{text!r} on screen")

    def wait_prompt(self, prompt: str, count: int) -> None:
        """Until the `count`-th prompt ending in `prompt` waits on the last line (keys pressed
        before it are read by the terminal itself: Ctrl-R would reprint the line)."""

        def waiting() -> bool:
            lines = [line for line in self.screen().splitlines() if line.strip()]
            asked = sum(1 for line in lines if prompt in line)
            return asked >= count and lines[-1].rstrip().endswith(prompt)

        wait_for(waiting, f"prompt {count} {prompt!r}")

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"],
            capture_output=True,
            env=self.env,
            timeout=20,
            check=False,
        )
        if self.socket_path:  # the server is gone; leave no socket behind
            Path(self.socket_path).unlink(missing_ok=True)


@pytest.fixture
def terminals() -> Iterator[Callable[[], Terminal]]:
    opened: list[Terminal] = []

    def new() -> Terminal:
        terminal = Terminal(f"draaiboek-test-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        opened.append(terminal)
        return terminal

    try:
        yield new
    finally:
        for terminal in opened:
            terminal.close()


def script(folder: Path, name: str, home: Path, args: list[str]) -> tuple[Path, Path]:
    """A shell script running draaiboek in the terminal and leaving its exit code in a file.

    The shell ignores Ctrl-C itself (a no-op trap), so it outlives the walk to record the code.
    """
    rc = folder / f"{name}.rc"
    command = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "draaiboek", *args])
    text = f"""trap : INT
cd {shlex.quote(str(REPO))}
unset DRAAIBOEK_RUNBOOKS DRAAIBOEK_LANG DRAAIBOEK_OPERATOR
export PYTHONPATH={shlex.quote(str(REPO))} DRAAIBOEK_HOME={shlex.quote(str(home))}
export NO_COLOR=1 COLUMNS=120 LINES=40
{command}
code=$?
echo "$code" > {shlex.quote(str(rc))}
echo "EXIT=$code"
sleep 600
"""
    path = folder / f"{name}.sh"
    path.write_text(text, encoding="utf-8")
    return path, rc


def events(journal: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.read_bytes().split(b"\n") if line]


def logged(journal: Path, kind: str, **fields: str) -> Callable[[], bool]:
    def check() -> bool:
        if not journal.is_file():
            return False
        return any(
            e["type"] == kind and all(e.get(k) == v for k, v in fields.items())
            for e in events(journal)
        )

    return check


def grown(journal: Path, count: int) -> Callable[[], bool]:
    return lambda: len(events(journal)) > count


def answer_in_turn(
    terminal: Terminal, journal: Path, answers: list[tuple[str, str | None]]
) -> None:
    """Type each answer once the one before is logged: the step it leads to entered, or (None)
    any new event."""
    for answer, then in answers:
        count = len(events(journal))
        terminal.type(answer)
        if then is None:
            wait_for(grown(journal, count), f"answer {answer!r}")
        else:
            wait_for(logged(journal, "entered", step=then), f"step {then}")


def exit_code(rc: Path) -> int:
    wait_for(lambda: rc.is_file() and rc.read_text().strip() != "", "the walk to end")
    return int(rc.read_text())


def test_walk_in_a_terminal_ctrl_c_then_handover(
    tmp_path: Path, terminals: Callable[[], Terminal]
) -> None:
    home = tmp_path / "home"
    journal = home / "incidents" / "tty" / "journal.jsonl"
    rb = ["--runbooks", str(CORPUS)]

    # Jan starts, answers the decision, writes a note, and presses Ctrl-C
    first, first_rc = script(
        tmp_path, "first", home, ["start", TOP, *rb, "--operator", "Jan", "--incident", "tty"]
    )
    jan = terminals()
    jan.open(first)
    jan.wait_screen("Kies 1-2 (of /? voor hulp) >")
    assert "Is 112 bereikbaar?" in jan.screen()
    jan.type("1")
    wait_for(logged(journal, "entered", step="testbellen"), "the action step")
    jan.wait_screen("j = gedaan · n <reden> = niet mogelijk · l = later >")
    jan.type("/n meldkamer bereikbaar via 0900-8844")
    wait_for(logged(journal, "note"), "the note")
    jan.wait_screen("vastgelegd: notitie: meldkamer bereikbaar via 0900-8844")
    jan.press("C-c")
    assert exit_code(first_rc) == 130
    jan.wait_screen("EXIT=130")
    assert "Gepauzeerd. Verder gaan:" in jan.screen()
    assert "draaiboek resume tty" in " ".join(jan.screen().split())  # the hint may wrap
    so_far = events(journal)
    assert [e["type"] for e in so_far] == [
        "opened",
        "entered",
        "answered",
        "entered",
        "note",
        "paused",
    ]
    assert so_far[-1]["reason"] == "interrupted"
    assert so_far[-2]["text"] == "meldkamer bereikbaar via 0900-8844"

    # Piet takes over in another terminal (asked for his name) and finishes the runbook
    second, second_rc = script(tmp_path, "second", home, ["resume", "tty", *rb])
    piet = terminals()
    piet.open(second)
    piet.wait_screen("Uw naam (operator) >")
    piet.type("Piet")
    wait_for(logged(journal, "handover", to="Piet"), "the handover")
    piet.wait_screen("j = gedaan · n <reden> = niet mogelijk · l = later >")
    assert "Bel 112 testen" in piet.screen()  # the same step as where Jan stopped
    answer_in_turn(
        piet, journal, [("j", "lijst"), ("j", None), ("l", "starttijd"), ("12:30", "melden"),
                        ("j", "klaar")],
    )  # fmt: skip
    assert exit_code(second_rc) == 0
    piet.wait_screen("EXIT=0")
    assert "Het draaiboek is afgerond" in piet.screen()
    assert "overgedragen van Jan aan Piet" in piet.screen()

    found = events(journal)
    taken = found[len(so_far) :]
    assert [e["type"] for e in taken[:3]] == ["resumed", "handover", "action"]
    assert (taken[1]["from"], taken[1]["to"]) == ("Jan", "Piet")
    assert {e["by"] for e in taken} == {"Piet"}
    assert found[-1]["type"] == "closed"
    assert found[-1]["open"] == [f"{TOP}/lijst/ncc"]

    # the journal verifies with draaiboek and with the independent ten-line rule
    verify = subprocess.run(
        [sys.executable, "-m", "draaiboek", "verify", str(journal)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "DRAAIBOEK_HOME": str(home)},
        timeout=60,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    last = independent_verify(journal)
    assert last is not None
    assert last == found[-1]["hash"]
    assert last in verify.stdout


def test_closing_the_terminal_pauses_the_walk(
    tmp_path: Path, terminals: Callable[[], Terminal]
) -> None:
    """The window is closed mid-walk (SIGHUP, the terminal gone): paused, and no crash."""
    home = tmp_path / "home"
    journal = home / "incidents" / "hup" / "journal.jsonl"
    args = ["start", TOP, "--runbooks", str(CORPUS), "--operator", "Jan", "--incident", "hup"]
    command = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "draaiboek", *args])
    walk = tmp_path / "hup.sh"
    walk.write_text(
        f"cd {shlex.quote(str(REPO))}\n"
        "unset DRAAIBOEK_RUNBOOKS DRAAIBOEK_LANG DRAAIBOEK_OPERATOR\n"
        f"export PYTHONPATH={shlex.quote(str(REPO))} DRAAIBOEK_HOME={shlex.quote(str(home))}\n"
        f"export NO_COLOR=1\nexec {command}\n",
        encoding="utf-8",
    )
    terminal = terminals()
    terminal.open(walk)
    pid = int(terminal.tmux("display-message", "-p", "-t", "walk", "#{pane_pid}"))
    terminal.wait_screen("Kies 1-2 (of /? voor hulp) >")
    terminal.type("1")
    wait_for(logged(journal, "entered", step="testbellen"), "the action step")
    terminal.wait_screen("j = gedaan · n <reden> = niet mogelijk · l = later >")
    terminal.close()  # the window goes away

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    wait_for(gone, "the walk to stop")
    found = events(journal)
    assert found[-1]["type"] == "paused"
    assert [e["type"] for e in found[:4]] == ["opened", "entered", "answered", "entered"]
    assert list(home.glob("crash-*.txt")) == []
    assert verify_journal(journal).ok


# --- the input line (prompt_toolkit): editing, history, what is refused, what shows unasked ---

CONTROL_BYTES = re.compile(rb"\x1b\[31m|\x1b\]8;|\x1b\[2J|\x9b|\x07")  # what notes tried to send


def walk_script(
    folder: Path, name: str, home: Path, args: list[str], cwd: Path = REPO
) -> tuple[Path, Path]:
    """`script`, run from `cwd` (a folder without ./runbooks shows what the tool falls back on)."""
    path, rc = script(folder, name, home, args)
    text = path.read_text(encoding="utf-8").replace(
        f"cd {shlex.quote(str(REPO))}", f"cd {shlex.quote(str(cwd))}"
    )
    path.write_text(text, encoding="utf-8")
    return path, rc


def test_a_note_edited_with_the_arrow_keys_is_stored_as_corrected(
    tmp_path: Path, terminals: Callable[[], Terminal]
) -> None:
    home = tmp_path / "home"
    journal = home / "incidents" / "edit" / "journal.jsonl"
    args = ["start", TOP, "--runbooks", str(CORPUS), "--operator", "Jan", "--incident", "edit"]
    walk, _ = script(tmp_path, "edit", home, args)
    terminal = terminals()
    terminal.open(walk)
    terminal.wait_screen("Kies 1-2 (of /? voor hulp) >")
    terminal.type("1")
    wait_for(logged(journal, "entered", step="testbellen"), "the action step")
    terminal.wait_screen("l = later >")
    # "trug" -> three to the left, a typo fixed: "terug"; then the end of the line, one deleted
    terminal.tmux("send-keys", "-t", "walk", "-l", "/n meldkamer trug!")
    for key in ["Left", "Left", "Left", "Left"]:
        terminal.press(key)
    terminal.tmux("send-keys", "-t", "walk", "-l", "e")
    terminal.press("End")
    terminal.press("BSpace")
    terminal.press("Enter")
    wait_for(logged(journal, "note"), "the note")
    terminal.wait_prompt("l = later >", 2)
    # history: the line comes back with the up arrow, is changed, and logged again
    terminal.press("Up")
    terminal.tmux("send-keys", "-t", "walk", "-l", " 2")
    terminal.press("Enter")
    wait_for(logged(journal, "note", text="meldkamer terug 2"), "the note from history")
    terminal.wait_prompt("l = later >", 3)
    # Ctrl-R finds the first note again
    terminal.press("C-r")
    terminal.tmux("send-keys", "-t", "walk", "-l", "terug")
    terminal.wait_screen("(reverse-i-search)`terug'")
    terminal.press("Enter")  # ends the search, the line found in the prompt
    terminal.wait_prompt("l = later > /n meldkamer terug 2", 1)
    terminal.press("Enter")
    wait_for(
        lambda: (
            [e.get("text") for e in events(journal) if e["type"] == "note"]
            == ["meldkamer terug", "meldkamer terug 2", "meldkamer terug 2"]
        ),
        "the note found by Ctrl-R",
    )
    raw = journal.read_bytes()
    assert b"\\u001b" not in raw and b"\x1b" not in raw
    assert "vastgelegd: notitie: meldkamer terug" in terminal.screen()


def _markup_runbooks(folder: Path) -> Path:
    """The corpus runbooks with markup in every text a person reads ("[/x]", "[bold]", a link):
    each must show as it is written, and none may end the walk."""
    import yaml

    mark = " zie [/x] en [bold]vet[/bold] [link=https://example.org]link[/link] [/]"
    keep = {"id", "next", "start", "runbook", "format", "status", "version", "pattern", "type",
            "until", "contacts", "sources", "role", "outcome", "due", "repeat", "number",
            "languages", "critical", "review_before", "value"}  # fmt: skip

    def marked(data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v if k in keep else marked(v) for k, v in data.items()}
        if isinstance(data, list):
            return [marked(v) for v in data]
        return data + mark if isinstance(data, str) else data

    folder.mkdir()
    for source in CORPUS.glob("*.yaml"):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        fixed = marked(data)
        (folder / source.name).write_text(yaml.safe_dump(fixed, allow_unicode=True))
    return folder


def test_markup_escape_sequences_and_bytes_that_are_not_utf8_walk_to_the_end(
    tmp_path: Path, terminals: Callable[[], Terminal]
) -> None:
    """Every runbook text holds "[/x]"; notes carry escape sequences (typed with Ctrl-V Esc, and
    pasted) and a line is not UTF-8: each is refused at the prompt, the walk reaches its end,
    and neither the screen nor the journal gets a raw escape."""
    home = tmp_path / "home"
    runbooks = _markup_runbooks(tmp_path / "runbooks")
    journal = home / "incidents" / "markup" / "journal.jsonl"
    args = ["start", TOP, "--runbooks", str(runbooks), "--operator", "Jan", "--incident", "markup"]
    walk, rc = script(tmp_path, "markup", home, args)
    raw_output = tmp_path / "raw-output"
    terminal = terminals()
    terminal.open(walk)
    terminal.tmux("pipe-pane", "-o", "-t", "walk", f"cat >> {shlex.quote(str(raw_output))}")
    terminal.wait_screen("Kies 1-2 (of /? voor hulp) >")
    assert "Is 112 bereikbaar? zie [/x] en [bold]vet[/bold]" in terminal.screen()
    terminal.type("1")
    wait_for(logged(journal, "entered", step="testbellen"), "the action step")
    terminal.wait_screen("l = later >")

    # an escape sequence pasted into a note (a bracketed paste keeps every byte of it)
    terminal.tmux("set-buffer", "-b", "red", "/n rood \x1b[31mRED\x1b[0m")
    terminal.tmux("paste-buffer", "-p", "-b", "red", "-t", "walk")
    terminal.press("Enter")
    terminal.wait_screen("bevat een stuurteken (U+001B")
    # what was typed comes back without the control characters, to be sent as it is now
    terminal.wait_prompt("l = later > /n rood [31mRED[0m", 1)
    terminal.press("Enter")
    wait_for(logged(journal, "note", text="rood [31mRED[0m"), "the cleaned note")

    # a pasted hyperlink and a C1 control; then a bell typed with Ctrl-Q Ctrl-G (quoted insert)
    terminal.tmux("set-buffer", "-b", "link", "/n link \x1b]8;;https://example.org\x1b\\x\x9b2J")
    terminal.tmux("paste-buffer", "-p", "-b", "link", "-t", "walk")
    terminal.press("Enter")
    wait_for(lambda: terminal.screen().count("bevat een stuurteken") == 2, "the second refusal")
    terminal.press("C-u")
    terminal.tmux("send-keys", "-t", "walk", "-l", "/n bel ")
    terminal.press("C-q")
    terminal.press("C-g")
    terminal.press("Enter")
    terminal.wait_screen("bevat een stuurteken (U+0007")
    terminal.press("C-u")

    # a line that is not UTF-8 (Latin-1 "é")
    terminal.tmux("send-keys", "-t", "walk", "-l", "/n caf")
    terminal.tmux("send-keys", "-t", "walk", "-H", "e9")
    terminal.press("Enter")
    terminal.wait_screen("is geen UTF-8-tekst")
    terminal.press("C-u")

    answer_in_turn(
        terminal, journal, [("j", "lijst"), ("j", None), ("j", "starttijd"), ("12:30", "melden"),
                            ("j", "klaar")],
    )  # fmt: skip
    assert exit_code(rc) == 0
    terminal.wait_screen("EXIT=0")
    screen = terminal.screen()
    assert "Het draaiboek is afgerond" in screen
    assert "Afgerond zie [/x] en [bold]vet[/bold] [link=https://example.org]link[/link] [/]" in (
        " ".join(screen.split())
    )
    notes = [e["text"] for e in events(journal) if e["type"] == "note"]
    assert notes == ["rood [31mRED[0m"]
    assert CONTROL_BYTES.search(journal.read_bytes()) is None
    assert b"\\u001b" not in journal.read_bytes()
    wait_for(raw_output.is_file, "the raw output")
    assert CONTROL_BYTES.search(raw_output.read_bytes()) is None


def test_a_deadline_passing_shows_while_the_prompt_waits(
    tmp_path: Path, terminals: Callable[[], Terminal]
) -> None:
    """Nobody presses a key: the overdue line appears above the prompt and is logged, and what
    was half typed stays in the line."""
    home = tmp_path / "home"
    runbooks = tmp_path / "runbooks"
    shutil.copytree(CORPUS, runbooks)
    top = runbooks / f"{TOP}.yaml"
    top.write_text(
        top.read_text(encoding="utf-8").replace("due: PT15M", "due: PT2S"), encoding="utf-8"
    )
    journal = home / "incidents" / "due" / "journal.jsonl"
    args = ["start", TOP, "--runbooks", str(runbooks), "--operator", "Jan", "--incident", "due"]
    walk, _ = script(tmp_path, "due", home, args)
    terminal = terminals()
    terminal.open(walk)
    terminal.wait_screen("Kies 1-2 (of /? voor hulp) >")
    terminal.type("1")
    terminal.wait_screen("l = later >")
    terminal.tmux("send-keys", "-t", "walk", "-l", "/n half getypt")
    wait_for(logged(journal, "reminder"), "the overdue reminder")
    terminal.wait_screen("termijn verstreken: Bel 112 testen")
    lines = [line for line in terminal.screen().splitlines() if line.strip()]
    assert "termijn verstreken: Bel 112 testen" in lines[-2]  # above the prompt
    assert lines[-1].endswith("l = later > /n half getypt")  # the typing is still there
    terminal.press("Enter")
    wait_for(logged(journal, "note", text="half getypt"), "the half-typed note")


def test_a_runbook_file_outside_runbooks_never_takes_a_shipped_sub_runbook(
    tmp_path: Path, terminals: Callable[[], Terminal]
) -> None:
    """A live runbook file in a folder of its own, its sub-runbook not beside it, started where
    there is no ./runbooks: it says the sub-runbook is missing instead of walking with the
    shipped example of the same id."""
    home = tmp_path / "home"
    own = tmp_path / "eigen"
    own.mkdir()
    for name in ("112-onbereikbaar.yaml", "contacts.yaml"):
        shutil.copy(REPO / "runbooks" / name, own / name)
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    args = ["start", str(own / "112-onbereikbaar.yaml"), "--operator", "Jan", "--incident", "own"]
    walk, rc = walk_script(tmp_path, "own", home, args, cwd=elsewhere)
    terminal = terminals()
    terminal.open(walk)
    assert exit_code(rc) == 1
    terminal.wait_screen("EXIT=1")
    said = " ".join(terminal.screen().split())
    assert "'nl-alert-verstoring'" in said  # the finding that names it, with its place:
    assert re.search(r"eigen/112-onbereikbaar\.yaml:\d+:\d+: runbook 'nl-alert-verstoring'", said)
    assert not (home / "incidents" / "own").exists()


def test_an_exercise_inject_shows_above_the_waiting_prompt(
    tmp_path: Path, terminals: Callable[[], Terminal]
) -> None:
    """An inject comes due while the trainee is typing: it is drawn above the prompt, and the
    half-typed answer is still in the line."""
    home = tmp_path / "home"
    scenario = REPO / "tests" / "corpus" / "scenarios" / "alles-werkt.yaml"
    args = [
        "exercise",
        str(scenario),
        "--runbooks",
        str(CORPUS),
        "--operator",
        "Jan",
        "--speed",
        "30",
    ]  # fmt: skip  (the inject at PT2M comes after 4 s)
    walk, _ = script(tmp_path, "inject", home, args)
    terminal = terminals()
    terminal.open(walk)
    terminal.wait_prompt("Kies 1-2 (of /? voor hulp) >", 1)
    terminal.tmux("send-keys", "-t", "walk", "-l", "/n nog bez")
    terminal.wait_screen("Testgesprekken komen overal aan.")
    terminal.wait_prompt("Kies 1-2 (of /? voor hulp) > /n nog bez", 1)
    lines = [line for line in terminal.screen().splitlines() if line.strip()]
    inject = next(i for i, line in enumerate(lines) if "Testgesprekken komen overal aan." in line)
    assert inject < len(lines) - 1  # above the prompt, which is still the last line
    terminal.tmux("send-keys", "-t", "walk", "-l", "ig")
    terminal.press("Enter")
    journal = next((home / "incidents").glob("*/journal.jsonl"))
    wait_for(logged(journal, "note", text="nog bezig"), "the note typed around the inject")
