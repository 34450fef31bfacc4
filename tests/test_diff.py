"""Diff between two versions of a runbook, and the version rule."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_run import runner  # settings from the developer's shell cleared

import draaiboek.cli.author  # noqa: F401  (registers the commands)
from draaiboek.cli.app import app
from draaiboek.services import diff

CORPUS = Path(__file__).parent / "corpus" / "valid"
BASE = (CORPUS / "every-step-type.yaml").read_text(encoding="utf-8")

NCC_ITEM = '      - {id: ncc, label: {nl: "NCC geïnformeerd", en: "NCC informed"}}\n'
OVERAL = (
    '      - {id: overal, label: {nl: "Vanuit alle netwerken", en: "From every network"}, '
    "next: klaar}\n"
)
THIRD = (
    '      - {id: deels, label: {nl: "Vanuit sommige netwerken", en: "From some networks"}, '
    "next: testbellen}\n"
)
NEW_STEP = """  extra:
    type: action
    title: {nl: "Extra stap", en: "Extra step"}
    next: klaar
"""
Swap = tuple[str, str]


def text_of(*swaps: Swap, version: str = "1.2.0") -> str:
    text = BASE
    for old, new in (*swaps, ("version: 1.2.0", f"version: {version}")):
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# (name, swaps for the old file, swaps for the new file, kinds expected, raise required)
CASES: list[tuple[str, tuple[Swap, ...], tuple[Swap, ...], set[str], str]] = [
    ("nothing", (), (), set(), "none"),
    (
        "step title",
        (),
        (("Is 112 bereikbaar?", "Is 112 nog bereikbaar?"),),
        {"text-changed"},
        "patch",
    ),
    (
        "step text added",
        (),
        (
            (
                "    role: caco\n    sources: [S1]",
                "    role: caco\n    text: Bel vanaf twee netwerken.\n    sources: [S1]",
            ),
        ),
        {"text-changed"},
        "patch",
    ),
    (
        "option label",
        (),
        (("Vanuit alle netwerken", "Vanaf alle netwerken"),),
        {"text-changed"},
        "patch",
    ),
    ("item label", (), (("LMS geïnformeerd", "LMS gebeld"),), {"text-changed"}, "patch"),
    ("metadata", (), (("owner: draaiboek tests", "owner: LMS"),), {"metadata-changed"}, "patch"),
    (
        "role renamed",
        (),
        (("caco: {nl: Calamiteitencoördinator,", "caco: {nl: CaCo,"),),
        {"metadata-changed"},
        "patch",
    ),
    (
        "step added",
        (),
        (
            (OVERAL, OVERAL + "      - {id: extra, label: Extra, next: extra}\n"),
            ("  klaar:\n", NEW_STEP + "  klaar:\n"),
        ),
        {"step-added", "option-added"},
        "minor",
    ),
    ("option added", (), ((OVERAL, OVERAL + THIRD),), {"option-added"}, "minor"),
    ("item added", ((NCC_ITEM, ""),), (), {"item-added"}, "minor"),
    ("deadline", (), (("due: PT15M", "due: PT10M"),), {"field-changed"}, "minor"),
    (
        "item deadline",
        (),
        (("critical: true, due: PT10M", "critical: true, due: PT5M"),),
        {"field-changed"},
        "minor",
    ),
    ("critical", (), (("    critical: true\n", ""),), {"field-changed"}, "minor"),
    ("value schema", (), (('pattern: "^[0-2]', 'pattern: "^[0-1]'),), {"field-changed"}, "minor"),
    (
        "options reordered",
        (),
        ((OVERAL, ""), ("      - {id: nergens", OVERAL.rstrip("\n") + "\n      - {id: nergens")),
        {"order-changed"},
        "minor",
    ),
    ("option removed", ((OVERAL, OVERAL + THIRD),), (), {"option-removed"}, "major"),
    ("item removed", (), ((NCC_ITEM, ""),), {"item-removed"}, "major"),
    ("edge retargeted", (), (("next: testbellen}", "next: lijst}"),), {"next-changed"}, "major"),
    ("next retargeted", (), (("next: starttijd", "next: nlalert"),), {"next-changed"}, "major"),
    (
        "start changed",
        (),
        (("start: vaststellen", "start: testbellen"),),
        {"start-changed"},
        "major",
    ),
    (
        "step removed",
        (
            (OVERAL, OVERAL + "      - {id: extra, label: Extra, next: extra}\n"),
            ("  klaar:\n", NEW_STEP + "  klaar:\n"),
        ),
        (),
        {"step-removed", "option-removed"},
        "major",
    ),
    (
        "type changed",
        (),
        (
            ("    type: input\n", "    type: action\n"),
            ('    value: {type: string, pattern: "^[0-2][0-9]:[0-5][0-9]$"}\n', ""),
        ),
        {"type-changed"},
        "major",
    ),
    (
        "sub-runbook swapped",
        (),
        (("runbook: sub-procedure", "runbook: other-procedure"),),
        {"runbook-changed"},
        "major",
    ),
    ("outcome", (), (("outcome: resolved", "outcome: escalated"),), {"outcome-changed"}, "major"),
]
RAISED = {"none": "1.2.0", "patch": "1.2.1", "minor": "1.3.0", "major": "2.0.0"}


@pytest.mark.parametrize(
    ("name", "old", "new", "kinds", "needed"), CASES, ids=[c[0] for c in CASES]
)
def test_every_kind_of_change_and_the_raise_it_needs(
    tmp_path: Path,
    name: str,
    old: tuple[Swap, ...],
    new: tuple[Swap, ...],
    kinds: set[str],
    needed: str,
) -> None:
    before = write(tmp_path, "old.yaml", text_of(*old))
    same = write(tmp_path, "same.yaml", text_of(*new))
    result = runner.invoke(app, ["diff", str(before), str(same), "--format", "json"])
    report = json.loads(result.stdout)
    assert {c["kind"] for c in report["changes"]} == kinds
    assert report["required_bump"] == needed
    assert report["actual_bump"] == "none"
    assert result.exit_code == (0 if needed == "none" else 1)
    assert report["ok"] is (needed == "none")
    if needed != "none":
        assert "not raised" in result.stderr and needed in result.stderr
    raised = write(tmp_path, "raised.yaml", text_of(*new, version=RAISED[needed]))
    result = runner.invoke(app, ["diff", str(before), str(raised)])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().splitlines()[-1].startswith("ok: ")


def test_json_has_fixed_keys(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", text_of())
    new = write(tmp_path, "new.yaml", text_of(("due: PT15M", "due: PT10M"), version="1.2.1"))
    result = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {
        "old_version",
        "new_version",
        "required_bump",
        "actual_bump",
        "ok",
        "changes",
    }
    assert report["changes"] == [
        {
            "kind": "field-changed",
            "step": "testbellen",
            "field": "due",
            "detail": "'PT15M' -> 'PT10M'",
        }
    ]
    assert (report["old_version"], report["new_version"]) == ("1.2.0", "1.2.1")
    assert (report["required_bump"], report["actual_bump"]) == ("minor", "patch")


def test_text_output_names_the_change_and_the_version_to_use(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", text_of())
    new = write(tmp_path, "new.yaml", text_of((NCC_ITEM, "")))
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 1
    assert "item-removed" in result.stdout and "lijst items.ncc" in result.stdout
    assert "FAIL: content changed but the version was not raised (1.2.0)" in result.stdout
    assert "major raise, to 2.0.0" in result.stdout


def test_a_raise_too_small_or_a_lower_version_fails(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", text_of())
    small = write(tmp_path, "small.yaml", text_of((NCC_ITEM, ""), version="1.3.0"))
    result = runner.invoke(app, ["diff", str(old), str(small)])
    assert result.exit_code == 1 and "raised too little" in result.stdout
    lower = write(tmp_path, "lower.yaml", text_of(version="1.1.9"))
    result = runner.invoke(app, ["diff", str(old), str(lower)])
    assert result.exit_code == 1 and "went down" in result.stdout
    bigger = write(tmp_path, "bigger.yaml", text_of(("Afgerond", "Klaar"), version="2.0.0"))
    assert runner.invoke(app, ["diff", str(old), str(bigger)]).exit_code == 0


@pytest.mark.parametrize(
    ("old", "new", "bump"),
    [
        ("1.2.0", "1.2.0", "none"),
        ("1.2.0", "1.2.1", "patch"),
        ("1.2.0", "1.3.0", "minor"),
        ("1.2.9", "2.0.0", "major"),
        ("1.2.0", "1.1.9", "lower"),
        ("2.0.0", "1.9.9", "lower"),
        ("1.0.0-rc.1", "1.0.0-rc.2", "patch"),
        ("1.0.0-rc.2", "1.0.0", "patch"),
        ("1.0.0", "1.0.0-rc.1", "lower"),
        ("1.0.0-rc.10", "1.0.0-rc.9", "lower"),
        ("1.0.0-rc.1", "1.0.0-rc.1", "none"),
        ("1.0.0-alpha", "1.0.0-alpha.1", "patch"),
    ],
)
def test_actual_bump(old: str, new: str, bump: str) -> None:
    assert diff.actual_bump(old, new) == bump


def test_different_runbooks_are_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["diff", str(CORPUS / "sub-procedure.yaml"), str(CORPUS / "every-step-type.yaml")]
    )
    assert result.exit_code == 1
    assert "different runbooks" in result.stderr and result.stdout == ""


def test_unreadable_or_invalid_files_give_one_line(tmp_path: Path) -> None:
    good = CORPUS / "every-step-type.yaml"
    bad = write(tmp_path, "bad.yaml", "format: draaiboek/1\nid: x\nsteps: [\n")
    invalid = write(tmp_path, "invalid.yaml", text_of(("type: input", "type: nonsense")))
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x00\xff\xfe")
    for path in (bad, invalid, binary, CORPUS / "contacts.yaml"):
        result = runner.invoke(app, ["diff", str(good), str(path)])
        assert result.exit_code == 1, (path, result.output)
        assert path.name in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output
    result = runner.invoke(app, ["diff", str(good), str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "missing.yaml" in result.stderr
    assert runner.invoke(app, ["diff", str(good), str(good), "--format", "xml"]).exit_code == 2


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=folder,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_rev_path_is_read_with_git_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _git(tmp_path, "init", "-q")
    write(tmp_path, "rb.yaml", text_of())
    _git(tmp_path, "add", "rb.yaml")
    _git(tmp_path, "commit", "-q", "-m", "v1.2.0")
    write(tmp_path, "rb.yaml", text_of(("start: vaststellen", "start: testbellen")))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["diff", "HEAD:rb.yaml", "rb.yaml", "--format", "json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["required_bump"] == "major"
    write(
        tmp_path, "rb.yaml", text_of(("start: vaststellen", "start: testbellen"), version="2.0.0")
    )
    assert runner.invoke(app, ["diff", "HEAD:rb.yaml", "rb.yaml"]).exit_code == 0
    result = runner.invoke(app, ["diff", "HEAD:nope.yaml", "rb.yaml"])
    assert result.exit_code == 1 and "HEAD:nope.yaml" in result.stderr
    result = runner.invoke(app, ["diff", "--output=x:rb.yaml", "rb.yaml"])
    assert result.exit_code == 2 and not (tmp_path / "x").exists()


LONG_NL = (
    "Bel de KPN NOC en vraag of het storingsnummer werkt; noteer het tijdstip van het gesprek "
    "en de naam van de medewerker die je hebt gesproken."
)


def _with_text(nl: str, en: str = "Call the KPN NOC.") -> Swap:
    return (
        "    role: caco\n    contacts: [kpn-noc]",
        f'    text: {{nl: "{nl}", en: "{en}"}}\n    role: caco\n    contacts: [kpn-noc]',
    )


def test_a_word_changed_deep_in_a_long_text_is_shown_as_that_word(tmp_path: Path) -> None:
    # A cut-off at 60 characters showed the same opening twice; the changed words must show.
    old = write(tmp_path, "old.yaml", text_of(_with_text(LONG_NL)))
    changed = LONG_NL.replace("medewerker", "collega")
    new = write(tmp_path, "new.yaml", text_of(_with_text(changed), version="1.2.1"))
    result = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    [change] = json.loads(result.stdout)["changes"]
    assert (change["kind"], change["field"]) == ("text-changed", "text")
    assert "[-medewerker-] {+collega+}" in change["detail"]
    assert change["detail"].startswith("nl: … ") and "Bel de KPN" not in change["detail"]


def test_each_changed_language_is_named_default_first(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", text_of(_with_text(LONG_NL, "Call the NOC now.")))
    new = write(
        tmp_path,
        "new.yaml",
        text_of(_with_text(LONG_NL + " Dank.", "Call the NOC at once."), version="1.2.1"),
    )
    [change] = diff.compare(diff.read_version(str(old)), diff.read_version(str(new))).changes
    assert change.detail == (
        "nl: … die je hebt gesproken. {+Dank.+}; en: Call the NOC [-now.-] {+at once.+}"
    )


def test_a_text_reflowed_without_a_changed_word_says_so(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", text_of(_with_text(LONG_NL)))
    new = write(
        tmp_path,
        "new.yaml",
        text_of(_with_text(LONG_NL.replace(" en de ", "  en de ")), version="1.2.1"),
    )
    [change] = diff.compare(diff.read_version(str(old)), diff.read_version(str(new))).changes
    assert change.detail == "only whitespace changed"


def test_word_change_keeps_context_and_marks_both_sides() -> None:
    from draaiboek.services.worddiff import word_change

    assert word_change("a b c", "a b c") == ""
    assert word_change("a  b\nc", "a b c") == ""  # a refold is no change of words
    assert word_change("a b c", "a x c") == "a [-b-] {+x+} c"
    words = " ".join(f"w{i}" for i in range(20))
    assert (
        word_change(words, words.replace("w10", "X"))
        == "… w6 w7 w8 w9 [-w10-] {+X+} w11 w12 w13 w14 …"
    )
