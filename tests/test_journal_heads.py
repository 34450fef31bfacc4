"""A cut tail shows: the head register outside the incident, the hash rule recorded in
`opened`, stored copies checked, and what readers do with all of it."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from draaiboek.engine.decide import Draft
from draaiboek.engine.inputs import Act, Choose
from draaiboek.journal import (
    Head,
    HeadRegister,
    Journal,
    JournalDamaged,
    check_head,
    read,
    verify,
)
from draaiboek.journal.files import JOURNAL_NAME
from draaiboek.load.library import load_library
from draaiboek.model.runbook import Runbook
from draaiboek.services.incidents import IncidentError, list_incidents
from draaiboek.services.integrity import check_incident, verify_incident
from draaiboek.services.session import Session

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
TOP = "every-step-type"
T0 = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)


def canon(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=7)
        return self.now


@pytest.fixture(scope="module")
def runbooks() -> dict[str, Runbook]:
    return load_library([CORPUS], today=date(2026, 11, 23)).all_runbooks()


def paused_walk(
    home: Path, runbooks: dict[str, Runbook], name: str = "x", operator: str = "Jan"
) -> Path:
    session = Session.start(
        home, runbooks[TOP], runbooks, operator=operator, clock=Clock(), incident_id=name
    )
    session.submit(Choose("nergens"))
    session.submit(Act("done"))
    session.pause("user")
    session.close()
    return session.folder


def lines(folder: Path) -> list[bytes]:
    return (folder / JOURNAL_NAME).read_bytes().split(b"\n")[:-1]


def write_lines(folder: Path, raw: list[bytes]) -> None:
    (folder / JOURNAL_NAME).write_bytes(b"".join(line + b"\n" for line in raw))


def rehash_from(raw: list[bytes], start: int) -> list[bytes]:
    """Renumber and rehash every line from `start` on, as a careful forger with the published
    rule would: the chain is consistent again."""
    events = [json.loads(line) for line in raw]
    prev = events[start - 1]["hash"] if start else None
    out = raw[:start]
    for seq, event in enumerate(events[start:], start):
        event.pop("hash")
        event["seq"], event["prev"] = seq, prev
        event["hash"] = prev = hashlib.sha256(canon(event)).hexdigest()
        out.append(canon(event))
    return out


# --- the register ----------------------------------------------------------------------------


def test_every_event_is_recorded_outside_the_incident(
    tmp_path: Path, runbooks: dict[str, Runbook]
) -> None:
    home = tmp_path / "home"
    folder = paused_walk(home, runbooks)
    events = list(read(folder))
    record = (home / "heads" / "x.heads").read_bytes().split(b"\n")[:-1]
    assert [json.loads(line) for line in record] == [
        {"seq": e["seq"], "hash": e["hash"]} for e in events
    ]
    assert HeadRegister(home).last("x") == Head(events[-1]["seq"], events[-1]["hash"])
    assert oct((home / "heads").stat().st_mode & 0o777) == "0o700"
    assert oct((home / "heads" / "x.heads").stat().st_mode & 0o777) == "0o600"


def test_a_torn_register_line_still_gives_the_head_before_it(tmp_path: Path) -> None:
    register = HeadRegister(tmp_path)
    for seq in range(3):
        register.record("inc", Head(seq, f"{seq:064x}"))
    register.sync()
    with (tmp_path / "heads" / "inc.heads").open("ab") as handle:
        handle.write(b'{"hash":"ab')  # a power cut in the middle of the next record
    assert register.last("inc") == Head(2, f"{2:064x}")
    assert register.last("other") is None


# --- a cut tail shows ------------------------------------------------------------------------


@pytest.mark.parametrize("cut", [1, 3])
def test_a_tail_cut_after_a_pause_is_reported_and_not_resumed(
    tmp_path: Path, runbooks: dict[str, Runbook], cut: int
) -> None:
    home = tmp_path / "home"
    folder = paused_walk(home, runbooks)
    raw = lines(folder)
    write_lines(folder, raw[:-cut])
    assert verify(folder).ok  # the file alone cannot tell...
    found = verify_incident(folder, home)  # ...the register can
    assert not found.ok and found.cut
    assert "cut off the end" in found.problems[0]
    cheap = check_incident(folder, home)
    assert not cheap.ok and "cut off the end" in cheap.problems[0]
    before = (folder / JOURNAL_NAME).read_bytes()
    with pytest.raises(JournalDamaged, match="cut off the end"):
        Session.resume(folder, operator="Piet", clock=Clock())
    assert (folder / JOURNAL_NAME).read_bytes() == before  # evidence untouched
    [summary] = list_incidents(home)
    assert not summary.verified and "cut off" in summary.problem


def test_a_closed_incident_cut_back_to_open_does_not_reopen(
    tmp_path: Path, runbooks: dict[str, Runbook]
) -> None:
    home = tmp_path / "home"
    session = Session.start(
        home, runbooks[TOP], runbooks, operator="Jan", clock=Clock(), incident_id="dicht"
    )
    session.submit(Choose("overal"))
    assert session.state.closed
    session.close()
    raw = lines(session.folder)
    write_lines(session.folder, raw[:-1])  # without `closed`
    with pytest.raises(JournalDamaged, match="cut off the end"):
        Session.resume(session.folder, operator=None, clock=Clock())


def test_an_event_inserted_and_everything_after_rehashed_is_reported(
    tmp_path: Path, runbooks: dict[str, Runbook]
) -> None:
    home = tmp_path / "home"
    folder = paused_walk(home, runbooks)
    raw = lines(folder)
    forged = json.loads(raw[2])
    forged["text"] = "dit is nooit gezegd"
    forged["type"] = "note"
    write_lines(folder, rehash_from([*raw[:3], canon(forged), *raw[3:]], 3))
    assert verify(folder).ok  # a consistent chain, built with the published rule
    found = verify_incident(folder, home)
    assert not found.ok and found.cut and "rewritten" in found.problems[0]


def test_a_forged_replacement_incident_does_not_match_its_recorded_head(
    tmp_path: Path, runbooks: dict[str, Runbook]
) -> None:
    """Another user replaced the whole incident by a valid chain of their own."""
    home = tmp_path / "home"
    folder = paused_walk(home, runbooks)
    other = paused_walk(tmp_path / "elsewhere", runbooks, "x", operator="Mallory")
    shutil.rmtree(folder)
    shutil.copytree(other, folder)
    assert verify(folder).ok
    assert not verify_incident(folder, home).ok
    with pytest.raises(JournalDamaged):
        Session.resume(folder, operator=None, clock=Clock())


def test_a_used_id_is_never_given_to_a_new_incident(
    tmp_path: Path, runbooks: dict[str, Runbook]
) -> None:
    home = tmp_path / "home"
    folder = paused_walk(home, runbooks)
    shutil.rmtree(folder)
    with pytest.raises(IncidentError, match="used before"):
        paused_walk(home, runbooks)


def test_check_head_sees_a_changed_last_event(tmp_path: Path, runbooks: dict[str, Runbook]) -> None:
    home = tmp_path / "home"
    folder = paused_walk(home, runbooks)
    raw = lines(folder)
    last = json.loads(raw[-1])
    last["reason"] = "iets anders"
    write_lines(folder, [*raw[:-1], canon(last)])
    assert not check_head(folder, None).ok  # its own hash, without any register
    assert not check_incident(folder, home).ok


# --- stored copies ---------------------------------------------------------------------------


def test_a_changed_stored_copy_fails_verification(
    tmp_path: Path, runbooks: dict[str, Runbook]
) -> None:
    home = tmp_path / "home"
    folder = paused_walk(home, runbooks)
    assert verify_incident(folder, home).ok
    copy = folder / f"{runbooks[TOP].sha256}.yaml"
    copy.write_bytes(copy.read_bytes().replace(b"Bel 112 testen", b"Bel 112 NIET"))
    found = verify_incident(folder, home)
    assert not found.ok and found.copies_changed == [copy.name]
    assert found.journal is not None and found.journal.ok  # the journal itself is fine
    copy.unlink()
    copy.symlink_to(tmp_path / "elders.yaml")
    assert verify_incident(folder, home).copies_changed == [copy.name]


# --- the hash rule ---------------------------------------------------------------------------


def legacy_journal(folder: Path) -> list[dict[str, Any]]:
    """A journal as versions before the hash rule wrote it: no `hash_rule`, and a float."""
    folder.mkdir(mode=0o700, parents=True)
    events: list[dict[str, Any]] = []
    prev = None
    extra: list[dict[str, Any]] = [{"title": "oud"}, {"speed": 60.0}, {"value": 12.5}]
    for seq, fields in enumerate(extra):
        event: dict[str, Any] = {"seq": seq, "at": "2026-01-05T07:00:00.000000+00:00"}
        event |= {"type": "x", "by": "Jan", **fields, "prev": prev}
        event["hash"] = prev = hashlib.sha256(canon(event)).hexdigest()
        events.append(event)
    write_lines(folder, [canon(e) for e in events])
    return events


def test_journals_written_before_the_rule_keep_verifying_and_resuming(tmp_path: Path) -> None:
    folder = tmp_path / "incidents" / "oud"
    events = legacy_journal(folder)
    result = verify(folder)
    assert result.ok and result.rule == "json-sorted-sha256" and result.events == 3
    journal, _ = Journal.open(folder, {"operator": "Jan"})
    with journal:
        assert journal.rule == "json-sorted-sha256"
        added = journal.append("x", "Jan", T0, {"speed": 2.5})  # the old rule allowed floats
    assert added["prev"] == events[-1]["hash"] and "hash_rule" not in added
    assert verify(folder).ok


def test_a_float_in_a_journal_of_the_current_rule_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "incidents" / "nieuw"
    with Journal.create(folder, {"operator": "Jan"}) as journal:
        journal.append("x", "Jan", T0, {"speed": 60})
        journal.append("x", "Jan", T0, {"speed": 2})
    raw = lines(folder)
    write_lines(folder, rehash_from([raw[0], raw[1].replace(b'"speed":2', b'"speed":2.0')], 1))
    result = verify(folder)
    assert not result.ok and result.broken_line == 2 and "float" in result.reason


def test_an_unknown_hash_rule_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "incidents" / "toekomst"
    with Journal.create(folder, {"operator": "Jan"}) as journal:
        journal.append("x", "Jan", T0, {})
    raw = lines(folder)
    first = json.loads(raw[0])
    first["hash_rule"] = "sha3-jcs"
    write_lines(folder, rehash_from([canon(first)], 0))
    result = verify(folder)
    assert not result.ok and "unknown hash rule 'sha3-jcs'" in result.reason


def test_the_session_makes_numbers_plain_so_no_answer_is_lost(
    tmp_path: Path, runbooks: dict[str, Runbook]
) -> None:
    session = Session.start(
        tmp_path / "home", runbooks[TOP], runbooks, operator="Jan", clock=Clock()
    )
    try:
        event = session.log(Draft("exercise", {"speed": 60.0, "ratio": 2.5, "big": 2**60}))
    finally:
        session.close()
    assert (event["speed"], event["ratio"], event["big"]) == (60, "2.5", str(2**60))
    assert verify(session.folder).ok
