"""Run the benchmark suite and print a markdown table of medians, ratios and targets.

    .venv/bin/python benchmarks/run.py            full sizes, targets enforced (exit 1 on a miss)
    .venv/bin/python benchmarks/run.py --quick    small sizes, no targets enforced (CI)

Every row is a ratio to a baseline measured on the same machine in the same run, with the
measured command and its baseline run alternately (A, B, A, B, ...) after one warm-up pair, so
that drift of the machine hits both. The `draaiboek` measured is the console script next to the
python running this file, so install the package into that environment first
(`pip install -e .`, and `pip install check-jsonschema` for the comparison with a peer).
See benchmarks/README.md for what each row measures and why its baseline is what it is.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import select
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (a sibling script, found through the line above)

BIN = Path(sys.executable).parent  # not resolved: a venv's python is a symlink to the real one
PYTHON = sys.executable
DRAAIBOEK = BIN / "draaiboek"
REPO = HERE.parent
SCHEMA = REPO / "schemas" / "runbook.schema.json"
# How every question ends on screen: `<hint> > `, where the line editor (prompt_toolkit) may
# write the last space as a cursor movement (`<hint> >` ESC [ ...).
PROMPT_MARK = re.compile(rb" >(?: |\x1b\[)")
TIMEOUT = 600.0

Command = Sequence[str | Path]


class BenchError(Exception):
    """A run did not do what the benchmark expects (wrong exit code, no prompt, ...)."""


@dataclass
class Row:
    key: str
    title: str
    measured: str
    baseline: str
    limit: float | None  # target on the ratio (or, for memory, on MiB)
    strict: bool = False  # "<" rather than "<="
    unit: str = "ratio"  # "ratio" or "MiB"
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    skipped: str = ""
    note: str = ""

    @property
    def value(self) -> float | None:
        if self.skipped or not self.a:
            return None
        if self.unit == "MiB":
            return max(self.a)
        if not self.b:
            return None
        return statistics.median(self.a) / statistics.median(self.b)

    @property
    def target(self) -> str:
        if self.limit is None:
            return "(info)"
        op = "<" if self.strict else "<="
        return f"{op} {self.limit:g}" + (" MiB" if self.unit == "MiB" else "")

    @property
    def passed(self) -> bool | None:
        value = self.value
        if self.limit is None:
            return None
        if value is None:
            return False
        return value < self.limit if self.strict else value <= self.limit


# --------------------------------------------------------------------------------------------
# Running things


def _env(home: Path, pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAAIBOEK_")}
    env["DRAAIBOEK_HOME"] = str(home)
    env.pop("NO_COLOR", None)
    # Measure what an installed tool does: load bytecode, not compile every module on every run
    # (as it would under PYTHONDONTWRITEBYTECODE). The bytecode goes to a folder of our own, so
    # nothing is written beside the sources; the warm-up pair of each row fills it, for the
    # measured command and its baseline alike.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


@dataclass
class Runner:
    cwd: Path
    env: dict[str, str]
    verbose: bool = False

    def timed(
        self, cmd: Command, expect: Sequence[int] = (0,), stdin: int | None = subprocess.DEVNULL
    ) -> tuple[float, float]:
        """Wall time in seconds and peak RSS in MiB of one run of `cmd` (exit code checked)."""
        args = [str(part) for part in cmd]
        start = time.perf_counter()
        proc = subprocess.Popen(
            args,
            cwd=self.cwd,
            env=self.env,
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert proc.stderr is not None
        watchdog = threading.Timer(TIMEOUT, proc.kill)  # a hung run must not hang CI
        watchdog.start()
        try:
            # Read stderr to its end (a full pipe would block the child), then reap with wait4
            # to get this child's own resource usage.
            errors = proc.stderr.read()
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
        finally:
            watchdog.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stderr.close()
        if proc.returncode not in expect:
            raise BenchError(
                f"{' '.join(args)} exited {proc.returncode}, expected {list(expect)}:\n"
                + errors.decode("utf-8", "replace")[-2000:]
            )
        return elapsed, usage.ru_maxrss / 1024  # Linux: KiB

    def until_prompt(self, cmd: Command) -> float:
        """Seconds from starting `cmd` until the first question's `> ` is on its screen.

        stdin and stdout are a pseudo-terminal that nobody types on: the walk asks as it asks a
        person, with its line editor (prompt_toolkit), and what it writes is read from the
        terminal as it comes. The process is killed once the prompt shows.
        """
        args = [str(part) for part in cmd]
        master, slave = os.openpty()
        try:
            start = time.perf_counter()
            proc = subprocess.Popen(
                args,
                cwd=self.cwd,
                env=self.env,
                stdin=slave,
                stdout=slave,
                stderr=subprocess.PIPE,
            )
            os.close(slave)
            slave = -1
            assert proc.stderr is not None
            out = master
            seen = b""
            deadline = start + TIMEOUT
            try:
                while PROMPT_MARK.search(seen) is None:
                    ready, _, _ = select.select(
                        [out], [], [], max(0.0, deadline - time.perf_counter())
                    )
                    if not ready:
                        raise BenchError(f"{' '.join(args)}: no prompt within {TIMEOUT:.0f} s")
                    try:
                        chunk = os.read(out, 65536)
                    except OSError:  # EIO: the terminal's other side closed (the walk ended)
                        chunk = b""
                    if not chunk:
                        proc.wait()
                        errors = proc.stderr.read().decode("utf-8", "replace")
                        raise BenchError(
                            f"{' '.join(args)} exited {proc.returncode} before asking anything:\n"
                            + errors[-2000:]
                        )
                    seen += chunk
                elapsed = time.perf_counter() - start
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                proc.stderr.close()
            return elapsed
        finally:
            os.close(master)
            if slave >= 0:
                os.close(slave)


def pty_available() -> bool:
    try:
        master, slave = os.openpty()
    except OSError:
        return False
    os.close(master)
    os.close(slave)
    return True


def fsync_pairs(folder: Path, iterations: int) -> float:
    """Seconds per iteration of: write one journal-sized line + fsync, twice."""
    line = (
        b'{"at":"2026-01-05T07:00:20.000000+00:00","by":"J. de Vries","hash":"'
        + b"0" * 64
        + b'","prev":"'
        + b"1" * 64
        + b'","result":"done","runbook":"per-stap","seq":12,'
        b'"step":"actie-0005","type":"action"}\n'
    )
    path = folder / "fsync-baseline.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o600)
    try:
        start = time.perf_counter()
        for _ in range(iterations):
            os.write(fd, line)
            os.fsync(fd)
            os.write(fd, line)
            os.fsync(fd)
        return (time.perf_counter() - start) / iterations
    finally:
        os.close(fd)
        path.unlink()


def interleave(
    row: Row,
    measure: Callable[[], float],
    baseline: Callable[[], float],
    repeats: int,
    verbose: bool,
) -> None:
    """Warm-up pair, then `repeats` pairs A, B, A, B, ..."""
    measure()
    baseline()
    for index in range(repeats):
        row.a.append(measure())
        row.b.append(baseline())
        if verbose:
            print(
                f"  {row.key} #{index + 1}: {_fmt(row.a[-1])} vs {_fmt(row.b[-1])}",
                file=sys.stderr,
            )


# --------------------------------------------------------------------------------------------
# The rows


@dataclass
class Context:
    runner: Runner
    where: generate.Layout
    sizes: generate.Sizes
    repeats: int
    quick: bool
    work: Path  # scratch: incident homes
    counter: int = 0

    def fresh_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{os.getpid()}-{self.counter}"


def row_startup(ctx: Context) -> Row:
    row = Row("start-up", "start-up", "`draaiboek --version`", '`python -c "import typer"`', 1.3)
    run = ctx.runner
    interleave(
        row,
        lambda: run.timed([DRAAIBOEK, "--version"])[0],
        lambda: run.timed([PYTHON, "-c", "import typer"])[0],
        ctx.repeats,
        run.verbose,
    )
    return row


def row_first_question(ctx: Context) -> Row:
    row = Row(
        "first-question",
        "first question",
        f"`draaiboek start {ctx.where.walk_id}` until the first `> ` prompt "
        f"({ctx.sizes.first_steps}-step runbook + contacts in --runbooks)",
        '`python -c "import typer, yaml, jsonschema, rich.console, prompt_toolkit"`',
        1.5,
    )
    run = ctx.runner
    home = ctx.work / "home-first"
    home.mkdir(parents=True, exist_ok=True)

    def command(incident: str) -> list[str | Path]:
        return [
            DRAAIBOEK,
            "start",
            ctx.where.walk_id,
            "--runbooks",
            ctx.where.walk,
            "--home",
            home,
            "--operator",
            "Benchmark",
            "--incident",
            incident,
        ]

    use_pty = pty_available()
    if not use_pty:
        row.note = "no pseudo-terminal here: timed with stdin closed, until exit (code 1)"

    def measure() -> float:
        incident = ctx.fresh_id("first")
        try:
            if use_pty:
                return run.until_prompt(command(incident))
            return run.timed(command(incident), expect=(1,))[0]
        finally:
            shutil.rmtree(home / "incidents" / incident, ignore_errors=True)

    interleave(
        row,
        measure,
        lambda: run.timed(
            [PYTHON, "-c", "import typer, yaml, jsonschema, rich.console, prompt_toolkit"]
        )[0],
        ctx.repeats,
        run.verbose,
    )
    return row


def row_per_step(ctx: Context) -> Row:
    full, half = ctx.where.walk_steps, ctx.where.walk_steps // 2
    row = Row(
        "per-step",
        "per step",
        f"(t{full} - t{half}) / {full - half}: scripted walks (`start --answers`) of the "
        f"first {full} and {half} steps of a {full}-action runbook",
        "one iteration of: write a line + fsync, twice (same folder)",
        3.0,
    )
    run = ctx.runner
    home = ctx.work / "home-steps"
    home.mkdir(parents=True, exist_ok=True)

    def walk(answers: Path, expect: int) -> float:
        incident = ctx.fresh_id("steps")
        try:
            return run.timed(
                [
                    DRAAIBOEK,
                    "start",
                    ctx.where.steps_file,
                    "--runbooks",
                    ctx.where.contacts,
                    "--home",
                    home,
                    "--operator",
                    "Benchmark",
                    "--incident",
                    incident,
                    "--answers",
                    answers,
                ],
                expect=(expect,),
            )[0]
        finally:
            shutil.rmtree(home / "incidents" / incident, ignore_errors=True)

    def measure() -> float:
        t_half = walk(ctx.where.answers_half, 1)  # the answers run out: paused, exit 1
        t_full = walk(ctx.where.answers_full, 0)  # walked to the end: closed, exit 0
        return (t_full - t_half) / (full - half)

    (home / "incidents").mkdir(exist_ok=True)
    iterations = 20 if ctx.quick else 200
    interleave(
        row,
        measure,
        lambda: fsync_pairs(home / "incidents", iterations),
        ctx.repeats,
        run.verbose,
    )
    return row


def row_validate(ctx: Context) -> tuple[Row, Row]:
    files = len(ctx.where.corpus_files)
    row = Row(
        "validate",
        "validate",
        f"`draaiboek validate` of {files} runbooks of {ctx.sizes.steps} steps",
        "`yaml.load(f, Loader=yaml.CSafeLoader)` of the same files, one process "
        "(benchmarks/baselines.py)",
        3.0,
    )
    memory = Row(
        "memory",
        "memory",
        f"peak RSS of `draaiboek validate` of the {files} runbooks",
        "—",
        100.0,
        strict=True,
        unit="MiB",
    )
    run = ctx.runner

    def measure() -> float:
        elapsed, rss = run.timed(
            [DRAAIBOEK, "validate", "--runbooks", ctx.where.contacts, ctx.where.corpus]
        )
        memory.a.append(rss)
        return elapsed

    interleave(
        row,
        measure,
        lambda: run.timed([PYTHON, HERE / "baselines.py", "yaml", ctx.where.corpus])[0],
        ctx.repeats,
        run.verbose,
    )
    return row, memory


def _check_jsonschema() -> Path | None:
    beside = BIN / "check-jsonschema"
    if beside.is_file():
        return beside
    found = shutil.which("check-jsonschema")
    return Path(found) if found else None


def row_peer(ctx: Context) -> Row:
    files = ctx.where.corpus_files[: ctx.sizes.peer_files]
    row = Row(
        "peer",
        "versus a peer",
        f"`draaiboek validate` of {len(files)} of the runbooks",
        f"`check-jsonschema --schemafile schemas/runbook.schema.json` of the same {len(files)}",
        0.25,
    )
    peer = _check_jsonschema()
    if peer is None:
        row.skipped = "check-jsonschema is not installed (pip install check-jsonschema)"
        return row
    run = ctx.runner
    interleave(
        row,
        lambda: run.timed([DRAAIBOEK, "validate", "--runbooks", ctx.where.contacts, *files])[0],
        lambda: run.timed([peer, "--schemafile", SCHEMA, *files])[0],
        ctx.repeats,
        run.verbose,
    )
    return row


def hostile_files(folder: Path) -> list[Path]:
    """Files built to make a YAML reader blow up, each refused by validate with one finding."""
    folder.mkdir(parents=True, exist_ok=True)
    laughs = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    for level in range(1, 9):  # 9 levels of 9 aliases: 9**9 values once expanded
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        laughs.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    contents = {
        "billion-laughs.yaml": "\n".join(laughs) + "\n",
        "quadratic.yaml": "a: &a ["
        + ", ".join(["x"] * 1000)
        + "]\nb: ["
        + ", ".join(["*a"] * 1000)
        + "]\n",
        "deep-flow.yaml": "[" * 100_000,
        "deep-block.yaml": "- " * 100_000 + "x\n",
    }
    paths = []
    for name, text in contents.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    huge = folder / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(4 * 1024 * 1024 + 1)  # sparse, one byte over the size limit
    return [*paths, huge]


def row_hostile(ctx: Context) -> Row:
    files = hostile_files(ctx.work / "hostile")
    row = Row(
        "hostile",
        "hostile files",
        f"`draaiboek validate` of {len(files)} hostile files (billion laughs, quadratic "
        "aliases, 100,000-deep flow and block nesting, 4 MiB + 1 byte): exit 1, one finding each",
        "`draaiboek validate` of one generated runbook (exit 0)",
        1.5,
    )
    run = ctx.runner
    interleave(
        row,
        lambda: run.timed([DRAAIBOEK, "validate", *files], expect=(1,))[0],
        lambda: run.timed(
            [DRAAIBOEK, "validate", "--runbooks", ctx.where.contacts, ctx.where.corpus_files[0]]
        )[0],
        ctx.repeats,
        run.verbose,
    )
    return row


def row_resume(ctx: Context) -> tuple[Row, Row]:
    journal = ctx.where.journal_home / "incidents" / ctx.where.incident / "journal.jsonl"
    events = sum(1 for _ in journal.open("rb"))
    row = Row(
        "resume",
        "resume",
        f"`draaiboek resume` of an incident of {events} events, stdin closed "
        "(verify + replay, then the first question; input ends: exit 1)",
        "read the journal and `json.loads` every line, one process (benchmarks/baselines.py)",
        3.0,
    )
    status = Row(
        "status",
        "status (read-only)",
        "`draaiboek status` of the same incident (replay, no verify)",
        "as for resume",
        None,
    )
    run = ctx.runner
    home = ctx.work / "home-resume"

    def resume() -> float:
        # Resuming appends events (resumed, paused): every run starts from the same copy.
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(ctx.where.journal_home, home)
        return run.timed(
            [
                DRAAIBOEK,
                "resume",
                ctx.where.incident,
                "--home",
                home,
                "--runbooks",
                ctx.where.journal_runbooks,
            ],
            expect=(1,),
        )[0]

    def baseline() -> float:
        return run.timed([PYTHON, HERE / "baselines.py", "json", journal])[0]

    interleave(row, resume, baseline, ctx.repeats, run.verbose)
    interleave(
        status,
        lambda: run.timed(
            [
                DRAAIBOEK,
                "status",
                ctx.where.incident,
                "--home",
                ctx.where.journal_home,
                "--runbooks",
                ctx.where.journal_runbooks,
            ]
        )[0],
        baseline,
        ctx.repeats,
        run.verbose,
    )
    return row, status


def row_long(ctx: Context) -> list[Row]:
    """Memory on a long journal (100,000 events in full): peak RSS of verify, status, resume and
    report in every format, each an absolute budget; and the time of `report` (md, with its full
    verification) against reading the file and decoding every line."""
    where = ctx.where
    journal = where.long_home / "incidents" / where.long_incident / "journal.jsonl"
    events = sum(1 for _ in journal.open("rb"))
    run = ctx.runner
    runbooks: list[str | Path] = ["--runbooks", where.long_runbooks]
    commands: list[tuple[str, str, list[str | Path], float, tuple[int, ...]]] = [
        ("memory-verify", "verify", ["verify", where.long_incident], 60.0, (0,)),
        ("memory-status", "status", ["status", where.long_incident, *runbooks], 60.0, (0,)),
        ("memory-resume", "resume", ["resume", where.long_incident, *runbooks], 75.0, (1,)),
    ]
    for fmt in ("md", "html", "json"):
        report_args: list[str | Path] = ["report", where.long_incident, "--format", fmt]
        commands.append(
            (f"memory-report-{fmt}", f"report --format {fmt}", report_args, 120.0, (0,))
        )
    home = ctx.work / "home-long"
    rows: list[Row] = []
    for key, what, args, limit, expect in commands:
        row = Row(
            key,
            f"memory: {what}",
            f"peak RSS of `draaiboek {what}` of an incident of {events} events",
            "—",
            limit,
            unit="MiB",
        )
        for _ in range(max(1, ctx.repeats // 3)):
            target = where.long_home
            if key == "memory-resume":  # resuming appends: every run from the same copy
                shutil.rmtree(home, ignore_errors=True)
                shutil.copytree(where.long_home, home)
                target = home
            row.a.append(run.timed([DRAAIBOEK, *args, "--home", target], expect=expect)[1])
        rows.append(row)
    report = Row(
        "report",
        "report (long)",
        f"`draaiboek report` (md, verified in full) of the incident of {events} events",
        "read the journal and `json.loads` every line, one process (benchmarks/baselines.py)",
        6.0,
    )
    interleave(
        report,
        lambda: run.timed([DRAAIBOEK, "report", where.long_incident, "--home", where.long_home])[0],
        lambda: run.timed([PYTHON, HERE / "baselines.py", "json", journal])[0],
        max(1, ctx.repeats // 3),
        run.verbose,
    )
    return [*rows, report]


# --------------------------------------------------------------------------------------------
# Report


def _fmt(seconds: float) -> str:
    ms = seconds * 1000
    if ms < 10:
        return f"{ms:.2f} ms"
    if ms < 1000:
        return f"{ms:.1f} ms"
    return f"{seconds:.2f} s"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def _commit() -> str:
    """The commit measured (read-only git commands), and whether the tree had changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return head + (" with uncommitted changes" if dirty else "")


def machine() -> list[str]:
    try:
        import yaml

        libyaml = "yes" if yaml.__with_libyaml__ else "NO"
    except ImportError:
        libyaml = "?"
    packages = ", ".join(
        f"{name} {_version(name)}"
        for name in ("draaiboek", "typer", "rich", "PyYAML", "jsonschema", "check-jsonschema")
    )
    return [
        f"- code: {_commit()}",
        f"- machine: {_cpu_model()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}",
        f"- python: {platform.python_version()} ({PYTHON}); libyaml: {libyaml}",
        f"- packages: {packages}",
        f"- date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
    ]


def table(rows: list[Row], quick: bool) -> list[str]:
    lines = [
        "| row | measured | median | baseline | median | ratio | target | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.skipped:
            result = "SKIPPED"
            median_a = median_b = ratio = "—"
        elif row.unit == "MiB":
            median_a = f"{row.value:.1f} MiB (max of {len(row.a)})"
            median_b = "—"
            ratio = "—"
        else:
            median_a = _fmt(statistics.median(row.a))
            median_b = _fmt(statistics.median(row.b))
            ratio = f"{row.value:.2f}"
        if not row.skipped:
            passed = row.passed
            result = "—" if passed is None else ("PASS" if passed else "FAIL")
            if quick and passed is not None:
                result = result.lower() + " (not enforced)"
        note = f" ({row.skipped or row.note})" if row.skipped or row.note else ""
        lines.append(
            f"| {row.title} | {row.measured}{note} | {median_a} | {row.baseline} | {median_b} "
            f"| {ratio} | {row.target} | {result} |"
        )
    return lines


ROWS = ("start-up", "first-question", "per-step", "validate", "peer", "resume", "hostile", "long")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, targets not enforced")
    parser.add_argument("--repeats", type=int, help="interleaved pairs per row [9; quick: 3]")
    parser.add_argument("--only", help=f"comma-separated rows to run: {', '.join(ROWS)}")
    parser.add_argument("--out", type=Path, help="generated inputs [benchmarks/out/MODE]")
    parser.add_argument("--json", type=Path, help="also write the samples to this JSON file")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every sample")
    args = parser.parse_args(argv)

    if not DRAAIBOEK.is_file():
        print(
            f"run.py: no draaiboek console script beside {PYTHON}: install the package into "
            "this environment (pip install -e .)",
            file=sys.stderr,
        )
        return 3
    only = set(ROWS if not args.only else args.only.split(","))
    unknown = only - set(ROWS)
    if unknown:
        parser.error(f"unknown rows {sorted(unknown)}: choose from {', '.join(ROWS)}")
    sizes = generate.QUICK if args.quick else generate.FULL
    repeats = args.repeats or (3 if args.quick else 9)
    root = (args.out or generate.DEFAULT_OUT / ("quick" if args.quick else "full")).resolve()

    began = time.perf_counter()
    # In a child of its own: writing 100,000 events grows a process, and every command measured
    # here is forked from this one, whose resident pages count in the child's peak RSS until
    # it execs. Generating here would make each memory row read at least the generator's peak.
    subprocess.run(
        [PYTHON, HERE / "generate.py", "--out", root, *(["--quick"] if args.quick else [])],
        check=True,
    )
    where = generate.layout(root, sizes)
    work = root / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    runner = Runner(
        cwd=root, env=_env(work / "home-default", root / "pycache"), verbose=args.verbose
    )
    ctx = Context(runner, where, sizes, repeats, args.quick, work)

    rows: list[Row] = []
    try:
        if "start-up" in only:
            rows.append(row_startup(ctx))
        if "first-question" in only:
            rows.append(row_first_question(ctx))
        if "per-step" in only:
            rows.append(row_per_step(ctx))
        if "validate" in only:
            rows.extend(row_validate(ctx))
        if "peer" in only:
            rows.append(row_peer(ctx))
        if "resume" in only:
            rows.extend(row_resume(ctx))
        if "hostile" in only:
            rows.append(row_hostile(ctx))
        if "long" in only:
            rows.extend(row_long(ctx))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    mode = "quick (small sizes; targets NOT enforced)" if args.quick else "full"
    print(f"## draaiboek benchmarks — {mode}\n")
    print("\n".join(machine()))
    print(
        f"- sizes: {sizes.files} runbooks × {sizes.steps} steps (peer: {sizes.peer_files}), "
        f"walk {sizes.walk_steps} steps, journal {sizes.events} events; "
        f"{repeats} interleaved pairs per row after one warm-up pair; "
        f"{time.perf_counter() - began:.0f} s in all\n"
    )
    print("\n".join(table(rows, args.quick)))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "mode": "quick" if args.quick else "full",
                    "machine": machine(),
                    "rows": [_as_json(row) for row in rows],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    missed = [row.title for row in rows if row.passed is False]
    if missed and not args.quick:
        print(f"\nTargets missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


def _as_json(row: Row) -> dict[str, Any]:
    return {
        "row": row.key,
        "measured": row.measured,
        "baseline": row.baseline,
        "samples": row.a,
        "baseline_samples": row.b,
        "value": row.value,
        "target": row.target,
        "passed": row.passed,
        "skipped": row.skipped,
    }


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"run.py: {error}", file=sys.stderr)
        sys.exit(3)
