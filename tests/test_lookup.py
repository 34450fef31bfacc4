"""One way to name a runbook or a scenario (id or path), one error for a name nothing has
(exit 2, with what there is and the closest id), and the helpers behind it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result

from draaiboek.load.build import build_runbook
from draaiboek.load.documents import read_document
from draaiboek.load.lookup import NotFound, find_runbook, find_scenario, looks_like_path
from draaiboek.model.calls import MissingCall, called_runbooks, calls
from draaiboek.model.runbook import Runbook
from draaiboek.model.suggestions import did_you_mean

RunCli = Callable[[list[str]], Result]

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "valid"
SCENARIOS = REPO / "tests" / "corpus" / "scenarios"
TODAY = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("given", "is_path"),
    [
        ("every-step-type", False),
        ("every-step-type.yaml", True),
        ("x.yml", True),
        ("runbooks/every-step-type", True),
        ("runbooks\\every-step-type", True),
        (str(CORPUS / "contacts.yaml"), True),
    ],
)
def test_the_rule_for_a_path(given: str, is_path: bool) -> None:
    assert looks_like_path(given) is is_path


def test_an_existing_file_without_suffix_is_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "draaiboek").write_text("format: draaiboek/1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert looks_like_path("draaiboek")


def test_a_runbook_by_id_comes_with_what_it_calls() -> None:
    runbook, library = find_runbook("every-step-type", CORPUS, today=TODAY)
    assert runbook is not None and runbook.id == "every-step-type"
    assert set(library.all_runbooks()) >= {"every-step-type", "sub-procedure"}
    assert library.contacts


def test_a_runbook_by_path_resolves_its_neighbours(tmp_path: Path) -> None:
    for name in ("every-step-type", "sub-procedure", "contacts"):
        shutil.copy(CORPUS / f"{name}.yaml", tmp_path / f"{name}.yaml")
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    runbook, library = find_runbook(str(tmp_path / "every-step-type.yaml"), empty, today=TODAY)
    assert runbook is not None and runbook.id == "every-step-type"
    assert "sub-procedure" in library.all_runbooks()
    assert not library.errors


def test_a_file_that_holds_no_runbook_is_found_but_empty() -> None:
    runbook, library = find_runbook(str(CORPUS / "contacts.yaml"), CORPUS, today=TODAY)
    assert runbook is None
    assert library.documents  # the contacts registry it does hold


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("every-step-typ", "(did you mean 'every-step-type'?)"),
        ("every-step-typ", "(available: every-step-type, sub-procedure)"),
        ("zzz", "no valid runbook 'zzz' in"),
        ("nergens.yaml", "nergens.yaml does not exist"),
        ("map/nergens", "map/nergens does not exist"),
    ],
)
def test_a_runbook_nothing_has(given: str, says: str) -> None:
    with pytest.raises(NotFound) as raised:
        find_runbook(given, CORPUS, today=TODAY)
    assert says in str(raised.value)


def test_a_runbook_that_does_not_follow_the_file_name_convention(tmp_path: Path) -> None:
    for name in ("every-step-type", "sub-procedure", "contacts"):
        shutil.copy(CORPUS / f"{name}.yaml", tmp_path / f"other-{name}.yaml")
    runbook, library = find_runbook("every-step-type", tmp_path, today=TODAY)
    assert runbook is not None and "sub-procedure" in library.all_runbooks()


def test_a_scenario_nothing_has(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    shutil.copy(SCENARIOS / "alles-werkt.yaml", tmp_path / "scenarios" / "x.yaml")
    with pytest.raises(NotFound) as raised:
        find_scenario("alles-werk", tmp_path)
    assert "(available: alles-werkt) (did you mean 'alles-werkt'?)" in str(raised.value)
    with pytest.raises(NotFound, match="does not exist"):
        find_scenario("nergens.yaml", tmp_path)
    found, document, _ = find_scenario("alles-werkt", tmp_path)
    assert found is not None and document is not None and found.id == "alles-werkt"


def test_no_folder_no_runbooks(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"\(available: none\)"):
        find_runbook("every-step-type", tmp_path, today=TODAY)
    with pytest.raises(NotFound, match=r"\(available: none\)"):
        find_scenario("alles-werkt", tmp_path)


# --- the commands: every one that takes a RUNBOOK or SCENARIO says it the same way ------------

COMMANDS = [
    ["start", "{}", "--operator", "X"],
    ["graph", "{}"],
    ["print", "{}"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("every-step-typ", "did you mean 'every-step-type'?"),
        ("nergens.yaml", "nergens.yaml does not exist"),
    ],
)
def test_every_command_refuses_a_runbook_nothing_has_with_exit_2(
    run_cli: RunCli, command: list[str], given: str, says: str
) -> None:
    args = [part.format(given) for part in command]
    result = run_cli([*args, "--runbooks", str(CORPUS)])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert result.output.count("\n") == 1  # one line


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("alles-werk", "did you mean 'alles-werkt'?"),
        ("nergens.yaml", "nergens.yaml does not exist"),
    ],
)
def test_exercise_refuses_a_scenario_nothing_has_with_exit_2(
    run_cli: RunCli, tmp_path: Path, given: str, says: str
) -> None:
    folder = tmp_path / "runbooks"
    (folder / "scenarios").mkdir(parents=True)
    for name in ("every-step-type", "sub-procedure", "contacts"):
        shutil.copy(CORPUS / f"{name}.yaml", folder / f"{name}.yaml")
    shutil.copy(SCENARIOS / "alles-werkt.yaml", folder / "scenarios" / "alles-werkt.yaml")
    result = run_cli(["exercise", given, "--runbooks", str(folder), "--operator", "X"])
    assert result.exit_code == 2, result.output
    assert says in result.output


# --- suggestions and calls ---------------------------------------------------------------------


def test_did_you_mean() -> None:
    assert did_you_mean("eidne", ["einde", "start"]) == " (did you mean 'einde'?)"
    assert did_you_mean("xyz", ["einde", "start"]) == ""
    assert did_you_mean("x", []) == ""


def _runbook(name: str) -> Runbook:
    document, _ = read_document(CORPUS / f"{name}.yaml")
    assert document is not None
    return build_runbook(document)


def test_calls_and_what_they_need() -> None:
    top, sub = _runbook("every-step-type"), _runbook("sub-procedure")
    assert calls(top) == ("sub-procedure",)
    assert calls(sub) == ()
    needed = called_runbooks(top, {"sub-procedure": sub})
    assert list(needed) == ["every-step-type", "sub-procedure"]
    with pytest.raises(MissingCall) as raised:
        called_runbooks(top, {})
    assert (raised.value.caller, raised.value.callee) == ("every-step-type", "sub-procedure")
