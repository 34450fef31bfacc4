"""Signals and crashes during a walk: Ctrl-C / SIGTERM pause it, SIGKILL loses nothing.

Child processes run `python -m draaiboek`; every test has its own DRAAIBOEK_HOME.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cli_run import UNSET, cli

from draaiboek.journal import Journal, verify

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "valid"
TOP = "every-step-type"


def sub_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(PYTHONPATH=str(REPO), COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home))
    return env


def child(home: Path, args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "draaiboek", *args], env=sub_env(home), cwd=REPO, **kwargs
    )


def journal_path(home: Path, incident: str) -> Path:
    return home / "incidents" / incident / "journal.jsonl"


def events(home: Path, incident: str) -> list[dict[str, Any]]:
    lines = journal_path(home, incident).read_bytes().split(b"\n")
    return [json.loads(line) for line in lines if line]


def wait_for(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def entered(home: Path, incident: str, step: str) -> Callable[[], bool]:
    path = journal_path(home, incident)
    marker = f'"step":"{step}","type":"entered"'.encode()
    return lambda: path.is_file() and marker in path.read_bytes()


SIGNALS = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_signal_at_a_prompt_pauses_and_resume_continues(tmp_path: Path, signum: int) -> None:
    home = tmp_path / "home"
    walk = child(
        home,
        ["start", TOP, "--runbooks", str(CORPUS), "--operator", "Jan", "--incident", "s"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert walk.stdin is not None
        walk.stdin.write(b"1\n")
        walk.stdin.flush()
        wait_for(entered(home, "s", "testbellen"), "the action step")
        time.sleep(0.1)  # now waiting for the next line
        walk.send_signal(signum)
        out, err = walk.communicate(timeout=30)
    finally:
        if walk.poll() is None:
            walk.kill()
            walk.communicate()
    assert walk.returncode == 130, err.decode()
    assert "Gepauzeerd. Verder gaan:" in out.decode()
    assert "draaiboek resume s" in " ".join(out.decode().split())  # the hint may wrap
    found = events(home, "s")
    assert [e["type"] for e in found] == ["opened", "entered", "answered", "entered", "paused"]
    assert found[-1]["reason"] == "interrupted"
    assert verify(journal_path(home, "s")).ok

    code, output = cli(home, ["resume", "s", "--runbooks", str(CORPUS)], "j\n")
    assert code == 1  # the input ended further on
    after = events(home, "s")[len(found) :]
    assert [e["type"] for e in after[:3]] == ["resumed", "action", "entered"]
    assert (after[1]["step"], after[1]["result"]) == ("testbellen", "done")
    assert "Bel 112 testen" in output.split(" > ", 1)[0]


@pytest.mark.parametrize("twice", [False, True], ids=["once", "again-during-the-pause"])
def test_signal_while_writing_is_held_until_the_answer_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, twice: bool
) -> None:
    """Ctrl-C while an answer's events are written: they are all logged, then the walk pauses.

    A second Ctrl-C while the pause itself is written must not cut the exit short.
    """
    home = tmp_path / "home"
    original = Journal.append

    def append(
        self: Journal, type: str, by: str, at: datetime, fields: dict[str, Any]
    ) -> dict[str, Any]:
        event = original(self, type, by, at, fields)
        if type == "answered" or (twice and type == "paused"):
            os.kill(os.getpid(), signal.SIGINT if type == "answered" else signal.SIGTERM)
        return event

    monkeypatch.setattr(Journal, "append", append)
    code, output = cli(
        home,
        ["start", TOP, "--runbooks", str(CORPUS), "--operator", "Jan", "--incident", "w"],
        "1\nj\n",
    )
    assert code == 130, output
    found = events(home, "w")
    assert [e["type"] for e in found] == ["opened", "entered", "answered", "entered", "paused"]
    assert found[-1]["reason"] == "interrupted"
    assert found[-2]["step"] == "testbellen"  # the answer and the step it leads to, both logged
    assert "Gepauzeerd. Verder gaan:" in output
    assert "draaiboek resume w" in " ".join(output.split())  # the hint may wrap


def long_runbook(folder: Path, steps: int) -> None:
    folder.mkdir()
    lines = [
        "format: draaiboek/1",
        "id: lang",
        "version: 1.0.0",
        "status: approved",
        "title: Lang draaiboek",
        "languages: [nl]",
        "owner: tests",
        "review_before: 2099-12-31",
        "roles: {caco: Calamiteitencoördinator}",
        "start: s000",
        "steps:",
    ]
    for i in range(steps):
        after = f"s{i + 1:03d}" if i + 1 < steps else "einde"
        lines += [
            f"  s{i:03d}:",
            "    type: action",
            f"    title: Stap {i}",
            "    role: caco",
            f"    next: {after}",
        ]
    lines += ["  einde:", "    type: end", "    title: Einde", "    role: caco"]
    lines += ["    outcome: resolved"]
    (folder / "lang.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def writing(walk: subprocess.Popen[bytes], path: Path, size: int) -> Callable[[], bool]:
    """True once the child has added to the journal (or has stopped by itself)."""
    return lambda: walk.poll() is not None or (path.exists() and path.stat().st_size > size)


def complete_lines(data: bytes) -> bytes:
    return data[: data.rfind(b"\n") + 1]


def is_closed(path: Path) -> bool:
    """The journal's last complete event closed the walk (the kill may come after that)."""
    lines = complete_lines(path.read_bytes()).splitlines()
    return bool(lines) and json.loads(lines[-1]).get("type") == "closed"


def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    steps = 400  # long enough to be killed at random moments: a step takes well under 1 ms
    runbooks = tmp_path / "runbooks"
    long_runbook(runbooks, steps)
    answers = tmp_path / "answers.yaml"
    answers.write_text("".join(f"s{i:03d}: done\n" for i in range(steps)), encoding="utf-8")
    common = ["--runbooks", str(runbooks), "--operator", "Jan", "--answers", str(answers)]
    path = journal_path(home, "k")
    rng = random.Random(20261123)
    kept: list[bytes] = []  # what was in the journal just before each kill
    kills = 0
    finished = False
    for cycle in range(10):
        if path.exists() and is_closed(path):  # a kill that landed just after `closed`
            finished = True
            break
        size = path.stat().st_size if path.exists() else -1
        args = ["start", "lang", "--incident", "k"] if cycle == 0 else ["resume", "k"]
        walk = child(home, [*args, *common], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(writing(walk, path, size), "the walk to write")
            time.sleep(rng.uniform(0.0, 0.08))
            before = path.read_bytes()
            walk.kill()
            _, err = walk.communicate(timeout=30)
        finally:
            if walk.poll() is None:
                walk.kill()
                walk.communicate()
        if walk.returncode != -signal.SIGKILL:  # it got to the end first
            assert walk.returncode == 0, err.decode()
            finished = True
            break
        kills += 1
        kept.append(complete_lines(before))
        after = path.read_bytes()
        assert after.startswith(kept[-1]), f"kill {kills}: logged events were lost"
        result = verify(path)
        # at most the line being written when the kill came is incomplete
        assert result.ok or (result.torn_tail and result.events == after.count(b"\n")), result
    assert kills >= 3, "the walk ran too fast to be killed"

    if not finished and not is_closed(path):
        code, output = cli(home, ["resume", "k", *common])
        assert code == 0, output
    final = path.read_bytes()
    for number, prefix in enumerate(kept, start=1):
        assert final.startswith(prefix), f"events logged before kill {number} were lost"
    code, output = cli(home, ["verify", "k"])
    assert code == 0, output
    found = events(home, "k")
    assert found[-1]["type"] == "closed"
    done = {e["step"] for e in found if e["type"] == "action" and e["result"] == "done"}
    assert done == {f"s{i:03d}" for i in range(steps)}
    resumed = [e for e in found if e["type"] == "resumed"]
    assert len(resumed) >= kills - 1  # every relaunch that got to write logged its takeover
    recovered = [e for e in found if e["type"] == "recovered"]
    assert len(recovered) == len(list(path.parent.glob("journal.torn-*.bin")))


def test_torn_last_line_is_set_aside_and_the_walk_goes_on(tmp_path: Path) -> None:
    home = tmp_path / "home"
    rb = ["--runbooks", str(CORPUS)]
    code, _ = cli(home, ["start", TOP, *rb, "--operator", "Jan", "--incident", "t"], "1\n")
    assert code == 1
    path = journal_path(home, "t")
    complete = path.read_bytes()
    torn = b'{"at":"2026-11-23T14:05:09.123456+00:00","by":"Jan","hash":"3f'
    path.write_bytes(complete + torn)

    code, output = cli(home, ["verify", "t"])
    assert code == 1
    assert "torn last line" in output
    code, output = cli(home, ["status", "t", *rb])  # a reader skips the torn line
    assert code == 0, output
    assert "Huidige stap: Bel 112 testen" in output

    code, output = cli(home, ["resume", "t", *rb, "--operator", "Piet"], "j\n")
    assert code == 1, output
    data = path.read_bytes()
    assert data.startswith(complete)
    assert torn not in data
    after = events(home, "t")[complete.count(b"\n") :]
    assert [e["type"] for e in after[:5]] == [
        "recovered",
        "resumed",
        "handover",
        "action",
        "entered",
    ]
    recovered = after[0]
    assert recovered["torn_bytes"] == len(torn)
    saved = path.parent / recovered["saved_as"]
    assert saved.parent == path.parent
    assert saved.name.startswith("journal.torn-")
    assert saved.read_bytes() == torn
    assert recovered["sha256"] == hashlib.sha256(torn).hexdigest()
    assert (after[3]["step"], after[3]["result"], after[3]["by"]) == ("testbellen", "done", "Piet")
    assert f"{len(torn)} bytes apart bewaard in {saved.name}" in " ".join(output.split())
    code, output = cli(home, ["verify", "t"])
    assert code == 0, output
