"""The printout on paper, as Chromium prints it to PDF and poppler reads it back (pdf_print).

The quick reference plans its own pages (print_layout); here the browser's PDF is held to that
plan: exactly as many pages as planned, each step on the page the index gives, "page x of y" and
the runbook's sha256 on every page. The 112 quick reference: at most 14 pages, the phone list
(every number, unbroken) on page 1, the index on page 2 or earlier.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pdf_print import Pdf

from draaiboek.load.library import load_library
from draaiboek.model.catalogue import Messages
from draaiboek.services import print_layout, printout

SHIPPED = Path(__file__).resolve().parent.parent / "runbooks"


def _held_to_its_plan(paper: printout.Printout, pdf: Pdf) -> print_layout.Plan:
    """The browser's pages are the planned pages: as many, each step on the page the index
    gives, "page x of y" and the runbook's sha256 on every page."""
    planned = print_layout.plan(paper)
    assert pdf.count == len(planned.pages)
    for view in paper.steps:
        page = planned.steps[view.number]
        start = " ".join(view.title.split()[:3])
        assert re.search(rf"\b{view.number} {re.escape(start)}", pdf.pages[page - 1]), (
            view.number,
            page,
        )
    words = Messages(paper.lang)
    for number, text in enumerate(pdf.pages, 1):
        page_of = f"{words('print.page')} {number} {words('print.of')} {pdf.count}"
        assert page_of in text, number
        assert paper.runbook.sha256 in text.replace(" ", ""), number  # the seal
    return planned


def test_the_112_quick_reference_on_paper(tmp_path: Path) -> None:
    library = load_library([SHIPPED], today=date.today())
    runbook = library.runbooks["112-onbereikbaar"]
    paper = printout.build(runbook, library.contacts, "nl", library.all_runbooks())
    pdf = Pdf(print_layout.render_html(paper), tmp_path)
    assert pdf.count <= 14
    _held_to_its_plan(paper, pdf)
    t = Messages("nl")
    first = pdf.pages[0]
    assert t("print.phone-list") in first
    for contact_id in printout.contact_ids(runbook):
        for phone in library.contacts[contact_id].numbers:
            assert phone.number in first, phone.number  # on page 1, in one piece
    index_page = next(n for n, text in enumerate(pdf.pages, 1) if t("print.index") in text)
    assert index_page <= 2


@pytest.mark.parametrize(
    ("runbook_id", "lang", "full"),
    [
        ("112-onbereikbaar", "en", True),
        ("0900-8844-onbereikbaar", "nl", False),
    ],
)
def test_every_printout_lands_where_its_index_says(
    tmp_path: Path, runbook_id: str, lang: str, full: bool
) -> None:
    library = load_library([SHIPPED], today=date.today())
    paper = printout.build(
        library.runbooks[runbook_id], library.contacts, lang, library.all_runbooks(), full=full
    )
    _held_to_its_plan(paper, Pdf(print_layout.render_html(paper), tmp_path))
