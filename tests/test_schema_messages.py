"""Schema findings point at the file: they quote a value as written when YAML read it as
something else, say how to fix it, and name the closest allowed key or value."""

from __future__ import annotations

from pathlib import Path

import pytest

from draaiboek.load.documents import read_document

VALID = Path(__file__).resolve().parent / "corpus" / "valid"
RUNBOOK = (VALID / "every-step-type.yaml").read_text(encoding="utf-8")
CONTACTS = (VALID / "contacts.yaml").read_text(encoding="utf-8")


def _messages(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    _, findings = read_document(path)
    return [(f.code, f.message) for f in findings]


@pytest.mark.parametrize(
    ("old", "new", "code", "message"),
    [
        pytest.param(
            "version: 1.2.0",
            "version: 1.10",
            "wrong-type",
            "1.10 is read as the number 1.1: put it in quotes, written as a version "
            "MAJOR.MINOR.PATCH such as 1.0.0",
            id="a version read as a number",
        ),
        pytest.param(
            "    due: PT15M",
            "    due: 15  # minutes",
            "wrong-type",
            "15 is read as the number 15: put it in quotes, written as an ISO 8601 duration "
            "such as PT15M or PT1H30M",
            id="a duration read as a number",
        ),
        pytest.param(
            "owner: draaiboek tests",
            "owner: 2026",
            "wrong-type",
            '2026 is read as the number 2026: put it in quotes ("2026")',
            id="a text read as a number",
        ),
        pytest.param(
            "owner: draaiboek tests",
            "owner: true",
            "wrong-type",
            'true is read as the truth value true: put it in quotes ("true")',
            id="a text read as true",
        ),
        pytest.param(
            "owner: draaiboek tests",
            "owner:",
            "wrong-type",
            "the value is empty: expected text",
            id="an empty value",
        ),
        pytest.param(
            "owner: draaiboek tests",
            "owner: ~",
            "wrong-type",
            "~ is read as nothing (null): expected text",
            id="a tilde",
        ),
        pytest.param(
            "languages: [nl, en]",
            "languages: nl",
            "wrong-type",
            "expected a list here, not the text 'nl': write [nl]",
            id="a list written as one value",
        ),
        pytest.param(
            "    next: lijst\n",
            "    nxet: lijst\n",
            "unknown-key",
            "unknown key 'nxet' (did you mean 'next'?)",
            id="a misspelt key",
        ),
        pytest.param(
            "    type: checklist",
            "    type: cheklist",
            "bad-value",
            "'cheklist' is not allowed here; expected decision, action, checklist, input, "
            "runbook, end (did you mean 'checklist'?)",
            id="a misspelt step type",
        ),
        pytest.param(
            "review_before: 2099-12-31",
            "review_before: 2099-02-30",
            "bad-date",
            "'2099-02-30' is not a date that exists (YYYY-MM-DD)",
            id="a day that does not exist",
        ),
        pytest.param(
            "review_before: 2099-12-31",
            "review_before: 2099-2-3",
            "bad-format",
            "'2099-2-3' does not have the expected form (a date as YYYY-MM-DD)",
            id="a date in another form: one finding, not two",
        ),
    ],
)
def test_a_runbook_finding_says_what_the_file_says(
    tmp_path: Path, old: str, new: str, code: str, message: str
) -> None:
    assert old in RUNBOOK
    found = _messages(tmp_path, RUNBOOK.replace(old, new, 1))
    assert (code, message) in found, found
    if code != "missing-key":
        assert len([f for f in found if f[0] != "missing-key"]) == 1, found


def test_a_phone_number_read_as_a_number_is_quoted_as_written(tmp_path: Path) -> None:
    text = CONTACTS.replace('number: "+31 00 000 0000"', "number: +31000000000", 1)
    assert text != CONTACTS
    assert _messages(tmp_path, text) == [
        (
            "wrong-type",
            '+31000000000 is read as the number 31000000000: put it in quotes ("+31000000000")',
        )
    ]


@pytest.mark.parametrize(
    ("old", "new", "code", "hint"),
    [
        pytest.param(
            "contacts: [kpn-noc]", "contacts: [kpn-nco]", "unknown-contact", "kpn-noc", id="contact"
        ),
        pytest.param("sources: [S1]", "sources: [S11]", "unknown-source", "S1", id="source"),
        pytest.param(
            'label: {nl: "NCC geïnformeerd", en: "NCC informed"}}',
            'label: {nl: "NCC geïnformeerd", en: "NCC informed"}, role: cacoo}',
            "unknown-role",
            "caco",
            id="role of an item",
        ),
        pytest.param(
            "runbook: sub-procedure",
            "runbook: sub-procedur",
            "unknown-runbook",
            "sub-procedure",
            id="sub-runbook",
        ),
    ],
)
def test_a_reference_to_nothing_names_the_closest_there_is(
    tmp_path: Path, old: str, new: str, code: str, hint: str
) -> None:
    from datetime import date

    from draaiboek.load.library import load_library

    assert old in RUNBOOK
    path = tmp_path / "every-step-type.yaml"
    path.write_text(RUNBOOK.replace(old, new, 1), encoding="utf-8")
    library = load_library([path], today=date(2026, 1, 1), context=[VALID])
    [finding] = library.errors
    assert finding.code == code
    assert finding.message.endswith(f" (did you mean {hint!r}?)"), finding.message
