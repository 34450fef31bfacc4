"""A test run as JUnit XML (`draaiboek test --junit FILE`), the report CI dashboards read
(GitHub test reporters, GitLab, Jenkins): one test suite per test file, one test case per case;
a runbook below `--min-coverage` and every error in the files are failing cases of their own,
so that what makes the command exit 1 shows in the dashboard too."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from draaiboek.services.testrun import TestRun


def as_junit(run: TestRun) -> str:
    """The XML document (UTF-8 declared), `<testsuites>` at the top."""
    top = ElementTree.Element("testsuites", name="draaiboek test")
    for file_run in run.files:
        suite = _suite(top, file_run.runbook, file_run.file)
        if file_run.missing:
            case = _case(suite, file_run.runbook, "runbook", file_run.file)
            _fail(case, f"runbook {file_run.runbook!r} not found", "missing-runbook")
        for result in file_run.results:
            case = _case(suite, file_run.runbook, result.name, file_run.file)
            if not result.passed:
                _fail(case, "; ".join(result.problems), "path-test")
    if run.coverage:
        suite = _suite(top, "coverage", None)
        for runbook_id, cover in run.coverage.items():
            case = _case(suite, runbook_id, f"coverage {runbook_id}", None)
            missed = [*cover.missed_options, *cover.missed_steps]
            summary = (
                f"options {cover.options_hit}/{cover.options_total} "
                f"({cover.options_percent:.0f}%), steps {cover.steps_hit}/{cover.steps_total} "
                f"({cover.steps_percent:.0f}%)"
            )
            ElementTree.SubElement(case, "system-out").text = summary + (
                "; not reached: " + ", ".join(missed) if missed else ""
            )
            if runbook_id in run.below:
                _fail(case, f"{summary}: below --min-coverage {run.min_coverage:g}%", "coverage")
    if run.errors:
        suite = _suite(top, "validate", None)
        for finding in run.errors:
            name = f"{finding.file}:{finding.line}:{finding.column}"
            case = _case(suite, "validate", name, finding.file)
            _fail(case, f"{finding.message} [{finding.code}]", finding.code)
    for element in (top, *top):
        cases = element.iter("testcase")
        counted = [case.find("failure") is not None for case in cases]
        element.set("tests", str(len(counted)))
        element.set("failures", str(sum(counted)))
        element.set("errors", "0")
    ElementTree.indent(top)
    return ElementTree.tostring(top, encoding="unicode", xml_declaration=True) + "\n"


def _suite(top: ElementTree.Element, name: str, file: str | None) -> ElementTree.Element:
    suite = ElementTree.SubElement(top, "testsuite", name=name)
    if file is not None:
        suite.set("file", file)
    return suite


def _case(
    suite: ElementTree.Element, classname: str, name: str, file: str | None
) -> ElementTree.Element:
    case = ElementTree.SubElement(suite, "testcase", classname=classname, name=name)
    if file is not None:
        case.set("file", file)
    return case


def _fail(case: ElementTree.Element, message: str, kind: str) -> None:
    ElementTree.SubElement(case, "failure", message=message, type=kind).text = message
