"""One operator walking one incident: the engine's state and the journal that records it.

The service between the pure engine and the durable journal. The clock is passed in (tests and
exercises run it at any speed); the terminal is not known here at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from draaiboek import __version__
from draaiboek import journal as journals
from draaiboek.engine.decide import Draft, follow_ups, open_events, respond
from draaiboek.engine.fold import apply, no_cycle_collection, replay
from draaiboek.engine.inputs import Answer
from draaiboek.engine.state import WalkState
from draaiboek.journal import Journal, JournalDamaged, JournalError, JournalStorageError
from draaiboek.model.calls import MissingCall, called_runbooks
from draaiboek.model.runbook import Runbook
from draaiboek.model.timezone import DEFAULT_TIMEZONE
from draaiboek.services.incidents import (
    IncidentError,
    JournalHead,
    incident_folder,
    incident_runbooks,
    new_incident_id,
    read_head,
)
from draaiboek.services.integrity import UnsafeHome, head_register, open_home

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class NotLogged(IncidentError):
    """The disk refused an event: ``drafts`` (the first is what the operator did) were NOT
    logged. ``kind`` says why: "full", "read-only", "io", "permission" or "other" (see
    JournalStorageError). The journal stays valid; ``resume`` continues once the disk is fixed.
    """

    def __init__(self, message: str, drafts: list[Draft], kind: str) -> None:
        super().__init__(message)
        self.drafts = drafts
        self.kind = kind


def _holder(operator: str) -> dict[str, str]:
    import os

    return {
        "operator": operator,
        "pid": str(os.getpid()),
        "host": _host_name(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _host_name() -> str:
    import os

    if hasattr(os, "uname"):
        return os.uname().nodename  # what gethostname() gives, without loading `socket`
    import socket

    return socket.gethostname()


class Session:
    """Answers in, events out: every event is in the journal (fsync'd) before it is returned."""

    def __init__(
        self,
        journal: Journal,
        runbooks: Mapping[str, Runbook],
        operator: str,
        clock: Clock,
        state: WalkState | None = None,
    ) -> None:
        """`state`, when given, must be the replay of the journal's events with these runbooks
        (without it, the journal must be new and empty)."""
        self.journal = journal
        self.runbooks = dict(runbooks)
        self.operator = operator
        self.clock = clock
        self.state = state if state is not None else replay(self.runbooks, ())
        # The events this session logged (resuming logs some itself), in order.
        self.logged: list[dict[str, Any]] = []
        # A signal arriving mid-append is held until the line is safely written (see cli_walk),
        # then `after_append` raises it.
        self.appending = False
        self.after_append: Callable[[], None] | None = None
        # An exercise logs injects from a timer thread while the walk logs answers.
        self.lock = threading.RLock()
        # Called with each event once it is durable (e.g. the national forwarder's `feed`);
        # they must return at once and never raise: a step never waits for them.
        self.on_logged: list[Callable[[dict[str, Any]], None]] = []
        # One-line notices for the operator (a home made private), shown once by the caller.
        self.notices: list[str] = []

    @property
    def incident_id(self) -> str:
        return self.state.incident

    @property
    def folder(self) -> Path:
        return self.journal.folder

    @property
    def seal(self) -> str:
        """The short head ("3b1f0c"): the first hex digits of the last event's hash, printed
        at every pause and close so that a later cut of the journal shows against paper."""
        head = self.journal.head
        return head.short if head is not None else ""

    @classmethod
    def start(
        cls,
        home: Path,
        runbook: Runbook,
        runbooks: Mapping[str, Runbook],
        *,
        operator: str,
        clock: Clock,
        mode: str = "live",
        incident_id: str | None = None,
        lang: str = "nl",
        timezone: str = DEFAULT_TIMEZONE,
        allow_draft: bool = False,
        local_now: datetime | None = None,
        station: str | None = None,
        examples: bool = False,
    ) -> Session:
        """`station`, when given, is recorded in `opened` (the national picture's station);
        `examples` (the runbook is one of the shipped examples) as `"examples": true`, so that
        every screen and report of the incident says it ran on an example."""
        if runbook.status != "approved" and mode == "live" and not allow_draft:
            raise IncidentError(
                f"runbook {runbook.id!r} is {runbook.status}, not approved: a live incident needs "
                "--allow-draft to use it (and the journal records that)"
            )
        try:
            needed = called_runbooks(runbook, runbooks)
        except MissingCall as missing:
            raise IncidentError(
                f"runbook {missing.caller!r} calls {missing.callee!r}, which is not in the "
                "runbooks folder: 'draaiboek validate' shows what is missing"
            ) from None
        contents = {rb_id: _content(rb) for rb_id, rb in needed.items()}
        now = clock()
        from zoneinfo import ZoneInfo

        local = local_now or now.astimezone(ZoneInfo(timezone))
        given_id = incident_id or new_incident_id(local, runbook.id)
        folder = incident_folder(home, given_id)
        try:
            notices = open_home(home, create=True)
            journal = Journal.create(folder, _holder(operator), witness=head_register(home))
        except (JournalError, UnsafeHome) as exc:
            raise IncidentError(str(exc)) from None
        session = cls(journal, needed, operator, clock)
        session.notices = notices
        drafts = open_events(
            runbook,
            incident=given_id,
            mode=mode,
            operator=operator,
            tool_version=__version__,
            timezone=timezone,
            lang=lang,
            allow_draft=allow_draft,
            runbooks=needed,
        )
        if station is not None:
            drafts[0] = Draft(drafts[0].type, {**drafts[0].fields, "station": station})
        if examples:
            drafts[0] = Draft(drafts[0].type, {**drafts[0].fields, "examples": True})
        # Nothing is visible until `opened` is durable (the journal builds the incident under a
        # hidden name): a start cut off anywhere before leaves no incident at all.
        try:
            for content in contents.values():
                journal.store_file(content)
        except JournalStorageError as exc:
            journal.close()
            raise NotLogged(str(exc), drafts, exc.kind) from None
        except BaseException:
            journal.close()
            raise
        try:
            session.log_all(drafts)
        except BaseException:
            session.close()
            raise
        return session

    @classmethod
    def resume(
        cls,
        folder: Path,
        *,
        operator: str | None,
        clock: Clock,
        head: JournalHead | None = None,
        home: Path | None = None,
    ) -> Session:
        """Take over an incident: recover a torn tail, log resumed (and a handover).

        `head` is `read_head(folder)` when the caller has read it already. The journal itself
        is read once, as a stream, by Journal.open_folding, which verifies it while the engine
        replays it, and checks it against the head register of `home` (by default the home the
        folder is in): a journal cut or rewritten after its last recorded head is refused
        (JournalDamaged). NotLogged when the disk refuses the events of taking over.
        """
        if home is None and folder.parent.name == "incidents":
            home = folder.parent.parent
        if head is None:
            head = read_head(folder)
        if head.first is None or head.first.get("type") != "opened":
            raise IncidentError(
                f"the journal in {folder} has no 'opened' event (the start was cut off): "
                f"nothing to continue; 'draaiboek start --incident {folder.name}' starts it again"
            )
        runbooks = incident_runbooks(folder, head.runbook_events)
        who = operator or head.operator
        holder = _holder(who)
        notices: list[str] = []
        try:
            if home is not None:
                notices = open_home(home, create=False)
        except UnsafeHome as exc:
            raise IncidentError(str(exc)) from None
        witness = head_register(home) if home is not None else None
        with no_cycle_collection():
            try:
                journal, recovery, state = Journal.open_folding(
                    folder, holder, lambda events: replay(runbooks, events), witness=witness
                )
            except JournalStorageError as exc:
                raise NotLogged(str(exc), [Draft("resumed", {})], exc.kind) from None
            except JournalDamaged:
                # A line that is not JSON at all is reported as the reader reports it.
                for _ in journals.read(folder):
                    pass
                raise
        session = cls(journal, runbooks, who, clock, state)
        session.notices = notices
        try:
            session._take_over(who, recovery)
        except BaseException:
            session.close()
            raise
        return session

    def _take_over(self, who: str, recovery: journals.Recovery | None) -> None:
        if recovery is not None:
            self.log(
                Draft(
                    "recovered",
                    {
                        "torn_bytes": recovery.torn_bytes,
                        "saved_as": recovery.saved_as,
                        "sha256": recovery.sha256,
                    },
                )
            )
        if not self.state.closed:
            before = self.state.operator
            self.log(Draft("resumed", {}))
            if who != before:
                self.log(Draft("handover", {"from": before, "to": who}))
            if not self.state.stack:  # a crash between `opened` and the first `entered`
                top = self.runbooks[self.state.runbook]
                self.log(Draft("entered", {"runbook": top.id, "step": top.start}))
            # A crash right after an `entered` can leave automatic steps unlogged.
            self.log_all(follow_ups(self.state))

    def log(self, draft: Draft) -> dict[str, Any]:
        return self.log_all([draft])[0]

    def log_all(self, drafts: list[Draft]) -> list[dict[str, Any]]:
        """Append the drafts in order; a Ctrl-C or SIGTERM is held until all are written, so an
        interrupted walk never stops between an answer and the step it leads to.

        Values are made plain first (journal.plain: no floats), so a number answer is never
        lost to the hash rule. When the clock reads earlier than the last event, a `clock`
        event says so first, and the draft is still logged (an answer is never refused for
        the clock). NotLogged when the disk refuses: the drafts from the refused one on were
        not logged, and the journal takes no more until it is opened again."""
        # Only the main thread gets signals: another thread's append must not hold them back.
        main = threading.current_thread() is threading.main_thread()
        events = []
        with self.lock:
            outermost = main and not self.appending
            self.appending = self.appending or main
            try:
                for index, draft in enumerate(drafts):
                    at = self.clock()
                    try:
                        for warning in self._clock_check(at):
                            events.append(self._logged(warning))
                        fields = journals.plain(draft.fields)
                        event = self.journal.append(draft.type, self.operator, at, fields)
                    except JournalStorageError as exc:
                        raise NotLogged(str(exc), drafts[index:], exc.kind) from None
                    events.append(self._logged(event))
            finally:
                if outermost:
                    self.appending = False
        if outermost and self.after_append is not None:
            self.after_append()
        return events

    def _logged(self, event: dict[str, Any]) -> dict[str, Any]:
        """Take in an event the journal has made durable."""
        self.state = apply(self.state, event)
        self.logged.append(event)
        for hook in self.on_logged:
            hook(event)
        return event

    def _clock_check(self, at: datetime) -> list[dict[str, Any]]:
        """A `clock` event when ``at`` is earlier than the last event (the system clock was set
        back): previous time, and how many whole seconds back. [] otherwise."""
        last = self.journal.last_at
        if last is None or at >= last:
            return []
        back = last - at
        fields = {
            "previous": last.isoformat(timespec="microseconds"),
            "back_seconds": int(back.total_seconds()),
        }
        return [self.journal.append("clock", self.operator, at, fields)]

    def submit(self, answer: Answer) -> list[dict[str, Any]]:
        """Log what an answer produces; Rejected when it is not accepted."""
        return self.log_all(respond(self.state, answer, self.clock()))

    def reminders(self) -> list[dict[str, Any]]:
        """Log (and so show) the reminders that are due now: targets passed or come round,
        steps' deadlines and repeats (services.reminders). Safe to call from a ticker thread
        while the walk waits at a prompt: working out what is due and logging it is one step
        under the session's lock, so two callers never log the same reminder. Returns the
        logged events ([] when nothing is due or the walk is closed)."""
        from draaiboek.services.reminders import due_reminders, reminder_draft

        with self.lock:
            due = due_reminders(self.state, self.clock())
            return self.log_all([reminder_draft(reminder) for reminder in due]) if due else []

    def pause(self, reason: str) -> dict[str, Any] | None:
        """Log `paused` (None when the walk is closed already) and make the head register
        durable: the head printed now (`seal`) is then recorded outside the incident too."""
        if self.state.closed:
            return None
        event = self.log(Draft("paused", {"reason": reason}))
        self.journal.sync_witness()
        return event

    def events(self) -> list[dict[str, Any]]:
        """Every event of the incident so far, read back from the journal."""
        return list(journals.read(self.folder))

    def close(self) -> None:
        self.journal.close()


def _content(runbook: Runbook) -> bytes:
    import hashlib

    content = Path(runbook.file).read_bytes()
    if hashlib.sha256(content).hexdigest() != runbook.sha256:
        raise IncidentError(f"{runbook.file} changed while starting: start again")
    return content
