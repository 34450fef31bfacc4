"""Which runbooks a runbook calls (its `runbook` steps), directly and all the way down."""

from __future__ import annotations

from collections.abc import Mapping

from draaiboek.model.runbook import Runbook


class MissingCall(LookupError):
    """A runbook calls one that is not at hand: `caller` calls `callee`."""

    def __init__(self, caller: str, callee: str) -> None:
        super().__init__(f"runbook {caller!r} calls {callee!r}, which is not at hand")
        self.caller, self.callee = caller, callee


def calls(runbook: Runbook) -> tuple[str, ...]:
    """The ids of the runbooks `runbook` calls directly, in the order its steps are written,
    each once."""
    return tuple(dict.fromkeys(s.runbook for s in runbook.steps.values() if s.runbook))


def called_runbooks(top: Runbook, runbooks: Mapping[str, Runbook]) -> dict[str, Runbook]:
    """`top` and every runbook it can call, directly or further down, by id (`top` first).

    Raises MissingCall naming `top` and the first callee that `runbooks` does not hold.
    """
    needed = {top.id: top}
    todo = [top]
    while todo:
        for callee in calls(todo.pop()):
            if callee not in needed:
                if callee not in runbooks:
                    raise MissingCall(top.id, callee)
                needed[callee] = runbooks[callee]
                todo.append(runbooks[callee])
    return needed
