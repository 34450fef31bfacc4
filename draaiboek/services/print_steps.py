"""A step on paper, as pieces of HTML with their heights (see `print_blocks` for the sizes).

A step is its head (number, title, KRITIEK, a line for the time where the step has no other),
a line of facts (kind, who, deadline, repeat), its text, whom to call (the numbers are on the
phone list), then what to tick: the options with "→ step N"; for an action "done, time" and
"not possible, reason, time"; for a checklist one row per item with the same two; for an input
a line for the value. Each of these is a piece, so a step taller than a page can be split.
"""

from __future__ import annotations

from draaiboek.model.catalogue import Messages
from draaiboek.services import print_blocks as B
from draaiboek.services.page import esc
from draaiboek.services.printout import Item, Option, Printout, StepView
from draaiboek.services.textfit import count_lines, width

ROOM = B.WIDTH - 2 * (B.PAD_X + B.BORDER)  # the width inside a step's frame
_NUMBER_PAD = 2.6  # the frame around a step's number, left and right together
_TIME_W = 32.0  # the "time ____" at the right of a step's head
_ITEM_DONE_W = 25.0  # a checklist item's "[] time ____" (the column is headed "done")
_ITEM_NOT_W = 46.0  # a checklist item's "[] reason ____" (headed "not possible")
_SPACE_AFTER_HEAD = 0.6


def _head(view: StepView, t: Messages, timed: bool, suffix: str = "") -> B.Piece:
    number = str(view.number)
    first = width(number, B.HEAD_PT, bold=True) + _NUMBER_PAD + width(" ", B.HEAD_PT)
    title = view.title + suffix
    room = ROOM - (_TIME_W if timed else 0.0)
    critical = ""
    estimate = title
    if view.critical and not suffix:
        critical = f' <span class="crit">{esc(t("print.critical"))}</span>'
        estimate += " " + B.badge_stand_in(t("print.critical"))
    lines = count_lines(estimate, room, B.HEAD_PT, bold=True, first=first)
    time = (
        f'<span class="at">{esc(t("print.field.time"))} <span class="line short"></span></span>'
        if timed
        else ""
    )
    html = (
        f'<div class="sh"><span class="title"><span class="no">{esc(number)}</span> '
        f"{esc(title)}{critical}</span>{time}</div>"
    )
    height = max(lines * B.line(B.HEAD_PT), B.WRITE if timed else 0.0) + _SPACE_AFTER_HEAD
    return B.Piece(html, height)


def _facts(view: StepView) -> B.Piece:
    parts = [view.kind] + [f"{label}: {value}" for label, value in view.facts]
    text = " · ".join(parts)
    lines = count_lines(text, ROOM, B.SMALL_PT)
    return B.Piece(f'<div class="facts">{esc(text)}</div>', lines * B.line(B.SMALL_PT) + 0.4)


def _para(text: str) -> B.Piece:
    lines = count_lines(text, ROOM, B.TEXT_PT)
    return B.Piece(f'<p class="text">{esc(text)}</p>', lines * B.line(B.TEXT_PT) + 0.8)


def _call(view: StepView, t: Messages, full: bool) -> B.Piece:
    label = t("print.call")
    names = "; ".join(view.contacts)
    tail = "" if full else f" ({t('print.numbers-on-page-1')})"
    text = f"{label}: {names}{tail}"
    lines = count_lines(text, ROOM, B.SMALL_PT, bold=True)
    html = (
        f'<div class="call"><strong>{esc(label)}:</strong> {esc(names)}'
        f'<span class="where">{esc(tail)}</span></div>'
    )
    return B.Piece(html, lines * B.line(B.SMALL_PT) + 0.6)


def _goto(number: int | None, t: Messages) -> str:
    return t("print.goto", n=number) if number is not None else "?"


def _option(option: Option, t: Messages) -> B.Piece:
    go = _goto(option.goto, t)
    text = option.label + (f" — {option.text}" if option.text else "")
    indent = B.BOX + 1.6
    estimate = text + " " + "→" + go.replace(" ", "\u00a0")
    lines = count_lines(estimate, ROOM - indent, B.TEXT_PT, bold=False)
    detail = f'<span class="otext"> — {esc(option.text)}</span>' if option.text else ""
    html = (
        f'<div class="opt"><span class="box"></span><span class="olabel">{esc(option.label)}'
        f'</span>{detail} <strong class="go">→ {esc(go)}</strong></div>'
    )
    # The label is bold: counted as bold, the estimate stays on the safe side.
    bold_lines = count_lines(estimate, ROOM - indent, B.TEXT_PT, bold=True)
    return B.Piece(html, max(lines, bold_lines) * B.line(B.TEXT_PT) + 0.8)


def _write_row(parts: list[tuple[str, str, float]], go: str = "") -> B.Piece | None:
    """A row with boxes and lines to write on. `parts` are (kind, label, line width): kind
    "box" (a tick box and its label), "line" (a label and a line of the given width, 0 = the
    rest of the row). Returns None when it would not fit on one row (the caller splits it)."""
    used = 0.0
    html = []
    for kind, label, line_w in parts:
        if kind == "box":
            used += B.BOX + 1.2 + width(label, B.SMALL_PT) + 3.0
            html.append(f'<span class="tick"><span class="box"></span>{esc(label)}</span>')
        else:
            used += width(label, B.SMALL_PT) + 1.0 + (line_w or 30.0) + 3.0
            style = f' style="width:{line_w}mm"' if line_w else ""
            grow = " grow" if not line_w else ""
            html.append(
                f'<span class="field{grow}">{esc(label)} <span class="line"{style}></span></span>'
            )
    if go:
        used += width("→ " + go, B.SMALL_PT, bold=True) + 2.0
        html.append(f'<strong class="go">→ {esc(go)}</strong>')
    if used > ROOM:
        return None
    return B.Piece(f'<div class="write">{"".join(html)}</div>', B.WRITE + B.SLACK)


def _rows(parts: list[tuple[str, str, float]], go: str = "") -> list[B.Piece]:
    """Write rows for `parts`: one if they fit, else one row per part (the last with `go`)."""
    row = _write_row(parts, go)
    if row is not None:
        return [row]
    pieces = []
    for index, part in enumerate(parts):
        single = _write_row([part], go if index == len(parts) - 1 else "")
        if single is None:  # a label too long for any row: let it wrap, and count it
            label = part[1]
            lines = count_lines(label, ROOM - 40.0, B.SMALL_PT) + 1
            single = B.Piece(
                f'<div class="write tall"><span class="tick"><span class="box"></span>'
                f"{esc(label)}</span></div>",
                lines * B.line(B.SMALL_PT) + B.WRITE,
            )
        pieces.append(single)
    return pieces


def _item(item: Item, t: Messages) -> B.Piece:
    room = ROOM - _ITEM_DONE_W - _ITEM_NOT_W - 2 * B.CELL_X
    estimate = item.label + (" " + B.badge_stand_in(t("print.critical")) if item.critical else "")
    label_h = count_lines(estimate, room, B.TEXT_PT) * B.line(B.TEXT_PT)
    details = " · ".join(item.details)
    details_h = count_lines(details, room, B.SMALL_PT) * B.line(B.SMALL_PT)
    critical = f' <span class="crit">{esc(t("print.critical"))}</span>' if item.critical else ""
    small = f'<div class="idetail">{esc(details)}</div>' if details else ""
    html = (
        f'<div class="item"><div class="ilabel">{esc(item.label)}{critical}{small}</div>'
        f'<div class="idone"><span class="box"></span>{esc(t("print.field.time"))} '
        f'<span class="line"></span></div>'
        f'<div class="inot"><span class="box"></span>{esc(t("print.field.reason"))} '
        f'<span class="line"></span></div></div>'
    )
    height = max(label_h + details_h, B.WRITE) + 2 * B.CELL_Y + B.RULE + B.SLACK
    return B.Piece(html, height)


def step_pieces(view: StepView, paper: Printout) -> B.StepBox:
    """The pieces of one step in order, and the head of its continuation on a next page."""
    t = Messages(paper.lang)
    kind = view.step.type
    rows_head: B.Piece | None = None
    rows_from = 0
    go = _goto(view.then, t) if view.then is not None else view.missing
    timed = kind in ("decision", "runbook")
    pieces = [_head(view, t, timed), _facts(view)]
    pieces += [_para(text) for text in view.paras if text.strip()]
    if view.contacts:
        pieces.append(_call(view, t, paper.full))
    if kind == "decision":
        pieces += [_option(option, t) for option in view.options]
    elif kind == "action":
        pieces += _rows(
            [
                ("box", t("print.done"), 0.0),
                ("line", t("print.field.time"), 14.0),
                ("box", t("print.not-possible-reason"), 0.0),
                ("line", "", 0.0),
                ("line", t("print.field.time"), 14.0),
            ],
            go,
        )
    elif kind == "checklist":
        head = (
            f'<div class="item ihead"><div class="ilabel"></div><div class="idone">'
            f'{esc(t("print.done"))}</div><div class="inot">{esc(t("print.skipped"))}</div></div>'
        )
        rows_head = B.Piece(head, B.line(B.SMALL_PT) + B.RULE + B.SLACK)
        pieces.append(rows_head)
        rows_from = len(pieces)
        pieces += [_item(item, t) for item in view.items]
        if go:
            pieces.append(B.Piece(f'<div class="then">→ {esc(go)}</div>', B.line(B.TEXT_PT) + 0.6))
    elif kind == "input":
        pieces += _rows(
            [("line", t("print.field.value"), 0.0), ("line", t("print.field.time"), 14.0)],
            go,
        )
    elif kind == "runbook":
        pieces.append(_para(view.task))
        pieces += _rows([("box", t("print.ran-short"), 0.0)], go)
    elif kind == "end":
        pieces += _rows(
            [
                ("box", t("print.open-check"), 0.0),
                ("box", view.task, 0.0),
                ("line", t("print.field.time"), 14.0),
            ]
        )
    more = _head(view, t, False, f" ({t('print.continued')})")
    return B.StepBox(view.number, pieces, more, rows_from, rows_head)
