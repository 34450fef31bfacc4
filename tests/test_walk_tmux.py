"""A walk in a real terminal, driven through tmux: typed answers, a note, Ctrl-C, a handover.

Each test runs its own tmux server (`tmux -L <unique socket>`), killed at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
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
    for answer, then in [
        ("j", "lijst"),
        ("j", None),
        ("l", "starttijd"),
        ("12:30", "melden"),
        ("j", "klaar"),
    ]:
        count = len(events(journal))
        piet.type(answer)
        if then is None:
            wait_for(grown(journal, count), f"answer {answer!r}")
        else:
            wait_for(logged(journal, "entered", step=then), f"step {then}")
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
