"""Tests that no clock can fail: no timing in tests, and hypothesis without deadlines (and
derandomized in CI). Speed is measured in benchmarks/, as ratios on the same machine."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from hypothesis import HealthCheck, settings

TESTS = Path(__file__).resolve().parent

# Ways to time code. time.monotonic stays allowed: a test may wait for a child process with a
# generous deadline against hanging, which is no statement about speed.
TIMERS = {"perf_counter", "perf_counter_ns", "process_time", "process_time_ns", "time_ns"}


def timing_in(source: str) -> list[int]:
    """Lines of `source` that time code: a timer from the `time` module, or `time.time()`."""
    timers = {*TIMERS, "time"}
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "time"
            and node.attr in timers
        ) or (
            isinstance(node, ast.ImportFrom)
            and node.module == "time"
            and any(alias.name in timers for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_timing() -> None:
    assert timing_in("import time\nt = time.perf_counter()\n") == [2]
    assert timing_in("import time\nassert time.time() - t0 < 5\n") == [2]
    assert timing_in("from time import process_time\n") == [1]
    assert timing_in("import time\ndeadline = time.monotonic() + 10\n") == []


def test_no_test_times_code() -> None:
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in timing_in(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "wall-clock timing in tests (move it to benchmarks/):\n" + "\n".join(found)


def test_hypothesis_reads_no_clock_and_is_derandomized_in_ci() -> None:
    profile = settings()  # the loaded profile's values
    assert profile.deadline is None
    assert HealthCheck.too_slow in profile.suppress_health_check
    if os.environ.get("CI") and not os.environ.get("HYPOTHESIS_PROFILE"):
        assert profile.derandomize and profile.database is None
