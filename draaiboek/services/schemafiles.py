"""The JSON Schemas as files in an author's repository (`draaiboek schema --write DIR`), so that
an editor's modeline can name them by a relative path that works on every machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from draaiboek.load.resources import SCHEMA_FILES, schemas_dir

# The kinds of file by the name an author uses (`draaiboek schema runbook`), in the order the
# schemas are listed.
KINDS = {name.removesuffix(".schema.json"): name for name in SCHEMA_FILES.values()}


class WriteError(Exception):
    """A file could not be written; the message is one line for the user."""


@dataclass(frozen=True)
class Written:
    """What became of one file: written, unchanged (already the same) or kept (already there,
    different, and not to be replaced)."""

    path: Path
    state: str


def schema_text(kind: str) -> str:
    """The schema of `kind` (a key of KINDS) as shipped with this draaiboek (KeyError for an
    unknown kind)."""
    return (schemas_dir() / KINDS[kind]).read_text(encoding="utf-8")


def write_schemas(folder: Path, *, replace: bool = True) -> list[Written]:
    """Copy every schema into `folder` (made when missing). A file that is already there and
    different is replaced when `replace`, else kept. Raises WriteError."""
    results = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for kind, name in KINDS.items():
            target = folder / name
            text = schema_text(kind)
            if target.is_file():
                if target.read_text(encoding="utf-8") == text:
                    results.append(Written(target, "unchanged"))
                    continue
                if not replace:
                    results.append(Written(target, "kept"))
                    continue
            write_new(target, text, replace=replace)
            results.append(Written(target, "written"))
    except OSError as exc:
        raise WriteError(f"cannot write {exc.filename or folder}: {exc.strerror or exc}") from None
    return results


def write_new(path: Path, text: str, *, replace: bool = False) -> None:
    """Write `text` to `path` (UTF-8, `\\n` line ends); unless `replace`, never over a file
    that appeared in the meantime (FileExistsError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w" if replace else "x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def modeline(file: Path, schema: Path) -> str:
    """The first line that points yaml-language-server at `schema` from `file`, by a relative
    path where one exists (else the schema's file URI)."""
    try:
        where = Path(os.path.relpath(schema.resolve(), file.parent.resolve())).as_posix()
    except ValueError:  # another drive on Windows: no relative path
        where = schema.resolve().as_uri()
    return f"# yaml-language-server: $schema={where}\n"
