"""The quick schema check may only ever say "surely valid" for data the full schema accepts.

`schemacheck` answers valid files from a fast pre-check and sends everything else to
jsonschema for the findings. If the pre-check ever passed a file the schema rejects, validate
would miss an error, so it is compared here with an independent validator on mutated runbooks.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from draaiboek.load.schemacheck import _quick_check

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "runbook.schema.json").read_text(encoding="utf-8"))
# With the one format draaiboek checks (a date that exists), as check-jsonschema does.
FULL = Draft202012Validator(SCHEMA, format_checker=FormatChecker(formats=["date"]))
SEEDS = [
    ROOT / "tests" / "corpus" / "valid" / "every-step-type.yaml",
    ROOT / "runbooks" / "112-onbereikbaar.yaml",
]


def load(path: Path) -> dict[str, Any]:
    # Dates stay text, as the project's reader keeps them (the schema checks their form).
    loaded: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDates)
    return loaded


class _TextDates(yaml.SafeLoader):
    pass


_TextDates.yaml_implicit_resolvers = {
    key: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
BASES = [load(path) for path in SEEDS]

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=32),
    st.sampled_from(
        [
            "",
            "x",
            "PT15M",
            "P1D",
            "15 min",
            "Bad Id",
            "ok-id",
            "2027-01-01",
            "2027-02-30",
            "2027-1-1",
            "ok-id\n",
            "1.0.0\n",
            "\u0661.0.0",
            "decision",
            "action",
            "checklist",
            "input",
            "runbook",
            "end",
            "unknown",
        ]
    ),
    st.lists(st.sampled_from(["a", "b", "ok-id"]), max_size=3),
    st.dictionaries(
        st.sampled_from(["nl", "en", "x", "type", "title"]),
        st.sampled_from(["", "t", "decision"]),
        max_size=2,
    ),
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def mutate(base: dict[str, Any], choice: int, action: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    targets = paths(data)[1:]
    where = targets[choice % len(targets)]
    parent: Any = data
    for part in where[:-1]:
        parent = parent[part]
    last = where[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete":
        del parent[last]
    elif isinstance(parent, dict):  # add an unknown key beside the chosen one
        parent["onbekend"] = value
    else:
        parent.append(value)
    return data


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, len(BASES) - 1),
    choice=st.integers(0, 10_000),
    action=st.sampled_from(["replace", "delete", "add"]),
    value=_VALUES,
)
def test_the_quick_check_never_passes_what_the_schema_rejects(
    seed: int, choice: int, action: str, value: Any
) -> None:
    data = mutate(BASES[seed], choice, action, value)
    if _quick_check("draaiboek/1")(data):
        assert FULL.is_valid(data), list(FULL.iter_errors(data))[:1]


def test_the_quick_check_passes_the_valid_seeds() -> None:
    for base in BASES:
        assert FULL.is_valid(base)
        assert _quick_check("draaiboek/1")(base)  # else it is no fast path at all
