"""Shell completion of what a command names: runbook, scenario and incident ids, and the values
of enumerated options (`draaiboek --install-completion` installs it for the shell in use).

Completion runs on every Tab press, so it only looks: file names and the `id:` line of each
file, never a whole load; and it never fails (a folder that cannot be read completes nothing).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import click
import typer

_ID_LINE = re.compile(rb"^id:[ \t]*[\"']?([a-z0-9]+(?:-[a-z0-9]+)*)[\"']?[ \t]*(?:#.*)?$", re.M)
_FORMAT_LINE = re.compile(rb"^format:[ \t]*[\"']?(draaiboek[a-z-]*/[0-9]+)", re.M)
_HEAD_BYTES = 64 * 1024  # the top-level `id:` and `format:` stand near the top


def complete_from(choices: Sequence[str]) -> Callable[[str], list[str]]:
    """Completion of an option's fixed values."""

    def complete(incomplete: str) -> list[str]:
        return [choice for choice in choices if choice.startswith(incomplete)]

    return complete


def _ids(folder: Path, format_name: str) -> Iterable[str]:
    """The ids of the files of one format directly in `folder`."""
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    except OSError:
        return
    for path in files:
        try:
            with open(path, "rb") as handle:
                head = handle.read(_HEAD_BYTES)
        except OSError:
            continue
        found, kind = _ID_LINE.search(head), _FORMAT_LINE.search(head)
        if found and kind and kind.group(1).decode() == format_name:
            yield found.group(1).decode()


def _runbooks_folder(ctx: typer.Context) -> Path:
    from draaiboek.cli.settings import runbooks_dir

    given = ctx.params.get("runbooks")
    return runbooks_dir(Path(given) if given else None)


def complete_runbook(ctx: typer.Context, incomplete: str) -> list[str]:
    """Runbook ids in the runbooks folder (--runbooks, DRAAIBOEK_RUNBOOKS, ./runbooks or the
    shipped ones); a name with a path separator is left to the shell's file completion."""
    if os.sep in incomplete or "/" in incomplete:
        return []
    return [i for i in _ids(_runbooks_folder(ctx), "draaiboek/1") if i.startswith(incomplete)]


def complete_scenario(ctx: typer.Context, incomplete: str) -> list[str]:
    """Scenario ids in the runbooks folder's `scenarios/`."""
    if os.sep in incomplete or "/" in incomplete:
        return []
    shelf = _runbooks_folder(ctx) / "scenarios"
    return [i for i in _ids(shelf, "draaiboek-scenario/1") if i.startswith(incomplete)]


def complete_incident(ctx: typer.Context, incomplete: str) -> list[str]:
    """Incident ids in the incident home (--home, DRAAIBOEK_HOME or the user data folder),
    newest first; a part of an id is enough for the command, so any part matches."""
    from draaiboek.cli.settings import home_dir

    given = ctx.params.get("home")
    incidents = home_dir(Path(given) if given else None) / "incidents"
    try:
        names = sorted((p.name for p in incidents.iterdir() if p.is_dir()), reverse=True)
    except OSError:
        return []
    return [name for name in names if incomplete in name]


# --- on the command tree -------------------------------------------------------------------------
COMPLETE_VAR = "_DRAAIBOEK_COMPLETE"  # click's variable for the program `draaiboek`
TEXT_OR_JSON = ("text", "json")


def format_choices() -> dict[str, tuple[str, ...]]:
    """Each command's `--format` values, from where the command checks them (imported only
    for help and completion)."""
    from draaiboek.cli import findings_format, testing, validate
    from draaiboek.services import diff, graph, printout, report

    return {
        "validate": findings_format.FORMATS,
        "runbooks": validate.RUNBOOKS_FORMATS,
        "test": testing.FORMATS,
        "graph": graph.FORMATS,
        "diff": diff.FORMATS,
        "print": printout.FORMATS,
        "report": report.FORMATS,
        "status": TEXT_OR_JSON,
        "incidents": TEXT_OR_JSON,
        "overview": TEXT_OR_JSON,
        "verify": TEXT_OR_JSON,
    }


def _from(choices: Sequence[str]) -> Callable[..., list[str]]:
    def complete(ctx: object, param: object, incomplete: str) -> list[str]:
        return [choice for choice in choices if choice.startswith(incomplete)]

    return complete


def _safely(complete: Callable[[typer.Context, str], list[str]]) -> Callable[..., list[str]]:
    def wrapped(ctx: typer.Context, param: object, incomplete: str) -> list[str]:
        try:
            return complete(ctx, incomplete)
        except Exception:  # completion never fails: it completes nothing instead
            return []

    return wrapped


# Arguments by name: what they name, and how to complete it (start's --incident is a new id).
_ARGUMENTS = {
    "runbook": _safely(complete_runbook),
    "scenario": _safely(complete_scenario),
    "incident": _safely(complete_incident),
    "target": _safely(complete_incident),  # verify INCIDENT|FILE
}


def attach(root: click.Group) -> None:
    """Put the choices of enumerated options on the command tree (shown in help as
    `[text|json]`, completed on Tab), and completion of runbook, scenario and incident ids on
    the arguments that name them."""
    from draaiboek.cli.helptext import commands
    from draaiboek.model.catalogue import LANGUAGES

    formats = format_choices()
    for path, command in commands(root):
        for param in command.params:
            choices: tuple[str, ...] | None = None
            if param.name == "lang":
                choices = tuple(LANGUAGES)
            elif param.name == "output_format" and path:
                choices = formats.get(path[-1])
            if choices is not None and isinstance(param, click.Option):
                param.metavar = "[" + "|".join(choices) + "]"
                param._custom_shell_complete = _from(choices)
            elif isinstance(param, click.Argument) and param.name in _ARGUMENTS:
                param._custom_shell_complete = _ARGUMENTS[param.name]
