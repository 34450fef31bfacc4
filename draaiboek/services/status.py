"""Where an incident stands, read-only: its journal replayed with the runbooks it used.

The `status` command shows this; nothing is written and the writer's lock is not taken, so it
works while another terminal is walking the incident. The journal is read once, as a stream:
memory does not grow with its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from draaiboek.engine.state import WalkState
from draaiboek.services.incidents import IncidentSummary
from draaiboek.services.integrity import IncidentCheck


@dataclass(frozen=True)
class IncidentStatus:
    folder: Path  # the incident folder
    state: WalkState  # the walk as the events leave it
    summary: IncidentSummary  # open | paused | closed, who, when
    zone: str  # the IANA time zone the incident is shown in
    check: IncidentCheck  # the cheap check: last event's own hash, the head register
    # Events the national store has not acknowledged; None when there is nothing to say (never
    # forwarded, and no store configured): see services/national/acks.py.
    not_forwarded: int | None = None


def incident_status(home: Path, given: str, *, store_configured: bool = False) -> IncidentStatus:
    """The incident `given` (an id, its folder or its journal file; see `find_incident`) under
    the incident home `home`, replayed, and checked cheaply (`check_incident`), with what is not
    yet forwarded to the national store (`store_configured`: one is set up, so an incident that
    was never forwarded counts all its events).

    Raises IncidentError when there is no such incident, it has no `opened` event, or its stored
    runbooks are missing or changed, and JournalError when its journal cannot be read.
    """
    from draaiboek import journal
    from draaiboek.engine.fold import no_cycle_collection, replay
    from draaiboek.model.timezone import zone_name
    from draaiboek.services.incidents import (
        IncidentError,
        SummaryFold,
        find_incident,
        incident_runbooks,
        read_head,
    )
    from draaiboek.services.integrity import check_incident
    from draaiboek.services.national.acks import pending

    folder = find_incident(home, given)
    check = check_incident(folder, home)  # the head register before the journal is read
    head = read_head(folder)
    if head.first is None or head.first.get("type") != "opened":
        raise IncidentError(
            f"incident {folder.name} has no 'opened' event (its start was cut off); "
            f"'draaiboek start --incident {folder.name}' starts it again"
        )
    runbooks = incident_runbooks(folder, head.runbook_events)
    summary = SummaryFold()
    with no_cycle_collection(freeze_after=True):  # many small objects, none of them cyclic
        state = replay(runbooks, summary.tap(journal.read(folder)))
    zone = zone_name(head.first.get("timezone"))
    summarised = summary.summary(folder)
    own_home = folder.parent.parent if folder.parent.name == "incidents" else home
    unsent = pending(own_home, folder.name, summarised.events, configured=store_configured)
    return IncidentStatus(folder, state, summarised, zone, check, unsent)
