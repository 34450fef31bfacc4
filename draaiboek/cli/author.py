"""Commands for runbook authors that read runbooks only: `graph`, `diff` and `print`."""

from __future__ import annotations

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
    chosen_runbooks,
    fail,
    runbooks_folder,
    usage_error,
)
from draaiboek.cli.language import one_of, t

if TYPE_CHECKING:
    from draaiboek.load.library import Library
    from draaiboek.model.runbook import Runbook

RunbookArgument = Annotated[
    str,
    typer.Argument(
        show_default=False,
    ),
]


def load_runbook(given: str, runbooks: Path | None) -> tuple[Runbook, Library]:
    """The runbook named by id or path (see `load.lookup`), and the library it was loaded with
    (for its contacts and the runbooks it calls): a usage error when nothing has that name, a
    one-line error when the file holds no valid runbook."""
    from datetime import date

    from draaiboek.load.lookup import NotFound, find_runbook
    from draaiboek.model.runbook import RUNBOOK_FORMAT

    try:
        runbook, library = find_runbook(
            given,
            runbooks_folder(runbooks),
            today=date.today(),
            folder_chosen=chosen_runbooks(runbooks) is not None,
        )
    except NotFound as exc:
        usage_error(str(exc))
    if runbook is None:
        problem = next(iter(library.errors), None)
        if problem is not None:
            fail(f"{problem.file}:{problem.line}:{problem.column}: {problem.message}")
        formats = [d.format for d in library.documents if d.format != RUNBOOK_FORMAT]
        fail(t("error.not-a-runbook", file=given, format=formats[0] if formats else "?"))
    return runbook, library


def _errors_of(library: Library, runbook: Runbook) -> int:
    return sum(1 for finding in library.errors if finding.file == runbook.file)


@app.command()
def graph(
    runbook: RunbookArgument,
    output_format: Annotated[str, typer.Option("--format", "-f")] = "mermaid",
    lang: LangOption = None,
    runbooks: RunbooksOption = None,
) -> None:
    """Print the decision graph of a runbook as Mermaid or Graphviz DOT.

    Example: draaiboek graph 112-onbereikbaar --format dot | dot -Tsvg > graph.svg
    """
    from draaiboek.services import graph as graph_service

    if output_format not in graph_service.FORMATS:
        choices = one_of(graph_service.FORMATS)
        usage_error(t("error.unknown-format", given=output_format, choices=choices))
    language = chosen_language(lang)
    loaded, library = load_runbook(runbook, runbooks)
    errors = _errors_of(library, loaded)
    if errors:
        # Still drawn: seeing the graph helps to find a dangling `next`.
        typer.echo(
            f"draaiboek: {t('error.runbook-errors', file=loaded.file, count=errors)}", err=True
        )
    typer.echo(graph_service.render(loaded, output_format, language), nl=False)
    raise typer.Exit(EXIT_FINDINGS if errors else EXIT_OK)


@app.command()
def diff(
    old: Annotated[
        str,
        typer.Argument(show_default=False),
    ],
    new: Annotated[
        str,
        typer.Argument(show_default=False),
    ],
    output_format: Annotated[str, typer.Option("--format", "-f")] = "text",
) -> None:
    """Show what changed between two versions of a runbook; exit 1 if the version was not raised
    enough (major: removed or rewired; minor: added; patch: wording and metadata only).

    Example: draaiboek diff HEAD:runbooks/112-onbereikbaar.yaml runbooks/112-onbereikbaar.yaml
    """
    import json

    from draaiboek.services import diff as diff_service

    if output_format not in diff_service.FORMATS:
        usage_error(
            t("error.unknown-format", given=output_format, choices=one_of(diff_service.FORMATS))
        )
    try:
        result = diff_service.compare(
            diff_service.read_version(old), diff_service.read_version(new)
        )
    except diff_service.DiffError as exc:
        if exc.usage:
            usage_error(str(exc))
        fail(str(exc))
    if output_format == "json":
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(diff_service.as_text(result), nl=False)
    if not result.ok and output_format == "json":  # the text output already says why
        typer.echo(f"draaiboek: {result.message}", err=True)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


@app.command("print")
def print_runbook(
    runbook: RunbookArgument,
    output_format: Annotated[str, typer.Option("--format", "-f")] = "md",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", show_default=False),
    ] = None,
    full: Annotated[bool, typer.Option("--full")] = False,
    lang: LangOption = None,
    runbooks: RunbooksOption = None,
) -> None:
    """A printable runbook for when the laptop is gone: numbered steps, boxes to tick, lines for
    the time, contacts with their numbers, and the id, version and sha256 on every page.

    Example: draaiboek print 112-onbereikbaar --format html -o 112.html
    """
    from draaiboek.services import printout

    if output_format not in printout.FORMATS:
        usage_error(
            t("error.unknown-format", given=output_format, choices=one_of(printout.FORMATS))
        )
    language = chosen_language(lang)
    loaded, library = load_runbook(runbook, runbooks)
    errors = _errors_of(library, loaded)
    if errors:
        # A wrong step number on paper would send someone the wrong way in an outage.
        fail(t("error.print-errors", file=loaded.file, count=errors))
    text = printout.render(
        loaded, library.contacts, output_format, language, library.all_runbooks(), full=full
    )
    write_output(text, output)


def write_output(text: str, output: Path | None) -> None:
    """To stdout, or to a file with a one-line error if it cannot be written."""
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(t("error.cannot-write", file=output, reason=exc.strerror or exc))
