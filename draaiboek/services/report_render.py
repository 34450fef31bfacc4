"""How a report looks in Markdown, HTML and JSON: pure functions from a `Report` to text.

The renderers know nothing about incidents: they show any `report.Report`, section by section,
so a section added later (the exercise score) appears in every format without changes here.
"""

from __future__ import annotations

import json

from draaiboek.model.catalogue import Messages
from draaiboek.services.page import esc, html_page, md_escape
from draaiboek.services.report import EXERCISE_BANNER, Report, Section


def _md_section(section: Section) -> list[str]:
    out = [f"## {md_escape(section.title)}", ""]
    if section.alert:
        out += [f"> **{md_escape(section.alert)}**", ""]
    out += [f"- **{md_escape(label)}:** {md_escape(value)}" for label, value in section.facts]
    if section.facts:
        out.append("")
    if section.rows:
        out.append("| " + " | ".join(md_escape(c) for c in section.columns) + " |")
        out.append("|" + "---|" * len(section.columns))
        out += ["| " + " | ".join(md_escape(cell) for cell in row) + " |" for row in section.rows]
        out.append("")
    elif not section.facts:
        out += [md_escape(section.empty), ""]
    return out


def render_md(report: Report) -> str:
    marks = [f"**{EXERCISE_BANNER}**"] if report.exercise else []
    if report.alert:
        marks.append(f"> **{md_escape(report.alert)}**")
    top = [*(line for mark in marks for line in (mark, "")), f"# {md_escape(report.title)}", ""]
    body = [line for section in report.sections for line in _md_section(section)]
    t = Messages(report.lang)
    seal = f"{t('report.last-hash')}: `{report.last_hash or '—'}`"
    bottom = ["---", "", f"{md_escape(report.incident)} · {seal}", ""]
    bottom += [line for mark in marks for line in (mark, "")]
    return "\n".join(top + body + bottom).rstrip("\n") + "\n"


def _html_section(section: Section) -> str:
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
        rows = "".join(
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>"
            for row in section.rows
        )
        parts.append(
            f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        )
    elif not section.facts:
        parts.append(f"<p>{esc(section.empty)}</p>")
    return "".join(parts) + "</section>"


def render_html(report: Report) -> str:
    banner = f'<span class="banner">{esc(EXERCISE_BANNER)}</span>' if report.exercise else ""
    alert = f'<span class="banner alert">{esc(report.alert)}</span>' if report.alert else ""
    head = f"{banner}{alert}<strong>{esc(report.title)}</strong>"
    t = Messages(report.lang)
    seal = f'{esc(t("report.last-hash"))}: <span class="mono">{esc(report.last_hash or "—")}</span>'
    foot = f"{seal} · {esc(report.incident)}{banner}"
    body = f"<h1>{esc(report.title)}</h1>\n" + "\n".join(
        _html_section(section) for section in report.sections
    )
    return html_page(report.lang, report.title, head, foot, body)


def render(report: Report, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(report.data, ensure_ascii=False, indent=2, default=str) + "\n"
    return render_md(report) if output_format == "md" else render_html(report)
