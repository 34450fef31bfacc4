"""`draaiboek test` as a library call: every test file of a loaded set run through the engine,
with coverage per tested runbook, as data that the command renders as text, JSON or JUnit XML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from draaiboek.load.library import Library
from draaiboek.model.runbook import TEST_FORMAT, Finding
from draaiboek.services import pathtest

# Path tests walk on a fixed clock: no result may depend on when they run.
CLOCK_START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FileRun:
    """One test file: its runbook and the result of each case (none when the runbook is not
    there: `missing`)."""

    file: str
    runbook: str
    results: tuple[pathtest.CaseResult, ...]
    missing: bool = False


@dataclass(frozen=True)
class TestRun:
    __test__ = False  # a result, not a pytest test class

    files: tuple[FileRun, ...]
    coverage: Mapping[str, pathtest.Coverage]  # runbook id -> coverage, sorted by id
    below: tuple[str, ...]  # runbook ids under min_coverage
    min_coverage: float | None
    errors: tuple[Finding, ...]  # the set's error findings (schema and semantic)

    @property
    def passed(self) -> int:
        return sum(1 for run in self.files for result in run.results if result.passed)

    @property
    def failed(self) -> int:
        failures = sum(1 for run in self.files for result in run.results if not result.passed)
        return failures + sum(1 for run in self.files if run.missing)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.below or self.errors)

    def as_dict(self) -> dict[str, Any]:
        """Fixed keys for machines (`draaiboek test --format json`)."""
        return {
            "ok": self.ok,
            "passed": self.passed,
            "failed": self.failed,
            "min_coverage": self.min_coverage,
            "files": [
                {
                    "file": run.file,
                    "runbook": run.runbook,
                    "missing_runbook": run.missing,
                    "cases": [
                        {"name": r.name, "passed": r.passed, "problems": list(r.problems)}
                        for r in run.results
                    ],
                }
                for run in self.files
            ],
            "coverage": {
                runbook_id: {
                    "options_hit": cover.options_hit,
                    "options_total": cover.options_total,
                    "options_percent": round(cover.options_percent, 1),
                    "steps_hit": cover.steps_hit,
                    "steps_total": cover.steps_total,
                    "steps_percent": round(cover.steps_percent, 1),
                    "not_reached": [*cover.missed_options, *cover.missed_steps],
                    "below_min_coverage": runbook_id in self.below,
                }
                for runbook_id, cover in self.coverage.items()
            },
            "errors": [finding.as_dict() for finding in self.errors],
        }


def run_tests(library: Library, min_coverage: float | None = None) -> TestRun:
    """Run every schema-valid test file of `library` against the runbooks it knows (the set's
    and the context's). Coverage is per tested runbook, counting the paths through its
    sub-runbooks too; `below` lists those under `min_coverage` percent of options."""
    every = library.all_runbooks()
    files: list[FileRun] = []
    by_runbook: dict[str, list[pathtest.CaseResult]] = {}
    for document in library.documents_of(TEST_FORMAT):
        if not document.schema_valid:
            continue
        top = str(document.data["runbook"])
        if top not in every:
            files.append(FileRun(document.file, top, (), missing=True))
            continue
        results = tuple(pathtest.run_cases(every, document.data, CLOCK_START))
        files.append(FileRun(document.file, top, results))
        by_runbook.setdefault(top, []).extend(results)
    everything = [result for results in by_runbook.values() for result in results]
    coverage = {
        runbook_id: pathtest.coverage(every[runbook_id], everything)
        for runbook_id in sorted(by_runbook)
    }
    below = tuple(
        runbook_id
        for runbook_id, cover in coverage.items()
        if min_coverage is not None and cover.options_percent < min_coverage
    )
    return TestRun(tuple(files), coverage, below, min_coverage, library.errors)
