"""Durations in words (model/durations.py: span_words, every_words, within_words), from the
catalogue. The measured fault: "repeat intervals are printed as raw `PT15M`"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from draaiboek.model.catalogue import Messages
from draaiboek.model.durations import every_words, span_words, within_words

NL, EN = Messages("nl"), Messages("en")


@pytest.mark.parametrize(
    ("value", "dutch", "english"),
    [
        (timedelta(minutes=15), "15 minuten", "15 minutes"),
        (timedelta(minutes=1), "1 minuut", "1 minute"),
        (timedelta(hours=1), "1 uur", "1 hour"),
        (timedelta(hours=2), "2 uur", "2 hours"),
        (timedelta(hours=1, minutes=30), "1 uur en 30 minuten", "1 hour and 30 minutes"),
        (timedelta(days=2), "2 dagen", "2 days"),
        (
            timedelta(days=1, hours=2, minutes=3),
            "1 dag, 2 uur en 3 minuten",
            "1 day, 2 hours and 3 minutes",
        ),
        (timedelta(seconds=45), "45 seconden", "45 seconds"),
        (timedelta(0), "0 seconden", "0 seconds"),
    ],
)
def test_a_span_in_words(value: timedelta, dutch: str, english: str) -> None:
    assert span_words(value, NL) == dutch
    assert span_words(value, EN) == english


@pytest.mark.parametrize(
    ("value", "dutch", "english"),
    [
        (timedelta(minutes=15), "elk kwartier", "every 15 minutes"),
        (timedelta(minutes=30), "elk halfuur", "every 30 minutes"),
        (timedelta(hours=1), "elk uur", "every hour"),
        (timedelta(minutes=1), "elke minuut", "every minute"),
        (timedelta(minutes=10), "elke 10 minuten", "every 10 minutes"),
        (timedelta(hours=2), "elke 2 uur", "every 2 hours"),
    ],
)
def test_an_interval_in_words(value: timedelta, dutch: str, english: str) -> None:
    assert every_words(value, NL) == dutch
    assert every_words(value, EN) == english


def test_a_deadline_span_in_words() -> None:
    assert within_words(timedelta(minutes=15), NL) == "binnen 15 minuten"
    assert within_words(timedelta(minutes=15), EN) == "within 15 minutes"


def test_no_iso_duration_reaches_a_duty_officer() -> None:
    for value in (timedelta(minutes=15), timedelta(minutes=7), timedelta(hours=3)):
        for t in (NL, EN):
            assert "PT" not in every_words(value, t) + within_words(value, t)
