"""Tools an author runs beside draaiboek: the shipped .yamllint, and what `init` writes as
yamllint, check-jsonschema and draaiboek itself see it (the tools venv: conftest.py)."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from draaiboek.load.library import load_library
from draaiboek.services.schemafiles import KINDS, schema_text, write_schemas
from draaiboek.services.skeleton import InitError, init_runbook
from draaiboek.services.testrun import run_tests

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 3, 31)


def _yamllint(tools: Path, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    config = str(REPO / ".yamllint")
    return subprocess.run(
        [str(tools / "yamllint"), "-c", config, "-s", "-f", "parsable", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_repository_is_clean_under_its_yamllint(tools: Path) -> None:
    done = _yamllint(tools, ".")
    assert done.returncode == 0, done.stdout


def test_the_yamllint_settings_still_catch_mistakes(tools: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: draaiboek/1\nformat: x\nlabel: yes\n---\n", encoding="utf-8")
    done = _yamllint(tools, str(bad))
    rules = {line.rsplit("(", 1)[-1].rstrip(")") for line in done.stdout.splitlines()}
    assert {"key-duplicates", "truthy", "document-start"} <= rules


def _init(tmp_path: Path, runbook_id: str = "x") -> Path:
    init_runbook(runbook_id, tmp_path / "runbooks", tmp_path / "schemas", TODAY)
    return tmp_path


def test_what_init_writes_is_valid_strictly_and_fully_tested(tmp_path: Path) -> None:
    folder = _init(tmp_path) / "runbooks"
    library = load_library([folder], today=TODAY, strict=True)
    assert library.findings == ()
    assert sorted(library.runbooks) == ["x"]
    run = run_tests(library, min_coverage=100)
    assert run.ok and run.passed == 2 and run.failed == 0
    cover = run.coverage["x"]
    assert (cover.options_percent, cover.steps_percent) == (100.0, 100.0)


def test_what_init_writes_points_at_the_copied_schemas(tmp_path: Path) -> None:
    root = _init(tmp_path)
    for file, kind in (
        ("runbooks/x.yaml", "runbook"),
        ("runbooks/tests/x.test.yaml", "test"),
        ("runbooks/contacts.yaml", "contacts"),
    ):
        first = (root / file).read_text(encoding="utf-8").splitlines()[0]
        relative = first.removeprefix("# yaml-language-server: $schema=")
        assert relative != first and not Path(relative).is_absolute()
        schema = (root / file).parent / relative
        assert schema.resolve() == (root / "schemas" / f"{kind}.schema.json").resolve()
        assert schema.read_text(encoding="utf-8") == schema_text(kind)


def test_what_init_writes_is_clean_to_yamllint_and_check_jsonschema(
    tools: Path, tmp_path: Path
) -> None:
    root = _init(tmp_path)
    assert _yamllint(tools, "runbooks", cwd=root).stdout == ""
    for file, kind in (
        ("runbooks/x.yaml", "runbook"),
        ("runbooks/tests/x.test.yaml", "test"),
        ("runbooks/contacts.yaml", "contacts"),
    ):
        schema = f"schemas/{kind}.schema.json"
        done = subprocess.run(
            [str(tools / "check-jsonschema"), "--schemafile", schema, "-o", "json", file],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        assert json.loads(done.stdout)["status"] == "ok", done.stdout


def test_init_keeps_a_registry_that_is_there_and_refuses_to_overwrite(tmp_path: Path) -> None:
    root = _init(tmp_path)
    registry = root / "runbooks" / "contacts.yaml"
    registry.write_text("# mine\n" + registry.read_text(encoding="utf-8"), encoding="utf-8")
    written = init_runbook("y", root / "runbooks", root / "schemas", TODAY)
    states = {str(w.path.relative_to(root)): w.state for w in written}
    assert states["runbooks/contacts.yaml"] == "kept"
    assert states["runbooks/y.yaml"] == states["runbooks/tests/y.test.yaml"] == "written"
    assert states["schemas/runbook.schema.json"] == "unchanged"
    assert registry.read_text(encoding="utf-8").startswith("# mine\n")
    with pytest.raises(InitError, match="already exists") as refused:
        init_runbook("y", root / "runbooks", root / "schemas", TODAY)
    assert not refused.value.usage


@pytest.mark.parametrize("bad", ["X", "a_b", "-a", "a--b", "", "a" * 65])
def test_init_refuses_what_is_not_an_id(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InitError) as refused:
        init_runbook(bad, tmp_path / "runbooks", tmp_path / "schemas", TODAY)
    assert refused.value.usage
    assert not (tmp_path / "runbooks").exists()


def test_schemas_are_written_and_replaced_on_request(tmp_path: Path) -> None:
    written = write_schemas(tmp_path)
    assert [w.path.name for w in written] == list(KINDS.values())
    assert {w.state for w in written} == {"written"}
    (tmp_path / "test.schema.json").write_text("{}", encoding="utf-8")
    kept = {w.path.name: w.state for w in write_schemas(tmp_path, replace=False)}
    assert kept["test.schema.json"] == "kept" and kept["runbook.schema.json"] == "unchanged"
    again = {w.path.name: w.state for w in write_schemas(tmp_path)}
    assert again["test.schema.json"] == "written"
    assert (tmp_path / "test.schema.json").read_text(encoding="utf-8") == schema_text("test")
