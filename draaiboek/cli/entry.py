"""The `draaiboek` command's entry point: `--version` at once, everything else via cli.main.

Answering `--version` here, before the command tree and its imports (typer, click and every
command module) are loaded, keeps the start-up that scripts and monitoring pay for it small
(benchmarks: the start-up row).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run draaiboek with `argv` (default: the process's arguments); returns the exit code."""
    args = argv if argv is not None else sys.argv[1:]
    if args == ["--version"]:
        from draaiboek import __version__

        print(f"draaiboek {__version__}")
        return 0
    from draaiboek.cli.main import main as run

    return run(argv)
