"""What a command names: a runbook or a scenario, by id or by path, with one rule for all.

The rule: a name is a path when it names an existing file, ends in `.yaml`/`.yml` or holds a
path separator; anything else is an id, looked up in the runbooks folder (a scenario in its
`scenarios/` folder). A path that does not exist and an id that nothing has are the same
mistake, `NotFound`, which the commands report as a usage error (exit 2) with the ids there are
and the closest one. A file that exists but holds no valid runbook is not `NotFound`: the
caller gets the library with its findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from draaiboek.load.documents import YAML_SUFFIXES
from draaiboek.model.suggestions import did_you_mean

if TYPE_CHECKING:
    from draaiboek.load.documents import Document
    from draaiboek.load.library import Library
    from draaiboek.load.scenario import Scenario
    from draaiboek.model.runbook import Finding, Runbook


class NotFound(Exception):
    """Nothing by that name: the message is one line for the user (a usage error, exit 2)."""


def looks_like_path(given: str) -> bool:
    """Whether `given` names a file rather than an id (see the module's rule)."""
    return given.endswith(YAML_SUFFIXES) or "/" in given or "\\" in given or Path(given).is_file()


def find_runbook(
    given: str, folder: Path, *, today: date, folder_chosen: bool = True
) -> tuple[Runbook | None, Library]:
    """The runbook named by id (in `folder`) or by path, and the library it was loaded with
    (its contacts and the runbooks it calls).

    A file is read with the YAML files beside it and `folder` as context, so that its contacts
    and sub-runbooks resolve; what stands beside the file wins. When `folder` was not chosen
    (the shipped examples standing in for a runbooks folder), a file outside it resolves only
    beside it: real work never takes an example's contact or sub-runbook unasked. An id is
    loaded with only the files it needs where the folder follows the `<id>.yaml` convention
    (`load_for_walk`).
    The runbook is None when the file holds no valid runbook (`library.findings` say why).
    Raises NotFound for a path that does not exist or an id no valid runbook in `folder` has.
    """
    from draaiboek.load.library import load_for_walk, load_library

    if looks_like_path(given):
        path = Path(given)
        if not path.is_file():
            raise NotFound(f"{given} does not exist: give a runbook id or a runbook file")
        siblings = [p for p in sorted(path.parent.iterdir()) if p.suffix in YAML_SUFFIXES]
        context = [*siblings, folder] if folder_chosen else siblings
        library = load_library([path], today=today, context=context)
        return next(iter(library.runbooks.values()), None), library
    library = load_for_walk(folder, given, today=today)
    runbook = library.runbooks.get(given)
    if runbook is None:
        raise NotFound(
            f"no valid runbook {given!r} in {folder}{_known(given, library.runbooks)}; "
            "'draaiboek validate' shows what is wrong with a file"
        )
    return runbook, library


def find_scenario(
    given: str, folder: Path
) -> tuple[Scenario | None, Document | None, list[Finding]]:
    """The exercise scenario named by id (in `folder`/scenarios) or by path, with its document
    and findings; the scenario is None when the file is not a valid scenario (the findings say
    why). Raises NotFound as `find_runbook` does; unreadable files on the shelf are passed over
    when looking for an id."""
    from draaiboek.load.documents import collect_files
    from draaiboek.load.scenario import load_scenario

    if looks_like_path(given):
        path = Path(given)
        if not path.is_file():
            raise NotFound(f"{given} does not exist: give a scenario id or a scenario file")
        return load_scenario(path)
    shelf = folder / "scenarios"
    by_convention = shelf / f"{given}.yaml"
    if by_convention.is_file():
        found, document, findings = load_scenario(by_convention)
        if found is None or found.id == given:
            return found, document, findings
    known = []
    for path in collect_files([shelf]) if shelf.is_dir() else []:
        other, its_document, findings = load_scenario(path)
        if other is not None and its_document is not None:
            if other.id == given:
                return other, its_document, findings
            known.append(other.id)
    raise NotFound(f"no scenario {given!r} in {shelf}{_known(given, known)}")


def _known(given: str, ids: Iterable[str]) -> str:
    """` (available: a, b) (did you mean 'a'?)`, or ` (available: none)`."""
    names = sorted(ids)
    if not names:
        return " (available: none)"
    return f" (available: {', '.join(names)}){did_you_mean(given, names)}"
