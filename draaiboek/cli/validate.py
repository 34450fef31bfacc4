"""Commands for runbook authors that read files only: `validate` and `runbooks`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from draaiboek.cli.app import (
    EXIT_FINDINGS,
    EXIT_OK,
    LangOption,
    RunbooksOption,
    app,
    chosen_language,
    chosen_runbooks,
    runbooks_folder,
    usage_error,
)
from draaiboek.cli.language import one_of, t

if TYPE_CHECKING:
    from draaiboek.load.library import Library


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
    only_draaiboek: Annotated[bool, typer.Option("--only-draaiboek")] = False,
    runbooks: RunbooksOption = None,
) -> None:
    """Check runbooks against the schema and the semantic rules; exit 1 on any error.

    Example: draaiboek validate --strict runbooks/
    """
    from datetime import date

    from draaiboek.cli import findings_format
    from draaiboek.load.documents import collect_files
    from draaiboek.load.library import load_library

    if output_format not in findings_format.FORMATS:
        choices = one_of(findings_format.FORMATS)
        usage_error(t("error.unknown-format", given=output_format, choices=choices))
    folder = runbooks_folder(runbooks)
    targets = list(paths) if paths else [folder]
    for target in targets:
        if not target.exists():
            usage_error(t("error.no-such-runbook-path", target=target))
    # References resolve in the files given, beside a file given, and in the runbooks folder
    # when one is chosen: never in the shipped examples unasked (a missing contact must show).
    context = [sibling for target in targets if target.is_file() for sibling in _beside(target)]
    chosen = chosen_runbooks(runbooks)
    if chosen is not None or not paths:
        context.append(folder)
    files = collect_files(targets)
    # As given, or relative to the current folder (GitHub: to the repository), never made
    # absolute: GitHub places an annotation only on a path relative to the repository.
    shown = findings_format.display_names(
        files, given=bool(paths), github=output_format == "github"
    )
    library = load_library(
        files,
        today=date.today(),
        context=context,
        strict=strict,
        display=shown,
        only_draaiboek=only_draaiboek,
    )
    findings, skipped = library.findings, library.skipped
    if output_format == "json":
        typer.echo(findings_format.as_json(library.files, findings, skipped), nl=False)
    elif output_format == "github":
        typer.echo(findings_format.as_github(len(library.files), findings, len(skipped)), nl=False)
    else:
        typer.echo(findings_format.as_text(len(library.files), findings, len(skipped)), nl=False)
    raise typer.Exit(EXIT_FINDINGS if library.errors else EXIT_OK)


def _beside(file: Path) -> list[Path]:
    from draaiboek.load.documents import YAML_SUFFIXES

    return [p for p in sorted(file.parent.iterdir()) if p.suffix in YAML_SUFFIXES and p != file]


@app.command("runbooks")
def list_runbooks(
    runbooks: RunbooksOption = None,
    lang: LangOption = None,
    output_format: Annotated[str, typer.Option("--format", "-f")] = "text",
) -> None:
    """List the available runbooks: id, version, status and title.

    Example: draaiboek runbooks --lang en
    """
    import json
    from datetime import date

    from draaiboek.cli.findings_format import display_names
    from draaiboek.load.documents import collect_files
    from draaiboek.load.library import load_library
    from draaiboek.model.catalogue import Messages

    if output_format not in RUNBOOKS_FORMATS:
        usage_error(
            t("error.unknown-format", given=output_format, choices=one_of(RUNBOOKS_FORMATS))
        )
    language = chosen_language(lang)
    messages = Messages(language)
    folder = runbooks_folder(runbooks)
    files = collect_files([folder])
    shown = display_names(files, given=runbooks is not None, github=False)
    library = load_library(files, today=date.today(), display=shown)
    if output_format == "json":
        typer.echo(json.dumps(_runbooks_json(library, language), ensure_ascii=False, indent=2))
        return
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


RUNBOOKS_FORMATS = ("text", "json")


def _runbooks_json(library: Library, language: str) -> dict[str, Any]:
    """`runbooks --format json`: each valid runbook (id, version, status, title in `language`,
    languages, file), sorted by id, and the files with errors."""
    return {
        "runbooks": [
            {
                "id": rb.id,
                "version": rb.version,
                "status": rb.status,
                "title": rb.title.get(language),
                "languages": list(rb.languages),
                "file": rb.file,
            }
            for rb in sorted(library.runbooks.values(), key=lambda r: r.id)
        ],
        "invalid_files": sorted({f.file for f in library.errors}),
    }
