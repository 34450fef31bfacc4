"""`draaiboek test` as data: a run's JSON for machines and its JUnit XML for CI dashboards."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date
from pathlib import Path

from draaiboek.load.library import load_library
from draaiboek.services.junit import as_junit
from draaiboek.services.skeleton import init_runbook
from draaiboek.services.testrun import TestRun, run_tests

TODAY = date(2026, 3, 31)


def _run(tmp_path: Path, *, break_a_case: bool, min_coverage: float | None) -> TestRun:
    folder = tmp_path / "runbooks"
    init_runbook("x", folder, tmp_path / "schemas", TODAY)
    tests = folder / "tests" / "x.test.yaml"
    text = tests.read_text(encoding="utf-8")
    # Keep only the first case: the "geen-storing" option and its end go untested.
    text = text[: text.index('  - name: "geen storing"')]
    if break_a_case:
        text = text.replace("end: opgelost", "end: afgesloten")
    tests.write_text(text, encoding="utf-8")
    return run_tests(load_library([folder], today=TODAY), min_coverage)


def test_a_failed_case_and_a_coverage_drop_fail_the_run(tmp_path: Path) -> None:
    run = _run(tmp_path, break_a_case=True, min_coverage=100)
    assert not run.ok and (run.passed, run.failed) == (0, 1)
    assert run.below == ("x",)
    report = run.as_dict()
    assert set(report) == {"ok", "passed", "failed", "min_coverage", "files", "coverage", "errors"}
    [file] = report["files"]
    assert file["file"].endswith("x.test.yaml") and file["runbook"] == "x"
    [case] = file["cases"]
    assert case["passed"] is False and case["problems"]
    cover = report["coverage"]["x"]
    assert (cover["options_hit"], cover["options_total"], cover["below_min_coverage"]) == (
        1,
        2,
        True,
    )
    assert "x/vaststellen:geen-storing" in cover["not_reached"]


def test_junit_has_a_failure_for_each_reason_to_fail(tmp_path: Path) -> None:
    run = _run(tmp_path, break_a_case=True, min_coverage=100)
    top = ElementTree.fromstring(as_junit(run))
    assert top.tag == "testsuites"
    assert (top.get("tests"), top.get("failures")) == ("2", "2")
    cases = {case.get("name"): case for case in top.iter("testcase")}
    assert set(cases) == {"storing gemeld en opgelost", "coverage x"}
    failed = cases["storing gemeld en opgelost"].find("failure")
    assert failed is not None and "afgesloten" in str(failed.get("message"))
    assert cases["coverage x"].find("failure") is not None
    suites = {suite.get("name"): suite for suite in top.iter("testsuite")}
    assert suites["x"].get("file", "").endswith("x.test.yaml")


def test_junit_of_a_passing_run_has_no_failure(tmp_path: Path) -> None:
    run = _run(tmp_path, break_a_case=False, min_coverage=None)
    assert run.ok and run.below == ()
    top = ElementTree.fromstring(as_junit(run))
    assert top.get("failures") == "0" and top.find(".//failure") is None
    out = top.find(".//system-out")
    assert out is not None and "not reached: x/vaststellen:geen-storing" in str(out.text)
