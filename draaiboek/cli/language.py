"""The language of what the command line says: help, error lines, prompts (texts: model/locale).

It is known before click parses anything (help is shown while parsing): --lang on the command
line, else DRAAIBOEK_LANG, else Dutch. A command that resumes an incident may switch to the
incident's own language (`use`) when neither says otherwise. Kept light: `draaiboek --version`
imports this module, so the catalogue is read only when a text is asked for.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from draaiboek.model.catalogue import DEFAULT_LANGUAGE, LANGUAGES, Messages

# This invocation's language, and the one its command line asked for (None: it did not say).
_current: list[str] = [DEFAULT_LANGUAGE]
_asked: list[str | None] = [None]


def language_asked(args: Sequence[str], env: Mapping[str, str] = os.environ) -> str | None:
    """The language a command line asks for: the last --lang with texts (before a lone `--`),
    else DRAAIBOEK_LANG; None when neither names a language with texts (a command refuses
    such a --lang itself, in this language or the default one)."""
    given: str | None = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value = args[index + 1] if arg == "--lang" and index + 1 < len(args) else None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGUAGES:
            given = value
    chosen = given or env.get("DRAAIBOEK_LANG")
    return chosen if chosen in LANGUAGES else None


def begin(args: Sequence[str], env: Mapping[str, str] = os.environ) -> None:
    """A command line starts: its language is what it asks for, else Dutch."""
    _asked[0] = language_asked(args, env)
    _current[0] = _asked[0] or DEFAULT_LANGUAGE


def asked() -> str | None:
    """The language the command line asked for (--lang anywhere, DRAAIBOEK_LANG), or None."""
    return _asked[0]


def use(lang: str) -> None:
    """From now on, say things in `lang` (one of LANGUAGES)."""
    _current[0] = lang


def current() -> str:
    """The language in use: what the command line asked for, Dutch when it did not."""
    return _current[0]


def t(key: str, /, **params: Any) -> str:
    """The catalogue's text for `key` in the language in use, e.g. t("error.no-such-folder")."""
    return Messages(_current[0])(key, **params)


def one_of(choices: Sequence[str]) -> str:
    """Choices as a person writes them: "md, html or json" ("md, html of json")."""
    if len(choices) < 2:
        return "".join(choices)
    return f"{', '.join(choices[:-1])} {t('error.or')} {choices[-1]}"
