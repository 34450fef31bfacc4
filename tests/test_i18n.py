"""One message catalogue per language, with the same keys, holding every key the code asks for.

The keys the code asks for are found in its syntax tree, not by a text pattern, so a call split
over lines, a key in single quotes or a choice between two keys is still seen:
- `t("key")`, `w("key")`, `words("key")`, `messages("key")` (also as `self.t(...)`), including
  `t("a" if x else "b")`: literal keys;
- `t(f"outcome.{value}")`, `t("outcome." + value)`, `t.word("outcome", value)`, and any f-string
  that starts with a catalogue namespace and a dot (`f"exercise.{key}"`): key prefixes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from draaiboek.model.catalogue import LANGUAGES, Messages, catalogue
from draaiboek.model.runbook import OUTCOMES, STEP_TYPES
from draaiboek.services import scoring

PACKAGE = Path(__file__).resolve().parent.parent / "draaiboek"
TEXT_CALLS = {"t", "w", "words", "messages"}
PREFIX = re.compile(r"[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*\.")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _asked(call: ast.Call, literal: set[str], prefixes: set[str]) -> None:
    first = call.args[0]
    if _callee(call.func) == "word":
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            prefixes.add(first.value + ".")
        return
    for arg in [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            literal.add(arg.value)
        elif isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Constant):
            prefixes.add(str(arg.left.value))
        elif isinstance(arg, ast.JoinedStr) and arg.values:
            head = arg.values[0]
            if isinstance(head, ast.Constant):
                prefixes.add(str(head.value))


def used_keys() -> tuple[set[str], set[str]]:
    """The literal keys and the key prefixes that the package's code asks the catalogue for."""
    namespaces = {key.split(".")[0] for key in catalogue("nl") if "." in key}
    literal: set[str] = set()
    prefixes: set[str] = set()
    for source in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if (
                    isinstance(head, ast.Constant)
                    and PREFIX.fullmatch(str(head.value))
                    and str(head.value).split(".")[0] in namespaces
                ):
                    prefixes.add(str(head.value))
            if (
                isinstance(node, ast.Call)
                and node.args
                and _callee(node.func) in TEXT_CALLS | {"word"}
            ):
                _asked(node, literal, prefixes)
    return literal, prefixes


def test_every_language_has_the_same_keys() -> None:
    dutch = set(catalogue("nl"))
    assert LANGUAGES[0] == "nl"  # Dutch first: the default
    for lang in LANGUAGES:
        assert set(catalogue(lang)) == dutch, lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_the_code_asks_for_exists(lang: str) -> None:
    literal, prefixes = used_keys()
    keys = set(catalogue(lang))
    assert sorted(literal - keys) == []
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in keys), prefix


def test_the_collector_sees_every_part_that_shows_text() -> None:
    """Each namespace is asked for by literal keys, so the collector still finds the calls."""
    literal, prefixes = used_keys()
    for namespace in ("report", "print", "graph", "score", "step", "prompt", "event"):
        assert any(key.startswith(namespace + ".") for key in literal), namespace
    assert {"report.event.confirmed", "report.event.not-confirmed"} <= literal  # t(a if x else b)
    assert {"outcome.", "report.result.", "print.field.", "exercise."} <= prefixes


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_values_journals_and_runbooks_carry_have_texts(lang: str) -> None:
    keys = set(catalogue(lang))

    def missing(prefix: str, values: Iterable[str]) -> list[str]:
        return [f"{prefix}.{value}" for value in values if f"{prefix}.{value}" not in keys]

    # Lists the engine keeps (results, pause reasons, deadline states) are written out here.
    assert missing("outcome", OUTCOMES) == []
    assert missing("state", ("open", "paused", "closed", "damaged")) == []
    assert missing("mode", ("live", "exercise")) == []
    assert missing("report.mode", ("live", "exercise")) == []
    assert missing("report.result", ("done", "skipped", "deferred")) == []
    assert missing("report.reason", ("user", "interrupted", "input-ended")) == []
    assert missing("report.deadline", ("met", "missed", "open", "overdue", "skipped")) == []
    assert missing("exercise", (scoring.MET, scoring.LATE, scoring.MISSED, scoring.VISITED)) == []
    assert missing("print.kind", STEP_TYPES) == []
    assert missing("print.field", ("time", "reason", "value")) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_across_languages(lang: str) -> None:
    dutch = catalogue("nl")
    for key, text in catalogue(lang).items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(dutch[key])), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_formats_with_its_placeholders(lang: str) -> None:
    """A stray brace would raise only when the text is shown: format every one now."""
    for key, text in catalogue(lang).items():
        names = PLACEHOLDER.findall(text)
        assert text.format(**dict.fromkeys(names, "x")), key


def test_a_missing_key_shows_the_key_instead_of_failing() -> None:
    assert Messages("nl")("no-such-key") == "no-such-key"
    assert Messages("en")("verify.ok", count=3, hash="ab").startswith("Journal intact: 3")


def test_a_value_without_a_text_is_shown_as_it_is() -> None:
    assert Messages("nl").word("outcome", "resolved") == "opgelost"
    assert Messages("en").word("outcome", "handed-over") == "handed over"
    assert Messages("nl").word("outcome", "from-the-future") == "from-the-future"


def test_an_unknown_language_is_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr': choose one of nl, en"):
        Messages("fr")
