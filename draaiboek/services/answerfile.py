"""Answer files (`start --answers FILE`): read one, with the runbook reader's safety limits.

The file holds a YAML mapping step name -> answer; `engine.script.Script` hands its answers to
the walk exactly as `draaiboek test` hands out a test case's. Reading is here, not in the
engine, which does no IO.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class AnswerFileError(ValueError):
    """The file cannot be used; the message is one line naming the file (and the position)."""


def read_answers(path: Path) -> dict[str, Any]:
    """The answers in `path`: a mapping step name -> YAML value, as `Script` takes it.

    Raises AnswerFileError when the file cannot be read, is not YAML (with line and column), or
    is not a mapping.
    """
    from draaiboek.load.yamlread import YamlProblem, decode, read_yaml

    try:
        data, _ = read_yaml(decode(path.read_bytes()))
    except OSError as exc:
        raise AnswerFileError(f"cannot read {path}: {exc.strerror}") from None
    except YamlProblem as problem:
        raise AnswerFileError(
            f"{path}:{problem.line}:{problem.column}: {problem.message}"
        ) from None
    if not isinstance(data, dict):
        raise AnswerFileError(f"{path}: the answers must be a mapping step id -> answer")
    return data
