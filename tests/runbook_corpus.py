"""The runbooks in tests/corpus/valid, loaded the way the engine gets them (shared by tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from draaiboek.load.build import build_runbook
from draaiboek.load.documents import read_document
from draaiboek.model.runbook import Runbook

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
TOP = "every-step-type"
SUB = "sub-procedure"
T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
# An answers file (`--answers`) that walks TOP, and the SUB it calls, to the end.
ANSWERS = """\
vaststellen: nergens
testbellen: done
lijst: {lms: done, ncc: {skipped: geen verbinding}}
starttijd: "12:30"
sub-procedure/melden: done
"""


def load(*names: str) -> dict[str, Runbook]:
    runbooks = {}
    for name in names:
        doc, findings = read_document(CORPUS / f"{name}.yaml")
        assert doc is not None, findings
        runbook = build_runbook(doc)
        runbooks[runbook.id] = runbook
    return runbooks
