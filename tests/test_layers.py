"""The layer contract of the design brief, checked on the source by AST (imports inside functions
and under TYPE_CHECKING count too).

    model < load, journal < engine < services < cli      (load and journal never import each other)

- a module imports only its own layer and the layers below it;
- nothing outside cli/ imports typer, rich, click or prompt_toolkit;
- engine/ does no IO: no os, pathlib, io, subprocess, shutil, socket, ... and no open/print/input;
- engine/ and journal/ never read the clock (datetime.now, time.monotonic, date.today, ...): a
  clock is passed in;
- journal/ imports neither YAML nor runbook code (model.runbook, load/).

The checker is tested on small sources first, so that a contract that passes is known to be able
to fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "draaiboek"

# A module may import its own layer and any layer of a lower rank; equal ranks exclude each other.
RANKS = {"model": 0, "load": 1, "journal": 1, "engine": 2, "services": 3, "cli": 4}
# `python -m draaiboek` starts the CLI: above every layer.
ENTRY = "__main__"

UI_PACKAGES = {"typer", "rich", "click", "prompt_toolkit"}

# What reaches the file system, processes, the network or the terminal.
IO_MODULES = {
    "os",
    "sys",
    "io",
    "pathlib",
    "subprocess",
    "shutil",
    "socket",
    "tempfile",
    "glob",
    "fcntl",
    "msvcrt",
    "select",
    "selectors",
    "signal",
    "mmap",
    "sqlite3",
    "ssl",
    "http",
    "urllib",
    "asyncio",
}
IO_BUILTINS = {"open", "print", "input"}

# Calls that read the wall or the process clock. A clock is passed in instead.
CLOCK_READS = {
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "datetime.date.today",
    *(
        f"time.{name}"
        for name in (
            "time",
            "time_ns",
            "monotonic",
            "monotonic_ns",
            "perf_counter",
            "perf_counter_ns",
            "process_time",
            "process_time_ns",
            "localtime",
            "gmtime",
            "ctime",
            "asctime",
            "strftime",
        )
    ),
}

# Known breaks the lead has accepted for now: {(path relative to draaiboek/, message): why}.
# Each entry is a debt with its reason; remove it when the code is fixed.
ACCEPTED: dict[tuple[str, str], str] = {}


def layer_of(module: str) -> str | None:
    """ "engine" for draaiboek.engine.fold; None for the package itself (draaiboek)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything a module imports, relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base_parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                # `from draaiboek import engine` imports a layer; `from draaiboek import
                # __version__` a name of the package itself; `from os import path` is os.
                layer_named = base == "draaiboek" and alias.name in (*RANKS, ENTRY)
                yield node.lineno, f"{base}.{alias.name}" if layer_named else base


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> what it stands for: `import time as t` gives t -> time, `from datetime
    import datetime` gives datetime -> datetime.datetime."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """`dt.datetime.now` -> datetime.datetime.now when dt is the datetime module."""
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    return ".".join([aliases[node.id], *reversed(attrs)])


def check_source(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """Every break of the contract in one module's source, as 'line: message' strings.

    `module` is its dotted name (draaiboek.engine.fold); `is_package` for an __init__.py.
    """
    tree = ast.parse(source)
    layer = layer_of(module)
    found: list[str] = []
    if module.split(".")[-1] == ENTRY:
        layer = ENTRY
    elif layer is not None and layer not in RANKS:
        found.append(f"1: {module} is in no layer folder ({', '.join(RANKS)})")
        return found

    for line, name in _imports(tree, module, is_package):
        top = name.split(".")[0]
        if top in UI_PACKAGES and layer not in ("cli", ENTRY):
            found.append(f"{line}: imports {top}: only cli/ may")
        if top == "draaiboek":
            target = layer_of(name)
            if layer is None and target is not None:
                found.append(f"{line}: the package's __init__ imports {name}")
            elif target is not None and layer in RANKS:
                if target not in RANKS:
                    found.append(f"{line}: imports {name}, which is in no layer")
                elif target != layer and RANKS[target] >= RANKS[layer]:
                    found.append(f"{line}: {layer}/ imports {target}/ ({name})")
        if layer == "engine" and top in IO_MODULES:
            found.append(f"{line}: engine/ does IO: imports {name}")
        if layer == "journal" and top == "yaml":
            found.append(f"{line}: journal/ imports yaml")
        if layer == "journal" and (name + ".").startswith("draaiboek.model.runbook."):
            found.append(f"{line}: journal/ imports runbook code ({name})")

    if layer in ("engine", "journal"):
        aliases = _aliases(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not node.level:
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in CLOCK_READS:
                        clock = f"{node.module}.{alias.name}"
                        found.append(f"{node.lineno}: {layer}/ reads the clock ({clock})")
            if isinstance(node, ast.Attribute | ast.Name):
                dotted = _dotted(node, aliases)
                if dotted in CLOCK_READS:
                    found.append(f"{node.lineno}: {layer}/ reads the clock ({dotted})")
            if (
                layer == "engine"
                and isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in IO_BUILTINS
            ):
                found.append(f"{node.lineno}: engine/ does IO: calls {node.func.id}()")
    return found


def all_breaks(package_dir: Path = PACKAGE_DIR) -> Iterator[tuple[str, str, str]]:
    """(path relative to draaiboek/, line, message) of every break in the package."""
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        source = path.read_text(encoding="utf-8")
        for problem in check_source(module, source, is_package=is_package):
            line, _, message = problem.partition(": ")
            yield path.relative_to(package_dir).as_posix(), line, message


def package_violations(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """Every break in draaiboek/, as 'draaiboek/path.py:line: message', less ACCEPTED ones."""
    return [
        f"draaiboek/{path}:{line}: {message}"
        for path, line, message in all_breaks(package_dir)
        if (path, message) not in ACCEPTED
    ]


# -- the checker can fail ----------------------------------------------------------------------

BREAKS = [
    # (module, source, what the message must say)
    ("draaiboek.engine.fold", "import rich\n", "imports rich: only cli/ may"),
    ("draaiboek.services.x", "def f():\n    from typer import echo\n", "imports typer"),
    ("draaiboek.load.x", "if TYPE_CHECKING:\n    import click.testing\n", "imports click"),
    ("draaiboek.model.x", "from draaiboek.load.build import build\n", "model/ imports load/"),
    ("draaiboek.load.x", "from draaiboek.journal import Journal\n", "load/ imports journal/"),
    ("draaiboek.journal.x", "from draaiboek.load import build\n", "journal/ imports load/"),
    ("draaiboek.journal.x", "from ..load.documents import Document\n", "journal/ imports load/"),
    ("draaiboek.engine.x", "from draaiboek import services\n", "engine/ imports services/"),
    ("draaiboek.services.x", "from draaiboek.cli.app import app\n", "services/ imports cli/"),
    ("draaiboek.engine.x", "def f():\n    import draaiboek.cli.main\n", "engine/ imports cli/"),
    ("draaiboek.engine.x", "from pathlib import Path\n", "engine/ does IO: imports pathlib"),
    ("draaiboek.engine.x", "import os.path\n", "engine/ does IO: imports os.path"),
    ("draaiboek.engine.x", "def f(p):\n    return open(p).read()\n", "calls open()"),
    ("draaiboek.engine.x", "def f():\n    print('x')\n", "calls print()"),
    ("draaiboek.engine.x", "import subprocess as sp\n", "imports subprocess"),
    (
        "draaiboek.engine.x",
        "from datetime import datetime\nnow = datetime.now()\n",
        "reads the clock (datetime.datetime.now)",
    ),
    (
        "draaiboek.journal.x",
        "import datetime as dt\ndef f():\n    return dt.datetime.utcnow()\n",
        "reads the clock (datetime.datetime.utcnow)",
    ),
    (
        "draaiboek.engine.x",
        "from datetime import date\ntoday = date.today()\n",
        "reads the clock (datetime.date.today)",
    ),
    ("draaiboek.journal.x", "import time\nt = time.time()\n", "reads the clock (time.time)"),
    (
        "draaiboek.engine.x",
        "from time import monotonic as m\n",
        "reads the clock (time.monotonic)",
    ),
    (
        "draaiboek.journal.x",
        "import time\nclock = time.perf_counter\n",
        "reads the clock (time.perf_counter)",
    ),
    ("draaiboek.journal.x", "import yaml\n", "journal/ imports yaml"),
    (
        "draaiboek.journal.x",
        "from draaiboek.model.runbook import Runbook\n",
        "journal/ imports runbook code",
    ),
    ("draaiboek.journal.x", "import draaiboek.model.runbook\n", "journal/ imports runbook code"),
    ("draaiboek.helpers", "x = 1\n", "is in no layer folder"),
    ("draaiboek.engine.x", "from draaiboek.helpers import x\n", "which is in no layer"),
]


@pytest.mark.parametrize(("module", "source", "expected"), BREAKS)
def test_the_checker_finds_each_kind_of_break(module: str, source: str, expected: str) -> None:
    found = check_source(module, source)
    assert any(expected in problem for problem in found), found


def test_the_checker_resolves_relative_imports_in_a_package_init() -> None:
    # In draaiboek/journal/__init__.py, `from ..load import x` is draaiboek.load.
    found = check_source("draaiboek.journal", "from ..load import x\n", is_package=True)
    assert found == ["1: journal/ imports load/ (draaiboek.load)"]
    assert check_source("draaiboek.journal", "from .writer import J\n", is_package=True) == []


ALLOWED = [
    # (module, source): what each layer may do
    ("draaiboek.engine.x", "from draaiboek.model.runbook import Runbook, Step\n"),
    ("draaiboek.engine.x", "from draaiboek.load.valueformats import format_checker\n"),
    ("draaiboek.engine.x", "from draaiboek.journal import Journal\n"),
    ("draaiboek.engine.x", "from datetime import UTC, datetime, timedelta\n"),
    ("draaiboek.engine.x", "from datetime import datetime\nd = datetime.fromisoformat(s)\n"),
    ("draaiboek.engine.x", "def f(clock):\n    return clock.now()\n"),
    ("draaiboek.engine.x", "def f(self):\n    return self.clock.monotonic()\n"),
    ("draaiboek.journal.x", "import os\nfrom pathlib import Path\nimport json\n"),
    ("draaiboek.journal.x", "from draaiboek.model.timezone import zone_name\n"),
    ("draaiboek.services.x", "from draaiboek import __version__\nimport time\nt = time.time()\n"),
    ("draaiboek.services.x", "from draaiboek.engine import fold\nfrom draaiboek.load import x\n"),
    ("draaiboek.cli.x", "import typer\nimport rich.console\nimport click\n"),
    ("draaiboek.cli.x", "from draaiboek.services.national import sync\n"),
    ("draaiboek.__main__", "from draaiboek.cli.main import main\n"),
    ("draaiboek.load.x", "from . import documents\nfrom .yamlread import read\n"),
]


@pytest.mark.parametrize(("module", "source"), ALLOWED)
def test_the_checker_allows_what_the_layers_may_do(module: str, source: str) -> None:
    assert check_source(module, source) == []


def test_package_scan_names_file_and_line(tmp_path: Path) -> None:
    engine = tmp_path / "draaiboek" / "engine"
    engine.mkdir(parents=True)
    (tmp_path / "draaiboek" / "__init__.py").write_text('__version__ = "0"\n', encoding="utf-8")
    (engine / "__init__.py").write_text("", encoding="utf-8")
    (engine / "fold.py").write_text('"""x"""\n\nimport rich\n', encoding="utf-8")
    assert package_violations(tmp_path / "draaiboek") == [
        "draaiboek/engine/fold.py:3: imports rich: only cli/ may"
    ]


# -- the contract itself -----------------------------------------------------------------------


def test_every_module_keeps_the_layer_contract() -> None:
    assert PACKAGE_DIR.is_dir()
    problems = package_violations()
    assert problems == [], "layer contract broken:\n" + "\n".join(problems)


def test_accepted_breaks_still_exist() -> None:
    # An exception that no longer matches anything is a debt paid: remove it from ACCEPTED.
    present = {(path, message) for path, _, message in all_breaks()}
    assert [key for key in ACCEPTED if key not in present] == []
