"""What a duty officer reads, from one message catalogue per language (draaiboek/locale/*.json)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def catalogue(lang: str) -> dict[str, str]:
    text = (resources.files("draaiboek.model") / "locale" / f"{lang}.json").read_text(
        encoding="utf-8"
    )
    loaded: dict[str, str] = json.loads(text)
    return loaded


class Messages:
    """`messages("key", name=...)` gives the text in the chosen language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._texts = catalogue(lang)

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self._texts.get(key)
        if template is None:  # a missing text must never stop a walk: show the key instead
            return key if not params else f"{key} {params}"
        return template.format(**params) if params else template
