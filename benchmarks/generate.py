"""Generate the benchmark inputs: runbook corpora, a walk runbook with answer files, a journal.

Everything is deterministic (seeded) and written under one output folder, by default
`benchmarks/out/` (git-ignored): nothing large is committed.

    python benchmarks/generate.py                 # full sizes into benchmarks/out/full
    python benchmarks/generate.py --quick         # small sizes into benchmarks/out/quick

Layout of the output folder::

    contacts/contacts.yaml        the contacts registry the generated runbooks refer to
                                  (passed as --runbooks, so it is the validation context)
    corpus/rb-NNN.yaml            valid runbooks of N steps: decisions, actions, checklists,
                                  inputs and ends; texts in nl and en (some nl only)
    walk/                         one mixed runbook and the contacts: `draaiboek start` by id
    steps/steps.yaml              a runbook of only action steps and an end (the per-step walk)
    steps/answers-N.yaml          answers (`--answers`) for the first N steps
    journal/runbooks/loop.yaml    a looping runbook (hourly checks during a long outage)
    journal/home/incidents/bench-resume/
                                  an open incident of >= E events, written with the real
                                  Session/Journal API (fsync skipped while generating only)
    long/home/incidents/bench-long/
                                  an open incident of >= L events (100,000 in full) for the
                                  memory rows: ten rounds of the loop walked through the real
                                  Session, then that block of events appended again and again
                                  through the real Journal (new seq, time, prev and hash)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

GENERATOR_VERSION = 2
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out"
SCHEMA_COMMENT = "# yaml-language-server: $schema=../../../../schemas/runbook.schema.json\n"
RESUME_INCIDENT = "bench-resume"
LONG_INCIDENT = "bench-long"


@dataclass(frozen=True)
class Sizes:
    files: int  # runbooks in the validate corpus
    steps: int  # steps per corpus runbook
    peer_files: int  # of those, how many go to the check-jsonschema comparison
    walk_steps: int  # steps in the per-step walk runbook (answered: all, and half)
    events: int  # events in the resume journal
    first_steps: int  # steps of the runbook for the first question
    long_events: int = 100_000  # events in the journal of the memory rows


FULL = Sizes(files=200, steps=100, peer_files=50, walk_steps=400, events=20_000, first_steps=40)
QUICK = Sizes(
    files=10, steps=20, peer_files=10, walk_steps=20, events=500, first_steps=12, long_events=2_000
)


# --------------------------------------------------------------------------------------------
# Text: paired Dutch and English phrases, so a translated text says the same thing.

_ACTIONS = [
    ("Bel", "Call"),
    ("Controleer", "Check"),
    ("Informeer", "Inform"),
    ("Waarschuw", "Alert"),
    ("Verifieer", "Verify"),
    ("Noteer de status van", "Record the status of"),
    ("Vraag een terugbelnummer aan", "Ask for a call-back number from"),
    ("Escaleer naar", "Escalate to"),
    ("Activeer de uitwijklocatie voor", "Activate the fallback site for"),
    ("Stem de communicatie af met", "Align the communication with"),
]
_OBJECTS = [
    ("de meldkamer ambulancezorg", "the ambulance dispatch centre"),
    ("het Nationaal Crisiscentrum (NCC)", "the National Crisis Centre (NCC)"),
    ("de storingsdienst van KPN", "KPN's fault desk"),
    ("de piketofficier van dienst", "the officer on call"),
    ("de regionale omroep", "the regional broadcaster"),
    ("de C2000-portofoons", "the C2000 radios"),
    ("het alternatieve noodnummer 0900-8844", "the alternative emergency number 0900-8844"),
    ("de veiligheidsregio", "the safety region"),
    ("de gemeentelijke crisisorganisatie", "the municipal crisis organisation"),
    (
        "het Landelijk Operationeel Coördinatiecentrum",
        "the National Operational Coordination Centre",
    ),
    ("de brandweerkazernes in de regio", "the fire stations in the region"),
    ("NL-Alert", "NL-Alert"),
]
_QUESTIONS = [
    ("Is 112 vanuit alle netwerken bereikbaar?", "Can 112 be reached from every network?"),
    ("Werkt het alternatieve nummer?", "Does the alternative number work?"),
    ("Is de storing landelijk?", "Is the outage nationwide?"),
    ("Zijn de portofoons in de lucht?", "Are the radios working?"),
    ("Heeft de provider een hersteltijd genoemd?", "Has the provider given a repair time?"),
    ("Moet de burgemeester geïnformeerd worden?", "Must the mayor be informed?"),
    ("Is er publiekscommunicatie nodig?", "Is public communication needed?"),
]
_ANSWERS = [
    ("Ja, volledig", "Yes, fully"),
    ("Nee, nergens", "No, nowhere"),
    ("Gedeeltelijk, alleen mobiel", "Partly, mobile only"),
    ("Onbekend, navragen", "Unknown, ask again"),
]
_SENTENCES = [
    (
        "Gebruik het nummer uit het contactenregister en noteer wie je gesproken hebt.",
        "Use the number from the contacts registry and note whom you spoke to.",
    ),
    (
        "Bel vanaf een vaste lijn én vanaf een mobiel toestel van een andere provider.",
        "Call from a landline and from a mobile phone of another provider.",
    ),
    (
        "Wacht niet op een bevestiging per e-mail: die kan uren duren tijdens een storing.",
        "Do not wait for a confirmation by e-mail: it can take hours during an outage.",
    ),
    (
        "Meld het tijdstip waarop de storing begon zo precies mogelijk, in lokale tijd.",
        "Report the time the outage began as precisely as possible, in local time.",
    ),
    (
        "Houd de lijn vrij voor terugbellen en spreek een vast tijdstip af voor de volgende "
        "update.",
        "Keep the line free for call-backs and agree on a fixed time for the next update.",
    ),
    (
        "Als niemand opneemt, probeer het na vijf minuten opnieuw en ga dan naar de volgende stap.",
        "If nobody answers, try again after five minutes and then go on to the next step.",
    ),
    (
        "Vraag expliciet of de storing ook de meldkamers van politie en brandweer raakt.",
        "Ask explicitly whether the outage also affects the police and fire dispatch centres.",
    ),
    (
        "Leg vast welke regio's getroffen zijn; de provider weet dat vaak eerder dan wij.",
        "Record which regions are affected; the provider often knows before we do.",
    ),
]
_ITEMS = [
    ("Meldkamer politie geïnformeerd", "Police dispatch informed"),
    ("Meldkamer brandweer geïnformeerd", "Fire dispatch informed"),
    ("Meldkamer ambulancezorg geïnformeerd", "Ambulance dispatch informed"),
    (
        "Website bijgewerkt met het alternatieve nummer",
        "Website updated with the alternative number",
    ),
    ("Sociale media bijgewerkt", "Social media updated"),
    ("Logboek van de provider opgevraagd", "Provider's log requested"),
    ("Hersteltijd genoteerd", "Repair time recorded"),
]
_INPUTS: list[tuple[tuple[str, str], dict[str, Any]]] = [
    (
        ("Tijd van de eerste melding (UU:MM)", "Time of the first report (HH:MM)"),
        {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
    ),
    (
        ("Aantal gemiste meldingen (schatting)", "Number of missed calls (estimate)"),
        {"type": "integer", "minimum": 0, "maximum": 100000},
    ),
    (
        ("Naam van de contactpersoon bij de provider", "Name of the contact at the provider"),
        {"type": "string", "minLength": 2, "maxLength": 120},
    ),
    (
        ("Referentienummer van de storing", "Reference number of the outage"),
        {"type": "string", "pattern": "^[A-Z0-9-]{4,20}$"},
    ),
]
ROLES = {
    "caco": ("Calamiteitencoördinator", "Emergency coordinator"),
    "piket": ("Piketofficier", "Officer on call"),
    "woordvoerder": ("Woordvoerder", "Spokesperson"),
}
CONTACTS = {
    "kpn-noc": ("KPN Network Operations Centre", "KPN"),
    "lms-piket": ("LMS piketdienst", "Landelijke Meldkamer Samenwerking"),
    "ncc-dienst": ("NCC dienstdoende", "Nationaal Crisiscentrum"),
    "omroep-calamiteiten": ("Calamiteitenzender", "Regionale omroep"),
}
SOURCES = {
    "S1": "Kamerbrief 25 juni 2020 (Kamerstuk 29 517, nr. 193)",
    "S2": "Rapport Agentschap Telecom, storing 112 van 24 juni 2019",
    "S3": "Evaluatie ICT-verstoring politie, september 2020",
}


class _Texts:
    """Texts in one or two languages, with realistic lengths."""

    def __init__(self, rng: random.Random, bilingual: bool) -> None:
        self.rng = rng
        self.bilingual = bilingual

    def pick(self, pair: tuple[str, str]) -> str | dict[str, str]:
        return {"nl": pair[0], "en": pair[1]} if self.bilingual else pair[0]

    def title(self) -> str | dict[str, str]:
        verb = self.rng.choice(_ACTIONS)
        obj = self.rng.choice(_OBJECTS)
        return self.pick((f"{verb[0]} {obj[0]}", f"{verb[1]} {obj[1]}"))

    def paragraph(self, low: int = 1, high: int = 3) -> str | dict[str, str]:
        chosen = self.rng.sample(_SENTENCES, self.rng.randint(low, high))
        return self.pick((" ".join(s[0] for s in chosen), " ".join(s[1] for s in chosen)))


def _step_id(index: int, rng: random.Random) -> str:
    word = rng.choice(["bellen", "melden", "controle", "besluit", "lijst", "invullen", "check"])
    return f"s{index:03d}-{word}"


def runbook_data(runbook_id: str, steps: int, seed: int, bilingual: bool = True) -> dict[str, Any]:
    """A valid runbook of `steps` steps (the last two are ends) of every answerable kind."""
    rng = random.Random(seed)
    texts = _Texts(rng, bilingual)
    steps = max(steps, 3)
    ids = [_step_id(i, rng) for i in range(steps - 2)] + ["einde-opgelost", "einde-opgeschaald"]
    body: dict[str, Any] = {}
    for index in range(steps - 2):
        after = ids[index + 1]
        kind = rng.choices(["action", "decision", "checklist", "input"], [45, 20, 20, 15])[0]
        last = index == steps - 3  # the last question leads to either end, so both are reached
        if last:
            kind = "decision"
        step: dict[str, Any] = {"type": kind, "title": texts.title()}
        if rng.random() < 0.7:
            step["text"] = texts.paragraph()
        step["role"] = rng.choice(list(ROLES))
        if rng.random() < 0.25:
            step["sources"] = rng.sample(list(SOURCES), rng.randint(1, 2))
        if kind == "decision":
            step["title"] = texts.pick(rng.choice(_QUESTIONS))
            count = 2 if last else rng.randint(2, 3)
            answers = rng.sample(_ANSWERS, count)
            targets = [after, ids[min(index + rng.randint(2, 6), steps - 2)], ids[-1]]
            if last:
                targets = [ids[-2], ids[-1]]
            step["options"] = [
                {"id": f"optie-{n + 1}", "label": texts.pick(answers[n]), "next": targets[n]}
                for n in range(count)
            ]
        elif kind == "action":
            if rng.random() < 0.4:
                step["contacts"] = rng.sample(list(CONTACTS), rng.randint(1, 2))
            if rng.random() < 0.2:
                step["due"] = rng.choice(["PT10M", "PT15M", "PT30M", "PT1H"])
            if rng.random() < 0.1:
                step["repeat"] = "PT15M"
                step["until"] = [ids[min(index + 3, steps - 2)]]
            if rng.random() < 0.2:
                step["critical"] = True
            step["next"] = after
        elif kind == "checklist":
            items = rng.sample(_ITEMS, rng.randint(2, 5))
            step["items"] = []
            for number, label in enumerate(items):
                item: dict[str, Any] = {"id": f"punt-{number + 1}", "label": texts.pick(label)}
                if rng.random() < 0.3:
                    item["critical"] = True
                if rng.random() < 0.2:
                    item["due"] = "PT20M"
                if rng.random() < 0.2:
                    item["contacts"] = [rng.choice(list(CONTACTS))]
                step["items"].append(item)
            step["next"] = after
        else:
            title, schema = rng.choice(_INPUTS)
            step["title"] = texts.pick(title)
            step["value"] = dict(schema)
            step["next"] = after
        if rng.random() < 0.1:
            step["note"] = texts.pick(
                (
                    "Deze termijn is een voorstel, nog niet vastgesteld.",
                    "This target is a proposal.",
                )
            )
        body[ids[index]] = step
    body["einde-opgelost"] = {
        "type": "end",
        "title": texts.pick(("Storing verholpen", "Outage resolved")),
        "role": "caco",
        "outcome": "resolved",
    }
    body["einde-opgeschaald"] = {
        "type": "end",
        "title": texts.pick(("Opgeschaald naar GRIP", "Escalated to GRIP")),
        "text": texts.paragraph(1, 2),
        "role": "caco",
        "outcome": "escalated",
    }
    return _envelope(runbook_id, texts, body, ids[0], bilingual)


def _envelope(
    runbook_id: str, texts: _Texts, steps: dict[str, Any], start: str, bilingual: bool
) -> dict[str, Any]:
    return {
        "format": "draaiboek/1",
        "id": runbook_id,
        "version": "1.0.0",
        "status": "approved",
        "title": texts.pick(("Bereikbaarheid 112 verstoord", "112 reachability disrupted")),
        "description": texts.paragraph(2, 3),
        "languages": ["nl", "en"] if bilingual else ["nl"],
        "owner": "Veiligheidsregio Benchmark",
        "review_before": "2099-12-31",
        "approval": {"by": "J. de Vries", "date": "2026-01-15"},
        "roles": {role: texts.pick(names) for role, names in ROLES.items()},
        "sources": {key: {"title": title} for key, title in SOURCES.items()},
        "start": start,
        "steps": steps,
    }


def actions_runbook(runbook_id: str, steps: int, seed: int) -> tuple[dict[str, Any], list[str]]:
    """`steps` action steps and an end: the runbook of the per-step walk."""
    rng = random.Random(seed)
    texts = _Texts(rng, True)
    ids = [f"actie-{i:04d}" for i in range(steps)]
    body: dict[str, Any] = {}
    for index, step_id in enumerate(ids):
        body[step_id] = {
            "type": "action",
            "title": texts.title(),
            "text": texts.paragraph(),
            "role": rng.choice(list(ROLES)),
            "next": ids[index + 1] if index + 1 < steps else "klaar",
        }
    body["klaar"] = {
        "type": "end",
        "title": texts.pick(("Klaar", "Done")),
        "outcome": "resolved",
        "role": "caco",
    }
    return _envelope(runbook_id, texts, body, ids[0], True), ids


def loop_runbook() -> dict[str, Any]:
    """Hourly checks during a long outage: decision -> action -> checklist -> input -> again."""
    texts = _Texts(random.Random(7), True)
    steps: dict[str, Any] = {
        "bereikbaar": {
            "type": "decision",
            "title": texts.pick(_QUESTIONS[0]),
            "role": "caco",
            "options": [
                {
                    "id": "nee",
                    "label": texts.pick(("Nee, nog niet", "No, not yet")),
                    "next": "testbellen",
                },
                {
                    "id": "ja",
                    "label": texts.pick(("Ja, hersteld", "Yes, restored")),
                    "next": "hersteld",
                },
            ],
        },
        "testbellen": {
            "type": "action",
            "title": texts.pick(("Bel 112 testen", "Make 112 test calls")),
            "text": texts.paragraph(2, 2),
            "role": "caco",
            "next": "ketenupdate",
        },
        "ketenupdate": {
            "type": "checklist",
            "title": texts.pick(("Update aan de keten", "Update the chain")),
            "role": "caco",
            "items": [
                {"id": "lms", "label": texts.pick(_ITEMS[0])},
                {"id": "ncc", "label": texts.pick(_ITEMS[1])},
            ],
            "next": "stand",
        },
        "stand": {
            "type": "input",
            "title": texts.pick(_INPUTS[1][0]),
            "role": "caco",
            "value": dict(_INPUTS[1][1]),
            "next": "bereikbaar",
        },
        "hersteld": {
            "type": "end",
            "title": texts.pick(("Storing verholpen", "Outage resolved")),
            "role": "caco",
            "outcome": "resolved",
        },
    }
    return _envelope("lange-storing", texts, steps, "bereikbaar", True)


def contacts_data() -> dict[str, Any]:
    return {
        "format": "draaiboek-contacts/1",
        "languages": ["nl", "en"],
        "contacts": {
            contact_id: {
                "name": {"nl": name, "en": name},
                "organisation": organisation,
                "example": True,
                "numbers": [
                    {
                        "label": {"nl": "Storingslijn", "en": "Fault line"},
                        "number": "+31 00 000 0000",
                        "example": True,
                    }
                ],
            }
            for contact_id, (name, organisation) in CONTACTS.items()
        },
    }


def write_yaml(path: Path, data: Any, schema: str = "runbook") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    comment = SCHEMA_COMMENT.replace("runbook.schema", f"{schema}.schema")
    path.write_text(comment + text, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# The journal of a long incident, through the real API.


@contextlib.contextmanager
def _no_fsync() -> Iterator[None]:
    """Generating 20,000 events need not be durable; the bytes written are the same."""
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def write_journal(folder: Path, events: int) -> Path:
    """An open (paused) incident of at least `events` events; returns the home folder."""
    from draaiboek.engine.inputs import Act, Answer, Choose, ItemAnswer, Note, Value
    from draaiboek.load.library import load_library
    from draaiboek.services.session import Session

    runbooks = folder / "runbooks"
    write_yaml(runbooks / "loop.yaml", loop_runbook())
    home = folder / "home"
    shutil.rmtree(home, ignore_errors=True)
    library = load_library([runbooks], today=date.today())
    if library.errors:
        raise SystemExit(f"generated loop runbook is invalid: {library.errors[0]}")
    runbook = library.runbooks["lange-storing"]
    moment = [datetime(2026, 1, 5, 7, 0, tzinfo=UTC)]

    def clock() -> datetime:
        moment[0] += timedelta(seconds=20)
        return moment[0]

    with _no_fsync():
        session = Session.start(
            home,
            runbook,
            library.all_runbooks(),
            operator="J. de Vries",
            clock=clock,
            mode="exercise",
            incident_id=RESUME_INCIDENT,
            lang="nl",
        )
        answers: list[Answer] = [
            Choose("nee"),
            Act("done"),
            ItemAnswer("lms", "done"),
            ItemAnswer("ncc", "done"),
            Value("12"),
        ]
        round_number = 0
        try:
            while session.journal.count < events - 1:
                for answer in answers:
                    session.submit(answer)
                round_number += 1
                if round_number % 10 == 0:
                    session.submit(Note(f"Ronde {round_number}: nog steeds storing."))
            session.pause("user")
        finally:
            session.close()
    return home


def write_long_journal(folder: Path, events: int) -> Path:
    """An open (paused) incident of at least `events` events; returns the home folder.

    Walking 100,000 events through the engine one answer at a time takes minutes, so ten rounds
    of the loop (and their note) are walked through the real Session, and then that block of
    events is appended again and again through the real Journal: each copy gets its own seq,
    time (20 s apart), prev and hash, and the head register records it, so the journal verifies,
    replays and resumes like one walked for days.
    """
    from draaiboek.engine.inputs import Act, Answer, Choose, ItemAnswer, Note, Value
    from draaiboek.load.library import load_library
    from draaiboek.services.session import Session

    runbooks = folder / "runbooks"
    write_yaml(runbooks / "loop.yaml", loop_runbook())
    home = folder / "home"
    shutil.rmtree(home, ignore_errors=True)
    library = load_library([runbooks], today=date.today())
    moment = [datetime(2026, 1, 5, 7, 0, tzinfo=UTC)]

    def clock() -> datetime:
        moment[0] += timedelta(seconds=20)
        return moment[0]

    answers: list[Answer] = [Choose("nee"), Act("done"), ItemAnswer("lms", "done"),
                             ItemAnswer("ncc", "done"), Value("12")]  # fmt: skip
    with _no_fsync():
        session = Session.start(
            home,
            library.runbooks["lange-storing"],
            library.all_runbooks(),
            operator="J. de Vries",
            clock=clock,
            mode="exercise",
            incident_id=LONG_INCIDENT,
            lang="nl",
        )
        try:
            for _ in range(10):
                for answer in answers:
                    session.submit(answer)
            session.submit(Note("Tien rondes: nog steeds storing."))
            # The block from one `answered` up to (not including) the next round's: repeatable.
            block = session.logged[2:]
            while session.journal.count < events - 1:
                for event in block:
                    fields = {
                        k: v
                        for k, v in event.items()
                        if k not in ("seq", "at", "type", "by", "prev", "hash")
                    }
                    session.journal.append(str(event["type"]), str(event["by"]), clock(), fields)
            session.journal.append("paused", "J. de Vries", clock(), {"reason": "user"})
        finally:
            session.close()
    return home


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    root: Path
    contacts: Path  # folder holding contacts.yaml (used as --runbooks)
    corpus: Path
    corpus_files: list[Path]
    walk: Path  # runbooks folder for the first question
    walk_id: str
    steps_file: Path
    answers_full: Path
    answers_half: Path
    walk_steps: int
    journal_runbooks: Path
    journal_home: Path
    incident: str
    long_runbooks: Path
    long_home: Path
    long_incident: str


def layout(root: Path, sizes: Sizes) -> Layout:
    return Layout(
        root=root,
        contacts=root / "contacts",
        corpus=root / "corpus",
        corpus_files=[root / "corpus" / f"rb-{i:03d}.yaml" for i in range(sizes.files)],
        walk=root / "walk",
        walk_id="eerste-vraag",
        steps_file=root / "steps" / "steps.yaml",
        answers_full=root / "steps" / f"answers-{sizes.walk_steps}.yaml",
        answers_half=root / "steps" / f"answers-{sizes.walk_steps // 2}.yaml",
        walk_steps=sizes.walk_steps,
        journal_runbooks=root / "journal" / "runbooks",
        journal_home=root / "journal" / "home",
        incident=RESUME_INCIDENT,
        long_runbooks=root / "long" / "runbooks",
        long_home=root / "long" / "home",
        long_incident=LONG_INCIDENT,
    )


def _fingerprint() -> str:
    """Of the package and its schemas: the journal and the runbooks are made with them."""
    import hashlib

    import draaiboek

    digest = hashlib.sha256()
    package = Path(draaiboek.__file__).parent
    for path in sorted([*package.rglob("*.py"), *package.parent.joinpath("schemas").glob("*")]):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def generate(root: Path, sizes: Sizes, force: bool = False) -> Layout:
    """Write everything (skipped when `root` already holds this generator's output for `sizes`)."""
    where = layout(root, sizes)
    stamp = root / "generated.json"
    wanted = {"generator": GENERATOR_VERSION, "sizes": asdict(sizes), "code": _fingerprint()}
    if not force and stamp.is_file():
        with contextlib.suppress(ValueError):
            if json.loads(stamp.read_text(encoding="utf-8")) == wanted:
                return where
    for name in ("contacts", "corpus", "walk", "steps", "journal", "long"):
        shutil.rmtree(root / name, ignore_errors=True)
    stamp.unlink(missing_ok=True)

    write_yaml(where.contacts / "contacts.yaml", contacts_data(), "contacts")
    for index, path in enumerate(where.corpus_files):
        bilingual = index % 10 != 9  # one in ten is in Dutch only
        write_yaml(path, runbook_data(f"bench-{index:03d}", sizes.steps, index, bilingual))

    write_yaml(where.walk / "contacts.yaml", contacts_data(), "contacts")
    write_yaml(
        where.walk / "eerste-vraag.yaml", runbook_data(where.walk_id, sizes.first_steps, 1000)
    )

    data, ids = actions_runbook("per-stap", sizes.walk_steps, 2000)
    write_yaml(where.steps_file, data)
    for path, count in ((where.answers_full, len(ids)), (where.answers_half, len(ids) // 2)):
        path.write_text("".join(f"{step_id}: done\n" for step_id in ids[:count]), encoding="utf-8")

    write_journal(root / "journal", sizes.events)
    write_long_journal(root / "long", sizes.long_events)
    stamp.write_text(json.dumps(wanted), encoding="utf-8")
    return where


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes (as CI uses)")
    parser.add_argument("--out", type=Path, help="output folder [default: benchmarks/out/MODE]")
    parser.add_argument("--force", action="store_true", help="regenerate even if up to date")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    root = args.out or DEFAULT_OUT / ("quick" if args.quick else "full")
    where = generate(root.resolve(), sizes, force=args.force)
    print(f"generated into {where.root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
