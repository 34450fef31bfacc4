"""The report of a finished exercise on paper, as Chromium prints it to PDF and poppler reads
it back (pdf_print): the decisions, targets and score before the timeline, "page x of y" and
the last hash on every page, no row of raw JSON."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pdf_print import Pdf
from test_exercise_cli import STORING_2019, Run, exercise  # noqa: F401  (the fixture)

from draaiboek.model.catalogue import Messages
from draaiboek.services.incidents import find_incident
from draaiboek.services.report import build_report
from draaiboek.services.report_render import render
from draaiboek.services.report_score import add_score

SHIPPED = Path(__file__).resolve().parent.parent / "runbooks"


def test_the_report_of_a_finished_exercise_on_paper(
    exercise: Callable[..., Run],  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    run = exercise(
        ["storing-24-juni-2019", "--runbooks", str(SHIPPED), "--operator", "J. de Vries"],
        STORING_2019,
    )
    assert run.code == 0, run.output
    assert run.events[-1]["type"] == "closed"
    folder = find_incident(tmp_path / "home", run.events[0]["incident"])
    built = build_report(folder, lang="nl", now=max_at(run))
    add_score(built, folder)
    pdf = Pdf(render(built, "html"), tmp_path)
    t = Messages("nl")
    whole = " ".join(pdf.pages)
    order = [t("report.decisions"), t("report.targets"), t("score.title"), t("report.timeline")]
    where = [whole.find(heading) for heading in order]
    assert -1 not in where and where == sorted(where), dict(zip(order, where, strict=True))
    assert pdf.count > 1
    last_hash = str(built.last_hash)
    for number, text in enumerate(pdf.pages, 1):
        assert f"Blz. {number} van {pdf.count}" in text, number
        assert last_hash in text.replace(" ", ""), number
    assert not re.search(r'\{\s*"|"\s*:\s*"', whole)  # no row of raw JSON


def max_at(run: Run) -> datetime:
    return max(datetime.fromisoformat(e["at"]) for e in run.events)
