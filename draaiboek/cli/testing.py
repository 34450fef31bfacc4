"""`draaiboek test`: runbook path tests through the real engine, with coverage, as text, as JSON
and as a JUnit XML report for CI dashboards (the run itself: services/testrun)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from draaiboek.cli.app import EXIT_FINDINGS, EXIT_OK, RunbooksOption, app, fail, usage_error
from draaiboek.cli.language import one_of, t

if TYPE_CHECKING:
    from draaiboek.services.testrun import TestRun

FORMATS = ("text", "json")


@app.command("test")
def run_tests(
    paths: Annotated[list[Path] | None, typer.Argument(show_default=False)] = None,
    min_coverage: Annotated[
        float | None, typer.Option("--min-coverage", metavar="N", show_default=False)
    ] = None,
    output_format: Annotated[str, typer.Option("--format", "-f")] = "text",
    junit: Annotated[
        Path | None, typer.Option("--junit", metavar="FILE", show_default=False)
    ] = None,
    runbooks: RunbooksOption = None,
) -> None:
    """Run runbook path tests through the real engine and report coverage.

    Example: draaiboek test runbooks/ --min-coverage 100 --junit test-report.xml
    """
    import json
    from datetime import date

    from draaiboek.cli.app import runbooks_folder
    from draaiboek.cli.findings_format import display_names
    from draaiboek.load.documents import collect_files, files_beside
    from draaiboek.load.library import load_library
    from draaiboek.services.junit import as_junit
    from draaiboek.services.testrun import run_tests as run

    if output_format not in FORMATS:
        usage_error(t("error.unknown-format", given=output_format, choices=one_of(FORMATS)))
    folder = runbooks_folder(runbooks)
    targets = list(paths) if paths else [folder]
    for target in targets:
        if not target.exists():
            usage_error(t("error.no-such-test-path", target=target))
    # A test file's runbook resolves beside it and in the runbooks folder.
    context = [*(b for target in targets if target.is_file() for b in files_beside(target)), folder]
    files = collect_files(targets)
    shown = display_names(files, given=bool(paths), github=False)
    library = load_library(files, today=date.today(), context=context, display=shown)
    result = run(library, min_coverage)
    if junit is not None:
        try:
            junit.write_text(as_junit(result), encoding="utf-8")
        except OSError as exc:
            fail(t("error.cannot-write", file=junit, reason=exc.strerror or exc))
    if output_format == "json":
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        _as_text(result)
    if not result.files:
        typer.echo(t("error.no-test-files"), err=True)
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


def _as_text(result: TestRun) -> None:
    """One line per case, coverage per runbook, and `N passed, N failed`; the set's errors go
    to stderr first."""
    for finding in result.errors:
        typer.echo(
            f"{finding.file}:{finding.line}:{finding.column}: error: {finding.message} "
            f"[{finding.code}]",
            err=True,
        )
    for file_run in result.files:
        if file_run.missing:
            typer.echo(f"FAIL {file_run.file}: runbook {file_run.runbook!r} not found")
        for case in file_run.results:
            if case.passed:
                typer.echo(f"PASS {file_run.runbook}: {case.name}")
            else:
                typer.echo(f"FAIL {file_run.runbook}: {case.name}: " + "; ".join(case.problems))
    for runbook_id, cover in result.coverage.items():
        typer.echo(
            f"coverage {runbook_id}: options {cover.options_hit}/{cover.options_total} "
            f"({cover.options_percent:.0f}%), steps {cover.steps_hit}/{cover.steps_total} "
            f"({cover.steps_percent:.0f}%)"
        )
        missed = [*cover.missed_options, *cover.missed_steps]
        if missed:
            typer.echo("  not reached: " + ", ".join(missed))
        if runbook_id in result.below:
            typer.echo(f"  below --min-coverage {result.min_coverage:g}%")
    if result.files:
        typer.echo(f"{result.passed} passed, {result.failed} failed")
