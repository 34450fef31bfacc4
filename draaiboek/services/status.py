"""Where an incident stands, read-only: its journal replayed with the runbooks it used.

The `status` command shows this; nothing is written and the writer's lock is not taken, so it
works while another terminal is walking the incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from draaiboek.engine.state import WalkState
from draaiboek.services.incidents import IncidentSummary


@dataclass(frozen=True)
class IncidentStatus:
    folder: Path  # the incident folder
    events: list[dict[str, Any]]  # the journal's events, in order
    state: WalkState  # the walk as the events leave it
    summary: IncidentSummary  # open | paused | closed, who, when
    zone: str  # the IANA time zone the incident is shown in


def incident_status(home: Path, given: str) -> IncidentStatus:
    """The incident `given` (an id, its folder or its journal file; see `find_incident`) under
    the incident home `home`, replayed.

    Raises IncidentError when there is no such incident or its stored runbooks are missing or
    changed, and JournalError when its journal cannot be read.
    """
    from draaiboek.engine.fold import no_cycle_collection, replay
    from draaiboek.journal import read
    from draaiboek.model.timezone import zone_name
    from draaiboek.services.incidents import find_incident, incident_runbooks, summarise

    with no_cycle_collection(freeze_after=True):  # many small objects, none of them cyclic
        folder = find_incident(home, given)
        events = list(read(folder))
        state = replay(incident_runbooks(folder, events), events)
    zone = zone_name(events[0].get("timezone")) if events else zone_name(None)
    return IncidentStatus(folder, events, state, summarise(folder, events), zone)
