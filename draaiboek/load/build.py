"""Schema-valid data -> the immutable model. Only called on documents that passed their schema."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from draaiboek.load.documents import Document
from draaiboek.model.durations import parse_duration
from draaiboek.model.runbook import (
    Approval,
    ChecklistItem,
    Contact,
    Option,
    PhoneNumber,
    Route,
    Runbook,
    Source,
    Step,
    Target,
    TargetEvent,
    Text,
    frozen_map,
)


def _duration(value: Any) -> timedelta | None:
    return parse_duration(value) if isinstance(value, str) else None


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def build_runbook(document: Document) -> Runbook:
    data = document.data
    languages = tuple(data["languages"])
    lang = languages[0]

    def text(value: Any) -> Text:
        return Text.of(value, lang)

    steps = {step_id: _build_step(step_id, raw, text) for step_id, raw in data["steps"].items()}
    sources = {
        source_id: Source(
            id=source_id, title=raw["title"], url=raw.get("url"), note=text(raw.get("note"))
        )
        for source_id, raw in data.get("sources", {}).items()
    }
    approval_data = data.get("approval")
    approval = (
        Approval(approval_data["by"], approval_data.get("date"), text(approval_data.get("note")))
        if approval_data
        else None
    )
    review = data.get("review_before")
    return Runbook(
        id=data["id"],
        version=data["version"],
        status=data["status"],
        title=text(data["title"]),
        languages=languages,
        start=data["start"],
        steps=frozen_map(steps),
        owner=data.get("owner"),
        review_before=_date(review),
        description=text(data.get("description")),
        roles=frozen_map({role: text(name) for role, name in data.get("roles", {}).items()}),
        sources=frozen_map(sources),
        approval=approval,
        time_zero=data.get("time_zero"),
        targets=tuple(_build_target(raw, text) for raw in data.get("targets", [])),
        file=document.file,
        sha256=document.sha256,
    )


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None  # the check for review dates reports an impossible date


def _build_target(raw: Mapping[str, Any], text: Any) -> Target:
    return Target(
        id=raw["id"],
        title=text(raw["title"]),
        text=text(raw.get("text")),
        note=text(raw.get("note")),
        role=raw.get("role"),
        critical=bool(raw.get("critical", False)),
        proposal=bool(raw.get("proposal", False)),
        sources=_ids(raw.get("sources")),
        within=_duration(raw.get("within")),
        met_by=tuple(
            TargetEvent(step=e["step"], option=e.get("option"), item=e.get("item"))
            for e in raw.get("met_by", [])
        ),
        every=_duration(raw.get("every")),
        until=_ids(raw.get("until")),
    )


def _build_step(step_id: str, raw: Mapping[str, Any], text: Any) -> Step:
    options = tuple(
        Option(id=o["id"], label=text(o["label"]), next=o["next"], text=text(o.get("text")))
        for o in raw.get("options", [])
    )
    items = tuple(
        ChecklistItem(
            id=i["id"],
            label=text(i["label"]),
            role=i.get("role"),
            due=_duration(i.get("due")),
            critical=bool(i.get("critical", False)),
            contacts=_ids(i.get("contacts")),
            text=text(i.get("text")),
        )
        for i in raw.get("items", [])
    )
    value_schema = raw.get("value")
    return Step(
        id=step_id,
        type=raw["type"],
        title=text(raw["title"]),
        text=text(raw.get("text")),
        note=text(raw.get("note")),
        role=raw.get("role"),
        sources=_ids(raw.get("sources")),
        contacts=_ids(raw.get("contacts")),
        due=_duration(raw.get("due")),
        repeat=_duration(raw.get("repeat")),
        until=_ids(raw.get("until")),
        next=raw.get("next"),
        options=options,
        items=items,
        value_schema=frozen_map(value_schema) if isinstance(value_schema, dict) else None,
        runbook=raw.get("runbook"),
        outcome=raw.get("outcome"),
        critical=bool(raw.get("critical", False)),
        publishes=raw.get("publishes"),
        national=raw.get("national"),
    )


def build_contacts(document: Document) -> dict[str, Contact]:
    """A schema-valid contacts registry -> contact id -> Contact. A number without `kind` is
    a "phone"; texts in one language belong to the registry's first language (default nl)."""
    data = document.data
    lang = (data.get("languages") or ["nl"])[0]
    contacts = {}
    for contact_id, raw in data["contacts"].items():
        numbers = tuple(
            PhoneNumber(
                label=Text.of(n["label"], lang),
                number=n["number"],
                example=bool(n.get("example", False)),
                kind=n.get("kind", "phone"),
                proposal=bool(n.get("proposal", False)),
                note=Text.of(n.get("note"), lang),
            )
            for n in raw.get("numbers", [])
        )
        routes = tuple(
            Route(
                kind=r["kind"],
                label=Text.of(r["label"], lang),
                value=r["value"],
                example=bool(r.get("example", False)),
                proposal=bool(r.get("proposal", False)),
                note=Text.of(r.get("note"), lang),
            )
            for r in raw.get("routes", [])
        )
        contacts[contact_id] = Contact(
            id=contact_id,
            name=Text.of(raw["name"], lang),
            organisation=raw.get("organisation"),
            role=raw.get("role"),
            numbers=numbers,
            note=Text.of(raw.get("note"), lang),
            example=bool(raw.get("example", False)),
            routes=routes,
            proposal=bool(raw.get("proposal", False)),
        )
    return contacts
