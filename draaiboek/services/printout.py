"""A printable runbook for when the laptop is gone (the `print` service), as Markdown or HTML.

In the spirit of an aviation quick reference handbook: numbered steps in walking order, every
decision's options with the step to go to, a box to tick and a line for the time everywhere,
and the runbook's id, version and sha256 on every page, so a sheet on the table can be matched
to the exact file. The HTML is one file without scripts or external assets, escaped throughout,
laid out for A4 (the escaping and page frame are in `page`, shared with `report`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from draaiboek.model.catalogue import Messages
from draaiboek.model.durations import format_minutes
from draaiboek.model.runbook import Contact, Runbook, Step
from draaiboek.services.graph import walking_order
from draaiboek.services.page import esc, html_page, md_escape

FORMATS = ("md", "html")

Seg = tuple[str, bool]  # a piece of text, and whether it is a warning to stand out


@dataclass(frozen=True)
class Tick:
    label: list[Seg]
    fields: tuple[str, ...] = ()  # lines to write on: time, reason, value
    goto: str = ""


@dataclass
class StepView:
    number: int
    step: Step
    kind: str
    title: str
    paras: list[str] = field(default_factory=list)
    facts: list[tuple[str, list[Seg]]] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)


def _contact_segs(ids: Sequence[str], contacts: Mapping[str, Contact], lang: str) -> list[Seg]:
    t = Messages(lang)
    segs: list[Seg] = []
    for index, contact_id in enumerate(ids):
        segs.append(("; " if index else "", False))
        contact = contacts.get(contact_id)
        if contact is None:
            segs.append((f"{contact_id} ({t('print.unknown-contact')})", True))
            continue
        org = f", {contact.organisation}" if contact.organisation else ""
        segs.append((f"{contact.name.get(lang)}{org}", False))
        ways = [(n, n.number) for n in contact.numbers] + [(r, r.value) for r in contact.routes]
        for way, value in ways:  # numbers, then routes off the phone network
            segs.append((f" — {way.label.get(lang)}: {value}", False))
            if contact.is_example(way):
                segs.append((f" {t('print.example')}", True))
        if not ways and contact.example:
            segs.append((f" {t('print.example')}", True))
    return [seg for seg in segs if seg[0]]


def build_views(
    runbook: Runbook,
    contacts: Mapping[str, Contact],
    lang: str,
    runbooks: Mapping[str, Runbook] | None = None,
) -> list[StepView]:
    t = Messages(lang)
    order = walking_order(runbook)
    numbers = {step_id: index + 1 for index, step_id in enumerate(order)}

    def goto(step_id: str | None) -> str:
        if step_id is None or step_id not in numbers:
            return t("print.missing", id=step_id)
        return t("print.goto", n=numbers[step_id])

    views = []
    for step_id in order:
        step = runbook.steps[step_id]
        kind = t(f"print.kind.{step.type}")
        view = StepView(numbers[step_id], step, kind, step.title.get(lang) or step_id)
        if step.text:
            view.paras.append(step.text.get(lang))
        if step.note:
            view.paras.append(f"{t('print.note')}: {step.note.get(lang)}")
        if step.role:
            role = runbook.roles.get(step.role)
            view.facts.append(
                (
                    t("print.role"),
                    [(f"{role.get(lang)} ({step.role})" if role else step.role, False)],
                )
            )
        if step.due is not None:
            view.facts.append(
                (t("print.due"), [(t("print.due-value", minutes=format_minutes(step.due)), False)])
            )
        if step.repeat is not None:
            value = t("print.repeat-value", minutes=format_minutes(step.repeat))
            if step.until:
                steps = ", ".join(str(numbers.get(s, s)) for s in step.until)
                value += " " + t("print.until", steps=steps)
            view.facts.append((t("print.repeat"), [(value, False)]))
        if step.contacts:
            view.facts.append((t("print.contacts"), _contact_segs(step.contacts, contacts, lang)))
        if step.sources:
            titles = [
                f"{s} {runbook.sources[s].title}" if s in runbook.sources else s
                for s in step.sources
            ]
            view.facts.append((t("print.sources"), [("; ".join(titles), False)]))
        _add_ticks(view, runbook, contacts, lang, goto, runbooks or {})
        views.append(view)
    return views


def _add_ticks(
    view: StepView,
    runbook: Runbook,
    contacts: Mapping[str, Contact],
    lang: str,
    go: Callable[[str | None], str],
    runbooks: Mapping[str, Runbook],
) -> None:
    t = Messages(lang)
    step = view.step
    if step.type == "decision":
        view.ticks += [
            Tick(
                [(o.label.get(lang), False)]
                + ([(f" — {o.text.get(lang)}", False)] if o.text else []),
                ("time",),
                go(o.next),
            )
            for o in step.options
        ]
    elif step.type == "action":
        view.ticks += [
            Tick([(t("print.done"), False)], ("time",)),
            Tick([(t("print.skipped"), False)], ("reason", "time")),
            Tick([(t("print.deferred"), False)], ("time",)),
        ]
    elif step.type == "checklist":
        for item in step.items:
            label: list[Seg] = [(item.label.get(lang), False)]
            if item.critical:
                label.append((f" {t('print.critical')}", True))
            if item.due is not None:
                due = t("print.due-value", minutes=format_minutes(item.due))
                label.append((f" — {t('print.due')} {due}", False))
            if item.role:
                role = runbook.roles.get(item.role)
                label.append((f" — {role.get(lang) if role else item.role}", False))
            if item.text:
                label.append((f" — {item.text.get(lang)}", False))
            if item.contacts:
                label += [(" — ", False), *_contact_segs(item.contacts, contacts, lang)]
            view.ticks.append(Tick(label, ("time",)))
    elif step.type == "input":
        view.ticks.append(Tick([(t("print.recorded"), False)], ("value", "time")))
    elif step.type == "runbook":
        sub = runbooks.get(step.runbook or "")
        name = f"{step.runbook}" + (
            f" — {sub.title.get(lang)} ({t('print.version')} {sub.version})" if sub else ""
        )
        view.facts.append((t("print.kind.runbook"), [(t("print.run", id=name), False)]))
        view.ticks.append(Tick([(t("print.ran", id=step.runbook), False)], ("time",)))
    elif step.type == "end":
        outcome = t.word("outcome", step.outcome or "?")
        view.ticks += [
            Tick([(t("print.open-check"), False)], ("time",)),
            Tick([(t("print.outcome", outcome=outcome), False)], ("time",)),
        ]
    if step.type != "decision" and step.next is not None:
        view.facts.append((t("print.then"), [(go(step.next), False)]))


# --- rendering ---------------------------------------------------------------------------------


def seal(runbook: Runbook, lang: str) -> str:
    """What identifies the exact file on every page."""
    t = Messages(lang)
    return (
        f"{t('print.runbook')} {runbook.id} · {t('print.version')} {runbook.version} · "
        f"sha256 {runbook.sha256}"
    )


def _referenced_contacts(runbook: Runbook) -> list[str]:
    ids = [
        c
        for s in runbook.steps.values()
        for c in (*s.contacts, *(c for i in s.items for c in i.contacts))
    ]
    return list(dict.fromkeys(ids))


def _md_segs(segs: Sequence[Seg]) -> str:
    return "".join(
        f"{t[: len(t) - len(t.lstrip())]}**{md_escape(t.strip())}**" if warn else md_escape(t)
        for t, warn in segs
    )


def _html_segs(segs: Sequence[Seg]) -> str:
    return "".join(
        f'<strong class="warn">{esc(t)}</strong>' if warn else esc(t) for t, warn in segs
    )


def render_md(
    runbook: Runbook,
    contacts: Mapping[str, Contact],
    lang: str,
    runbooks: Mapping[str, Runbook] | None = None,
) -> str:
    t = Messages(lang)
    stamp = f"> {md_escape(seal(runbook, lang))}"
    blank = "`__________`"  # reads as a line to write on, rendered or not
    out = [
        stamp,
        "",
        f"# {md_escape(runbook.title.get(lang))}",
        "",
        md_escape(t("print.intro")),
        "",
        f"{t('print.incident')}: {blank} · {t('print.date')}: {blank} · "
        f"{t('print.officer')}: {blank}",
        "",
    ]
    for view in build_views(runbook, contacts, lang, runbooks):
        critical = f" **{t('print.critical')}**" if view.step.critical else ""
        out += [
            f"## {t('print.step')} {view.number} · {md_escape(view.kind)}: "
            f"{md_escape(view.title)} `{view.step.id}`{critical}",
            "",
        ]
        # Stripped: leading spaces would make an indented code block of a paragraph.
        out += [line for para in view.paras for line in (md_escape(para.strip()), "")]
        out += [f"- *{md_escape(label)}:* {_md_segs(value)}" for label, value in view.facts]
        for tick in view.ticks:
            fields = "".join(f" — {t(f'print.field.{name}')}: {blank}" for name in tick.fields)
            goto = f" → **{md_escape(tick.goto)}**" if tick.goto else ""
            out.append(f"- [ ] {_md_segs(tick.label)}{goto}{fields}")
        out.append("")
    out += _md_appendix(runbook, contacts, lang)
    out += ["", stamp, ""]
    return "\n".join(out)


def _md_appendix(runbook: Runbook, contacts: Mapping[str, Contact], lang: str) -> list[str]:
    t = Messages(lang)
    out: list[str] = []
    referenced = _referenced_contacts(runbook)
    if referenced:
        out += [f"## {t('print.all-contacts')}", ""]
        out += [f"- `{c}`: {_md_segs(_contact_segs([c], contacts, lang))}" for c in referenced]
        out.append("")
    if runbook.sources:
        out += [f"## {t('print.all-sources')}", ""]
        out += [
            f"- {md_escape(s.id)}: {md_escape(s.title)}"
            + (f" — {md_escape(s.url)}" if s.url else "")
            for s in runbook.sources.values()
        ]
        out.append("")
    facts = [
        (t("print.owner"), runbook.owner),
        (t("print.status"), runbook.status),
        (t("print.review-before"), runbook.review_before),
    ]
    out.append(" · ".join(f"{label}: {md_escape(str(v))}" for label, v in facts if v))
    return out


def render_html(
    runbook: Runbook,
    contacts: Mapping[str, Contact],
    lang: str,
    runbooks: Mapping[str, Runbook] | None = None,
) -> str:
    t = Messages(lang)
    line = '<span class="line"></span>'
    parts = [
        f"<h1>{esc(runbook.title.get(lang))}</h1>",
        f"<p>{esc(t('print.intro'))}</p>",
        f"<p>{esc(t('print.incident'))}: {line} {esc(t('print.date'))}: {line} "
        f"{esc(t('print.officer'))}: {line}</p>",
    ]
    for view in build_views(runbook, contacts, lang, runbooks):
        critical = (
            f' <span class="warn">{esc(t("print.critical"))}</span>' if view.step.critical else ""
        )
        parts.append(
            f'<div class="step" id="step-{view.number}"><h2>{esc(t("print.step"))} '
            f'{view.number} · <span class="kind">{esc(view.kind)}:</span> '
            f'{esc(view.title)} <span class="kind mono">[{esc(view.step.id)}]</span>'
            f"{critical}</h2>"
        )
        parts += [f"<p>{esc(para)}</p>" for para in view.paras]
        if view.facts:
            parts.append(
                "<dl>"
                + "".join(
                    f"<dt>{esc(label)}</dt><dd>{_html_segs(value)}</dd>"
                    for label, value in view.facts
                )
                + "</dl>"
            )
        items = []
        for tick in view.ticks:
            fields = "".join(
                f'<span class="field">{esc(t(f"print.field.{name}"))}: {line}</span>'
                for name in tick.fields
            )
            goto = f" → <strong>{esc(tick.goto)}</strong>" if tick.goto else ""
            items.append(
                f'<li><span class="box"></span>{_html_segs(tick.label)}{goto}{fields}</li>'
            )
        parts.append('<ul class="ticks">' + "".join(items) + "</ul></div>")
    referenced = _referenced_contacts(runbook)
    if referenced:
        rows = "".join(
            f'<tr><td class="mono">{esc(c)}</td><td>'
            f"{_html_segs(_contact_segs([c], contacts, lang))}</td></tr>"
            for c in referenced
        )
        parts.append(
            f'<section class="keep"><h2>{esc(t("print.all-contacts"))}</h2>'
            f'<table class="data">{rows}</table></section>'
        )
    if runbook.sources:
        rows = "".join(
            f"<tr><td>{esc(s.id)}</td><td>{esc(s.title)}"
            + (f'<br><span class="mono">{esc(s.url)}</span>' if s.url else "")
            + "</td></tr>"
            for s in runbook.sources.values()
        )
        parts.append(
            f'<section class="keep"><h2>{esc(t("print.all-sources"))}</h2>'
            f'<table class="data">{rows}</table></section>'
        )
    stamp = f'<span class="mono">{esc(seal(runbook, lang))}</span>'
    return html_page(
        lang,
        f"{runbook.title.get(lang)} ({runbook.id} {runbook.version})",
        f"<strong>{esc(runbook.title.get(lang))}</strong> · {stamp}",
        stamp,
        "\n".join(parts),
    )


def render(
    runbook: Runbook,
    contacts: Mapping[str, Contact],
    output_format: str,
    lang: str,
    runbooks: Mapping[str, Runbook] | None = None,
) -> str:
    if output_format not in FORMATS:
        raise ValueError(f"unknown print format {output_format!r}: choose md or html")
    if output_format == "md":
        return render_md(runbook, contacts, lang, runbooks)
    return render_html(runbook, contacts, lang, runbooks)
