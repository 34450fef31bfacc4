"""The `report` command: find the incident, build its report, write it (see `report_render`)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from draaiboek.cli.app import (
    EXIT_OK,
    HomeOption,
    LangOption,
    app,
    chosen_language,
    fail,
    home_folder,
    usage_error,
)
from draaiboek.cli.language import one_of, t


@app.command()
def report(
    incident: Annotated[str, typer.Argument(show_default=False)],
    output_format: Annotated[str, typer.Option("--format", "-f")] = "md",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", show_default=False),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force"),
    ] = False,
    home: HomeOption = None,
    lang: LangOption = None,
) -> None:
    """The record of an incident from its journal: timeline, decisions, actions, notes,
    deadlines, what is open, and whether the journal verifies (exit 1 if it does not).

    Example: draaiboek report 20250624-1534-112-onbereikbaar-3f2a --format html -o verslag.html
    """
    from datetime import UTC, datetime

    from draaiboek.model.catalogue import Messages
    from draaiboek.services.incidents import IncidentError, find_incident
    from draaiboek.services.report import FORMATS, ReportError, build_report
    from draaiboek.services.report_render import render_chunks
    from draaiboek.services.report_score import add_score

    if output_format not in FORMATS:
        usage_error(t("error.unknown-format", given=output_format, choices=one_of(FORMATS)))
    language = chosen_language(lang)
    if output is not None and not force and os.path.lexists(output):
        # An earlier report may be the only copy of the hash that seals the journal as it was.
        fail(Messages(language)("report.exists", path=output))
    try:
        folder = find_incident(home_folder(home), incident)
    except IncidentError as exc:
        usage_error(str(exc))
    try:
        built = build_report(folder, lang=language, now=datetime.now(UTC))
        add_score(built, folder)  # an exercise's score (its events read only then)
    except ReportError as exc:
        fail(str(exc))
    _write(render_chunks(built, output_format), output, force, language)
    if not built.verified:
        fail(t("error.report-not-verified", incident=built.incident, alert=built.alert))
    raise typer.Exit(EXIT_OK)


def _write(chunks: Iterable[str], output: Path | None, force: bool, lang: str) -> None:
    """The report to stdout, or to ``output`` (mode 0600, never through a symbolic link): a new
    file is created only if none exists (another process may have made one meanwhile); with
    ``force`` the old file is replaced only once the new one is complete."""
    if output is None:
        for chunk in chunks:
            typer.echo(chunk, nl=False)
        return
    from draaiboek.model.catalogue import Messages

    target = output if not force else output.with_name(f".{output.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError:
        fail(Messages(lang)("report.exists", path=output))
    except OSError as exc:
        fail(t("error.cannot-write", file=output, reason=exc.strerror or exc))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        if force:
            os.replace(target, output)
    except OSError as exc:
        with contextlib.suppress(OSError):
            target.unlink()  # never leave half a report behind
        fail(t("error.cannot-write", file=output, reason=exc.strerror or exc))
