"""The README's examples are what the tool prints today.

Every ```console block of README.md is run, in order, the way a new user runs it: the installed
`draaiboek` command, from a folder outside the checkout, with the default incident home (in a
folder of the test), an 80-column screen and no colour. Each `$ ` line is a shell command; the
lines under it are what it prints (stdout and stderr together). Typed answers are the text after
a prompt's ` > `, fed on stdin. A line `...` stands for any number of lines.

What differs from run to run is compared as a placeholder: times, dates, incident ids and
hashes. An incident id the README uses in a later command is replaced by the id the run made.

After changing what the tool prints, `DRAAIBOEK_README_UPDATE=1 pytest tests/test_readme.py`
writes what it prints now into the README's blocks (keeping each `...`), to review with
`git diff README.md`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from draaiboek.model.timezone import DEFAULT_TIMEZONE

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
SCRIPT = Path(sys.executable).parent / "draaiboek"
ELLIPSIS = "..."
_BLOCK = re.compile(r"^```console\n(.*?)^```$", re.S | re.M)
_INCIDENT = re.compile(r"\b(\d{8})-(\d{4})-([a-z0-9-]+)-([0-9a-f]{4})\b")
_PLACEHOLDERS = [
    (_INCIDENT, r"YYYYMMDD-HHMM-\3-XXXX"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),
    (re.compile(r"\b(zegel|seal) [0-9a-f]{6}…"), r"\1 XXXXXX…"),  # the short head
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "YYYY-MM-DD"),
    (re.compile(r"\b\d{1,3}:\d{2}:\d{2}\b"), "H:MM:SS"),
    (re.compile(r"\b\d{2}:\d{2}\b"), "HH:MM"),
    (re.compile(r"(?<=HH:MM )[+-]\d{4}\b"), "+HHMM"),  # the offset changes with the season
]


@dataclass
class Command:
    line: str  # as the README writes it, without the `$ `
    shown: list[str]  # the lines the README shows under it


def commands(text: str) -> list[tuple[int, list[Command]]]:
    """Each console block (its offset in the README) with its commands."""
    found = []
    for block in _BLOCK.finditer(text):
        parsed: list[Command] = []
        for line in block.group(1).splitlines():
            if line.startswith("$ "):
                parsed.append(Command(line[2:], []))
            elif parsed:
                parsed[-1].shown.append(line)
            else:
                raise AssertionError(f"a console block starts with output: {line!r}")
        found.append((block.start(1), parsed))
    return found


# The README's walk enters 15:31 as the first signal. Typed as such, what the walk prints would
# depend on the hour the test runs (every target missed by then, reminders, the event count), so
# the test types the time ten minutes before now instead: the same story at any hour.
FIRST_SIGNAL = "15:31"


def typed(shown: list[str], now: datetime | None = None) -> str:
    """The answers a transcript shows after its prompts (`... > answer`), one per line; the
    first signal (FIRST_SIGNAL) as the local time ten minutes before `now` (default: the clock)."""
    answers = [line.rsplit(" > ", 1)[1] for line in shown if " > " in line]
    moment = (now or datetime.now(UTC)).astimezone(ZoneInfo(DEFAULT_TIMEZONE))
    first_signal = (moment - timedelta(minutes=10)).strftime("%H:%M")
    return "".join((first_signal if a == FIRST_SIGNAL else a) + "\n" for a in answers)


def normal(line: str) -> str:
    for pattern, placeholder in _PLACEHOLDERS:
        line = pattern.sub(placeholder, line)
    return line.rstrip()


def matches(shown: list[str], printed: list[str]) -> bool:
    """Whether the printed lines are the shown ones, `...` standing for any lines."""

    def trimmed(lines: list[str]) -> tuple[str, ...]:
        lines = [normal(line) for line in lines]
        while lines and not lines[-1]:
            lines.pop()
        return tuple(lines)

    @cache
    def match(want: tuple[str, ...], got: tuple[str, ...]) -> bool:
        if not want:
            return not got
        if want[0] == ELLIPSIS:
            return any(match(want[1:], got[k:]) for k in range(len(got) + 1))
        return bool(got) and want[0] == got[0] and match(want[1:], got[1:])

    return match(trimmed(shown), trimmed(printed))


class Sandbox:
    """A new user's shell: `draaiboek` on PATH, a fresh folder outside the checkout holding a
    copy of the runbooks (as an author's repository would), the default home in the test."""

    def __init__(self, folder: Path) -> None:
        self.cwd = folder / "werkmap"
        self.cwd.mkdir()
        shutil.copytree(REPO / "runbooks", self.cwd / "runbooks")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DRAAIBOEK_")}
        self.env.update(
            PATH=f"{SCRIPT.parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
            XDG_DATA_HOME=str(folder / "data"),
            COLUMNS="80",
            NO_COLOR="1",
            TZ="Europe/Amsterdam",
        )
        self.ids: dict[str, str] = {}  # an incident id in the README -> the one made here
        self.latest: dict[str, str] = {}  # runbook id -> the incident id made last for it

    def run(self, command: Command) -> list[str]:
        line = command.line
        for found in _INCIDENT.finditer(line):
            readme_id, runbook = found.group(0), found.group(3)
            if readme_id not in self.ids and runbook in self.latest:
                self.ids[readme_id] = self.latest[runbook]
        for readme_id, real_id in self.ids.items():
            line = line.replace(readme_id, real_id)
        done = subprocess.run(
            ["/bin/sh", "-c", line],
            input=typed(command.shown),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
            cwd=self.cwd,
            timeout=120,
        )
        assert done.returncode in (0, 1), f"$ {line}\n{done.stdout}"  # no usage error, no crash
        for found in _INCIDENT.finditer(done.stdout):
            self.latest.setdefault(found.group(3), found.group(0))
        return done.stdout.splitlines()

    def as_in_readme(self, lines: list[str]) -> list[str]:
        """Printed lines with the incident ids made here written as the README writes them, and
        the first signal typed here (see typed) written as the README's FIRST_SIGNAL."""
        for readme_id, real_id in self.ids.items():
            lines = [line.replace(real_id, readme_id) for line in lines]
        typed_here = typed([f"Vul in > {FIRST_SIGNAL}"]).strip()
        return [line.replace(typed_here, FIRST_SIGNAL) for line in lines]


def _update(text: str, results: list[tuple[Command, list[str]]]) -> str:
    """The README with each command's shown lines replaced by what it printed (`...` kept
    where the shown lines had it, standing for the same printed lines as before)."""
    out, position = [], 0
    for command, printed in results:
        start = text.index(f"$ {command.line}\n", position)
        end = start + len(f"$ {command.line}\n") + sum(len(line) + 1 for line in command.shown)
        out.append(text[position:start])
        out.append(f"$ {command.line}\n" + _elided(command.shown, printed))
        position = end
    out.append(text[position:])
    return "".join(out)


def _elided(shown: list[str], printed: list[str]) -> str:
    """`printed`, with a `...` wherever `shown` has one: the lines before the first and after
    the last as many as shown had; a part between two found again where it is (else the whole
    output is written, to elide again by hand)."""
    parts: list[list[str]] = [[]]
    for line in shown:
        if line == ELLIPSIS:
            parts.append([])
        else:
            parts[-1].append(line)
    if len(parts) == 1:
        return "".join(line.rstrip() + "\n" for line in printed)
    got = [normal(line) for line in printed]
    head, tail = len(parts[0]), len(parts[-1])
    kept, position = printed[:head], head
    for middle in parts[1:-1]:
        want = [normal(line) for line in middle]
        found = next(
            (
                at
                for at in range(position, len(got) - tail - len(want) + 1)
                if got[at : at + len(want)] == want
            ),
            None,
        )
        if found is None:
            return "".join(line.rstrip() + "\n" for line in printed)
        kept += [ELLIPSIS, *printed[found : found + len(want)]]
        position = found + len(want)
    kept += [ELLIPSIS, *(printed[len(printed) - tail :] if tail else [])]
    return "".join(line.rstrip() + "\n" for line in kept)


@pytest.mark.skipif(os.name == "nt", reason="the examples are POSIX shell commands")
def test_every_console_example_prints_what_the_readme_shows(tmp_path: Path) -> None:
    if not SCRIPT.exists():
        pytest.skip("no draaiboek console script beside this interpreter (not installed)")
    text = README.read_text(encoding="utf-8")
    blocks = commands(text)
    assert blocks, "README.md has no console examples"
    sandbox = Sandbox(tmp_path)
    results: list[tuple[Command, list[str]]] = []
    wrong: list[str] = []
    for _offset, block in blocks:
        for command in block:
            if "--db" in command.line:
                continue  # needs a PostgreSQL store: tests/national runs those commands
            printed = sandbox.run(command)
            results.append((command, printed))
            if not matches(command.shown, printed):
                wrong.append(f"$ {command.line}\n" + "\n".join(printed))
    if os.environ.get("DRAAIBOEK_README_UPDATE") == "1":
        results = [(command, sandbox.as_in_readme(printed)) for command, printed in results]
        README.write_text(_update(text, results), encoding="utf-8")
        return
    assert not wrong, "README examples differ from what the tool prints now:\n\n" + "\n\n".join(
        wrong
    )


def test_the_first_signal_is_typed_ten_minutes_before_now() -> None:
    noon = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # 13:00 in Amsterdam (CET)
    assert typed(["Vul in > 15:31", "Kies > 1"], now=noon) == "12:50\n1\n"
    summer = datetime(2026, 7, 1, 0, 5, tzinfo=UTC)  # 02:05 CEST: ten minutes before is 01:55
    assert typed(["Vul in > 15:31"], now=summer) == "01:55\n"
    assert normal("tijdstip nul: 2026-11-29 15:31 +0100") == "tijdstip nul: YYYY-MM-DD HH:MM +HHMM"
    assert normal("2026-07-01 01:55 +0200") == "YYYY-MM-DD HH:MM +HHMM"


def test_the_placeholders_and_the_ellipsis() -> None:
    shown = ["Incident 20261123-1541-112-onbereikbaar-3f9a om 15:41:07", "...", "klaar"]
    printed = ["Incident 20991231-0002-112-onbereikbaar-0b1c om 00:02:59  ", "a", "b", "klaar"]
    assert matches(shown, printed)
    assert matches(shown, [printed[0], "klaar"])  # `...` may stand for no lines
    assert not matches(shown, [printed[0].replace("112", "113"), "klaar"])
    assert not matches(["a", "b"], ["a", "b", "c"])
    assert typed(["Kies 1-2 (of /? voor hulp) > 1", "j = gedaan · n <reden> > /p", "x"]) == (
        "1\n/p\n"
    )
