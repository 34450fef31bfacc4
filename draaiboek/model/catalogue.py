"""What a person reads, from one message catalogue per language (draaiboek/model/locale/*.json).

Keys are namespaced by where the text appears: `step.…` and `prompt.…` on the walk's screen,
`report.…` in the incident report, `print.…` on the printed runbook, `graph.…` in the graph,
`score.…` in the exercise score, `help.…` in `--help` (see cli/helptext), `error.…` in the
command line's one-line errors. Words for a value that journals and runbooks carry (an outcome,
a state) have one key each, shared by every place that shows them (`outcome.resolved`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

LANGUAGES = ("nl", "en")  # every language has a catalogue
DEFAULT_LANGUAGE = "nl"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All texts of one language, key -> template with `{name}` placeholders.

    Raises ValueError for a language without a catalogue.
    """
    # Imported here: the command line imports this module for LANGUAGES at start-up.
    import json
    from importlib import resources

    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    text = (resources.files("draaiboek.model") / "locale" / f"{lang}.json").read_text(
        encoding="utf-8"
    )
    loaded: dict[str, str] = json.loads(text)
    return loaded


class Messages:
    """`messages("key", name=...)` gives the text in the chosen language.

    Raises ValueError for a language without a catalogue.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._texts = catalogue(lang)

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self._texts.get(key)
        if template is None:  # a missing text must never stop a walk: show the key instead
            return key if not params else f"{key} {params}"
        return template.format(**params) if params else template

    def word(self, prefix: str, value: object) -> str:
        """The text for a value, e.g. `word("outcome", "resolved")` -> "opgelost".

        A value without a text (written by a newer version, or by hand) is shown as it is.
        """
        name = str(value)
        return self._texts.get(f"{prefix}.{name}", name)
