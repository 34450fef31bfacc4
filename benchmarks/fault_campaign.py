"""The journal's fault campaign, long form: the suite's bounded campaign at the issue's sizes.

    .venv/bin/python benchmarks/fault_campaign.py              # the sizes of issue 12
    .venv/bin/python benchmarks/fault_campaign.py --scale 3    # three times that

Runs, each in a fresh temporary folder: writers SIGKILLed at random moments (35), starts killed
inside the creation of an incident (60), power cuts at random byte offsets with the head
register (32), takeovers at once (80), and two writers through a linked journal. It uses the
very tests in tests/test_journal_faults.py with larger counts, so the long form checks exactly
what the suite checks. Exit 0 when every run held, 1 naming the first that did not. Needs
SIGKILL (POSIX).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent))
# The suite's own campaign, loaded by name (tests/ is not a package).
faults: Any = importlib.import_module("test_journal_faults")

# (title, the module's count to raise, the count, the test that runs the campaign)
CAMPAIGNS: list[tuple[str, str, int, str]] = [
    ("SIGKILL while appending", "KILLS", 35,
     "test_sigkilled_writer_never_loses_a_confirmed_event"),
    ("SIGKILL while starting", "START_KILLS", 60,
     "test_a_start_killed_at_any_moment_leaves_no_incident_or_one_that_resumes"),
    ("power cuts", "POWER_CUTS", 32,
     "test_power_cuts_at_random_offsets_lose_nothing_confirmed_and_a_cut_tail_shows"),
    ("takeovers at once", "CONCURRENT", 80,
     "test_many_takeovers_at_once_give_one_writer_at_a_time"),
    ("two writers, linked journal", "", 1,
     "test_two_writers_through_a_linked_journal_never_both_write"),
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count [1]")
    args = parser.parse_args(argv)
    if sys.platform == "win32":
        print("fault_campaign.py: needs SIGKILL (POSIX)", file=sys.stderr)
        return 2
    for title, constant, count, name in CAMPAIGNS:
        campaign = getattr(faults, name)
        runs = max(1, round(count * args.scale))
        if constant:
            setattr(faults, constant, runs)
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="draaiboek-faults-") as temp:
            try:
                campaign(Path(temp))
            except AssertionError as failure:
                print(f"FAILED {title} ({runs}): {failure}", file=sys.stderr)
                return 1
        print(f"ok  {title}: {runs} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
