"""The overview's words come from the one message catalogue (`national.*`), in every language,
for the text view and for every word the page's script reads (no database needed)."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from draaiboek.model.catalogue import LANGUAGES
from draaiboek.services.national.page import page_words

FLAGS = ("not-in-registry", "example", "unverified")  # numbers.py: a published number's flags
STATES = ("met", "late", "missed", "due-soon", "open", "round")  # targets.py: a target's states
_SCRIPT = resources.files("draaiboek.services.national").joinpath("static", "page.js")


def _script_words() -> tuple[set[str], set[str]]:
    """Literal words (`words.x`, `words["x"]`) and prefixes (`words["x-" + ...]`)."""
    script = _SCRIPT.read_text("utf-8")
    literal = set(re.findall(r"\bwords\.([a-z][a-z-]*)", script))
    literal |= set(re.findall(r'\bwords\["([a-z-]+)"\]', script))
    prefixes = set(re.findall(r'\bwords\["([a-z-]+-)"\s*\+', script))
    return literal, prefixes


def test_the_script_reads_words_and_the_collector_sees_them() -> None:
    literal, prefixes = _script_words()
    assert {"now", "silent-for", "no-incidents", "t-plus", "flag-ok"} <= literal
    assert prefixes == {"flag-", "state-"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_word_the_page_reads_is_in_the_catalogue(lang: str) -> None:
    words = page_words(lang)
    literal, _ = _script_words()
    assert sorted(literal - set(words)) == []
    assert "title" in words
    for flag in FLAGS:
        assert f"flag-{flag}" in words
    for state in STATES:
        assert f"state-{state}" in words


def test_the_page_speaks_dutch_first_and_english_on_request() -> None:
    assert page_words("nl")["silent-for"] == "stil"
    assert page_words("en")["silent-for"] == "silent"
    with pytest.raises(ValueError, match="unknown language"):
        page_words("fr")
