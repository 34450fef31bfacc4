"""`--help` in the language of the command line: the catalogue's `help.*` texts are put on the
command tree just before click shows it (typer builds the tree, with its help, at import time).

Keys: `help.app` for the program, `help.<command>` (`help.db.add-station` for a subcommand) for
a command; for a parameter `help.<command>.<name>`, else the text it shares with other commands,
`help.option.<name>`. The name is the long option without dashes (`allow-draft`) or the
argument's name (`runbook`). A command's docstring is for readers of the code, not shown.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from draaiboek.model.catalogue import catalogue


def command_key(path: tuple[str, ...]) -> str:
    """The catalogue key of a command's help: `help.app` for the program itself."""
    return "help." + ".".join(path) if path else "help.app"


def parameter_name(param: click.Parameter) -> str:
    """How a parameter is named in keys: its long option without dashes, or its name."""
    longs = [opt[2:] for opt in param.opts if opt.startswith("--")]
    return longs[0] if longs else str(param.name).replace("_", "-")


def parameter_keys(path: tuple[str, ...], param: click.Parameter) -> tuple[str, str]:
    """The keys a parameter's help is looked up under, the command's own first."""
    name = parameter_name(param)
    return f"{command_key(path)}.{name}", f"help.option.{name}"


def commands(root: click.Command) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under `root` (itself first) with its path of names: () for the root."""
    stack: list[tuple[tuple[str, ...], click.Command]] = [((), root)]
    while stack:
        path, command = stack.pop(0)
        yield path, command
        if isinstance(command, click.Group):
            stack += [((*path, name), sub) for name, sub in command.commands.items()]


def help_wanted(root: click.Group, args: list[str]) -> bool:
    """Whether click may show help for these arguments: -h/--help, or a group without a command
    (no arguments at all, or `draaiboek db`)."""
    command: click.Command = root
    for arg in args:
        if arg == "--":
            break
        if arg in ("-h", "--help"):
            return True
        if isinstance(command, click.Group) and arg in command.commands:
            command = command.commands[arg]
    return isinstance(command, click.Group)


def localize(root: click.Group, lang: str) -> None:
    """Put the `lang` help texts on every command and parameter under `root`.

    Texts are plain text: typer reads help as rich markup, so they are escaped for it.
    """
    from rich.markup import escape  # only when help is shown, which imports rich anyway

    texts = catalogue(lang)
    for path, command in commands(root):
        key = command_key(path)
        if key in texts:
            command.help, command.short_help = escape(texts[key]), None
        for param in command.params:
            found = next((texts[k] for k in parameter_keys(path, param) if k in texts), None)
            if found is not None and hasattr(param, "help"):
                param.help = escape(found)
