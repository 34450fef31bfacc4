"""A new runbook from a skeleton (`draaiboek init RUNBOOK-ID`): the runbook, its path tests and,
when the folder has none, a contacts registry, each with the modeline of its schema, copied
beside the runbooks (`services.schemafiles`). What is written validates (strictly) and its tests
pass with full coverage, so an author starts from green and changes one thing at a time.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from draaiboek.services.schemafiles import WriteError, Written, modeline, write_new, write_schemas

ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # the schemas' id pattern
CONTACT_ID = "voorbeeld-storingsdienst"


class InitError(Exception):
    """Nothing was written; the message is one line for the user. `usage`: the id is wrong."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def init_runbook(runbook_id: str, runbooks: Path, schemas: Path, today: date) -> list[Written]:
    """Write `<runbooks>/<id>.yaml`, `<runbooks>/tests/<id>.test.yaml`, a contacts registry
    `<runbooks>/contacts.yaml` when `runbooks` holds no `contacts*.yaml`, and the schemas into
    `schemas` where missing (a schema already there is kept). The runbook is a draft, to be
    reviewed a year from `today`. Raises InitError when the id is not an id (usage) or a file
    to write exists; WriteError when writing fails."""
    if len(runbook_id) > 64 or not ID.fullmatch(runbook_id):
        raise InitError(
            f"{runbook_id!r} is not a runbook id: lower case letters, digits and single dashes "
            "(at most 64), e.g. 112-onbereikbaar",
            usage=True,
        )
    runbook = runbooks / f"{runbook_id}.yaml"
    tests = runbooks / "tests" / f"{runbook_id}.test.yaml"
    for path in (runbook, tests):
        if path.exists():
            raise InitError(f"{path} already exists: choose another id, or edit that file")
    has_contacts = runbooks.is_dir() and any(runbooks.glob("contacts*.y*ml"))
    contacts = runbooks / "contacts.yaml"
    results = write_schemas(schemas, replace=False)
    files = [
        (runbook, "runbook", _runbook(runbook_id, _a_year_after(today))),
        (tests, "test", _tests(runbook_id)),
    ]
    if not has_contacts:
        files.append((contacts, "contacts", _CONTACTS))
    for path, kind, text in files:
        try:
            write_new(path, modeline(path, schemas / f"{kind}.schema.json") + text)
        except OSError as exc:
            raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
        results.append(Written(path, "written"))
    if has_contacts:
        results.append(Written(contacts, "kept"))
    return results


def _a_year_after(today: date) -> date:
    return date(today.year + 1, today.month, min(today.day, 28))


def _runbook(runbook_id: str, review_before: date) -> str:
    return f"""format: draaiboek/1
id: {runbook_id}
# Raise the version with every change: draaiboek diff says which raise a change needs.
version: 0.1.0
status: draft
title:
  nl: "Nieuw draaiboek {runbook_id}"
  en: "New runbook {runbook_id}"
description:
  nl: "Waarvoor dit draaiboek is en wanneer je het gebruikt."
  en: "What this runbook is for and when to use it."
# The first language is the default: every text is given in each language.
languages: [nl, en]
owner: "Naam van de organisatie"
review_before: {review_before.isoformat()}
roles:
  caco: {{nl: "Calamiteitencoördinator", en: "Emergency coordinator"}}
# The incident's clock starts at the first signal, recorded by this input step.
time_zero: eerste-signaal
start: eerste-signaal
steps:
  eerste-signaal:
    type: input
    title:
      nl: "Tijdstip van het eerste signaal vastleggen"
      en: "Record the time of the first signal"
    text:
      nl: "Lokale tijd, als UU:MM."
      en: "Local time, as HH:MM."
    role: caco
    value:
      type: string
      pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$"
    next: vaststellen
  vaststellen:
    type: decision
    title:
      nl: "Wat is er aan de hand?"
      en: "What is going on?"
    role: caco
    # Options are observed states, each leading to a step; their ids are stable.
    options:
      - id: storing
        label: {{nl: "Er is een storing", en: "There is an outage"}}
        next: melden
      - id: geen-storing
        label: {{nl: "Er is geen storing", en: "There is no outage"}}
        next: afgesloten
  melden:
    type: action
    title:
      nl: "Meld de storing"
      en: "Report the outage"
    role: caco
    contacts: [{CONTACT_ID}]
    due: PT15M
    next: opgelost
  opgelost:
    type: end
    title:
      nl: "Storing gemeld en opgelost"
      en: "Outage reported and resolved"
    role: caco
    outcome: resolved
  afgesloten:
    type: end
    title:
      nl: "Geen storing: afgesloten"
      en: "No outage: closed"
    role: caco
    outcome: aborted
"""


def _tests(runbook_id: str) -> str:
    return f"""format: draaiboek-test/1
runbook: {runbook_id}
# Together the cases choose every option and reach every step: draaiboek test reports coverage.
cases:
  - name: "storing gemeld en opgelost"
    answers:
      eerste-signaal: "09:30"
      vaststellen: storing
      melden: done
    expect:
      end: opgelost
      outcome: resolved
      visited: [melden]
  - name: "geen storing"
    answers:
      eerste-signaal: "09:30"
      vaststellen: geen-storing
    expect:
      end: afgesloten
      outcome: aborted
      not_visited: [melden]
"""


_CONTACTS = f"""format: draaiboek-contacts/1
languages: [nl, en]
contacts:
  # An example: replace it with a real contact and drop `example: true`. Give every contact a
  # second way to reach it that does not depend on the same network as its first number.
  {CONTACT_ID}:
    name: {{nl: "Storingsdienst (voorbeeld)", en: "Service desk (example)"}}
    organisation: "Voorbeeld"
    example: true
    numbers:
      - label: {{nl: "Storingslijn", en: "Fault line"}}
        number: "+31 00 000 0000"
        example: true
      - label: {{nl: "Mobiel, ander netwerk", en: "Mobile, other network"}}
        number: "+31 6 0000 0000"
        kind: mobile-other-network
        example: true
    routes:
      - kind: email
        label: {{nl: "E-mail", en: "E-mail"}}
        value: "storingsdienst@example.org"
        example: true
"""
