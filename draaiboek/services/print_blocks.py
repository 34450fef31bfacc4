"""The pieces of the printed runbook as HTML, each with the height it takes on A4.

Every size is set here once and used twice: in the style sheet (`css()`) and in the height
estimate of each piece, so the page plan (`print_layout`) knows where each step lands. Sizes are
millimetres unless named `_PT` (points); a line is its font size times `LEADING`. Boxes have
padding and a bottom margin only, never a top margin, so that no margin collapses or is cut at a
page break. Marks that matter (KRITIEK, an example number) are set in bold with a border, so
they survive a printer without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from draaiboek.model.catalogue import Messages
from draaiboek.services.page import esc
from draaiboek.services.printout import ContactView, Printout, StepView, TargetView
from draaiboek.services.textfit import PT, Run, count_lines, count_runs

WIDTH = 186.0  # A4 less 12 mm left and right
HEIGHT = 272.0  # A4 less the top and bottom margins (with the running head and foot in them)
LEADING = 1.25
TEXT_PT = 8.5  # running text of a step
SMALL_PT = 7.5  # facts and details in a step
TABLE_PT = 7.0  # the phone list, index, targets and sources: many rows, short texts
TABLE_LEADING = 1.15
HEAD_PT = 9.5  # a step's title
H1_PT = 14.0
H2_PT = 10.5
BORDER = 0.35  # a step's frame (each side)
PAD_X = 2.0  # inside a step's frame, left and right
PAD_Y = 1.0  # inside a step's frame, top and bottom
GAP = 2.0  # below each step and each section
BOX = 3.0  # a tick box
WRITE = 6.5  # a row with lines to write on: room for handwriting
GUIDE = 6.0  # the "steps 12-17" bar at the top of a page
CELL_Y = 0.25  # a table cell's padding, top and bottom
CELL_X = 0.8  # a table cell's padding, left and right
RULE = 0.25  # a table row's bottom rule
SLACK = 0.3  # per row or line of boxes: what the browser rounds up


def line(size: float) -> float:
    """The height of one line of text at `size` points."""
    return size * LEADING * PT


def row_line() -> float:
    """The height of one line of text in a table (phone list, index, targets, sources)."""
    return TABLE_PT * TABLE_LEADING * PT


def row(lines: int) -> float:
    """The height of a table row of `lines` lines (a row has at least one)."""
    return max(lines, 1) * row_line() + 2 * CELL_Y + RULE + SLACK


@dataclass
class Piece:
    """A part of a page that is never split: its HTML and its height in millimetres."""

    html: str
    height: float


@dataclass
class Table:
    """A table that may run over pages: its header (repeated on each page) and its rows."""

    key: str
    head: Piece  # the <colgroup> and <thead>, with the table's opening tag
    rows: list[Piece]
    title: Piece | None = None  # a heading, kept with the first row


@dataclass
class StepBox:
    """A step: pieces inside one frame. It is split over pages only between the rows of a
    checklist (from piece `rows_from` on; 0: never), or when it is taller than a page."""

    number: int
    pieces: list[Piece]
    more: Piece  # the heading of its continuation on the next page
    rows_from: int = 0  # the first checklist row; a continuation repeats `rows_head` first
    rows_head: Piece | None = None

    @property
    def height(self) -> float:
        return sum(p.height for p in self.pieces) + 2 * (PAD_Y + BORDER) + GAP


@dataclass
class Flow:
    """Blocks in print order, and what the page plan needs to fill in afterwards."""

    first_page: list[Piece | Table] = field(default_factory=list)  # page 1: the phone list
    before_steps: list[Piece | Table] = field(default_factory=list)  # index, targets
    steps: list[StepBox] = field(default_factory=list)
    after_steps: list[Piece | Table] = field(default_factory=list)  # sources, facts


def badge_stand_in(label: str) -> str:
    """Text as wide as a bordered bold mark (KRITIEK) at least, for a line count: the mark is
    smaller type than the text around it, its border and padding are the two wide letters."""
    return label.upper() + "WW"


def _lines(text: str, room: float, size: float, bold: bool = False, first: float = 0.0) -> int:
    return count_lines(text, room, size, bold=bold, first=first)


def _text_block(css_class: str, text: str, room: float, size: float, bold: bool = False) -> Piece:
    height = _lines(text, room, size, bold) * line(size)
    return Piece(f'<div class="{css_class}">{esc(text)}</div>', height)


def heading(text: str, key: str = "") -> Piece:
    """A section heading (h2) across the page."""
    anchor = f' id="{esc(key)}"' if key else ""
    lines = _lines(text, WIDTH, H2_PT, bold=True)
    return Piece(f"<h2{anchor}>{esc(text)}</h2>", lines * line(H2_PT) + 1.8 + RULE + 1.2)


# --- page 1: the title and the phone list ----------------------------------------------------

_PHONE_COLUMNS = (66.0, 68.0, 36.0, 16.0)  # contact, line or route, number or route, flag


def title_block(paper: Printout) -> Piece:
    """The runbook's title and lines for the incident, date, officer and first signal."""
    t = Messages(paper.lang)
    h1 = _lines(paper.title, WIDTH, H1_PT, bold=True) * H1_PT * 1.2 * PT
    fields = "".join(
        f'<span class="fill">{esc(t(key))} <span class="line"></span></span>'
        for key in ("print.incident", "print.date", "print.officer", "print.first-signal")
    )
    html = f'<h1>{esc(paper.title)}</h1><div class="fills">{fields}</div>'
    return Piece(html, h1 + 1.0 + WRITE + 1.5)


def _head_row(html_class: str, widths: Sequence[float], names: Sequence[str]) -> Piece:
    """A table's opening tag, its column widths and its header row."""
    cols = "".join(f'<col style="width:{w}mm">' for w in widths)
    heads = "".join(f"<th>{esc(name)}</th>" for name in names)
    rows = max(
        _lines(n, w - 2 * CELL_X, TABLE_PT, bold=True) for n, w in zip(names, widths, strict=True)
    )
    return Piece(
        f'<table class="grid {html_class}"><colgroup>{cols}</colgroup>'
        f"<thead><tr>{heads}</tr></thead>",
        row(rows),
    )


def phone_table(paper: Printout) -> Table:
    """Every contact the runbook names, one number or route a row (a contact is never split
    over two pages), with the steps that name it; example numbers flagged."""
    t = Messages(paper.lang)
    names = [t(n) for n in ("print.contact", "print.what-for", "print.number", "print.flag")]
    head = _head_row("phones", _PHONE_COLUMNS, names)
    rows = [_contact_rows(contact, t) for contact in paper.contacts]
    title = heading(t("print.phone-list"), "phones")
    if any(w.example for c in paper.contacts for w in c.ways):
        note = t("print.example-legend")
        notice = Piece(
            f'<div class="legend">{esc(note)}</div>',
            _lines(note, WIDTH - 4, TABLE_PT, bold=True) * row_line() + 1.0 + 1.0 + 1.2,
        )
        title = Piece(title.html + notice.html, title.height + notice.height)
    return Table("phones", head, rows, title)


def _contact_rows(contact: ContactView, t: Messages) -> Piece:
    contact_w, label_w, value_w, _ = (w - 2 * CELL_X for w in _PHONE_COLUMNS)
    steps = t("print.in-steps", steps=", ".join(map(str, contact.steps))) if contact.steps else ""
    rest = " · ".join(part for part in (contact.organisation, steps) if part)
    name_lines = count_runs(
        [Run(contact.name, TABLE_PT, bold=True), Run(f" · {rest}" if rest else "", TABLE_PT)],
        contact_w,
    )
    name_cell = f"<strong>{esc(contact.name)}</strong>" + (
        f' <span class="org">· {esc(rest)}</span>' if rest else ""
    )
    ways = contact.ways
    html = []
    heights = []
    span = max(1, len(ways))
    first = f'<td rowspan="{span}" class="who">{name_cell}</td>'
    if not ways:
        html.append(f'<tr>{first}<td colspan="3"></td></tr>')
        heights.append(row(1))
    for index, way in enumerate(ways):
        flag = f'<span class="flag">{esc(t("print.example-short"))}</span>' if way.example else ""
        value_class = "route" if way.route else "number"
        html.append(
            "<tr>"
            + (first if index == 0 else "")
            + f'<td>{esc(way.label)}</td><td class="{value_class}">{esc(way.value)}</td>'
            + f'<td class="mark">{flag}</td></tr>'
        )
        value_lines = count_lines(way.value, value_w, TABLE_PT, mono=True) if way.route else 1
        heights.append(row(max(_lines(way.label, label_w, TABLE_PT), value_lines)))
    # A contact's rows are one piece: its name cell spans them, and grows them when it is
    # taller (the browser gives the extra height to the rows).
    height = max(sum(heights), row(name_lines) + (len(heights) - 1) * (RULE + SLACK))
    return Piece(f'<tbody class="contact">{"".join(html)}</tbody>', height)


# --- page 2: the index and the targets ---------------------------------------------------------

_INDEX_NUMBER = 9.0
_INDEX_PAGE = 9.0


def index_rows(paper: Printout, pages: dict[int, int] | None) -> tuple[Piece, list[Piece]]:
    """The index from step number to page, two entries a row (left half, right half of the
    steps, so it reads down the columns). `pages` is None while the plan is being made: the
    page column has a fixed width, so the numbers do not change the height."""
    t = Messages(paper.lang)
    half = (len(paper.steps) + 1) // 2
    left, right = paper.steps[:half], paper.steps[half:]
    column = WIDTH / 2
    title_w = column - _INDEX_NUMBER - _INDEX_PAGE
    rows = []
    for index, step in enumerate(left):
        pair = [step, right[index] if index < len(right) else None]
        cells, lines = [], 1
        for entry in pair:
            if entry is None:
                cells.append('<td class="no"></td><td></td><td class="pg"></td>')
                continue
            page = str(pages.get(entry.number, "")) if pages else "00"
            lines = max(lines, _lines(entry.title, title_w - 2 * CELL_X, TABLE_PT))
            cells.append(
                f'<td class="no">{entry.number}</td><td>{esc(entry.title)}</td>'
                f'<td class="pg">{esc(page)}</td>'
            )
        rows.append(Piece("<tr>" + "".join(cells) + "</tr>", row(lines)))
    names = [t("print.step"), t("print.title"), t("print.page")] * 2
    widths = [_INDEX_NUMBER, title_w, _INDEX_PAGE] * 2
    return _head_row("index", widths, names), rows


_TARGET_COLUMNS = (54.0, 92.0, 16.0, 24.0)  # when, what, steps, time met


def target_table(paper: Printout) -> Table | None:
    """The incident's targets: when (counted from the first signal), what, the steps that meet
    it, a line for the time it was met; a repeating target has boxes for its rounds."""
    if not paper.targets:
        return None
    t = Messages(paper.lang)
    names = [t(n) for n in ("print.when", "print.target", "print.steps", "print.field.time")]
    head = _head_row("targets", _TARGET_COLUMNS, names)
    rows = [_target_row(target, t) for target in paper.targets]
    title = heading(t("print.targets"), "targets")
    base = Piece(
        f'<div class="base">{esc(paper.time_base)}</div>',
        _lines(paper.time_base, WIDTH, TABLE_PT) * row_line() + 1.0,
    )
    return Table("targets", head, rows, Piece(title.html + base.html, title.height + base.height))


def _target_row(target: TargetView, t: Messages) -> Piece:
    when_w, what_w, steps_w, _ = (w - 2 * CELL_X for w in _TARGET_COLUMNS)
    crit = f' <span class="crit">{esc(t("print.critical"))}</span>' if target.critical else ""
    estimate = target.title + (" " + badge_stand_in(t("print.critical")) if crit else "")
    steps = ", ".join(map(str, target.steps))
    lines = max(
        _lines(target.when, when_w, TABLE_PT),
        _lines(estimate, what_w, TABLE_PT),
        _lines(steps, steps_w, TABLE_PT),
    )
    height = max(row(lines), WRITE + 2 * CELL_Y + RULE + SLACK)
    time_cell = "" if target.rounds else '<span class="line short"></span>'
    html = (
        f'<tr class="write-row"><td>{esc(target.when)}</td><td>{esc(target.title)}{crit}</td>'
        f"<td>{esc(steps)}</td><td>{time_cell}</td></tr>"
    )
    if target.rounds:
        # The first rounds to tick, T+ in minutes: as many as fit across the page.
        boxes = "".join(
            f'<span class="round"><span class="box"></span>T+{minutes}</span>'
            for minutes in target.rounds
        )
        html += f'<tr class="rounds"><td colspan="4">{boxes}</td></tr>'
        height += WRITE + 2 * CELL_Y + RULE + SLACK
    return Piece(html, height)


# --- the end: sources and the runbook's own facts ----------------------------------------------


def source_table(paper: Printout) -> Table | None:
    """The sources, once, at the end: id, title and address."""
    if not paper.sources:
        return None
    t = Messages(paper.lang)
    id_w, text_w = 10.0, WIDTH - 10.0
    head = Piece(
        f'<table class="grid sources"><colgroup><col style="width:{id_w}mm">'
        f'<col style="width:{text_w}mm"></colgroup>',
        0.0,
    )
    rows = []
    room = text_w - 2 * CELL_X
    for source_id, title, url in paper.sources:
        # The address follows the title, in a monospaced font.
        lines = count_runs(
            [Run(title, TABLE_PT), Run(f" — {url}" if url else "", TABLE_PT, mono=True)], room
        )
        link = f' — <span class="url">{esc(url)}</span>' if url else ""
        rows.append(
            Piece(
                f"<tr><td>{esc(source_id)}</td><td>{esc(title)}{link}</td></tr>",
                row(max(lines, _lines(source_id, id_w - 2 * CELL_X, TABLE_PT))),
            )
        )
    return Table("sources", head, rows, heading(t("print.all-sources"), "sources"))


def facts_line(paper: Printout) -> Piece | None:
    """The runbook's owner, status and review date, after the sources."""
    if not paper.facts:
        return None
    text = " · ".join(f"{label}: {value}" for label, value in paper.facts)
    return Piece(
        f'<div class="facts end">{esc(text)}</div>',
        _lines(text, WIDTH, SMALL_PT) * line(SMALL_PT) + 2.0,
    )


def intro_block(paper: Printout) -> Piece:
    """How to use the paper, above the index."""
    return Piece(
        f'<div class="intro">{esc(paper.intro)}</div>',
        _lines(paper.intro, WIDTH, SMALL_PT) * line(SMALL_PT) + 1.5,
    )


def step_box(view: StepView, paper: Printout) -> StepBox:
    """A step's frame and content (see `print_steps`)."""
    from draaiboek.services.print_steps import step_pieces

    return step_pieces(view, paper)
