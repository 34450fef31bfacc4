"""Commands for runbook authors that read files only: `validate` and `runbooks`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from draaiboek.cli.app import (
    EXIT_FINDINGS,
    EXIT_OK,
    LangOption,
    RunbooksOption,
    app,
    chosen_language,
    runbooks_folder,
    usage_error,
)
from draaiboek.cli.language import one_of, t

if TYPE_CHECKING:
    from draaiboek.model.runbook import Runbook
    from draaiboek.services import pathtest


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", "-f")] = "text",
    strict: Annotated[bool, typer.Option("--strict")] = False,
    runbooks: RunbooksOption = None,
) -> None:
    """Check runbooks against the schema and the semantic rules; exit 1 on any error.

    Example: draaiboek validate --strict runbooks/
    """
    from datetime import date

    from draaiboek.cli import findings_format
    from draaiboek.load.library import load_library

    if output_format not in findings_format.FORMATS:
        choices = one_of(findings_format.FORMATS)
        usage_error(t("error.unknown-format", given=output_format, choices=choices))
    folder = runbooks_folder(runbooks)
    targets = list(paths) if paths else [folder]
    for target in targets:
        if not target.exists():
            usage_error(t("error.no-such-runbook-path", target=target))
    library = load_library(targets, today=date.today(), context=[folder], strict=strict)
    findings = library.findings
    if output_format == "json":
        typer.echo(findings_format.as_json(library.files, findings), nl=False)
    elif output_format == "github":
        typer.echo(findings_format.as_github(len(library.files), findings), nl=False)
    else:
        typer.echo(findings_format.as_text(len(library.files), findings), nl=False)
    raise typer.Exit(EXIT_FINDINGS if library.errors else EXIT_OK)


@app.command("runbooks")
def list_runbooks(
    runbooks: RunbooksOption = None,
    lang: LangOption = None,
) -> None:
    """List the available runbooks: id, version, status and title.

    Example: draaiboek runbooks --lang en
    """
    from datetime import date

    from draaiboek.load.library import load_library
    from draaiboek.model.catalogue import Messages

    language = chosen_language(lang)
    messages = Messages(language)
    folder = runbooks_folder(runbooks)
    library = load_library([folder], today=date.today())
    if not library.runbooks:
        typer.echo(messages("runbooks.none", folder=folder))
    rows = [
        (rb.id, rb.version, rb.status, rb.title.get(language))
        for rb in sorted(library.runbooks.values(), key=lambda r: r.id)
    ]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    for row in rows:
        typer.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[3]
        )
    bad_files = {f.file for f in library.errors}
    if bad_files:
        typer.echo(messages("runbooks.invalid", count=len(bad_files)), err=True)


@app.command("test")
def run_tests(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            show_default=False,
        ),
    ] = None,
    min_coverage: Annotated[
        float | None,
        typer.Option(
            "--min-coverage",
            show_default=False,
        ),
    ] = None,
    runbooks: RunbooksOption = None,
) -> None:
    """Run runbook path tests through the real engine and report coverage.

    Example: draaiboek test runbooks/ --min-coverage 100
    """
    from datetime import UTC, date, datetime

    from draaiboek.load.library import load_library
    from draaiboek.model.runbook import TEST_FORMAT
    from draaiboek.services import pathtest

    folder = runbooks_folder(runbooks)
    targets = list(paths) if paths else [folder]
    for target in targets:
        if not target.exists():
            usage_error(t("error.no-such-test-path", target=target))
    library = load_library(targets, today=date.today(), context=[folder])
    for finding in library.errors:
        typer.echo(
            f"{finding.file}:{finding.line}:{finding.column}: error: {finding.message} "
            f"[{finding.code}]",
            err=True,
        )
    tests = [d for d in library.documents_of(TEST_FORMAT) if d.schema_valid]
    if not tests:
        typer.echo(t("error.no-test-files"), err=True)
        raise typer.Exit(EXIT_FINDINGS)
    every = library.all_runbooks()
    clock_start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    results: dict[str, list[pathtest.CaseResult]] = {}
    passed = failed = 0
    for document in tests:
        top = str(document.data["runbook"])
        if top not in every:
            typer.echo(f"FAIL {document.file}: runbook {top!r} not found")
            failed += 1
            continue
        for result in pathtest.run_cases(every, document.data, clock_start):
            results.setdefault(top, []).append(result)
            if result.passed:
                passed += 1
                typer.echo(f"PASS {top}: {result.name}")
            else:
                failed += 1
                typer.echo(f"FAIL {top}: {result.name}: " + "; ".join(result.problems))
    below = _report_coverage(every, results, min_coverage)
    typer.echo(f"{passed} passed, {failed} failed")
    bad = failed or below or library.errors
    raise typer.Exit(EXIT_FINDINGS if bad else EXIT_OK)


def _report_coverage(
    every: Mapping[str, Runbook],
    results: Mapping[str, list[pathtest.CaseResult]],
    min_coverage: float | None,
) -> int:
    """Print coverage per runbook (sub-runbooks count the paths that run through them too)."""
    from draaiboek.services import pathtest

    everything = [result for found in results.values() for result in found]
    below = 0
    for runbook_id in sorted(results):
        cover = pathtest.coverage(every[runbook_id], everything)
        typer.echo(
            f"coverage {runbook_id}: options {cover.options_hit}/{cover.options_total} "
            f"({cover.options_percent:.0f}%), steps {cover.steps_hit}/{cover.steps_total} "
            f"({cover.steps_percent:.0f}%)"
        )
        missed = [*cover.missed_options, *cover.missed_steps]
        if missed:
            typer.echo("  not reached: " + ", ".join(missed))
        if min_coverage is not None and cover.options_percent < min_coverage:
            below += 1
            typer.echo(f"  below --min-coverage {min_coverage:g}%")
    return below
