"""Contacts: routes besides phone numbers, proposals, and the shipped registry's second routes.

A KPN or police-telephony outage takes a contact's usual line with it (24 June 2019; September
2020), so the registry can hold numbers of other kinds (another mobile network, satellite, the
NCV) and routes that are not numbers (a C2000 talk group, a runner, e-mail, LCMS).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from draaiboek.load.build import build_contacts
from draaiboek.load.documents import read_document
from draaiboek.load.library import load_library
from draaiboek.load.schemacheck import _quick_check
from draaiboek.model.runbook import NUMBER_KINDS, ROUTE_KINDS, Runbook

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "contacts.schema.json").read_text(encoding="utf-8"))
SHIPPED = ROOT / "runbooks"
TODAY = date(2026, 11, 23)

REGISTRY = """\
format: draaiboek-contacts/1
languages: [nl, en]
contacts:
  oud:
    name: {nl: "Alleen een nummer", en: "Only a number"}
    numbers:
      - {label: {nl: Lijn, en: Line}, number: "+31 00 000 0000", example: true}
  nieuw:
    name: {nl: "Met routes", en: "With routes"}
    proposal: true
    numbers:
      - {label: {nl: Lijn, en: Line}, number: "+31 00 000 0001"}
      - label: {nl: "Satelliet", en: "Satellite"}
        number: "+870 000 000 000"
        kind: satellite
        proposal: true
        note: {nl: "Werkt zonder KPN", en: "Works without KPN"}
    routes:
      - {kind: c2000-talkgroup, label: {nl: Gespreksgroep, en: Talk group}, value: "LMS-1"}
      - {kind: runner, label: {nl: Loper, en: Runner}, value: "Hoofdingang", example: true}
  zonder-nummer:
    name: {nl: "Alleen een gespreksgroep", en: "Only a talk group"}
    routes:
      - {kind: c2000-talkgroup, label: {nl: Gespreksgroep, en: Talk group}, value: "GHOR-1"}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contacts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_schema_lists_the_kinds_the_model_knows() -> None:
    defs = SCHEMA["$defs"]
    assert tuple(defs["number"]["properties"]["kind"]["enum"]) == NUMBER_KINDS
    assert tuple(defs["route"]["properties"]["kind"]["enum"]) == ROUTE_KINDS


def test_numbers_routes_and_proposals_are_built(tmp_path: Path) -> None:
    document, findings = read_document(_write(tmp_path, REGISTRY))
    assert document is not None and findings == []
    library = load_library([tmp_path], today=TODAY)
    assert library.findings == ()
    contacts = build_contacts(document)
    old = contacts["oud"]
    assert old.numbers[0].kind == "phone" and not old.numbers[0].proposal
    assert old.routes == () and not old.proposal and old.kinds() == {"phone"}
    new = contacts["nieuw"]
    assert new.proposal
    satellite = new.numbers[1]
    assert (satellite.kind, satellite.proposal) == ("satellite", True)
    assert satellite.note.get("en") == "Works without KPN"
    assert [(r.kind, r.value) for r in new.routes] == [
        ("c2000-talkgroup", "LMS-1"),
        ("runner", "Hoofdingang"),
    ]
    assert new.kinds() == {"phone", "satellite", "c2000-talkgroup", "runner"}
    assert not new.is_example(new.routes[0]) and new.is_example(new.routes[1])
    assert contacts["zonder-nummer"].numbers == ()


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("kind: satellite", "kind: fax", "bad-value"),
        ("kind: runner", "kind: duif", "bad-value"),
        ('value: "LMS-1"', 'value: ""', "empty-value"),
        ('number: "+870 000 000 000"', 'number: "bel de satelliet"', "bad-format"),
        ("    proposal: true\n", "    proposal: ja\n", "wrong-type"),
        ('value: "GHOR-1"}', 'value: "GHOR-1", frequentie: 3}', "unknown-key"),
    ],
)
def test_mistakes_in_routes_are_findings(tmp_path: Path, old: str, new: str, code: str) -> None:
    assert old in REGISTRY
    _write(tmp_path, REGISTRY.replace(old, new, 1))
    library = load_library([tmp_path], today=TODAY)
    assert code in {f.code for f in library.findings}, library.findings


def test_a_contact_needs_a_number_or_a_route(tmp_path: Path) -> None:
    text = REGISTRY.replace(
        "    routes:\n      - {kind: c2000-talkgroup, label: {nl: Gespreksgroep, en: Talk group}, "
        'value: "GHOR-1"}\n',
        "",
    )
    assert text != REGISTRY
    _write(tmp_path, text)
    library = load_library([tmp_path], today=TODAY)
    assert [f.code for f in library.findings] == ["missing-key"]
    assert "zonder-nummer" in library.findings[0].path


def test_the_independent_validator_agrees_on_routes() -> None:
    validator = Draft202012Validator(SCHEMA)
    base: dict[str, Any] = yaml.safe_load(REGISTRY)
    assert list(validator.iter_errors(base)) == []
    bad = copy.deepcopy(base)
    bad["contacts"]["nieuw"]["routes"][0]["kind"] = "satellite"  # a number kind, not a route
    assert list(validator.iter_errors(bad))


def test_the_shipped_registry_needs_no_jsonschema() -> None:
    # The quick check answers a valid file without importing jsonschema (start-up time of
    # `start`); the routes must not push the registry off that path.
    data = yaml.safe_load((SHIPPED / "contacts.yaml").read_text(encoding="utf-8"))
    assert _quick_check("draaiboek-contacts/1")(data)


def _critical_contacts(runbook: Runbook) -> set[str]:
    found: set[str] = set()
    for step in runbook.steps.values():
        if step.critical:
            found.update(step.contacts)
        for item in step.items:
            if item.critical:
                found.update(item.contacts)
    return found


def test_every_critical_shipped_contact_has_a_route_off_the_phone_network() -> None:
    library = load_library([SHIPPED], today=TODAY)
    assert library.errors == ()
    critical: set[str] = set()
    for runbook in library.runbooks.values():
        critical |= _critical_contacts(runbook)
    assert critical, "the shipped runbooks name critical contacts"
    # A number meant for the public is what gets published, not a desk to call.
    desks = {c for c in critical if library.contacts[c].role != "public-number"}
    lacking = sorted(c for c in desks if library.contacts[c].kinds() <= {"phone"})
    assert lacking == [], f"no second route besides the phone line: {lacking}"
    for contact in library.contacts.values():
        assert contact.example and all(contact.is_example(n) for n in contact.numbers)
        assert all(contact.is_example(r) for r in contact.routes)


def _invoke(args: list[str], home: Path, stdin: str = "") -> Any:
    from click.testing import Result
    from typer.testing import CliRunner

    import draaiboek.cli.main  # noqa: F401  (registers every command)
    from draaiboek.cli.app import app

    unset = ("DRAAIBOEK_RUNBOOKS", "DRAAIBOEK_LANG", "DRAAIBOEK_OPERATOR", "DRAAIBOEK_HOME")
    env = {name: None for name in unset} | {"COLUMNS": "100", "NO_COLOR": "1"}
    env["DRAAIBOEK_HOME"] = str(home)
    result: Result = CliRunner().invoke(app, args, input=stdin, env=env)
    return result


def test_the_printout_and_the_walk_show_the_second_route(tmp_path: Path) -> None:
    printed = _invoke(["print", "112-onbereikbaar", "--runbooks", str(SHIPPED)], tmp_path)
    assert printed.exit_code == 0, printed.output
    # the LMS's C2000 talk group and KPN's e-mail: routes that do not need the phone network
    assert "VOORBEELD-LMS-LANDELIJK" in printed.output
    assert "kpn-noc@example.org" in printed.output
    walked = _invoke(
        ["start", "112-onbereikbaar", "--runbooks", str(SHIPPED), "--operator", "Jan"],
        tmp_path,
        stdin="15:34\n",
    )
    # the test-call step names the LMS: its talk group shows beside its numbers
    assert "VOORBEELD-LMS-LANDELIJK" in walked.output, walked.output
    assert "kpn-noc@example.org" in walked.output
