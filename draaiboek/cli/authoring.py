"""Commands that start an author off: `init` (a new runbook from a skeleton) and `schema` (the
JSON Schemas, printed or copied into the author's repository for editor modelines)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from draaiboek.cli.app import (
    LangOption,
    RunbooksOption,
    app,
    chosen_language,
    fail,
    usage_error,
)
from draaiboek.cli.completion import complete_from
from draaiboek.cli.language import one_of, t

SCHEMA_KINDS = ("runbook", "contacts", "test", "scenario")


@app.command()
def init(
    runbook_id: Annotated[str, typer.Argument(metavar="RUNBOOK-ID", show_default=False)],
    runbooks: RunbooksOption = None,
    schemas: Annotated[
        Path | None, typer.Option("--schemas", metavar="DIR", show_default=False)
    ] = None,
    lang: LangOption = None,
) -> None:
    """Write a new runbook, its path tests and (if missing) a contacts registry from a skeleton.

    Example: draaiboek init 112-onbereikbaar && draaiboek validate && draaiboek test
    """
    from datetime import date

    from draaiboek.cli.invocation import program
    from draaiboek.services.schemafiles import WriteError
    from draaiboek.services.skeleton import InitError, init_runbook

    chosen_language(lang)
    # Never the shipped runbooks: without --runbooks (or DRAAIBOEK_RUNBOOKS), ./runbooks.
    folder = runbooks if runbooks is not None else Path("runbooks")
    schema_folder = schemas if schemas is not None else folder.parent / "schemas"
    try:
        written = init_runbook(runbook_id, folder, schema_folder, date.today())
    except InitError as exc:
        if exc.usage:
            usage_error(str(exc))
        fail(str(exc))
    except WriteError as exc:
        fail(str(exc))
    for result in written:
        typer.echo(t(f"init.{result.state}", path=result.path))
    where = "" if folder == Path("runbooks") else f" {folder}"
    typer.echo(t("init.next", program=program(), where=where))


@app.command("schema")
def schema_command(
    kind: Annotated[
        str,
        typer.Argument(
            metavar="[runbook|contacts|test|scenario]",
            autocompletion=complete_from(SCHEMA_KINDS),
            show_default=False,
        ),
    ] = "runbook",
    write: Annotated[
        Path | None, typer.Option("--write", metavar="DIR", show_default=False)
    ] = None,
    lang: LangOption = None,
) -> None:
    """Print a JSON Schema, or copy all four into a folder for editor modelines.

    Example: draaiboek schema --write schemas
    """
    from draaiboek.services.schemafiles import WriteError, schema_text, write_schemas

    chosen_language(lang)
    if kind not in SCHEMA_KINDS:
        usage_error(t("error.unknown-schema", given=kind, choices=one_of(SCHEMA_KINDS)))
    if write is None:
        typer.echo(schema_text(kind), nl=False)
        return
    try:
        written = write_schemas(write)
    except WriteError as exc:
        fail(str(exc))
    for result in written:
        typer.echo(t(f"init.{result.state}", path=result.path))
