"""The `report` command: find the incident, build its report, write it (see `report_render`)."""

from __future__ import annotations

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
    home: HomeOption = None,
    lang: LangOption = None,
) -> None:
    """The record of an incident from its journal: timeline, decisions, actions, notes,
    deadlines, what is open, and whether the journal verifies (exit 1 if it does not).

    Example: draaiboek report 20250624-1534-112-onbereikbaar-3f2a --format html -o verslag.html
    """
    from datetime import UTC, datetime

    from draaiboek.cli.author import write_output
    from draaiboek.services.incidents import IncidentError, find_incident
    from draaiboek.services.report import FORMATS, ReportError, build_report
    from draaiboek.services.report_render import render
    from draaiboek.services.report_score import add_score

    if output_format not in FORMATS:
        usage_error(t("error.unknown-format", given=output_format, choices=one_of(FORMATS)))
    language = chosen_language(lang)
    try:
        folder = find_incident(home_folder(home), incident)
    except IncidentError as exc:
        usage_error(str(exc))
    try:
        built = build_report(folder, lang=language, now=datetime.now(UTC))
        # The events as the report read them (a damaged line is skipped there, not fatal).
        add_score(built, folder, [entry["event"] for entry in built.data["events"]])
    except ReportError as exc:
        fail(str(exc))
    write_output(render(built, output_format), output)
    if not built.verified:
        fail(t("error.report-not-verified", incident=built.incident, alert=built.alert))
    raise typer.Exit(EXIT_OK)
