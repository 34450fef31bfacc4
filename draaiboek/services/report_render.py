"""How a report looks in Markdown, HTML and JSON: pure functions from a `Report` to text.

The renderers know nothing about incidents: they show any `report.Report`, section by section,
so a section added later (the exercise score) appears in every format without changes here.
`render_chunks` gives the text in pieces, so that a long incident's tables (read from its
journal as they are shown) are written as they are made, never held whole in memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from draaiboek.model.catalogue import Messages
from draaiboek.services.page import css_string, esc, html_page, margin_boxes, md_escape
from draaiboek.services.report import EXERCISE_BANNER, Report, Section
from draaiboek.services.report_events import JournalRows
from draaiboek.services.report_layout import TEXT, WHEN

_BATCH = 512  # rows per chunk: few writes, little memory
# A cell md_escape would return unchanged: no Markdown or HTML special, no line break or control
# character (what str.splitlines splits on included), and no start that makes a list, a heading
# underline or a code block. Most cells of a long timeline (numbers, times, T+) are such; they
# skip md_escape's four passes (tests/test_report_stream.py holds the two to the same output).
_MD_PLAIN = re.compile(r"(?![ \t]|[-+=]|\d+[.)])[^\\`*_\[\]|#~<>&\x00-\x1f\x7f-\x9f\u2028\u2029]*")
# A row whose every cell is plain, its cells joined by NUL (which no plain cell holds): one
# match per row instead of one per cell.
_MD_PLAIN_ROW = re.compile(f"(?:{_MD_PLAIN.pattern}\x00)*{_MD_PLAIN.pattern}")


def _md_cell(text: str) -> str:
    """``md_escape(text)``, quicker for the plain text most cells of a long table hold."""
    return text if _MD_PLAIN.fullmatch(text) else md_escape(text)


def _md_cells(row: list[str]) -> str:
    """The cells of a table row, each as `_md_cell` gives it, joined by " | "."""
    joined = "\x00".join(row)
    # The count: a NUL inside a cell (not plain) would otherwise read as two plain cells.
    if _MD_PLAIN_ROW.fullmatch(joined) and joined.count("\x00") == len(row) - 1:
        return joined.replace("\x00", " | ")
    return " | ".join(_md_cell(cell) for cell in row)


def _batched(lines: Iterable[str]) -> Iterator[str]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == _BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


_DATE = re.compile(r"^(⚠ )?(\d{4}-\d{2}-\d{2}) (.+)$")  # a local time as Words.local gives it


def _days(section: Section) -> Iterator[tuple[str | None, list[str]]]:
    """The rows of a section with the date taken out of its local-time column: (the date when
    it differs from the row before, else None; the row with the time only). The date is then
    shown once per day, as a row of its own."""
    column = section.kinds.index(WHEN) if WHEN in section.kinds else None
    last = None
    for row in section.rows:
        if column is None or column >= len(row):
            yield None, row
            continue
        found = _DATE.match(row[column])
        if found is None:
            yield None, row
            continue
        mark, day, time = found.groups()
        shown = [*row[:column], (mark or "") + time, *row[column + 1 :]]
        yield (day if day != last else None), shown
        last = day


def _md_section(section: Section) -> Iterator[str]:
    out = [f"## {md_escape(section.title)}", ""]
    if section.alert:
        out += [f"> **{md_escape(section.alert)}**", ""]
    out += [f"- **{md_escape(label)}:** {md_escape(value)}" for label, value in section.facts]
    if section.facts:
        out.append("")
    if section.rows:
        out.append("| " + " | ".join(md_escape(c) for c in section.columns) + " |")
        out.append("|" + "---|" * len(section.columns))
        yield "\n".join(out) + "\n"
        blank = " |" * (len(section.columns) - 1)
        yield from _batched(
            (f"| **{md_escape(day)}** |{blank}\n" if day else "") + "| " + _md_cells(row) + " |\n"
            for day, row in _days(section)
        )
        yield "\n"
        return
    if not section.facts:
        out += [md_escape(section.empty), ""]
    yield "\n".join(out) + "\n"


def _md_chunks(report: Report) -> Iterator[str]:
    marks = [f"**{EXERCISE_BANNER}**"] if report.exercise else []
    if report.alert:
        marks.append(f"> **{md_escape(report.alert)}**")
    top = [*(line for mark in marks for line in (mark, "")), f"# {md_escape(report.title)}", ""]
    yield "\n".join(top) + "\n"
    for section in report.sections:
        yield from _md_section(section)
    t = Messages(report.lang)
    seal = f"{t('report.last-hash')}: `{report.last_hash or '—'}`"
    bottom = ["---", "", f"{md_escape(report.incident)} · {seal}"]
    bottom += [line for mark in marks for line in ("", mark)]
    yield "\n".join(bottom) + "\n"


def render_md(report: Report) -> str:
    return "".join(_md_chunks(report))


def _html_section(section: Section) -> Iterator[str]:
    parts = [f'<section id="{esc(section.key)}"><h2>{esc(section.title)}</h2>']
    if section.alert:
        parts.append(f'<p class="alert">{esc(section.alert)}</p>')
    if section.facts:
        parts.append(
            "<dl>"
            + "".join(
                f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in section.facts
            )
            + "</dl>"
        )
    if section.rows:
        kinds = [*section.kinds, *[TEXT] * (len(section.columns) - len(section.kinds))]
        cols = "".join(f'<col class="{esc(kind)}">' for kind in kinds)
        head = "".join(f"<th>{esc(column)}</th>" for column in section.columns)
        parts.append(
            f'<table class="data"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>'
        )
        yield "".join(parts)
        span = len(section.columns)

        def html_row(day: str | None, row: list[str]) -> str:
            cells = "".join(
                f'<td class="{esc(kind)}">{esc(cell)}</td>'
                for kind, cell in zip(kinds, row, strict=False)
            )
            if not day:
                return f"<tr>{cells}</tr>"
            # A new day's heading row and its first row are one group, never split by a page.
            return (
                f'</tbody><tbody class="keep"><tr class="day"><td colspan="{span}">{esc(day)}'
                f"</td></tr><tr>{cells}</tr></tbody><tbody>"
            )

        yield from _batched(html_row(day, row) for day, row in _days(section))
        yield "</tbody></table></section>"
        return
    if not section.facts:
        parts.append(f"<p>{esc(section.empty)}</p>")
    yield "".join(parts) + "</section>"


_BODY = "\x00body\x00"  # where the sections go in the page; cannot occur in escaped HTML


def _margins(report: Report) -> str:
    """What every printed page carries: the title, the exercise banner and a failed
    verification at the top; the last hash, which seals the log as printed, and "page x of y"
    at the bottom, so a printed record can be shown to be complete."""
    t = Messages(report.lang)
    small = 'font: 7.5pt "DejaVu Sans", Arial, sans-serif;'
    boxes = {"top-left": (css_string(report.title), small + " vertical-align: bottom;")}
    marks = [EXERCISE_BANNER] if report.exercise else []
    marks += [t("report.failed")] if report.alert else []
    if marks:
        boxes["top-right"] = (
            css_string(" · ".join(marks)),
            "font: bold 8.5pt sans-serif; letter-spacing: 0.15em; border: 1.5pt solid #000;"
            " padding: 0 2mm; height: 6mm; margin-top: 7mm; vertical-align: middle;",
        )
    seal = f"{t('report.last-hash')}: {report.last_hash or '—'}"
    boxes["bottom-left"] = (
        css_string(seal),
        'font: 6.5pt "DejaVu Sans Mono", monospace; vertical-align: top;',
    )
    pages = (
        f"{css_string(t('report.page') + ' ')} counter(page) "
        f"{css_string(' ' + t('report.of') + ' ')} counter(pages)"
    )
    boxes["bottom-right"] = (pages, "font: bold 8.5pt sans-serif; vertical-align: top;")
    return margin_boxes(boxes)


def _html_chunks(report: Report) -> Iterator[str]:
    # On screen the banner and the alert show once, above the title; on paper they are in
    # every page's margin (the alert's text also stands in the verification section).
    top = []
    if report.exercise:
        top.append(f'<div class="banner screen-only">{esc(EXERCISE_BANNER)}</div>')
    if report.alert:
        top.append(f'<p class="alert">{esc(report.alert)}</p>')
    t = Messages(report.lang)
    seal = f'{esc(t("report.last-hash"))}: <span class="mono">{esc(report.last_hash or "—")}</span>'
    body = "".join(top) + f"<h1>{esc(report.title)}</h1>\n{_BODY}\n"
    body += f'<p class="screen-only">{seal} · {esc(report.incident)}</p>'
    before, after = html_page(report.lang, report.title, _margins(report), body).split(_BODY)
    yield before
    for index, section in enumerate(report.sections):
        if index:
            yield "\n"
        yield from _html_section(section)
    yield after


def render_html(report: Report) -> str:
    return "".join(_html_chunks(report))


def _json_chunks(value: Any, indent: str = "") -> Iterator[str]:
    """``json.dumps(value, ensure_ascii=False, indent=2, default=str)``, in pieces: the rows of
    a table read from the journal are written one by one."""
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + f"\n{inner}{json.dumps(str(key), ensure_ascii=False)}: "
            yield from _json_chunks(item, inner)
        yield f"\n{indent}}}"
    elif isinstance(value, JournalRows):
        if not value:
            yield "[]"
            return
        yield "["
        for index, item in enumerate(value):
            text = json.dumps(item, ensure_ascii=False, indent=2, default=str)
            yield ("," if index else "") + f"\n{inner}" + text.replace("\n", "\n" + inner)
        yield f"\n{indent}]"
    else:
        text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
        yield text.replace("\n", "\n" + indent)


def render_chunks(report: Report, output_format: str) -> Iterator[str]:
    """The report as text in ``output_format`` (md, html or json), in pieces to write in order."""
    if output_format == "json":
        yield from _json_chunks(report.data)
        yield "\n"
    elif output_format == "md":
        yield from _md_chunks(report)
    else:
        yield from _html_chunks(report)


def render(report: Report, output_format: str) -> str:
    """The whole report as one text (see `render_chunks` for a long incident)."""
    return "".join(render_chunks(report, output_format))
