"""The append-only, hash-chained incident journal: the only code that knows its on-disk format.

Imports nothing from the rest of draaiboek (never YAML, runbooks or the clock: times are passed
in). The public API, for everything else:

- :class:`Journal` — the one writer: ``Journal.create``, ``Journal.open`` (or
  ``open_folding``, which hands the events to a fold while checking them), ``append``,
  ``store_file``, ``close``, ``head``;
- :func:`read` — the events, as a stream; :func:`stream` — the same, checking the chain;
- :func:`last_event`, :func:`of_types` and :func:`check_head` — cheap partial reads;
- :func:`verify` — check a journal, naming the first broken line;
- :class:`Head`, :class:`Witness`, :class:`HeadRegister` — heads recorded outside the incident;
- :func:`plain` — the nearest value the hash rule accepts;
- :func:`private_folder` — owner-only folders, checked; :func:`folder_of`, :func:`is_incident`.

Modules: ``canonical`` (line format and hash rules), ``files`` (names, durable writes),
``safety`` (owner-only, no links), ``lock`` (one writer), ``stream`` (reading and verifying),
``reading`` (partial reads), ``recovery`` (torn tails), ``heads`` (witnesses), ``writer``.
"""

from draaiboek.journal.canonical import (
    CURRENT_RULE,
    LEGACY_RULE,
    RESERVED_FIELDS,
    Event,
    event_hash,
    plain,
)
from draaiboek.journal.errors import (
    JournalDamaged,
    JournalError,
    JournalLocked,
    JournalStorageError,
)
from draaiboek.journal.files import folder_of, is_incident
from draaiboek.journal.heads import Head, HeadRegister, Witness
from draaiboek.journal.reading import HeadCheck, check_head, last_event, of_types
from draaiboek.journal.recovery import Recovery
from draaiboek.journal.safety import private_folder
from draaiboek.journal.stream import EventStream, VerifyResult, read, stream, verify
from draaiboek.journal.writer import Journal

__all__ = [
    "CURRENT_RULE",
    "LEGACY_RULE",
    "RESERVED_FIELDS",
    "Event",
    "EventStream",
    "Head",
    "HeadCheck",
    "HeadRegister",
    "Journal",
    "JournalDamaged",
    "JournalError",
    "JournalLocked",
    "JournalStorageError",
    "Recovery",
    "VerifyResult",
    "Witness",
    "check_head",
    "event_hash",
    "folder_of",
    "is_incident",
    "last_event",
    "of_types",
    "plain",
    "private_folder",
    "read",
    "stream",
    "verify",
]
