"""The walk service when the disk or the clock fails: nothing confirmed is lost, nothing
unconfirmed is claimed, and the journal stays valid. Faults are injected (CI runs as root)."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from draaiboek.engine.inputs import Act, Choose
from draaiboek.journal import read, verify
from draaiboek.journal.files import JOURNAL_NAME
from draaiboek.load.library import load_library
from draaiboek.model.runbook import Runbook
from draaiboek.services.session import NotLogged, Session

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
TOP = "every-step-type"
T0 = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
FAULTS = [(errno.ENOSPC, "full"), (errno.EDQUOT, "full"), (errno.EROFS, "read-only"),
          (errno.EIO, "io")]  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def runbooks() -> dict[str, Runbook]:
    return load_library([CORPUS], today=date(2026, 11, 23)).all_runbooks()


@contextmanager
def disk_refuses(monkeypatch: pytest.MonkeyPatch, number: int) -> Iterator[None]:
    """Every write to a journal or a stored file fails as the disk would."""

    def refusing(fd: int, data: bytes) -> None:
        raise OSError(number, os.strerror(number))

    with monkeypatch.context() as patch:
        patch.setattr("draaiboek.journal.writer.write_all", refusing)
        patch.setattr("draaiboek.journal.files.write_all", refusing)
        yield


@pytest.mark.parametrize(("number", "kind"), FAULTS)
def test_an_answer_the_disk_refuses_is_named_and_not_claimed(
    tmp_path: Path, runbooks: dict[str, Runbook], monkeypatch: pytest.MonkeyPatch,
    number: int, kind: str,
) -> None:  # fmt: skip
    home, clock = tmp_path / "home", Clock()
    session = Session.start(home, runbooks[TOP], runbooks, operator="Jan", clock=clock)
    before = (session.folder / JOURNAL_NAME).read_bytes()
    with disk_refuses(monkeypatch, number), pytest.raises(NotLogged) as info:
        session.submit(Choose("nergens"))
    refused = info.value
    assert refused.kind == kind and "\n" not in str(refused)
    assert refused.drafts[0].type == "answered" and refused.drafts[0].fields["option"] == "nergens"
    assert (session.folder / JOURNAL_NAME).read_bytes() == before  # nothing half-written
    with pytest.raises(NotLogged):  # and nothing more until it is opened again
        session.pause("user")
    session.close()
    assert verify(session.folder).ok

    again = Session.resume(session.folder, operator=None, clock=clock)  # the disk is back
    try:
        again.submit(Choose("nergens"))
    finally:
        again.close()
    assert [e["type"] for e in read(session.folder)][-3:] == ["resumed", "answered", "entered"]
    assert verify(session.folder).ok


@pytest.mark.parametrize(("number", "kind"), FAULTS)
def test_resume_on_a_refusing_disk_is_named_too(
    tmp_path: Path, runbooks: dict[str, Runbook], monkeypatch: pytest.MonkeyPatch,
    number: int, kind: str,
) -> None:  # fmt: skip
    home, clock = tmp_path / "home", Clock()
    session = Session.start(home, runbooks[TOP], runbooks, operator="Jan", clock=clock)
    session.close()
    before = (session.folder / JOURNAL_NAME).read_bytes()
    with disk_refuses(monkeypatch, number), pytest.raises(NotLogged) as info:
        Session.resume(session.folder, operator="Piet", clock=clock)
    assert info.value.kind == kind and info.value.drafts[0].type == "resumed"
    assert (session.folder / JOURNAL_NAME).read_bytes() == before
    Session.resume(session.folder, operator="Piet", clock=clock).close()  # not locked out


@pytest.mark.parametrize(("number", "kind"), FAULTS)
def test_a_start_the_disk_refuses_leaves_no_incident(
    tmp_path: Path, runbooks: dict[str, Runbook], monkeypatch: pytest.MonkeyPatch,
    number: int, kind: str,
) -> None:  # fmt: skip
    home = tmp_path / "home"
    with disk_refuses(monkeypatch, number), pytest.raises(NotLogged) as info:
        Session.start(home, runbooks[TOP], runbooks, operator="Jan", clock=Clock())
    assert info.value.kind == kind and info.value.drafts[0].type == "opened"
    assert list((home / "incidents").iterdir()) == []


def test_a_clock_set_back_is_logged_and_the_answer_kept(
    tmp_path: Path, runbooks: dict[str, Runbook]
) -> None:
    clock = Clock()
    session = Session.start(tmp_path / "home", runbooks[TOP], runbooks, operator="Jan", clock=clock)
    clock.now += timedelta(minutes=30)
    session.submit(Choose("nergens"))
    clock.now -= timedelta(hours=2)  # someone set the system clock back two hours
    logged = session.submit(Act("done"))
    session.close()
    assert [e["type"] for e in logged][:2] == ["clock", "action"]
    warning = logged[0]
    assert warning["back_seconds"] == 7200
    assert warning["previous"] == (T0 + timedelta(minutes=30)).isoformat(timespec="microseconds")
    assert logged[1]["result"] == "done"  # the answer is logged all the same
    assert session.state.current is not None and session.state.current.step != "testbellen"
    clock.now = T0 - timedelta(hours=3)  # still behind the last event at the take-over
    again = Session.resume(session.folder, operator=None, clock=clock)
    again.close()
    assert [e["type"] for e in again.logged] == ["clock", "resumed"]
