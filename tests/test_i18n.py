"""One message catalogue per language, with the same keys, holding every key the code asks for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from draaiboek.cli.settings import LANGUAGES
from draaiboek.model.catalogue import Messages, catalogue

PACKAGE = Path(__file__).resolve().parent.parent / "draaiboek"
# A literal key passed to a Messages object: t("..."), messages("..."), self.screen.t("...").
LITERAL_KEY = re.compile(r"\b(?:t|messages)\(\s*\"([a-z0-9][a-z0-9.-]*)\"")
# Keys built from a prefix and a value, e.g. t(f"outcome.{outcome}").
PREFIXED_KEY = re.compile(r"\b(?:t|messages)\(\s*f\"([a-z0-9.-]+\.)\{")


def used_keys() -> tuple[set[str], set[str]]:
    literal: set[str] = set()
    prefixes: set[str] = set()
    for source in PACKAGE.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        literal.update(LITERAL_KEY.findall(text))
        prefixes.update(PREFIXED_KEY.findall(text))
    return literal - {"key"}, prefixes


def test_every_language_has_the_same_keys() -> None:
    dutch = set(catalogue("nl"))
    for lang in LANGUAGES:
        assert set(catalogue(lang)) == dutch, lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_the_code_asks_for_exists(lang: str) -> None:
    literal, prefixes = used_keys()
    assert len(literal) > 20  # the pattern still finds the calls
    keys = set(catalogue(lang))
    assert sorted(literal - keys) == []
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in keys), prefix


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_values_a_walk_shows_have_texts(lang: str) -> None:
    keys = set(catalogue(lang))
    for outcome in ("resolved", "handed-over", "escalated", "aborted"):
        assert f"outcome.{outcome}" in keys
    for state in ("open", "paused", "closed", "damaged"):
        assert f"state.{state}" in keys
    for mode in ("live", "exercise"):
        assert f"mode.{mode}" in keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_across_languages(lang: str) -> None:
    field = re.compile(r"\{([a-z_]+)\}")
    dutch = catalogue("nl")
    for key, text in catalogue(lang).items():
        assert set(field.findall(text)) == set(field.findall(dutch[key])), key


def test_a_missing_key_shows_the_key_instead_of_failing() -> None:
    assert Messages("nl")("no-such-key") == "no-such-key"
    assert Messages("en")("verify.ok", count=3, hash="ab").startswith("Journal intact: 3")
