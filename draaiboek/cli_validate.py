"""Commands for runbook authors that read files only: `validate` and `runbooks`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from draaiboek.cli_app import (
    EXIT_FINDINGS,
    EXIT_OK,
    LangOption,
    RunbooksOption,
    app,
    chosen_language,
    runbooks_folder,
    usage_error,
)


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Runbook, contacts, test or scenario files, or folders (recursive). "
            "Default: the runbooks folder.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text, json or github (CI annotations).")
    ] = "text",
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings as errors (for CI and publishing).")
    ] = False,
    runbooks: RunbooksOption = None,
) -> None:
    """Check runbooks against the schema and the semantic rules; exit 1 on any error.

    Example: draaiboek validate --strict runbooks/
    """
    from datetime import date

    from draaiboek import findings_format
    from draaiboek.library import load_library

    if output_format not in findings_format.FORMATS:
        usage_error(f"unknown format {output_format!r}: choose text, json or github")
    folder = runbooks_folder(runbooks)
    targets = list(paths) if paths else [folder]
    for target in targets:
        if not target.exists():
            usage_error(f"{target} does not exist: give a runbook file or folder")
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

    from draaiboek.i18n import Messages
    from draaiboek.library import load_library

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
