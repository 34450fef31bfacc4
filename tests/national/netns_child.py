"""Child of test_network: a walk with its background forwarder, run inside a network namespace.

Reads commands on stdin, one per line, and answers each with one JSON line:
  note N   log N notes (each durable before the next) -> {"logged", "pending", "error"}
  wait     wait (at most 90 s) until nothing is pending -> {"pending", "stored"}
  quit     stop the forwarder and close the journal
Usage: netns_child.py INCIDENT_FOLDER HOME URL
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from draaiboek.engine.decide import Draft
from draaiboek.services.national.background import Background
from draaiboek.services.session import Session, system_clock


def main() -> None:
    folder, home, url = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    session = Session.resume(folder, operator="Jan", clock=system_clock)
    forwarder = Background(url, home, folder, timeout=2, first_pause=0.2, max_pause=1.0)
    forwarder.start()
    session.on_logged.append(forwarder.feed)
    for event in session.logged:
        forwarder.feed(event)
    count = 0
    for line in sys.stdin:
        command = line.split()
        if command[0] == "note":
            where = session.state.stack[-1]
            for _ in range(int(command[1])):
                count += 1
                session.log_all(
                    [
                        Draft(
                            "note",
                            {
                                "runbook": where.runbook,
                                "step": where.step,
                                "text": f"notitie {count}",
                            },
                        )
                    ]
                )
            answer = {
                "logged": count,
                "pending": len(forwarder.pending),
                "error": forwarder.last_error,
            }
        elif command[0] == "wait":
            deadline = time.monotonic() + 90
            while not forwarder.idle() and time.monotonic() < deadline:
                time.sleep(0.05)
            answer = {"pending": len(forwarder.pending), "stored": forwarder.stored}
        else:
            break
        print(json.dumps(answer), flush=True)
    forwarder.stop(1)
    session.close()


if __name__ == "__main__":
    main()
