"""The printed runbook as one A4 HTML file with its own page plan.

Chromium numbers pages in the margin (`counter(page)`) but cannot say on which page an element
lands (no `target-counter()`), and an index from step number to page is what lets a duty officer
follow "go to step 31" in the dark. So the pages are planned here: every piece has a height
(`print_blocks`, `print_steps`), pages are filled in order, and each planned page is one
`<div class="sheet">` that ends with a forced page break. The estimates are on the safe side
(the widest of the fonts the style sheet names), so a planned page never runs over; a browser
with narrower fonts only leaves more white at the foot. The plan's page count is in
`<meta name="draaiboek-pages">`, so a test can hold the browser's PDF to it.

Page 1 is the phone list; page 2 starts with the index and the targets; then the steps, each
page headed by the step numbers on it; the sources at the end. The running head (runbook id,
version, sha256) and foot (title, "page x of y") are CSS margin boxes, on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from draaiboek.model.catalogue import Messages
from draaiboek.services import print_blocks as B
from draaiboek.services.page import css_string, esc
from draaiboek.services.printout import Printout


@dataclass
class _Page:
    parts: list[str | B.Piece] = field(default_factory=list)  # a piece: its HTML when done
    used: float = 0.0
    steps: list[int] = field(default_factory=list)  # the steps that start or go on here
    sections: list[str] = field(default_factory=list)  # the other parts on it, by title


_FRAME = 2 * (B.PAD_Y + B.BORDER) + B.GAP  # a step's frame and the space below it
_MIN_ROWS = 2  # checklist rows kept with the step's head, and taken to its continuation


class _Planner:
    """Fills pages in order; `room` is what is left on the current page."""

    def __init__(self) -> None:
        self.pages: list[_Page] = [_Page()]

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    @property
    def room(self) -> float:
        return B.HEIGHT - self.page.used

    def new_page(self) -> None:
        self.pages.append(_Page(used=B.GUIDE + 1.5))  # every page after the first has a guide

    def put(self, html: str | B.Piece, height: float) -> None:
        self.page.parts.append(html)
        self.page.used += height

    def block(self, piece: B.Piece) -> None:
        if piece.height > self.room and self.page.parts:
            self.new_page()
        self.put(piece, piece.height)

    def table(self, table: B.Table, label: str) -> None:
        if not table.rows:
            return
        first = table.rows[0].height + table.head.height + B.GAP
        title = table.title.height if table.title else 0.0
        if title + first > self.room and self.page.parts:
            self.new_page()
        if table.title:
            self.put(table.title.html, table.title.height)
        self.put(table.head.html, table.head.height)
        self.page.sections.append(label)
        for row in table.rows:
            if row.height + B.GAP > self.room:
                self.put("</table>", 0.0)
                self.new_page()
                self.put(table.head.html, table.head.height)
                self.page.sections.append(label)
            self.put(row, row.height)  # its HTML is read at the end (the index's pages)
        self.put("</table>", B.GAP)

    def step(self, box: B.StepBox) -> None:
        pieces = box.pieces
        whole = sum(p.height for p in pieces) + _FRAME
        if whole > self.room and self.page.parts and not self._may_split(box):
            self.new_page()
        self.put(f'<section class="step" id="step-{box.number}">', _FRAME)
        self.page.steps.append(box.number)
        for index, piece in enumerate(pieces):
            if index and piece.height > self.room and self._break_before(box, index):
                self.put("</section>", 0.0)
                self.new_page()
                self.put('<section class="step more">', _FRAME)
                self.put(box.more.html, box.more.height)
                if box.rows_head is not None and index >= box.rows_from:
                    self.put(box.rows_head.html, box.rows_head.height)
                self.page.steps.append(box.number)
            self.put(piece.html, piece.height)
        self.put("</section>", 0.0)

    def _may_split(self, box: B.StepBox) -> bool:
        """Whether a checklist that does not fit may start here and go on over the page: its
        head, text and first rows fit, and at least two rows are left for the next page."""
        if not box.rows_from or len(box.pieces) - box.rows_from < 2 * _MIN_ROWS:
            return self._taller_than_a_page(box)
        keep = box.pieces[: box.rows_from + _MIN_ROWS]
        return sum(p.height for p in keep) + _FRAME <= self.room

    def _break_before(self, box: B.StepBox, index: int) -> bool:
        if box.rows_from and index >= box.rows_from:
            return True
        return self._taller_than_a_page(box)

    @staticmethod
    def _taller_than_a_page(box: B.StepBox) -> bool:
        return sum(p.height for p in box.pieces) + _FRAME > B.HEIGHT - B.GUIDE - 1.5


def _guide(page: _Page, t: Messages) -> str:
    if not page.steps:
        return f'<div class="guide">{esc(" · ".join(dict.fromkeys(page.sections)))}</div>'
    low, high = min(page.steps), max(page.steps)
    text = t("print.step") + f" {low}" + (f"–{high}" if high != low else "")
    return f'<div class="guide">{esc(text)}</div>'


@dataclass(frozen=True)
class Plan:
    """The printout's pages: the HTML of each in order, the page each step starts on, and
    how much of each page's height (millimetres) the plan fills."""

    pages: list[str]
    steps: dict[int, int]
    used: list[float]


def plan(paper: Printout) -> Plan:
    """Fill the pages in print order (see the module's docstring)."""
    t = Messages(paper.lang)
    planner = _Planner()
    planner.block(B.title_block(paper))
    phones = B.phone_table(paper)
    planner.table(phones, t("print.phone-list"))
    planner.new_page()
    planner.block(B.intro_block(paper))
    head, rows = B.index_rows(paper, None)
    index = B.Table("index", head, rows, B.heading(t("print.index"), "index"))
    planner.table(index, t("print.index"))
    targets = B.target_table(paper)
    if targets is not None:
        planner.table(targets, t("print.targets"))
    for view in paper.steps:
        planner.step(B.step_box(view, paper))
    sources = B.source_table(paper)
    if sources is not None:
        planner.table(sources, t("print.all-sources"))
    facts = B.facts_line(paper)
    if facts is not None:
        planner.block(facts)
    pages: dict[int, int] = {}
    for number, page in enumerate(planner.pages, start=1):
        for step in page.steps:
            pages.setdefault(step, number)
    # The index's rows again, now with the pages: the page column has a fixed width, so the
    # rows keep the height they were planned with.
    _, final = B.index_rows(paper, pages)
    for row, done in zip(rows, final, strict=True):
        row.html = done.html
    html = []
    for number, page in enumerate(planner.pages, start=1):
        guide = _guide(page, t) if number > 1 else ""
        html.append(guide + "".join(p if isinstance(p, str) else p.html for p in page.parts))
    return Plan(html, pages, [page.used for page in planner.pages])


def css(paper: Printout) -> str:
    """The style sheet: every size from `print_blocks`, the margin boxes with this runbook."""
    t = Messages(paper.lang)
    b = B
    mm = "mm"  # kept apart, so that "{b.WRITE}{mm}" reads as one length
    foot = css_string(paper.title)
    return f"""
@page {{ size: A4; margin: 13mm 12mm 12mm;
  @top-left {{ content: {css_string(paper.seal)}; font: 6.5pt "DejaVu Sans Mono", monospace;
    vertical-align: bottom; padding-bottom: 2mm; }}
  @bottom-left {{ content: {foot}; font: 7.5pt "DejaVu Sans", Arial, sans-serif;
    vertical-align: top; padding-top: 2mm; }}
  @bottom-right {{ content: {css_string(t("print.page") + " ")} counter(page)
    {css_string(" " + t("print.of") + " ")} counter(pages);
    font: bold 8.5pt "DejaVu Sans", Arial, sans-serif; vertical-align: top; padding-top: 2mm; }}
}}
* {{ box-sizing: border-box; }}
html {{ font-family: "DejaVu Sans", Arial, Helvetica, "Liberation Sans", sans-serif;
  font-size: {b.TEXT_PT}pt; line-height: {b.LEADING}; color: #000; }}
body {{ margin: 0; }}
p, div, h1, h2, table {{ margin: 0; padding: 0; }}
.sheet {{ break-after: page; }} .sheet:last-child {{ break-after: auto; }}
.guide {{ height: {b.GUIDE}{mm}; margin-bottom: 1.5mm; border-bottom: 0.6mm solid #000;
  text-align: right; font-weight: bold; font-size: 10pt; line-height: {b.GUIDE - 1}{mm}; }}
h1 {{ font-size: {b.H1_PT}pt; line-height: 1.2; padding-bottom: 1mm; }}
h2 {{ font-size: {b.H2_PT}pt; line-height: 1.2; padding: 1.8mm 0 1.2mm;
  border-bottom: {b.RULE}{mm} solid #000; margin-bottom: 0; break-after: avoid; }}
.intro, .facts {{ font-size: {b.SMALL_PT}pt; }}
.intro {{ padding-bottom: 1.5mm; }}
.base {{ font-size: {b.TABLE_PT}pt; line-height: {b.TABLE_LEADING}; padding-bottom: 1mm; }}
.legend {{ font-size: {b.TABLE_PT}pt; line-height: {b.TABLE_LEADING}; font-weight: bold;
  border: 0.5mm dashed #000; padding: 0.5mm 1.5mm;
  margin: 1mm 0 1.2mm; }}
tr.write-row td {{ height: {b.WRITE + 2 * b.CELL_Y}{mm}; }}
tr.write-row td:last-child {{ vertical-align: bottom; }}
.fills {{ display: flex; gap: 4mm; height: {b.WRITE}{mm}; align-items: flex-end;
  font-size: {b.SMALL_PT}pt; margin-bottom: 1.5mm; white-space: nowrap; }}
.fill {{ flex: 1; display: flex; align-items: flex-end; }}
.fill .line {{ flex: 1; }}
.line {{ display: inline-block; border-bottom: 0.3mm solid #000; height: 1em; min-width: 8mm;
  margin-left: 1mm; vertical-align: baseline; }}
.line.short {{ width: 16mm; }}
.box {{ display: inline-block; width: {b.BOX}{mm}; height: {b.BOX}{mm};
  border: 0.35mm solid #000; margin-right: 1.2mm; vertical-align: -0.4mm; flex: none; }}
.crit {{ font-size: {b.SMALL_PT}pt; font-weight: bold; border: 0.5mm solid #000;
  padding: 0 0.8mm; letter-spacing: 0.05em; white-space: nowrap; }}
.crit::before {{ content: "▲ "; }}
.flag {{ font-size: 6pt; font-weight: bold; border: 0.4mm dashed #000; padding: 0 0.5mm;
  white-space: nowrap; }}
table.grid {{ width: {b.WIDTH}{mm}; table-layout: fixed; border-collapse: collapse;
  font-size: {b.TABLE_PT}pt; line-height: {b.TABLE_LEADING}; margin-bottom: {b.GAP}{mm}; }}
table.grid th, table.grid td {{ padding: {b.CELL_Y}{mm} {b.CELL_X}{mm}; text-align: left;
  vertical-align: top; border-bottom: {b.RULE}{mm} solid #000; overflow-wrap: anywhere; }}
table.grid th {{ font-weight: bold; }}
table.phones td.number {{ font-family: "DejaVu Sans Mono", monospace; white-space: nowrap;
  overflow-wrap: normal; font-weight: bold; }}
table.phones td.route {{ font-family: "DejaVu Sans Mono", monospace; }}
table.phones td.who {{ border-right: {b.RULE}{mm} solid #000; }}
.org {{ font-weight: normal; }}
table.index td.no, table.index td.pg {{ font-weight: bold; white-space: nowrap; }}
table.index td.pg {{ text-align: right; }}
table.index td:nth-child(3) {{ border-right: {b.RULE}{mm} solid #000; }}
tr.rounds td {{ height: {b.WRITE}{mm}; white-space: nowrap; }}
.round {{ display: inline-block; width: 14.8mm; }}
.url {{ font-family: "DejaVu Sans Mono", monospace; }}
section.step {{ border: {b.BORDER}{mm} solid #000; padding: {b.PAD_Y}{mm} {b.PAD_X}{mm};
  margin-bottom: {b.GAP}{mm}; break-inside: avoid; }}
section.step.more {{ border-top-style: dashed; }}
.sh {{ display: flex; align-items: flex-start; font-size: {b.HEAD_PT}pt; font-weight: bold;
  margin-bottom: 0.6mm; }}
.sh .title {{ flex: 1; }}
.sh .at {{ flex: none; width: 32mm; text-align: right; font-size: {b.SMALL_PT}pt;
  font-weight: normal; white-space: nowrap; padding-top: 2mm; }}
.no {{ display: inline-block; border: 0.5mm solid #000; padding: 0 1mm; }}
.facts {{ padding-bottom: 0.4mm; }}
p.text {{ padding-bottom: 0.8mm; overflow-wrap: anywhere; }}
.call {{ font-size: {b.SMALL_PT}pt; padding-bottom: 0.6mm; }}
.opt {{ padding: 0 0 0.8mm {b.BOX + 1.6}{mm}; text-indent: -{b.BOX + 1.6}{mm}; }}
.olabel {{ font-weight: bold; }}
.go, .then {{ font-weight: bold; white-space: nowrap; }}
.then {{ text-align: right; padding-bottom: 0.6mm; }}
.write {{ display: flex; align-items: flex-end; height: {b.WRITE}{mm}; gap: 3mm;
  font-size: {b.SMALL_PT}pt; white-space: nowrap; }}
.write.tall {{ height: auto; min-height: {b.WRITE}{mm}; white-space: normal; }}
.write .tick, .write .field {{ display: flex; align-items: flex-end; }}
.write .field.grow {{ flex: 1; }} .write .field.grow .line {{ flex: 1; }}
.write .go {{ margin-left: auto; }}
.item {{ display: flex; border-bottom: {b.RULE}{mm} solid #000;
  padding: {b.CELL_Y}{mm} 0; }}
.item.ihead {{ font-size: {b.SMALL_PT}pt; font-weight: bold; padding: 0; }}
.ilabel {{ flex: 1; padding-right: {2 * b.CELL_X}{mm}; overflow-wrap: anywhere; }}
.idetail {{ font-size: {b.SMALL_PT}pt; }}
.idone, .inot {{ flex: none; display: flex; align-items: flex-end; font-size: {b.SMALL_PT}pt;
  white-space: nowrap; min-height: {b.WRITE}{mm}; }}
.item.ihead .idone, .item.ihead .inot {{ min-height: 0; }}
.idone {{ width: 25mm; }} .inot {{ width: 46mm; }}
.idone .line, .inot .line {{ flex: 1; margin-right: 2mm; }}
.facts.end {{ padding-top: 2mm; }}
@media screen {{ body {{ max-width: {b.WIDTH}{mm}; margin: 4mm auto; }}
  .sheet {{ border-bottom: 1px dashed #999; padding-bottom: 4mm; margin-bottom: 4mm; }} }}
@media print {{ .seal {{ display: none; }} }}
.seal {{ font: 7pt "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }}
"""


def render_html(paper: Printout) -> str:
    """The printout as one self-contained A4 HTML document (no scripts, no external files)."""
    pages = plan(paper).pages
    sheets = "\n".join(f'<div class="sheet">{page}</div>' for page in pages)
    title = f"{paper.title} ({paper.runbook.id} {paper.runbook.version})"
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(paper.lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="draaiboek-pages" content="{len(pages)}">\n'
        f"<title>{esc(title)}</title>\n<style>{css(paper)}</style>\n</head>\n<body>\n"
        f'<div class="seal">{esc(paper.seal)}</div>\n{sheets}\n</body>\n</html>\n'
    )
