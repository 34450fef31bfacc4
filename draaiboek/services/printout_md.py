"""The printed runbook as Markdown: the same content and order as on paper (see `printout`),
for a screen or a wiki. Markdown has no pages, so there is no index; the steps are headings.
Every text is escaped (`page.md_escape`); numbers stand in code spans, which do not wrap."""

from __future__ import annotations

from draaiboek.model.catalogue import Messages
from draaiboek.services.page import md_escape
from draaiboek.services.printout import ContactView, Printout, StepView

_BLANK = "`__________`"  # reads as a line to write on, rendered or not
_LONG = "`______________________________`"  # room for a reason or a value


def _code(text: str) -> str:
    """A code span that shows `text` as it is, whatever backticks it holds."""
    longest = 0
    run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace(chr(10), ' ')}{pad}{fence}"


def _field(t: Messages, name: str) -> str:
    """The label of a line to write on: time, reason or value."""
    return t(f"print.field.{name}")


def _phones(paper: Printout, t: Messages) -> list[str]:
    out = [f"## {md_escape(t('print.phone-list'))}", ""]
    if any(w.example for c in paper.contacts for w in c.ways):
        out += [f"**{md_escape(t('print.example-legend'))}**", ""]
    names = ("print.contact", "print.what-for", "print.number", "print.flag")
    out.append("| " + " | ".join(md_escape(t(n)) for n in names) + " |")
    out.append("|---|---|---|---|")
    for contact in paper.contacts:
        out += _contact_rows(contact, t)
    return [*out, ""]


def _contact_rows(contact: ContactView, t: Messages) -> list[str]:
    who = f"**{md_escape(contact.name)}**"
    if contact.organisation:
        who += f"<br>{md_escape(contact.organisation)}"
    if contact.steps:
        who += f"<br>{md_escape(t('print.in-steps', steps=', '.join(map(str, contact.steps))))}"
    if not contact.ways:
        return [f"| {who} | | | |"]
    rows = []
    for index, way in enumerate(contact.ways):
        flag = f"**{md_escape(t('print.example-short'))}**" if way.example else ""
        rows.append(
            f"| {who if index == 0 else ''} | {md_escape(way.label)} | {_code(way.value)} "
            f"| {flag} |"
        )
    return rows


def _step(view: StepView, paper: Printout, t: Messages) -> list[str]:
    critical = f" **▲ {md_escape(t('print.critical'))}**" if view.critical else ""
    out = [f"## {t('print.step')} {view.number} · {md_escape(view.title)}{critical}", ""]
    facts = [view.kind] + [f"{label}: {value}" for label, value in view.facts]
    out += [f"*{md_escape(' · '.join(facts))}*", ""]
    out += [line for para in view.paras for line in (md_escape(para.strip()), "")]
    if view.contacts:
        where = "" if paper.full else f" ({t('print.numbers-on-page-1-md')})"
        out += [
            f"**{md_escape(t('print.call'))}:** {md_escape('; '.join(view.contacts))}{where}",
            "",
        ]
    go = t("print.goto", n=view.then) if view.then is not None else view.missing
    time, reason = _field(t, "time"), t("print.not-possible-reason")
    kind = view.step.type
    if kind == "decision":
        for option in view.options:
            text = f" — {md_escape(option.text)}" if option.text else ""
            target = t("print.goto", n=option.goto) if option.goto is not None else "?"
            out.append(f"- [ ] **{md_escape(option.label)}**{text} → **{md_escape(target)}**")
        out.append(f"- {md_escape(time)}: {_BLANK}")
    elif kind == "action":
        out.append(f"- [ ] {md_escape(t('print.done'))} — {md_escape(time)}: {_BLANK}")
        out.append(f"- [ ] {md_escape(reason)}: {_LONG} — {md_escape(time)}: {_BLANK}")
    elif kind == "checklist":
        for item in view.items:
            mark = f" **▲ {md_escape(t('print.critical'))}**" if item.critical else ""
            details = f" — {md_escape(' · '.join(item.details))}" if item.details else ""
            out.append(
                f"- [ ] {md_escape(item.label)}{mark}{details} — {md_escape(time)}: {_BLANK}"
                f" — [ ] {md_escape(reason)}: {_BLANK}"
            )
    elif kind == "input":
        out.append(f"- {md_escape(_field(t, 'value'))}: {_LONG} — {md_escape(time)}: {_BLANK}")
    elif kind == "runbook":
        out.append(f"- [ ] {md_escape(view.task)} — {md_escape(time)}: {_BLANK}")
    elif kind == "end":
        out.append(f"- [ ] {md_escape(t('print.open-check'))}")
        out.append(f"- [ ] {md_escape(view.task)} — {md_escape(time)}: {_BLANK}")
    if go and kind not in ("decision", "end"):
        out.append(f"- → **{md_escape(go)}**")
    return [*out, ""]


def render_md(paper: Printout) -> str:
    """The whole printout as one Markdown document, the seal at its top and bottom."""
    t = Messages(paper.lang)
    stamp = f"> {md_escape(paper.seal)}"
    fields = " · ".join(
        f"{md_escape(t(key))}: {_BLANK}"
        for key in ("print.incident", "print.date", "print.officer", "print.first-signal")
    )
    out = [stamp, "", f"# {md_escape(paper.title)}", "", md_escape(paper.intro), "", fields, ""]
    out += _phones(paper, t)
    if paper.targets:
        out += [f"## {md_escape(t('print.targets'))}", "", md_escape(paper.time_base), ""]
        for target in paper.targets:
            mark = f" **▲ {md_escape(t('print.critical'))}**" if target.critical else ""
            steps = t("print.in-steps", steps=", ".join(map(str, target.steps)))
            out.append(
                f"- [ ] {md_escape(target.when)}: {md_escape(target.title)}{mark} "
                f"({md_escape(steps)})"
            )
        out.append("")
    for view in paper.steps:
        out += _step(view, paper, t)
    if paper.sources:
        out += [f"## {md_escape(t('print.all-sources'))}", ""]
        out += [
            f"- {md_escape(source_id)}: {md_escape(title)}" + (f" — {_code(url)}" if url else "")
            for source_id, title, url in paper.sources
        ]
        out.append("")
    if paper.facts:
        out += [" · ".join(f"{md_escape(k)}: {md_escape(v)}" for k, v in paper.facts), ""]
    out += [stamp, ""]
    return "\n".join(out)
