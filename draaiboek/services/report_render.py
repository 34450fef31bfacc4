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
from draaiboek.services.page import esc, html_page, md_escape
from draaiboek.services.report import EXERCISE_BANNER, Report, Section
from draaiboek.services.report_events import JournalRows

_BATCH = 512  # rows per chunk: few writes, little memory
# A cell md_escape would return unchanged: no Markdown or HTML special, no line break or control
# character (what str.splitlines splits on included), and no start that makes a list, a heading
# underline or a code block. Most cells of a long timeline (numbers, times, T+) are such; they
# skip md_escape's four passes (tests/test_report_stream.py holds the two to the same output).
_MD_PLAIN = re.compile(r"(?![ \t]|[-+=]|\d+[.)])[^\\`*_\[\]|#~<>&\x00-\x1f\x7f-\x9f\u2028\u2029]*")


def _md_cell(text: str) -> str:
    """``md_escape(text)``, quicker for the plain text most cells of a long table hold."""
    return text if _MD_PLAIN.fullmatch(text) else md_escape(text)


def _batched(lines: Iterable[str]) -> Iterator[str]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == _BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


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
        yield from _batched(
            "| " + " | ".join(_md_cell(cell) for cell in row) + " |\n" for row in section.rows
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
        head = "".join(f"<th>{esc(column)}</th>" for column in section.columns)
        parts.append(f'<table class="data"><thead><tr>{head}</tr></thead><tbody>')
        yield "".join(parts)
        yield from _batched(
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>"
            for row in section.rows
        )
        yield "</tbody></table></section>"
        return
    if not section.facts:
        parts.append(f"<p>{esc(section.empty)}</p>")
    yield "".join(parts) + "</section>"


_BODY = "\x00body\x00"  # where the sections go in the page; cannot occur in escaped HTML


def _html_chunks(report: Report) -> Iterator[str]:
    banner = f'<span class="banner">{esc(EXERCISE_BANNER)}</span>' if report.exercise else ""
    alert = f'<span class="banner alert">{esc(report.alert)}</span>' if report.alert else ""
    head = f"{banner}{alert}<strong>{esc(report.title)}</strong>"
    t = Messages(report.lang)
    seal = f'{esc(t("report.last-hash"))}: <span class="mono">{esc(report.last_hash or "—")}</span>'
    foot = f"{seal} · {esc(report.incident)}{banner}"
    before, after = html_page(report.lang, report.title, head, foot, _BODY).split(_BODY)
    yield before + f"<h1>{esc(report.title)}</h1>\n"
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
