"""A printable runbook for when the laptop is gone (the `print` service): what goes on paper.

A quick reference for a power cut, in the spirit of an aviation quick reference handbook: page 1
is the phone list (every contact the runbook names, one number or route a row, example numbers
flagged); then an index from step number to page and the incident's targets; then the steps in
walking order, compact (title, who, what to do, the options with "→ step N", boxes to tick with
room to write the time and, for "not possible", the reason); the sources once, at the end. No
internal ids in the running text, and every deadline says what it counts from ("T+15 min after
the first signal"). `full=True` keeps everything an author wrote (notes, sources and contact
details on each step).

This module builds the content as data (`Printout`); `printout_md` writes it as Markdown and
`print_layout` as A4 HTML with its own page plan (which step lands on which page).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from draaiboek.model.catalogue import Messages
from draaiboek.model.durations import format_minutes
from draaiboek.model.runbook import ChecklistItem, Contact, Runbook, Step
from draaiboek.services.graph import walking_order

FORMATS = ("md", "html")


@dataclass(frozen=True)
class Way:
    """One number or route of a contact, as the phone list shows it."""

    label: str  # what it is ("Storingslijn", "C2000-gespreksgroep")
    value: str  # the number, talk group, address: never broken on paper
    example: bool  # a placeholder: flagged, never to be called
    route: bool  # not a phone number (talk group, runner, e-mail)


@dataclass(frozen=True)
class ContactView:
    """A contact on the phone list: who, its numbers and routes, the steps that name it."""

    name: str
    organisation: str
    ways: tuple[Way, ...]
    steps: tuple[int, ...]
    known: bool = True  # False: named by a step but not in the contacts registry
    example: bool = False  # the whole entry is a placeholder


@dataclass(frozen=True)
class Option:
    label: str
    text: str
    goto: int | None  # the step number to go to; None when the step does not exist


@dataclass(frozen=True)
class Item:
    """A checklist item: its label and what else to know (who, deadline, contacts)."""

    label: str
    critical: bool
    details: tuple[str, ...]  # role, deadline, text, contacts: short phrases


@dataclass
class StepView:
    """One step on paper."""

    number: int
    step: Step
    kind: str  # "Besluit", "Actie", ...
    title: str
    critical: bool
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value): who, when
    paras: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)  # names (with numbers when full)
    example_contacts: bool = False  # a named contact's numbers are examples (full: flagged)
    options: list[Option] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    task: str = ""  # input, runbook and end steps: what to do or record
    then: int | None = None  # the next step's number (not for decisions and ends)
    missing: str = ""  # `next` names a step that does not exist


@dataclass(frozen=True)
class TargetView:
    title: str
    when: str  # "T+15 min na het eerste signaal", "elke 15 min tot stap 58"
    steps: tuple[int, ...]  # the steps that meet it (or end its rounds)
    critical: bool
    rounds: tuple[int, ...] = ()  # repeating: the T+ minutes of the first rounds, for ticking


@dataclass
class Printout:
    """Everything on paper, in the order it is printed, in one language."""

    lang: str
    runbook: Runbook
    full: bool
    title: str
    seal: str  # identifies the exact file: id, version, sha256
    intro: str
    time_base: str  # what T+ counts from, in words
    contacts: list[ContactView]
    targets: list[TargetView]
    steps: list[StepView]
    sources: list[tuple[str, str, str]]  # (id, title, url)
    facts: list[tuple[str, str]]  # owner, status, review date


def seal(runbook: Runbook, lang: str) -> str:
    """What identifies the exact file on every page: id, version and sha256."""
    t = Messages(lang)
    return (
        f"{t('print.runbook')} {runbook.id} · {t('print.version')} {runbook.version} · "
        f"sha256 {runbook.sha256}"
    )


def _due(value: timedelta, runbook: Runbook, t: Messages) -> str:
    key = "print.due-from-signal" if runbook.time_zero else "print.due-from-start"
    return t(key, minutes=format_minutes(value))


def contact_ids(runbook: Runbook) -> list[str]:
    """Every contact the runbook names, in the order its steps first name them."""
    ids = [
        c
        for s in runbook.steps.values()
        for c in (*s.contacts, *(c for i in s.items for c in i.contacts))
    ]
    return list(dict.fromkeys(ids))


def _contact_view(
    contact_id: str, contacts: Mapping[str, Contact], steps: tuple[int, ...], lang: str
) -> ContactView:
    contact = contacts.get(contact_id)
    if contact is None:
        t = Messages(lang)
        return ContactView(f"{contact_id} ({t('print.unknown-contact')})", "", (), steps, False)
    ways = tuple(
        Way(n.label.get(lang), n.number, contact.is_example(n), False) for n in contact.numbers
    ) + tuple(Way(r.label.get(lang), r.value, contact.is_example(r), True) for r in contact.routes)
    return ContactView(
        contact.name.get(lang),
        contact.organisation or "",
        ways,
        steps,
        example=contact.example,
    )


def _contact_line(view: ContactView, full: bool, lang: str) -> str:
    if not full or not view.ways:
        return view.name
    t = Messages(lang)
    ways = "; ".join(
        f"{w.label}: {w.value}" + (f" ({t('print.example-short')})" if w.example else "")
        for w in view.ways
    )
    return f"{view.name} — {ways}"


def build(
    runbook: Runbook,
    contacts: Mapping[str, Contact],
    lang: str,
    runbooks: Mapping[str, Runbook] | None = None,
    *,
    full: bool = False,
) -> Printout:
    """The printout of `runbook` in `lang`: a quick reference, or everything with `full`."""
    t = Messages(lang)
    order = walking_order(runbook)
    numbers = {step_id: index + 1 for index, step_id in enumerate(order)}
    naming: dict[str, list[int]] = {}
    for step_id in order:
        step = runbook.steps[step_id]
        for contact_id in (*step.contacts, *(c for i in step.items for c in i.contacts)):
            naming.setdefault(contact_id, [])
            if numbers[step_id] not in naming[contact_id]:
                naming[contact_id].append(numbers[step_id])
    listed = {
        c: _contact_view(c, contacts, tuple(naming.get(c, ())), lang) for c in contact_ids(runbook)
    }
    views = [
        _step_view(runbook.steps[s], numbers, runbook, listed, lang, runbooks or {}, full)
        for s in order
    ]
    base = t("print.time-base-signal" if runbook.time_zero else "print.time-base-start")
    if runbook.time_zero in numbers:
        base += " " + t("print.time-base-step", n=numbers[runbook.time_zero])
    return Printout(
        lang=lang,
        runbook=runbook,
        full=full,
        title=runbook.title.get(lang),
        seal=seal(runbook, lang),
        intro=t("print.intro"),
        time_base=base,
        contacts=list(listed.values()),
        targets=_targets(runbook, numbers, t),
        steps=views,
        sources=[(s.id, s.title, s.url or "") for s in runbook.sources.values()],
        facts=[
            (label, str(value))
            for label, value in (
                (t("print.owner"), runbook.owner),
                (t("print.status"), runbook.status),
                (t("print.review-before"), runbook.review_before),
            )
            if value
        ],
    )


def _targets(runbook: Runbook, numbers: Mapping[str, int], t: Messages) -> list[TargetView]:
    views = []
    for target in runbook.targets:
        title = target.title.get(t.lang)
        if target.every is not None:
            until = sorted(numbers[s] for s in target.until if s in numbers)
            when = t("print.repeat-value", minutes=format_minutes(target.every))
            if until:
                when += " " + t("print.until", steps=", ".join(map(str, until)))
            step = target.every.total_seconds() / 60
            rounds = tuple(round(step * k) for k in range(1, 13)) if step >= 1 else ()
            views.append(TargetView(title, when, tuple(until), target.critical, rounds))
        elif target.within is not None:
            steps = sorted({numbers[e.step] for e in target.met_by if e.step in numbers})
            views.append(
                TargetView(title, _due(target.within, runbook, t), tuple(steps), target.critical)
            )
    return views


def _step_view(
    step: Step,
    numbers: Mapping[str, int],
    runbook: Runbook,
    listed: Mapping[str, ContactView],
    lang: str,
    runbooks: Mapping[str, Runbook],
    full: bool,
) -> StepView:
    t = Messages(lang)
    view = StepView(
        numbers[step.id],
        step,
        t(f"print.kind.{step.type}"),
        step.title.get(lang) or step.id,
        step.critical,
    )
    if step.role:
        role = runbook.roles.get(step.role)
        view.facts.append((t("print.role"), role.get(lang) if role else step.role))
    if step.due is not None:
        view.facts.append((t("print.due"), _due(step.due, runbook, t)))
    if step.repeat is not None:
        value = t("print.repeat-value", minutes=format_minutes(step.repeat))
        if step.until:
            steps = ", ".join(str(numbers[s]) for s in step.until if s in numbers)
            value += " " + t("print.until", steps=steps) if steps else ""
        view.facts.append((t("print.repeat"), value))
    if step.text:
        view.paras.append(step.text.get(lang))
    if full and step.note:
        view.paras.append(f"{t('print.note')}: {step.note.get(lang)}")
    if full and step.sources:
        view.facts.append((t("print.sources"), ", ".join(step.sources)))
    for contact_id in step.contacts:
        contact = listed[contact_id]
        view.contacts.append(_contact_line(contact, full, lang))
        view.example_contacts |= any(w.example for w in contact.ways)
    if step.type == "decision":
        view.options = [
            Option(o.label.get(lang), o.text.get(lang), numbers.get(o.next)) for o in step.options
        ]
    elif step.type == "checklist":
        view.items = [_item(i, runbook, listed, lang, full) for i in step.items]
    elif step.type == "input":
        view.task = t("print.recorded")
    elif step.type == "runbook":
        sub = runbooks.get(step.runbook or "")
        name = sub.title.get(lang) if sub else (step.runbook or "?")
        if sub:
            name += f" ({t('print.version')} {sub.version})"
        view.task = t("print.run", id=name)
    elif step.type == "end":
        view.task = t("print.outcome", outcome=t.word("outcome", step.outcome or "?"))
    if step.type not in ("decision", "end") and step.next is not None:
        view.then = numbers.get(step.next)
        if view.then is None:
            view.missing = t("print.missing", id=step.next)
    return view


def _item(
    item: ChecklistItem,
    runbook: Runbook,
    listed: Mapping[str, ContactView],
    lang: str,
    full: bool,
) -> Item:
    t = Messages(lang)
    details = []
    if item.role:
        role = runbook.roles.get(item.role)
        details.append(role.get(lang) if role else item.role)
    if item.due is not None:
        details.append(f"{t('print.due')} {_due(item.due, runbook, t)}")
    if item.text:
        details.append(item.text.get(lang))
    if item.contacts:
        names = [_contact_line(listed[c], full, lang) for c in item.contacts]
        details.append(f"{t('print.call')}: {'; '.join(names)}")
    return Item(item.label.get(lang), item.critical, tuple(details))


def render(
    runbook: Runbook,
    contacts: Mapping[str, Contact],
    output_format: str,
    lang: str,
    runbooks: Mapping[str, Runbook] | None = None,
    *,
    full: bool = False,
) -> str:
    """The printout as Markdown (`md`) or self-contained A4 HTML (`html`); ValueError for any
    other format."""
    if output_format not in FORMATS:
        raise ValueError(f"unknown print format {output_format!r}: choose md or html")
    built = build(runbook, contacts, lang, runbooks, full=full)
    if output_format == "md":
        from draaiboek.services.printout_md import render_md

        return render_md(built)
    from draaiboek.services.print_layout import render_html

    return render_html(built)
